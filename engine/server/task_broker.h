// TaskBroker: serves the Task states that wait for a client to answer them. A Task whose
// Resource ends in `.waitForTaskToken` is handed a task token ($$.Task.Token); the state waits
// until a client calls SendTaskSuccess or SendTaskFailure with that token (or its
// TimeoutSeconds / HeartbeatSeconds runs out).
//
// Tokens are the executor's (execution ARN + the TaskScheduled event id), so they survive a
// restart: a waiting task recovered after a restart is dispatched again with the same token and
// the client's answer finds it.
//
// Thread rule: the loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "asl/result.h"
#include "handlers/task_handler.h"

namespace sluice::engine::server {

// Why an answer was refused, in AWS's error names.
struct TokenError {
  std::string type;  // "TaskDoesNotExist", "InvalidToken"
  std::string message;
};

class TaskBroker final : public handlers::TaskHandler {
 public:
  // `on_heartbeat` (optional) is told the task id of each accepted SendTaskHeartbeat (the
  // daemon passes Runtime::TaskHeartbeat).
  explicit TaskBroker(std::function<void(uint64_t task_id)> on_heartbeat = nullptr)
      : on_heartbeat_(std::move(on_heartbeat)) {}

  bool Handles(const handlers::TaskRequest& request) const override;
  void Start(const handlers::TaskRequest& request, handlers::TaskCallback done) override;
  void Cancel(uint64_t task_id) override;

  // SendTaskSuccess / SendTaskFailure: completes the waiting task.
  Status<TokenError> SendSuccess(const std::string& token, std::shared_ptr<const Json> output);
  Status<TokenError> SendFailure(const std::string& token, asl::AslError error);
  // SendTaskHeartbeat: the token must name a waiting task.
  Status<TokenError> SendHeartbeat(const std::string& token);

  size_t waiting() const { return waiting_.size(); }

 private:
  struct Waiting {
    uint64_t task_id;
    handlers::TaskCallback done;
  };
  Status<TokenError> Complete(const std::string& token, handlers::TaskOutcome outcome);
  Status<TokenError> Check(const std::string& token) const;

  std::map<std::string, Waiting> waiting_;    // token -> task
  std::map<uint64_t, std::string> token_of_;  // task id -> token
  std::function<void(uint64_t)> on_heartbeat_;
};

}  // namespace sluice::engine::server
