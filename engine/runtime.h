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

#include <functional>
#include <memory>

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

  // Requests StopExecution for a running execution.
  void Stop(Executor& execution, const std::string& error, const std::string& cause);

  // `listener` (optional; must outlive the runtime) records every execution durably.
  void set_listener(RuntimeListener* listener);

  // Runs the loop until every execution has ended. Fails when the listener cannot commit: the
  // executions stop where they are (what was committed can be resumed).
  Status<> Run();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::engine
