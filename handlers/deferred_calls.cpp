#include "handlers/deferred_calls.h"

#include <uv.h>

#include <algorithm>
#include <deque>
#include <utility>

namespace sluice::handlers {

struct DeferredCalls::Impl {
  struct Entry {
    uint64_t key;
    std::function<void()> call;
  };

  uv_idle_t* idle;  // heap-allocated: freed by its close callback, which may outlive Impl
  std::deque<Entry> queue;

  explicit Impl(uv_loop_t* loop) : idle(new uv_idle_t) {
    uv_idle_init(loop, idle);
    idle->data = this;
  }

  ~Impl() {
    idle->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(idle),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_idle_t*>(handle); });
  }

  static void OnIdle(uv_idle_t* handle) { static_cast<Impl*>(handle->data)->RunBatch(); }

  // Runs the calls that were pending when the turn began; calls posted meanwhile wait for the
  // next turn, so a chain of instant answers cannot starve the loop. Each call is popped before
  // it runs because it may Post() or Cancel() others.
  void RunBatch() {
    for (size_t n = queue.size(); n > 0 && !queue.empty(); --n) {
      Entry entry = std::move(queue.front());
      queue.pop_front();
      entry.call();
    }
    if (queue.empty()) uv_idle_stop(idle);
  }
};

DeferredCalls::DeferredCalls(uv_loop_t* loop) : impl_(std::make_unique<Impl>(loop)) {}

DeferredCalls::~DeferredCalls() = default;

void DeferredCalls::Post(uint64_t key, std::function<void()> call) {
  impl_->queue.push_back(Impl::Entry{key, std::move(call)});
  uv_idle_start(impl_->idle, &Impl::OnIdle);
}

bool DeferredCalls::Cancel(uint64_t key) {
  auto& queue = impl_->queue;
  auto it = std::find_if(queue.begin(), queue.end(),
                         [key](const Impl::Entry& entry) { return entry.key == key; });
  if (it == queue.end()) return false;
  queue.erase(it);
  if (queue.empty()) uv_idle_stop(impl_->idle);
  return true;
}

size_t DeferredCalls::pending() const { return impl_->queue.size(); }

}  // namespace sluice::handlers
