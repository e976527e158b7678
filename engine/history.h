// HistoryEvent: one entry of an execution's history, in AWS's GetExecutionHistory shape.
//
// Event ids start at 1 and are contiguous within an execution; previousEventId is the event
// that caused this one (0 for ExecutionStarted). `type` is AWS's HistoryEventType name and
// `details` the body of the matching `<type>EventDetails` member, e.g. for PassStateEntered the
// `stateEnteredEventDetails` object {name, input, inputDetails}.
//
// The details are kept as their compact JSON text, built once by the executor (asl/json_text.h)
// and stored as is: nothing on the per-transition path builds a Json tree for them. Readers that
// need a tree parse it with DetailsJson().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "asl/json.h"

namespace sluice::engine {

struct HistoryEvent {
  int64_t id = 0;
  int64_t previous_event_id = 0;
  int64_t timestamp_nanos = 0;  // since the Unix epoch
  std::string type;             // AWS HistoryEventType, e.g. "TaskStateEntered"
  std::string details;          // compact JSON text of an object; empty: no details member
};

// The details as a Json object; null when the event has none (or, never the case for events
// from the executor or the store, when the text is not valid JSON).
Json DetailsJson(const HistoryEvent& event);

// The AWS member name for `type`'s details, e.g. "stateEnteredEventDetails" for any
// "*StateEntered" event, "taskScheduledEventDetails" for "TaskScheduled"; "" when the type
// has no details member.
std::string DetailsMemberName(const std::string& type);

// The event in GetExecutionHistory JSON shape:
// {"timestamp": "...", "type": ..., "id": ..., "previousEventId": ..., "<member>": {...}}.
Json HistoryEventToJson(const HistoryEvent& event);

// Whether HistoryEventToJson(a) == HistoryEventToJson(b), mostly without building either: equal
// details texts are equal details, and only different texts are compared as JSON.
bool SameEvent(const HistoryEvent& a, const HistoryEvent& b);

}  // namespace sluice::engine
