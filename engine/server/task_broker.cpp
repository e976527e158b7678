// TaskBroker: see task_broker.h.
#include "engine/server/task_broker.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "engine/executor.h"

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
  const bool activity = IsActivityResource(request.resource);
  if (activity && activity_exists_ && !activity_exists_(request.resource)) {
    return done(handlers::TaskOutcome{
        false, nullptr,
        asl::AslError{"ActivityDoesNotExist", "Activity Does Not Exist: '" + request.resource + "'",
                      true}});
  }
  // A task dispatched again (after a restart) replaces the one that was waiting.
  bool was_queued = false;
  if (auto old = waiting_.find(request.task_token); old != waiting_.end()) {
    token_of_.erase(old->second.task_id);
    was_queued = old->second.queued;
  }
  Waiting& w = waiting_[request.task_token];
  w = Waiting{request.task_id, std::move(done), activity ? request.resource : "", request.payload,
              activity};
  token_of_[request.task_id] = request.task_token;
  if (!activity) return;
  auto pollers = pollers_.find(request.resource);
  if (pollers != pollers_.end() && !pollers->second.empty()) {
    Deliver deliver = std::move(pollers->second.front().deliver);
    pollers->second.pop_front();
    if (pollers->second.empty()) pollers_.erase(pollers);
    return deliver(Hand(request.task_token, w));
  }
  if (!was_queued) queues_[request.resource].push_back(request.task_token);
}

void TaskBroker::Cancel(uint64_t task_id) {
  auto it = token_of_.find(task_id);
  if (it == token_of_.end()) return;
  waiting_.erase(it->second);  // its queue entry, if any, is skipped when reached
  token_of_.erase(it);
}

ActivityTask TaskBroker::Hand(const std::string& token, Waiting& waiting) {
  waiting.queued = false;
  return ActivityTask{waiting.task_id, token, waiting.input};
}

std::optional<ActivityTask> TaskBroker::TakeActivityTask(const std::string& activity_arn) {
  auto queue = queues_.find(activity_arn);
  if (queue == queues_.end()) return std::nullopt;
  std::optional<ActivityTask> taken;
  while (!queue->second.empty() && !taken) {
    const std::string token = std::move(queue->second.front());
    queue->second.pop_front();
    auto it = waiting_.find(token);
    if (it != waiting_.end() && it->second.queued) taken = Hand(token, it->second);
  }
  if (queue->second.empty()) queues_.erase(queue);
  return taken;
}

uint64_t TaskBroker::AddPoller(const std::string& activity_arn, Deliver deliver) {
  const uint64_t id = next_poller_++;
  pollers_[activity_arn].push_back(Poller{id, std::move(deliver)});
  return id;
}

void TaskBroker::RemovePoller(uint64_t poller_id) {
  for (auto it = pollers_.begin(); it != pollers_.end(); ++it) {
    auto& queue = it->second;
    for (auto p = queue.begin(); p != queue.end(); ++p) {
      if (p->id != poller_id) continue;
      queue.erase(p);
      if (queue.empty()) pollers_.erase(it);
      return;
    }
  }
}

size_t TaskBroker::pollers() const {
  size_t n = 0;
  for (const auto& [arn, queue] : pollers_) n += queue.size();
  return n;
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
