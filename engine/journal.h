// Journal: the external events an execution consumed, in order — what makes it replayable.
//
// The executor is a deterministic step function: given its definition, options (including the
// random seed), input and start time, the sequence of external events it received (task results,
// timer firings, stop and redrive requests, each with the `now` it was delivered at) determines
// everything else: its history, its variables, its pending work. The runtime records each such
// event as a JournalEntry next to the history; recovery and replay rebuild an executor by feeding
// the entries back (Rebuild).
//
// Thread rule: plain values and a pure function.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "asl/json.h"
#include "asl/result.h"
#include "asl/state_machine.h"
#include "engine/executor.h"

namespace sluice::engine {

struct JournalEntry {
  enum class Kind {
    kTaskSucceeded,  // id: the executor's task id; value: the result
    kTaskFailed,     // id: the task id; value: {"Error": …, "Cause": …}
    kTimer,          // id: the executor's timer id
    kStop,           // value: {"Error": …, "Cause": …}
    kRedrive,        // value: {"redriveCount": N}, the count the redrive brought the execution to
    kHeartbeat,      // id: the task id (SendTaskHeartbeat)
    kTaskStarted,    // id: the task id; value: {"workerName": …} (an activity worker took it)
  };
  Kind kind = Kind::kTimer;
  uint64_t id = 0;
  int64_t time = 0;                   // nanoseconds since the Unix epoch, as passed to the executor
  std::shared_ptr<const Json> value;  // may be null (timers)
};

// Compact JSON text of an entry, and back. Parsing fails with a message naming the problem.
std::string EncodeJournalEntry(const JournalEntry& entry);
Result<JournalEntry> DecodeJournalEntry(const std::string& text);

// Delivers `entry` to `executor` and returns the commands it answers with.
Commands Deliver(Executor& executor, const JournalEntry& entry);

// What the runtime must still do for a rebuilt execution: the tasks scheduled without a
// recorded result and the timers started but neither fired nor cancelled, each as the command
// that created it.
struct PendingWork {
  std::vector<Command> tasks;
  std::vector<Command> timers;
};

// Tracks which scheduled tasks and started timers are still outstanding, from the commands an
// executor issues and the entries delivered to it.
class PendingTracker {
 public:
  void Apply(const Commands& commands);
  void Delivered(const JournalEntry& entry);
  PendingWork Pending() const;

 private:
  std::vector<Command> tasks_;
  std::vector<Command> timers_;
};

struct Rebuilt {
  std::unique_ptr<Executor> executor;
  PendingWork pending;
};

// The options an execution was started with, from those decoded from its stored row: the row's
// redrive count is the current one, raised by each redrive entry of `entries`.
ExecutionOptions StartOptions(ExecutionOptions stored, const std::vector<JournalEntry>& entries);

// Replays an execution: Start(input, start_time), then every entry in order. The executor ends
// in exactly the state the original reached after its last recorded entry.
Rebuilt Rebuild(std::shared_ptr<const asl::StateMachine> machine, ExecutionOptions options,
                const Json& input, int64_t start_time, const std::vector<JournalEntry>& entries);

}  // namespace sluice::engine
