// HandlerRegistry: the one TaskHandler the runtime talks to, dispatching to the handlers it
// holds by priority.
//
// Each task goes to the first handler, in priority order, whose Handles() accepts it: mocks
// first (a mocked state never runs its real resource), then local functions, then built-in
// handlers. Within a priority, handlers keep the order they were added in. A task no handler
// accepts fails at once with States.TaskFailed and a cause naming the resource and the state.
//
// The registry remembers which handler took each running task, so Cancel() reaches it; the
// handlers it holds are owned by it and destroyed with it.
//
// Thread rule: loop thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "handlers/task_handler.h"

namespace sluice::handlers {

// Where a handler sits in the dispatch order; lower values are asked first.
enum class HandlerPriority {
  kMock = 0,       // --mock-config: overrides everything for the states it names
  kFunctions = 1,  // --functions: Lambda function ARNs and lambda:invoke
  kBuiltIn = 2,    // Sluice's own resources (pipeline handlers, HTTP, callbacks, …)
};

// A handler owned elsewhere (shared by many executions or registries), as a registry entry.
class BorrowedHandler final : public TaskHandler {
 public:
  explicit BorrowedHandler(TaskHandler& target) : target_(target) {}
  bool Handles(const TaskRequest& r) const override { return target_.Handles(r); }
  void Start(const TaskRequest& r, TaskCallback done) override {
    target_.Start(r, std::move(done));
  }
  void Cancel(uint64_t task_id) override { target_.Cancel(task_id); }

 private:
  TaskHandler& target_;
};

// The cause of the failure for a task no handler serves.
std::string NoHandlerCause(const TaskRequest& request);

class HandlerRegistry final : public TaskHandler {
 public:
  HandlerRegistry();
  ~HandlerRegistry() override;
  HandlerRegistry(const HandlerRegistry&) = delete;
  HandlerRegistry& operator=(const HandlerRegistry&) = delete;

  void Add(HandlerPriority priority, std::unique_ptr<TaskHandler> handler);
  size_t size() const { return handlers_.size(); }

  // The handler that would serve `request`, or null.
  TaskHandler* Find(const TaskRequest& request) const;

  bool Handles(const TaskRequest& request) const override;
  void Start(const TaskRequest& request, TaskCallback done) override;
  void Cancel(uint64_t task_id) override;

 private:
  struct Entry {
    HandlerPriority priority;
    std::unique_ptr<TaskHandler> handler;
  };
  std::vector<Entry> handlers_;                         // sorted by priority, stable
  std::unordered_map<uint64_t, TaskHandler*> running_;  // task id -> handler serving it
};

}  // namespace sluice::handlers
