#include "engine/runtime.h"

#include <uv.h>

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <queue>
#include <unordered_map>

#include "engine/store/records.h"
#include "handlers/task_handler.h"

namespace sluice::engine {

namespace {

struct TimerEntry {
  int64_t due;
  uint64_t seq;
  size_t execution;
  uint64_t timer_id;
  bool operator>(const TimerEntry& o) const { return due != o.due ? due > o.due : seq > o.seq; }
};

struct Completion {
  size_t execution;
  uint64_t task_id;  // the executor's id
  handlers::TaskOutcome outcome;
};

struct Slot {
  std::unique_ptr<Executor> executor;
  Runtime::DoneCallback done;
  bool finished = false;
  size_t events_reported = 0;  // history events already passed to the listener
};

// Commands (or an end-of-execution callback) held back until the next commit.
struct Deferred {
  size_t execution;
  Commands commands;
  bool ended = false;
};

uint64_t Key(size_t execution, uint64_t id) { return (uint64_t(execution) << 40) ^ id; }

int64_t SteadyNanos() { return static_cast<int64_t>(uv_hrtime()); }

Json ErrorJson(const asl::AslError& e) {
  Json j = Json::object();
  j["Error"] = e.error;
  if (e.has_cause) j["Cause"] = e.cause;
  return j;
}

}  // namespace

struct Runtime::Impl {
  Clock& clock;
  handlers::TaskHandler* handler = nullptr;
  uv_loop_t loop;
  uv_timer_t wake;
  std::vector<Slot> slots;
  size_t running = 0;
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> timers;
  std::unordered_map<uint64_t, int64_t> live_timers;  // Key -> due
  uint64_t timer_seq = 0;
  // Tasks in flight: global id -> (execution, executor's task id).
  std::unordered_map<uint64_t, std::pair<size_t, uint64_t>> inflight;
  std::unordered_map<uint64_t, uint64_t> global_of;  // Key(execution, task) -> global id
  uint64_t next_global_task = 1;
  std::deque<Completion> completions;
  RuntimeListener* listener = nullptr;
  std::vector<Deferred> deferred;
  std::optional<std::string> fatal;  // a failed commit: the loop stops
  RuntimeStats stats;
  std::unordered_map<uint64_t, int64_t> task_started;  // global task id -> steady nanos
  bool serving = false;  // Serve(): run until RequestStop(), not until idle
  bool stop_requested = false;

  explicit Impl(Clock& c) : clock(c) {
    uv_loop_init(&loop);
    uv_timer_init(&loop, &wake);
  }

  ~Impl() {
    if (handler) {
      for (auto& [global, where] : inflight) handler->Cancel(global);
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&wake), nullptr);
    // Let handlers close their handles, then close the loop.
    while (uv_loop_close(&loop) == UV_EBUSY) uv_run(&loop, UV_RUN_NOWAIT);
  }

  // Records what an execution just did and holds its commands back until the next commit.
  void Apply(size_t execution, Commands commands) {
    Slot& slot = slots[execution];
    const Executor& ex = *slot.executor;
    if (listener) {
      listener->OnProgress(ex, slot.events_reported, commands);
      stats.history_events += ex.history().size() - slot.events_reported;
      slot.events_reported = ex.history().size();
    }
    bool ended = false;
    if (!slot.finished && ex.done()) {
      slot.finished = true;
      --running;
      ++stats.ended[static_cast<size_t>(ex.status())];
      ended = true;
      if (listener) listener->OnEnd(ex);
    }
    deferred.push_back(Deferred{execution, std::move(commands), ended});
  }

  // Commits what the listener recorded, then carries out the held-back commands.
  void Flush() {
    if (deferred.empty()) return;
    if (listener) {
      const int64_t begun = SteadyNanos();
      auto committed = listener->Commit();
      ++stats.commits;
      stats.commit_nanos += SteadyNanos() - begun;
      if (!committed.ok()) {
        fatal = committed.error();
        deferred.clear();
        return;
      }
    }
    std::vector<Deferred> batch;
    batch.swap(deferred);
    for (auto& d : batch) {
      Execute(d.execution, d.commands);
      Slot& slot = slots[d.execution];
      if (!d.ended) continue;
      if (slot.done) slot.done(*slot.executor);
      if (serving) {  // recorded and reported: a long-running server must not keep it
        slot.executor.reset();
        slot.done = nullptr;
      }
    }
  }

  // Delivers an external event to an execution.
  void Feed(size_t execution, const JournalEntry& entry) {
    if (!slots[execution].executor) return;  // ended and released
    Executor& ex = *slots[execution].executor;
    if (ex.done()) return;
    if (listener) listener->OnEntry(ex, entry);
    Apply(execution, Deliver(ex, entry));
  }

