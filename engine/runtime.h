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
#include "asl/state_machine.h"
#include "engine/clock.h"
#include "engine/executor.h"

typedef struct uv_loop_s uv_loop_t;

namespace sluice::handlers {
class TaskHandler;
}

namespace sluice::engine {

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

  // Requests StopExecution for a running execution.
  void Stop(Executor& execution, const std::string& error, const std::string& cause);

  // Runs the loop until every execution has ended.
  void Run();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::engine
