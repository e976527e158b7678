// StepFunctionsApi: the AWS Step Functions API (JSON 1.0 protocol) over a Service, independent of
// HTTP: `sluice serve` passes it each request's action (the X-Amz-Target header without its
// "AWSStepFunctions." prefix) and body, and sends back what it answers.
//
// Answers have AWS's shapes: the response members AWS documents for each action (timestamps as
// epoch seconds, as the JSON protocol sends them), or an error {type, message} with AWS's error
// names (StateMachineDoesNotExist, ExecutionAlreadyExists, InvalidDefinition, …). Every request
// member is type-checked; a wrong one is a ValidationException naming it. docs/server.md lists
// what each action supports.
//
// Most actions answer at once. StartSyncExecution answers when its execution ends.
// SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat answer `.waitForTaskToken` and activity
// tasks held by the TaskBroker (engine/server/task_broker.h). Activities (CreateActivity, …) are
// stored in the service's store; GetActivityTask long-polls on the loop (up to 60 s, then `{}`)
// and records ActivityStarted for the task it hands out. TestState runs one state on the
// executor (engine/server/test_state.h) and answers when it is done.
//
// Thread rule: the loop thread of the service's runtime.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::engine {
class Service;
}

namespace sluice::engine::server {

class TaskBroker;

struct ApiError {
  std::string type;     // AWS's error name, e.g. "ExecutionDoesNotExist"
  std::string message;  // e.g. "Execution Does Not Exist: 'arn:…'"
  int http_status = 400;
};

struct ApiAnswer {
  bool ok = true;
  std::string body;  // the response JSON when ok
  ApiError error;    // when !ok
};

using ApiReply = std::function<void(ApiAnswer)>;

struct ApiOptions {
  size_t max_input_bytes = 256 * 1024;     // StartExecution input, task outputs (AWS: 256 KiB)
  uint64_t activity_poll_millis = 60'000;  // GetActivityTask's longest wait (AWS: 60 s)
};

class StepFunctionsApi {
 public:
  // `service` and `broker` must outlive the API. The API gives `broker` its activity lookup
  // (TaskBroker::set_activity_lookup) for its lifetime. GetActivityTask polls and TestState runs
  // still waiting when the API is destroyed are dropped unanswered.
  StepFunctionsApi(Service& service, TaskBroker& broker, ApiOptions options = {});
  ~StepFunctionsApi();
  StepFunctionsApi(const StepFunctionsApi&) = delete;
  StepFunctionsApi& operator=(const StepFunctionsApi&) = delete;

  // Answers one request: `action` e.g. "StartExecution", `body` its JSON text. `reply` is called
  // exactly once, possibly later (StartSyncExecution).
  void Handle(std::string_view action, std::string_view body, ApiReply reply);

  // For a server shutting down: GetActivityTask polls waiting now are answered at once (`{}`
  // when no task came), and later ones do not wait.
  void EndPolls();

  // The answer to an error, as the JSON body AWS sends: {"__type": …, "message": …}.
  static std::string ErrorBody(const ApiError& error);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::engine::server
