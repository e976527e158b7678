// The journal: an execution rebuilt from its recorded external events reproduces its history
// exactly, at every point of the run, and knows the work still pending.
#include "engine/journal.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "asl/loader.h"
#include "engine/clock.h"
#include "engine/runtime.h"
#include "handlers/task_handler.h"

namespace sluice::engine {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kSecond;

std::shared_ptr<const asl::StateMachine> Machine(const char* text) {
  auto compiled = asl::Compile(Json::parse(text));
  EXPECT_TRUE(compiled.ok()) << (compiled.ok() ? "" : asl::FormatDiagnostics(compiled.error()));
  return compiled.ok() ? compiled.value() : nullptr;
}

ExecutionOptions Options() {
  ExecutionOptions o;
  o.state_machine_name = "M";
  o.state_machine_arn = "arn:aws:states:local:123456789012:stateMachine:M";
  o.execution_name = "e1";
  o.execution_arn = "arn:aws:states:local:123456789012:execution:M:e1";
  o.seed = 7;
  return o;
}

// Echoes the payload; fails while the payload's "attempt" (the state's retry count) is below 2,
// so a task invoked again after a restart behaves as the first invocation did.
class FlakyHandler : public handlers::TaskHandler {
 public:
  bool Handles(const handlers::TaskRequest&) const override { return true; }
  void Start(const handlers::TaskRequest& r, handlers::TaskCallback done) override {
    handlers::TaskOutcome o;
    const Json& p = *r.payload;
    int attempt = p.is_object() ? p.value("attempt", 2) : 2;
    if (attempt < 2) {
      o.error = asl::AslError{"Flaky", "attempt " + std::to_string(attempt)};
    } else {
      o.ok = true;
      o.result = r.payload;
    }
    done(std::move(o));
  }
};

// Records like a store would, and notes how many events existed after each entry.
struct Recorder : RuntimeListener {
  Json input;
  std::vector<JournalEntry> entries;
  std::vector<size_t> events_after;  // history size once entry i was processed
  size_t events = 0;
  int commits = 0;
  void OnStart(const Executor&, const Json& in) override { input = in; }
  void OnEntry(const Executor&, const JournalEntry& e) override {
    entries.push_back(e);
    events_after.push_back(0);
  }
  void OnProgress(const Executor& ex, size_t, const Commands&) override {
    events = ex.history().size();
    if (!events_after.empty()) events_after.back() = events;
  }
  void OnEnd(const Executor&) override {}
  Status<> Commit() override {
    ++commits;
    return Ok{};
  }
};

constexpr const char* kMixed = R"json({"StartAt":"W","States":{
    "W":{"Type":"Wait","Seconds":30,"Next":"T"},
    "T":{"Type":"Task","Resource":"fn","Parameters":{"attempt.$":"$$.State.RetryCount","id.$":"States.UUID()"},
         "Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":5,"JitterStrategy":"FULL"}],
         "ResultPath":"$.t","Next":"P"},
    "P":{"Type":"Parallel","Branches":[
        {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"fn","End":true}}},
        {"StartAt":"B","States":{"B":{"Type":"Wait","Seconds":1,"End":true}}}],
     "ResultPath":"$.p","Next":"M"},
    "M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,"ItemProcessor":{"StartAt":"I",
        "States":{"I":{"Type":"Task","Resource":"fn","End":true}}},"ResultPath":"$.m","End":true}}})json";

std::vector<Json> HistoryJson(const Executor& ex, size_t limit = SIZE_MAX) {
  std::vector<Json> out;
  for (const auto& e : ex.history()) {
    if (out.size() == limit) break;
    out.push_back(HistoryEventToJson(e));
  }
  return out;
}

