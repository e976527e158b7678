// HistoryEvent: one entry of an execution's history, in AWS's GetExecutionHistory shape.
//
// Event ids start at 1 and are contiguous within an execution; previousEventId is the event
// that caused this one (0 for ExecutionStarted). `type` is AWS's HistoryEventType name and
// `details` the body of the matching `<type>EventDetails` member, e.g. for PassStateEntered the
// `stateEnteredEventDetails` object {name, input, inputDetails}.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "asl/json.h"

namespace sluice::engine {

struct HistoryEvent {
  int64_t id = 0;
  int64_t previous_event_id = 0;
  int64_t timestamp_nanos = 0;          // since the Unix epoch
  std::string type;                     // AWS HistoryEventType, e.g. "TaskStateEntered"
  std::shared_ptr<const Json> details;  // may be null (no details member)
};

// The AWS member name for `type`'s details, e.g. "stateEnteredEventDetails" for any
// "*StateEntered" event, "taskScheduledEventDetails" for "TaskScheduled"; "" when the type
// has no details member.
std::string DetailsMemberName(const std::string& type);

// The event in GetExecutionHistory JSON shape:
// {"timestamp": "...", "type": ..., "id": ..., "previousEventId": ..., "<member>": {...}}.
Json HistoryEventToJson(const HistoryEvent& event);

}  // namespace sluice::engine
