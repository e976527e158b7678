// TaskBroker: serves the Task states that wait for a client to answer them.
//
//  - A Task whose Resource ends in `.waitForTaskToken` is handed a task token ($$.Task.Token);
//    the state waits until a client calls SendTaskSuccess or SendTaskFailure with that token (or
//    its TimeoutSeconds / HeartbeatSeconds runs out).
//  - A Task whose Resource is an activity ARN (engine::IsActivityResource) is queued for its
//    activity until a worker takes it (GetActivityTask: TakeActivityTask, or a poller registered
//    with AddPoller); the worker then answers with the task's token like a callback client.
//
// Tokens are the executor's (execution ARN + the scheduled event id), so they survive a
// restart: a waiting task recovered after a restart is dispatched again with the same token, so
// the client's answer finds it, and an activity task is queued again for its workers (one that a
// worker had taken before the restart may be handed out once more: at least once).
//
// Thread rule: the loop thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "asl/result.h"
#include "handlers/task_handler.h"

namespace sluice::engine::server {

// Why an answer was refused, in AWS's error names.
struct TokenError {
  std::string type;  // "TaskDoesNotExist", "InvalidToken"
  std::string message;
};

// An activity task handed to a worker: GetActivityTask's answer.
struct ActivityTask {
  uint64_t task_id = 0;  // TaskRequest::task_id (for Runtime::TaskStarted)
  std::string token;
  std::shared_ptr<const Json> input;
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

  // Whether an activity exists (the API's store lookup). Without one every activity ARN is
  // served; with one, a task for an activity that does not exist fails at once with
  // "ActivityDoesNotExist".
  using ActivityLookup = std::function<bool(const std::string& activity_arn)>;
  void set_activity_lookup(ActivityLookup lookup) { activity_exists_ = std::move(lookup); }

  // The oldest task queued for `activity_arn` and not yet taken, or none. The task stays
  // waiting for its answer.
  std::optional<ActivityTask> TakeActivityTask(const std::string& activity_arn);
  // A worker waiting for a task of `activity_arn`: `deliver` is called once, from Start(), with
  // the next task queued for it (pollers are served oldest first). Returns the poller's id.
  using Deliver = std::function<void(ActivityTask)>;
  uint64_t AddPoller(const std::string& activity_arn, Deliver deliver);
  // Forgets a poller not yet served (its wait ran out). Unknown ids are ignored.
  void RemovePoller(uint64_t poller_id);

  size_t waiting() const { return waiting_.size(); }
  size_t pollers() const;

 private:
  struct Waiting {
    uint64_t task_id;
    handlers::TaskCallback done;
    std::string activity;  // the activity ARN; "" for callback tasks
    std::shared_ptr<const Json> input;
    bool queued = false;  // an activity task no worker has taken yet
  };
  struct Poller {
    uint64_t id;
    Deliver deliver;
  };
  Status<TokenError> Complete(const std::string& token, handlers::TaskOutcome outcome);
  Status<TokenError> Check(const std::string& token) const;
  ActivityTask Hand(const std::string& token, Waiting& waiting);

  std::map<std::string, Waiting> waiting_;    // token -> task
  std::map<uint64_t, std::string> token_of_;  // task id -> token
  // Activity ARN -> tokens in scheduling order (entries no longer queued are skipped).
  std::map<std::string, std::deque<std::string>> queues_;
  std::map<std::string, std::deque<Poller>> pollers_;  // activity ARN -> waiting workers
  uint64_t next_poller_ = 1;
  std::function<void(uint64_t)> on_heartbeat_;
  ActivityLookup activity_exists_;
};

}  // namespace sluice::engine::server