TEST(Journal, RebuildReproducesTheHistoryAtEveryEntry) {
  VirtualClock clock(kT0);
  Runtime rt(clock);
  FlakyHandler handler;
  Recorder recorder;
  rt.set_handler(&handler);
  rt.set_listener(&recorder);
  auto m = Machine(kMixed);
  Executor& ex = rt.Start(m, Options(), Json{{"items", Json{1, 2, 3, 4, 5}}});
  ASSERT_TRUE(rt.Run().ok());
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded)
      << ex.error().error << ": " << ex.error().cause;
  ASSERT_GT(recorder.entries.size(), 10u);

  for (size_t k = 0; k <= recorder.entries.size(); ++k) {
    std::vector<JournalEntry> prefix(recorder.entries.begin(), recorder.entries.begin() + k);
    Rebuilt r = Rebuild(m, Options(), recorder.input, kT0, prefix);
    size_t expected = k == 0 ? r.executor->history().size() : recorder.events_after[k - 1];
    ASSERT_EQ(r.executor->history().size(), expected) << "after " << k << " entries";
    EXPECT_EQ(HistoryJson(*r.executor), HistoryJson(ex, expected)) << "after " << k << " entries";
    if (k < recorder.entries.size()) {
      // The next recorded entry names work the rebuilt execution has pending.
      const JournalEntry& next = recorder.entries[k];
      const auto& pending =
          next.kind == JournalEntry::Kind::kTimer ? r.pending.timers : r.pending.tasks;
      bool found = false;
      for (const auto& c : pending) {
        found |= (next.kind == JournalEntry::Kind::kTimer ? c.timer_id : c.task_id) == next.id;
      }
      EXPECT_TRUE(found) << "entry " << k << " is not pending after the rebuild";
    }
  }
}

TEST(Journal, AdoptedExecutionFinishesLikeAnUninterruptedRun) {
  auto m = Machine(kMixed);
  Json input{{"items", Json{1, 2, 3}}};
  // The uninterrupted run.
  VirtualClock clock(kT0);
  Runtime rt(clock);
  FlakyHandler handler;
  Recorder recorder;
  rt.set_handler(&handler);
  rt.set_listener(&recorder);
  Executor& full = rt.Start(m, Options(), input);
  ASSERT_TRUE(rt.Run().ok());

  // Interrupted after each entry: rebuild from the prefix, adopt, run to the end.
  for (size_t k = 0; k < recorder.entries.size(); ++k) {
    std::vector<JournalEntry> prefix(recorder.entries.begin(), recorder.entries.begin() + k);
    Rebuilt r = Rebuild(m, Options(), input, kT0, prefix);
    VirtualClock clock2(prefix.empty() ? kT0 : prefix.back().time);
    Runtime rt2(clock2);
    FlakyHandler handler2;  // a fresh handler: tasks run again, at least once
    rt2.set_handler(&handler2);
    Executor& resumed = rt2.Adopt(std::move(r));
    ASSERT_TRUE(rt2.Run().ok());
    ASSERT_EQ(resumed.status(), ExecutionStatus::kSucceeded) << "after " << k << " entries";
    EXPECT_EQ(resumed.output(), full.output()) << "after " << k << " entries";
  }
}

TEST(Journal, EntriesRoundTripThroughText) {
  JournalEntry e;
  e.kind = JournalEntry::Kind::kTaskFailed;
  e.id = 12;
  e.time = kT0;
  e.value = std::make_shared<const Json>(Json{{"Error", "E"}, {"Cause", "c"}});
  auto back = DecodeJournalEntry(EncodeJournalEntry(e));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->kind, e.kind);
  EXPECT_EQ(back->id, 12u);
  EXPECT_EQ(back->time, kT0);
  EXPECT_EQ(*back->value, *e.value);
  EXPECT_FALSE(DecodeJournalEntry("{\"kind\":\"nope\",\"id\":1,\"time\":0}").ok());
  EXPECT_FALSE(DecodeJournalEntry("not json").ok());
}

TEST(Journal, FailedCommitStopsTheRuntimeBeforeActing) {
  struct Failing : Recorder {
    Status<> Commit() override { return Fail(std::string("disk full")); }
  } failing;
  VirtualClock clock(kT0);
  Runtime rt(clock);
  FlakyHandler handler;
  rt.set_handler(&handler);
  rt.set_listener(&failing);
  Executor& ex = rt.Start(Machine(kMixed), Options(), Json{{"items", Json::array()}});
  auto status = rt.Run();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().find("disk full"), std::string::npos);
  // Nothing was acted on: the Wait's timer never fired.
  EXPECT_EQ(ex.status(), ExecutionStatus::kRunning);
  EXPECT_EQ(ex.history().back().type, "WaitStateEntered");
}

}  // namespace
}  // namespace sluice::engine
