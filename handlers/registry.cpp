#include "handlers/registry.h"

#include <algorithm>
#include <utility>

namespace sluice::handlers {

std::string NoHandlerCause(const TaskRequest& request) {
  return "No task handler serves resource '" + request.resource + "' (state '" +
         request.state_name +
         "'): define the function in a functions file (--functions), mock the state in a mock "
         "configuration (--mock-config), or use a resource Sluice provides";
}

HandlerRegistry::HandlerRegistry() = default;

HandlerRegistry::~HandlerRegistry() = default;

void HandlerRegistry::Add(HandlerPriority priority, std::unique_ptr<TaskHandler> handler) {
  auto after =
      std::upper_bound(handlers_.begin(), handlers_.end(), priority,
                       [](HandlerPriority p, const Entry& entry) { return p < entry.priority; });
  handlers_.insert(after, Entry{priority, std::move(handler)});
}

TaskHandler* HandlerRegistry::Find(const TaskRequest& request) const {
  for (const auto& entry : handlers_) {
    if (entry.handler->Handles(request)) return entry.handler.get();
  }
  return nullptr;
}

bool HandlerRegistry::Handles(const TaskRequest& request) const { return Find(request) != nullptr; }

void HandlerRegistry::Start(const TaskRequest& request, TaskCallback done) {
  TaskHandler* handler = Find(request);
  if (handler == nullptr) {
    // Allowed by the TaskHandler contract: a resource nobody can serve fails at once.
    done(TaskOutcome{
        false, nullptr,
        asl::AslError{std::string(asl::errors::kTaskFailed), NoHandlerCause(request), true}});
    return;
  }
  uint64_t task_id = request.task_id;
  running_[task_id] = handler;
  handler->Start(request, [this, task_id, done = std::move(done)](TaskOutcome outcome) {
    running_.erase(task_id);
    done(std::move(outcome));
  });
}

void HandlerRegistry::Cancel(uint64_t task_id) {
  auto it = running_.find(task_id);
  if (it == running_.end()) return;
  TaskHandler* handler = it->second;
  running_.erase(it);
  handler->Cancel(task_id);
}

}  // namespace sluice::handlers
