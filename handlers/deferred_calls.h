// DeferredCalls: run small closures on the loop soon, never from inside the caller.
//
// Handlers whose answer is known at once (a canned `return`, a mocked response, a missing
// function) still answer asynchronously, like every other task: they Post() the answer and the
// loop delivers it on its next turn, in posting order. A pending call can be withdrawn by its
// key (the task id), which is how Cancel() guarantees no callback afterwards.
//
// Ownership: one uv_idle_t, active only while calls are pending. The destructor drops pending
// calls and closes the handle; the loop must still be alive then, and must run once more for
// the close to finish (uv_loop_close succeeds after that).
//
// A posted call must not destroy the DeferredCalls that runs it.
//
// Thread rule: loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

typedef struct uv_loop_s uv_loop_t;

namespace sluice::handlers {

class DeferredCalls {
 public:
  explicit DeferredCalls(uv_loop_t* loop);
  ~DeferredCalls();
  DeferredCalls(const DeferredCalls&) = delete;
  DeferredCalls& operator=(const DeferredCalls&) = delete;

  // Runs `call` on a later turn of the loop unless Cancel(key) comes first.
  void Post(uint64_t key, std::function<void()> call);

  // Withdraws the pending call posted under `key`; false when there is none.
  bool Cancel(uint64_t key);

  size_t pending() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::handlers