  void Execute(size_t execution, const Commands& commands) {
    for (const auto& c : commands) {
      switch (c.kind) {
        case Command::Kind::kScheduleTask:
          ScheduleTask(execution, c);
          break;
        case Command::Kind::kCancelTask:
          CancelTask(execution, c.task_id);
          break;
        case Command::Kind::kStartTimer: {
          uint64_t key = Key(execution, c.timer_id);
          live_timers[key] = c.due_nanos;
          timers.push(TimerEntry{c.due_nanos, timer_seq++, execution, c.timer_id});
          break;
        }
        case Command::Kind::kCancelTimer:
          live_timers.erase(Key(execution, c.timer_id));
          break;
      }
    }
  }

  void ScheduleTask(size_t execution, const Command& c) {
    const Executor& ex = *slots[execution].executor;
    uint64_t global = next_global_task++;
    inflight[global] = {execution, c.task_id};
    task_started[global] = SteadyNanos();
    global_of[Key(execution, c.task_id)] = global;
    handlers::TaskRequest req;
    req.task_id = global;
    req.resource = c.resource;
    req.payload = c.payload;
    req.state_machine_name = ex.options().state_machine_name;
    req.state_name = c.state_name;
    req.execution_arn = ex.options().execution_arn;
    req.execution_name = ex.options().execution_name;
    req.idempotency_key = IdempotencyKey(ex.options().execution_arn, c.scheduled_event_id);
    req.task_token = c.task_token;
    if (handler == nullptr) {
      completions.push_back(Completion{
          execution, c.task_id,
          handlers::TaskOutcome{
              false, nullptr,
              asl::AslError{"States.TaskFailed",
                            "No task handler is configured for resource '" + c.resource + "'"}}});
      inflight.erase(global);
      global_of.erase(Key(execution, c.task_id));
      return;
    }
    handler->Start(req, [this, global](handlers::TaskOutcome outcome) {
      auto it = inflight.find(global);
      if (it == inflight.end()) return;  // cancelled
      auto [execution, task_id] = it->second;
      inflight.erase(it);
      global_of.erase(Key(execution, task_id));
      if (auto started = task_started.find(global); started != task_started.end()) {
        ++stats.tasks_completed;
        stats.task_nanos += SteadyNanos() - started->second;
        task_started.erase(started);
      }
      completions.push_back(Completion{execution, task_id, std::move(outcome)});
    });
  }

  void CancelTask(size_t execution, uint64_t task_id) {
    auto it = global_of.find(Key(execution, task_id));
    if (it == global_of.end()) return;
    uint64_t global = it->second;
    global_of.erase(it);
    inflight.erase(global);
    task_started.erase(global);
    handler->Cancel(global);
  }

  void DeliverCompletions() {
    while (!completions.empty()) {
      Completion c = std::move(completions.front());
      completions.pop_front();
      JournalEntry entry;
      entry.id = c.task_id;
      entry.time = clock.Now();
      if (c.outcome.ok) {
        entry.kind = JournalEntry::Kind::kTaskSucceeded;
        entry.value = c.outcome.result ? c.outcome.result : std::make_shared<const Json>();
      } else {
        entry.kind = JournalEntry::Kind::kTaskFailed;
        entry.value = std::make_shared<const Json>(ErrorJson(c.outcome.error));
      }
      Feed(c.execution, entry);
    }
  }

  // Drops cancelled entries from the top of the timer queue.
  bool NextTimer(TimerEntry* out) {
    while (!timers.empty()) {
      const TimerEntry& top = timers.top();
      auto it = live_timers.find(Key(top.execution, top.timer_id));
      if (it != live_timers.end() && it->second == top.due) {
        *out = top;
        return true;
      }
      timers.pop();
    }
    return false;
  }

  void FireDueTimers() {
    TimerEntry t;
    while (NextTimer(&t) && t.due <= clock.Now()) {
      timers.pop();
      live_timers.erase(Key(t.execution, t.timer_id));
      JournalEntry entry;
      entry.kind = JournalEntry::Kind::kTimer;
      entry.id = t.timer_id;
      entry.time = clock.Now();
      Feed(t.execution, entry);
      DeliverCompletions();
    }
  }

