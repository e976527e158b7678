// Executor: one execution of a state machine, as a deterministic step function.
//
//   (ExecutionState, Event) -> (ExecutionState', Commands)
//
// Events come in through Start(), OnTaskResult(), OnTimer() and Stop(); each call returns the
// commands the runtime must carry out (schedule a task, start or cancel a timer) and appends
// history events. The executor does no I/O and reads no clock: the time of each event is passed
// in, and randomness comes from a seeded generator whose seed is part of the execution's
// identity. Feeding the same events at the same times reproduces the same history exactly;
// that is what resumption and replay rely on.
//
// Parallel branches and Map iterations are explicit frames in a table, never C++ recursion or
// threads; a frame names its state machine, current state and pending work.
//
// Lifecycle of an execution:
//
//   Start ──► RUNNING ──(last state ends)──► SUCCEEDED
//                │ ├──(unhandled error)────► FAILED
//                │ ├──(machine TimeoutSeconds)► TIMED_OUT
//                │ └──(Stop)───────────────► ABORTED
//                ▲                               │
//                └──────────(Redrive)────────────┘  FAILED, TIMED_OUT or ABORTED only
//
// Redrive (AWS RedriveExecution) continues the same execution: history goes on with
// ExecutionRedriven, $$.Execution.RedriveCount goes up by one, the machine's TimeoutSeconds
// counts again from the redrive, and every frame that did not succeed runs again from the state
// it ended in (with that state's input and variables, its retry counters afresh), while Map
// iterations and Parallel branches that succeeded keep their results.
//
// Thread rule: single-threaded; owned by the runtime's loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "asl/errors.h"
#include "asl/json.h"
#include "asl/state_machine.h"
#include "engine/history.h"

namespace sluice::engine {

enum class ExecutionStatus {
  kRunning,
  kSucceeded,
  kFailed,
  kTimedOut,
  kAborted,
};

const char* ExecutionStatusName(ExecutionStatus status);  // "RUNNING", "SUCCEEDED", …

// Whether a Task state's Resource names an activity,
// arn:<partition>:states:<region>:<account>:activity:<name>: its task waits for a worker
// (GetActivityTask) and records Activity* history events.
bool IsActivityResource(const std::string& resource);

struct ExecutionOptions {
  std::string state_machine_name;  // e.g. "hello"
  std::string state_machine_arn;   // arn:aws:states:local:123456789012:stateMachine:hello
  std::string execution_name;
  std::string execution_arn;  // arn:aws:states:local:123456789012:execution:hello:NAME
  std::string role_arn = "arn:aws:iam::123456789012:role/sluice";
  uint64_t seed = 0;  // for States.UUID, States.MathRandom and retry jitter
  // Payload quota (bytes of a state's input or output, serialised). AWS: 256 KiB.
  size_t max_payload_bytes = 256 * 1024;
  int64_t redrive_count = 0;  // at Start; Redrive counts up from here
  // Express executions cannot be redriven, so their context object has no RedriveCount.
  bool express = false;
  // AWS's quota of history events per execution: reaching it fails the execution with
  // States.Runtime. 0: no limit.
  int64_t max_history_events = 25000;
};

// Work the runtime must do on the executor's behalf.
struct Command {
  enum class Kind {
    kScheduleTask,  // run `resource` with `payload`; answer with OnTaskResult(task_id, …)
    kCancelTask,    // the task `task_id` is no longer wanted (timeout, abort)
    kStartTimer,    // call OnTimer(timer_id) at `due_nanos`
    kCancelTimer,   // the timer `timer_id` is no longer wanted
  };
  Kind kind = Kind::kStartTimer;
  uint64_t task_id = 0;
  uint64_t timer_id = 0;
  int64_t due_nanos = 0;
  std::string resource;
  std::string state_name;
  std::shared_ptr<const Json> payload;
  std::string task_token;          // .waitForTaskToken and activity tasks
  int64_t scheduled_event_id = 0;  // the TaskScheduled / LambdaFunctionScheduled /
                                   // ActivityScheduled event id
};

using Commands = std::vector<Command>;

// What the executor reports to a tracer (Executor::set_tracer) as it decides; replay uses it to
// explain a run. Today: which rule a Choice state matched.
struct TraceEvent {
  const asl::State* state = nullptr;  // the Choice state; valid while the executor lives
  int64_t entered_event_id = 0;       // its StateEntered event
  int64_t choice_index = -1;          // the matched entry of Choices; -1: Default
};

class Executor {
 public:
  Executor(std::shared_ptr<const asl::StateMachine> machine, ExecutionOptions options);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Starts the execution with `input` at time `now`.
  Commands Start(Json input, int64_t now);

  // A task scheduled by a kScheduleTask command finished. Unknown or stale ids are ignored.
  Commands OnTaskSucceeded(uint64_t task_id, Json result, int64_t now);
  Commands OnTaskFailed(uint64_t task_id, asl::AslError error, int64_t now);
  // SendTaskHeartbeat for a callback task: its HeartbeatSeconds count again from `now`. Tasks
  // without HeartbeatSeconds, and unknown or stale ids, are left alone.
  Commands OnTaskHeartbeat(uint64_t task_id, int64_t now);
  // GetActivityTask handed the activity task `task_id` to the worker `worker_name`:
  // ActivityStarted, and its HeartbeatSeconds start counting. Ignored for other tasks, for
  // unknown or stale ids, and for an activity task already started (handed out again after a
  // restart).
  Commands OnTaskStarted(uint64_t task_id, const std::string& worker_name, int64_t now);

  // A timer started by a kStartTimer command fired. Unknown or stale ids are ignored.
  Commands OnTimer(uint64_t timer_id, int64_t now);

  // StopExecution: ends a running execution as ABORTED.
  Commands Stop(const std::string& error, const std::string& cause, int64_t now);

  // RedriveExecution: runs a FAILED, TIMED_OUT or ABORTED execution again from where it did not
  // succeed (see the lifecycle above). Does nothing when NotRedrivableReason() is not empty.
  Commands Redrive(int64_t now);
  // Why Redrive() would do nothing, in AWS's words (DescribeExecution's redriveStatusReason,
  // e.g. "Execution is SUCCEEDED and cannot be redriven."); empty when it can be redriven.
  std::string NotRedrivableReason() const;

  ExecutionStatus status() const;
  int64_t redrive_count() const;  // $$.Execution.RedriveCount now
  int64_t redrive_time() const;   // of the last Redrive; 0 when never redriven
  bool done() const { return status() != ExecutionStatus::kRunning; }
  const Json& input() const;           // the execution's input
  const Json& output() const;          // when SUCCEEDED
  const asl::AslError& error() const;  // when FAILED / TIMED_OUT / ABORTED
  const std::vector<HistoryEvent>& history() const;
  const ExecutionOptions& options() const;
  int64_t start_time() const;

  // Optional: called synchronously, from inside the event that made the decision. Tracing
  // changes nothing in the run.
  void set_tracer(std::function<void(const TraceEvent&)> tracer);

  struct State;

 private:
  std::unique_ptr<State> s_;
};

}  // namespace sluice::engine
