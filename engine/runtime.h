// Runtime: one libuv loop that drives many executions.
//
// The runtime carries out the executors' commands: tasks go to a TaskHandler (asynchronous, on
// the loop), timers go into one ordered queue (due time, then sequence) served by a single
// uv_timer. Task completions are queued and delivered from the loop, never re-entrantly, so a
// long chain of instantly-completing tasks uses constant stack.
//
// Under a virtual clock, when no task is in flight and no completion is queued, time jumps to
// the next due timer: a machine that waits for hours runs in milliseconds, with consistent
// timestamps.
//
// Thread rule: everything runs on the thread that calls Run().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "asl/json.h"
#include "asl/result.h"
#include "asl/state_machine.h"
#include "engine/clock.h"
#include "engine/executor.h"
#include "engine/journal.h"

typedef struct uv_loop_s uv_loop_t;

namespace sluice::handlers {
class TaskHandler;
}

namespace sluice::engine {

// Receives, on the loop thread, everything a durable store must record. The runtime holds back
// every command (start a task, arm a timer) and every end-of-execution callback until Commit()
// has succeeded, so an intention is durable before it is acted on; one Commit covers all the
// executions that moved during a turn of the loop (group commit).
class RuntimeListener {
 public:
  virtual ~RuntimeListener() = default;
  // A new execution (already started: its start time is known); called before any of its
  // events are reported.
  virtual void OnStart(const Executor& execution, const Json& input) = 0;
  // An external event is about to be delivered to the execution.
  virtual void OnEntry(const Executor& execution, const JournalEntry& entry) = 0;
  // The execution appended history events from index `first_event` on and issued `commands`.
  virtual void OnProgress(const Executor& execution, size_t first_event,
                          const Commands& commands) = 0;
  // The execution has ended (reported after its last OnProgress).
  virtual void OnEnd(const Executor& execution) = 0;
  // Makes everything reported so far durable.
  virtual Status<> Commit() = 0;
};

// Counters since the runtime was made (for `sluice serve`'s /metrics).
struct RuntimeStats {
  uint64_t started = 0;             // executions started or adopted
  std::array<uint64_t, 5> ended{};  // by ExecutionStatus
  uint64_t history_events = 0;      // events reported to the listener
  uint64_t commits = 0;             // listener commits, and their total time
  int64_t commit_nanos = 0;
  uint64_t tasks_completed = 0;  // tasks answered (not cancelled), and their total time
  int64_t task_nanos = 0;
  size_t running = 0;  // executions running now
  size_t tasks_in_flight = 0;
  size_t timers_pending = 0;
  size_t queued = 0;  // completions and held-back commands awaiting the loop
};

class Runtime {
 public:
  // The clock must outlive the runtime. The runtime owns its uv loop; handlers that need the
  // loop are built after the runtime, from loop(), and installed with set_handler() before the
  // first Start().
  explicit Runtime(Clock& clock);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  uv_loop_t* loop();
  Clock& clock();

  // `handler` serves every task (usually a handlers::HandlerRegistry); it must outlive the
  // runtime.
  void set_handler(handlers::TaskHandler* handler);

  using DoneCallback = std::function<void(const Executor&)>;

  // Starts an execution now; `done` (optional) is called once when it ends.
  Executor& Start(std::shared_ptr<const asl::StateMachine> machine, ExecutionOptions options,
                  Json input, DoneCallback done = nullptr);

  // Continues an execution rebuilt from its journal (recovery): its pending timers are re-armed
  // at their original due times (one already due fires at once) and its pending tasks are
  // dispatched again, with the same idempotency keys.
  Executor& Adopt(Rebuilt rebuilt, DoneCallback done = nullptr);

  // SendTaskHeartbeat: the task `task_id` (TaskRequest::task_id) is alive; its state's
  // HeartbeatSeconds count again (journaled, so recovery and replay see it). False when no such
  // task is in flight.
  bool TaskHeartbeat(uint64_t task_id);
  // GetActivityTask: the worker `worker_name` took the activity task `task_id`
  // (TaskRequest::task_id); the execution records ActivityStarted (journaled). False when no
  // such task is in flight.
  bool TaskStarted(uint64_t task_id, const std::string& worker_name);

  // Requests StopExecution for a running execution.
  void Stop(Executor& execution, const std::string& error, const std::string& cause);

  // `listener` (optional; must outlive the runtime) records every execution durably.
  void set_listener(RuntimeListener* listener);

  // Runs the loop until every execution has ended. Fails when the listener cannot commit: the
  // executions stop where they are (what was committed can be resumed).
  Status<> Run();

  // Runs the loop as a server: executions may be started from loop callbacks (e.g. an HTTP
  // request) at any time, and it returns only after RequestStop() (having committed what was
  // reported) or a failed commit. Executions still running stay recorded RUNNING and resume at
  // the next start. Under a virtual clock, idle time jumps to the next timer once the loop has
  // no I/O ready.
  Status<> Serve();
  // Commits what has been reported and carries out the commands held back for it now, rather
  // than at the next turn of the loop: for a caller that must not answer before its request is
  // durable (the API's StartExecution). Fails as Run() does when the commit fails.
  Status<> CommitNow();
  // Makes Run() or Serve() return at the next turn of the loop (callable from loop callbacks
  // and signal handlers run on the loop).
  void RequestStop();

  // Executions started or adopted and not yet ended. Under Serve(), an ended execution's
  // Executor is released once its end is committed and its done callback has run (under Run()
  // it lives as long as the runtime).
  size_t running() const;
  RuntimeStats stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::engine