  Status<> Run() {
    while (!fatal) {
      DeliverCompletions();
      FireDueTimers();
      Flush();
      if (fatal || stop_requested) break;
      if (running == 0 && !serving) break;
      if (!completions.empty() || !deferred.empty()) continue;
      TimerEntry next;
      bool has_timer = NextTimer(&next);
      if (inflight.empty() && !serving) {
        if (!has_timer) break;  // nothing can make progress (should not happen)
        if (clock.IsVirtual()) {
          clock.AdvanceTo(next.due);
          continue;
        }
      }
      if (serving && has_timer && clock.IsVirtual() && inflight.empty()) {
        // A server on a virtual clock: take in what the network has, then jump to the timer.
        uv_run(&loop, UV_RUN_NOWAIT);
        if (!completions.empty() || !deferred.empty() || stop_requested) continue;
        clock.AdvanceTo(next.due);
        continue;
      }
      if (has_timer && !clock.IsVirtual()) {
        int64_t wait_ms = (next.due - clock.Now() + 999'999) / 1'000'000;
        uv_timer_start(
            &wake, [](uv_timer_t*) {}, static_cast<uint64_t>(std::max<int64_t>(0, wait_ms)), 0);
      }
      uv_run(&loop, UV_RUN_ONCE);
      uv_timer_stop(&wake);
    }
    Flush();
    if (fatal) return Fail("cannot record progress durably: " + *fatal);
    return Ok{};
  }
};

Runtime::Runtime(Clock& clock) : impl_(std::make_unique<Impl>(clock)) {}

void Runtime::set_handler(handlers::TaskHandler* handler) { impl_->handler = handler; }

Runtime::~Runtime() = default;

uv_loop_t* Runtime::loop() { return &impl_->loop; }
Clock& Runtime::clock() { return impl_->clock; }

Executor& Runtime::Start(std::shared_ptr<const asl::StateMachine> machine, ExecutionOptions options,
                         Json input, DoneCallback done) {
  auto& im = *impl_;
  size_t index = im.slots.size();
  im.slots.push_back(
      Slot{std::make_unique<Executor>(std::move(machine), std::move(options)), std::move(done)});
  ++im.running;
  ++im.stats.started;
  Executor& ex = *im.slots[index].executor;
  std::optional<Json> recorded;
  if (im.listener) recorded = input;
  Commands commands = ex.Start(std::move(input), im.clock.Now());
  if (im.listener) im.listener->OnStart(ex, *recorded);
  im.Apply(index, std::move(commands));
  return ex;
}

Executor& Runtime::Adopt(Rebuilt rebuilt, DoneCallback done) {
  auto& im = *impl_;
  size_t index = im.slots.size();
  im.slots.push_back(Slot{std::move(rebuilt.executor), std::move(done)});
  Slot& slot = im.slots[index];
  slot.events_reported = slot.executor->history().size();
  ++im.running;
  ++im.stats.started;
  // Already recorded: carried out at the next flush without being reported again.
  Commands work = std::move(rebuilt.pending.timers);
  for (auto& t : rebuilt.pending.tasks) work.push_back(std::move(t));
  im.deferred.push_back(Deferred{index, std::move(work), false});
  return *slot.executor;
}

void Runtime::set_listener(RuntimeListener* listener) { impl_->listener = listener; }

bool Runtime::TaskHeartbeat(uint64_t task_id) {
  auto& im = *impl_;
  auto it = im.inflight.find(task_id);
  if (it == im.inflight.end()) return false;
  JournalEntry entry;
  entry.kind = JournalEntry::Kind::kHeartbeat;
  entry.id = it->second.second;
  entry.time = im.clock.Now();
  im.Feed(it->second.first, entry);
  return true;
}

bool Runtime::TaskStarted(uint64_t task_id, const std::string& worker_name) {
  auto& im = *impl_;
  auto it = im.inflight.find(task_id);
  if (it == im.inflight.end()) return false;
  JournalEntry entry;
  entry.kind = JournalEntry::Kind::kTaskStarted;
  entry.id = it->second.second;
  entry.time = im.clock.Now();
  entry.value = std::make_shared<const Json>(Json{{"workerName", worker_name}});
  im.Feed(it->second.first, entry);
  return true;
}

void Runtime::Stop(Executor& execution, const std::string& error, const std::string& cause) {
  auto& im = *impl_;
  for (size_t i = 0; i < im.slots.size(); ++i) {
    if (im.slots[i].executor.get() == &execution) {
      JournalEntry entry;
      entry.kind = JournalEntry::Kind::kStop;
      entry.time = im.clock.Now();
      entry.value =
          std::make_shared<const Json>(ErrorJson(asl::AslError{error, cause, !cause.empty()}));
      im.Feed(i, entry);
      return;
    }
  }
}

Status<> Runtime::Run() { return impl_->Run(); }

Status<> Runtime::Serve() {
  impl_->serving = true;
  impl_->stop_requested = false;
  auto result = impl_->Run();
  impl_->serving = false;
  return result;
}

Status<> Runtime::CommitNow() {
  impl_->Flush();
  if (impl_->fatal) return Fail("cannot record progress durably: " + *impl_->fatal);
  return Ok{};
}

void Runtime::RequestStop() {
  impl_->stop_requested = true;
  uv_stop(&impl_->loop);
}

size_t Runtime::running() const { return impl_->running; }

RuntimeStats Runtime::stats() const {
  RuntimeStats s = impl_->stats;
  s.running = impl_->running;
  s.tasks_in_flight = impl_->inflight.size();
  s.timers_pending = impl_->live_timers.size();
  s.queued = impl_->completions.size() + impl_->deferred.size();
  return s;
}

}  // namespace sluice::engine
