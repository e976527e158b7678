// TaskHandler: the one interface behind which every Task resource runs.
//
// The engine turns a Task state into a TaskRequest and calls Start(). The handler does its work
// asynchronously on the loop (a subprocess through uv_spawn, an HTTP request, a timer, or
// nothing at all for a canned response) and calls `done` exactly once, on the loop thread.
// Handlers never block the loop thread. `done` may be called from inside Start() only when the
// handler must fail at once (e.g. a resource it cannot serve); the engine tolerates that.
//
// Thread rule: every method is called on the loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "asl/errors.h"
#include "asl/json.h"

namespace sluice::handlers {

struct TaskRequest {
  uint64_t task_id = 0;                 // unique within the process; used by Cancel()
  std::string resource;                 // the state's Resource, verbatim
  std::shared_ptr<const Json> payload;  // the effective parameters (after Parameters)
  std::string state_machine_name;       // e.g. "MyMachine" (mock files key on it)
  std::string state_name;
  std::string execution_arn;
  std::string execution_name;
  // Stable across retries of a crash (execution id + TaskScheduled event id): a task invoked
  // again after a restart sees the same key. Commands get it as SLUICE_IDEMPOTENCY_KEY.
  std::string idempotency_key;
  std::string task_token;  // non-empty for .waitForTaskToken resources
};

struct TaskOutcome {
  bool ok = false;
  std::shared_ptr<const Json> result;  // when ok
  asl::AslError error;                 // when !ok
};

using TaskCallback = std::function<void(TaskOutcome)>;

class TaskHandler {
 public:
  virtual ~TaskHandler() = default;

  // True when this handler serves the request's resource (and, for lambda:invoke, the
  // payload's FunctionName).
  virtual bool Handles(const TaskRequest& request) const = 0;

  // Starts the task; `done` is called exactly once unless Cancel() comes first.
  virtual void Start(const TaskRequest& request, TaskCallback done) = 0;

  // Best-effort cancellation (timeout, execution stopped): kill the subprocess, drop the
  // request. After Cancel(), `done` must not be called.
  virtual void Cancel(uint64_t task_id) { (void)task_id; }
};

}  // namespace sluice::handlers
