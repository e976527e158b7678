// TaskBroker: see task_broker.h.
#include "engine/server/task_broker.h"

#include <nlohmann/json.hpp>
#include <utility>

namespace sluice::engine::server {

namespace {

// The executor's tokens are "<execution ARN>#<event id>" (engine/executor.cpp).
bool WellFormed(const std::string& token) {
  auto hash = token.rfind('#');
  return token.rfind("arn:", 0) == 0 && hash != std::string::npos && hash + 1 < token.size() &&
         token.find_first_not_of("0123456789", hash + 1) == std::string::npos;
}

}  // namespace

bool TaskBroker::Handles(const handlers::TaskRequest& request) const {
  return !request.task_token.empty();
}

void TaskBroker::Start(const handlers::TaskRequest& request, handlers::TaskCallback done) {
  // A task dispatched again (after a restart) replaces the one that was waiting.
  if (auto old = waiting_.find(request.task_token); old != waiting_.end()) {
    token_of_.erase(old->second.task_id);
  }
  waiting_[request.task_token] = Waiting{request.task_id, std::move(done)};
  token_of_[request.task_id] = request.task_token;
}

void TaskBroker::Cancel(uint64_t task_id) {
  auto it = token_of_.find(task_id);
  if (it == token_of_.end()) return;
  waiting_.erase(it->second);
  token_of_.erase(it);
}

Status<TokenError> TaskBroker::Check(const std::string& token) const {
  if (!WellFormed(token)) return sluice::Fail(TokenError{"InvalidToken", "Invalid token"});
  if (waiting_.count(token) == 0) {
    return sluice::Fail(TokenError{"TaskDoesNotExist", "Task Does Not Exist: '" + token + "'"});
  }
  return Ok{};
}

Status<TokenError> TaskBroker::Complete(const std::string& token, handlers::TaskOutcome outcome) {
  auto checked = Check(token);
  if (!checked.ok()) return checked;
  auto it = waiting_.find(token);
  handlers::TaskCallback done = std::move(it->second.done);
  token_of_.erase(it->second.task_id);
  waiting_.erase(it);
  done(std::move(outcome));
  return Ok{};
}

Status<TokenError> TaskBroker::SendSuccess(const std::string& token,
                                           std::shared_ptr<const Json> output) {
  return Complete(token, handlers::TaskOutcome{true, std::move(output), {}});
}

Status<TokenError> TaskBroker::SendFailure(const std::string& token, asl::AslError error) {
  return Complete(token, handlers::TaskOutcome{false, nullptr, std::move(error)});
}

Status<TokenError> TaskBroker::SendHeartbeat(const std::string& token) {
  auto checked = Check(token);
  if (!checked.ok()) return checked;
  if (on_heartbeat_) on_heartbeat_(waiting_.at(token).task_id);
  return Ok{};
}

}  // namespace sluice::engine::server
