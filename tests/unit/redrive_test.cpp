// Redrive (AWS RedriveExecution): a FAILED, TIMED_OUT or ABORTED execution continues from the
// states that did not succeed, keeping the Map iterations and Parallel branches that did; the
// history goes on with ExecutionRedriven, $$.Execution.RedriveCount goes up, retry counters and
// the execution timeout start afresh, and the journal reproduces the whole run exactly. Through
// the service: a redrive after the process restarted, with other task handlers, recorded
// durably, replayed, and resumed after a crash in the middle of it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "asl/loader.h"
#include "engine/executor.h"
#include "engine/history.h"
#include "engine/journal.h"
#include "engine/replay.h"
#include "engine/service.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kSecond;

std::shared_ptr<const asl::StateMachine> Compile(const std::string& text) {
  auto parsed = asl::ParseDefinitionText(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error());
  auto compiled = asl::Compile(parsed.value());
  EXPECT_TRUE(compiled.ok()) << (compiled.ok() ? "" : asl::FormatDiagnostics(compiled.error()));
  return compiled.value();
}

ExecutionOptions Options() {
  ExecutionOptions o;
  o.state_machine_name = "m";
  o.state_machine_arn = "arn:aws:states:local:123456789012:stateMachine:m";
  o.execution_name = "e";
  o.execution_arn = "arn:aws:states:local:123456789012:execution:m:e";
  o.seed = 42;
  return o;
}

// A task's outcome: its result, or an error when `error` is set.
struct Answer {
  Json result;
  std::optional<std::string> error;
};

// Runs an executor to its end: answers each scheduled task (in the order scheduled) with
// `answer`, fires timers in due order on a virtual clock, and journals every delivered event.
class Driver {
 public:
  using AnswerFn = std::function<Answer(const Command&)>;

  explicit Driver(Executor& ex) : ex_(ex) {}

  void Start(const Json& input) { Drive(ex_.Start(input, now_)); }
  void Redrive(int64_t at) {
    now_ = std::max(now_, at);
    JournalEntry e;
    e.kind = JournalEntry::Kind::kRedrive;
    e.time = now_;
    e.value = std::make_shared<const Json>(Json{{"redriveCount", ex_.redrive_count() + 1}});
    Deliver(e);
  }

  void set_answer(AnswerFn answer) { answer_ = std::move(answer); }
  // Tasks scheduled so far, by resource.
  int invocations(const std::string& resource) const {
    auto it = invocations_.find(resource);
    return it == invocations_.end() ? 0 : it->second;
  }
  const std::vector<JournalEntry>& journal() const { return journal_; }
  std::vector<Json> payloads;  // of every task scheduled, in order

 private:
  void Deliver(const JournalEntry& e) {
    journal_.push_back(e);
    Drive(engine::Deliver(ex_, e));
  }

  void Apply(const Commands& commands) {
    for (const auto& c : commands) {
      switch (c.kind) {
        case Command::Kind::kScheduleTask:
          tasks_.push_back(c);
          ++invocations_[c.resource];
          payloads.push_back(*c.payload);
          break;
        case Command::Kind::kCancelTask:
          std::erase_if(tasks_, [&](const Command& t) { return t.task_id == c.task_id; });
          break;
        case Command::Kind::kStartTimer:
          timers_[c.timer_id] = c.due_nanos;
          break;
        case Command::Kind::kCancelTimer:
          timers_.erase(c.timer_id);
          break;
      }
    }
  }

  void Drive(const Commands& first) {
    Apply(first);
    while (!ex_.done()) {
      JournalEntry e;
      if (!tasks_.empty()) {
        Command task = tasks_.front();
        tasks_.pop_front();
        Answer a = answer_(task);
        e.id = task.task_id;
        if (a.error) {
          e.kind = JournalEntry::Kind::kTaskFailed;
          e.value = std::make_shared<const Json>(Json{{"Error", *a.error}, {"Cause", "test"}});
        } else {
          e.kind = JournalEntry::Kind::kTaskSucceeded;
          e.value = std::make_shared<const Json>(a.result);
        }
      } else if (!timers_.empty()) {
        auto next = std::min_element(timers_.begin(), timers_.end(),
                                     [](auto& a, auto& b) { return a.second < b.second; });
        e.kind = JournalEntry::Kind::kTimer;
        e.id = next->first;
        now_ = std::max(now_, next->second);
        timers_.erase(next);
      } else {
        break;
      }
      e.time = now_;
      journal_.push_back(e);
      Apply(engine::Deliver(ex_, e));
    }
  }

  Executor& ex_;
  AnswerFn answer_ = [](const Command& c) { return Answer{*c.payload, std::nullopt}; };
  int64_t now_ = kT0;
  std::deque<Command> tasks_;
  std::map<uint64_t, int64_t> timers_;
  std::map<std::string, int> invocations_;
  std::vector<JournalEntry> journal_;
};

int CountEvents(const Executor& ex, const std::string& type, const std::string& name = "") {
  int n = 0;
  for (const auto& e : ex.history()) {
    if (e.type != type) continue;
    if (!name.empty() && (e.details.empty() || DetailsJson(e).value("name", "") != name)) continue;
    ++n;
  }
  return n;
}

// Ids contiguous from 1, and each previousEventId points back.
void ExpectConsistentIds(const Executor& ex) {
  const auto& h = ex.history();
  for (size_t i = 0; i < h.size(); ++i) {
    EXPECT_EQ(h[i].id, static_cast<int64_t>(i) + 1);
    EXPECT_LT(h[i].previous_event_id, h[i].id);
  }
}

// Rebuilding from the journal reproduces the history exactly, and the end state.
void ExpectReplaysExactly(std::shared_ptr<const asl::StateMachine> machine, const Executor& ex,
                          const Json& input, const std::vector<JournalEntry>& journal) {
  Rebuilt rebuilt = Rebuild(machine, ex.options(), input, kT0, journal);
  EXPECT_EQ(rebuilt.executor->status(), ex.status());
  EXPECT_FALSE(FirstDifference(ex.history(), rebuilt.executor->history()).has_value());
  EXPECT_EQ(rebuilt.executor->redrive_count(), ex.redrive_count());
}

constexpr const char* kWorkMachine = R"({"StartAt":"Prep","States":{
  "Prep":{"Type":"Pass","Result":{"prepared":true},"ResultPath":"$.prep","Next":"Work"},
  "Work":{"Type":"Task","Resource":"work","ResultPath":"$.work","Next":"After",
          "Parameters":{"attempt.$":"$$.State.RetryCount","redrives.$":"$$.Execution.RedriveCount"},
          "Retry":[{"ErrorEquals":["Boom"],"IntervalSeconds":1,"MaxAttempts":1}]},
  "After":{"Type":"Pass","Parameters":{"work.$":"$.work.ok","prep.$":"$.prep",
           "redrives.$":"$$.Execution.RedriveCount"},"End":true}}})";

TEST(Redrive, AFailedTaskRunsAgainAndEndsAsAnUninterruptedSuccess) {
  auto machine = Compile(kWorkMachine);
  const Json input = Json::parse(R"({"x":1})");
  bool fixed = false;
  auto answer = [&](const Command&) {
    return fixed ? Answer{Json{{"ok", true}}, std::nullopt} : Answer{Json(), "Boom"};
  };

  Executor ex(machine, Options());
  Driver d(ex);
  d.set_answer(answer);
  d.Start(input);
  ASSERT_EQ(ex.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(ex.error().error, "Boom");
  EXPECT_EQ(d.invocations("work"), 2);  // one retry

  // The redrive re-enters Work with its input and fresh retry counters: the first attempt fails
  // again, its retry succeeds. Prep does not run again.
  int calls = 0;
  d.set_answer([&](const Command& c) {
    fixed = ++calls >= 2;
    return answer(c);
  });
  const size_t before = ex.history().size();
  d.Redrive(kT0 + 60 * kSecond);
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(d.invocations("work"), 4);
  EXPECT_EQ(ex.redrive_count(), 1);
  EXPECT_EQ(ex.redrive_time(), kT0 + 60 * kSecond);
  EXPECT_EQ(CountEvents(ex, "PassStateEntered", "Prep"), 1);
  EXPECT_EQ(CountEvents(ex, "TaskStateEntered", "Work"), 2);
  const HistoryEvent& redriven = ex.history()[before];
  EXPECT_EQ(redriven.type, "ExecutionRedriven");
  EXPECT_EQ(redriven.previous_event_id, static_cast<int64_t>(before));
  EXPECT_EQ(redriven.details, R"({"redriveCount":1})");
  EXPECT_EQ(ex.history()[before + 1].type, "TaskStateEntered");
  ExpectConsistentIds(ex);
  // $$.State.RetryCount and $$.Execution.RedriveCount as each attempt saw them.
  ASSERT_EQ(d.payloads.size(), 4u);
  EXPECT_EQ(d.payloads[1], Json::parse(R"({"attempt":1,"redrives":0})"));
  EXPECT_EQ(d.payloads[2], Json::parse(R"({"attempt":0,"redrives":1})"));
  EXPECT_EQ(d.payloads[3], Json::parse(R"({"attempt":1,"redrives":1})"));

  // The output of an uninterrupted run (apart from the RedriveCount it reports).
  Executor clean(machine, Options());
  Driver cd(clean);
  cd.set_answer([](const Command&) { return Answer{Json{{"ok", true}}, std::nullopt}; });
  cd.Start(input);
  ASSERT_EQ(clean.status(), ExecutionStatus::kSucceeded);
  Json expected = clean.output();
  expected["redrives"] = 1;
  EXPECT_EQ(ex.output(), expected);

  ExpectReplaysExactly(machine, ex, input, d.journal());
}

TEST(Redrive, AMapRunsAgainOnlyTheIterationsThatFailed) {
  // Six items; the last two fail. One failure is tolerated, the second is not.
  auto machine = Compile(R"({"StartAt":"Each","States":{
    "Each":{"Type":"Map","ItemsPath":"$.items","ToleratedFailureCount":1,"End":true,
      "ItemProcessor":{"StartAt":"Pre","States":{
        "Pre":{"Type":"Pass","Parameters":{"i.$":"$.i","pre":true},"Next":"Call"},
        "Call":{"Type":"Task","Resource":"call","End":true}}}}}})");
  const Json input = Json::parse(R"({"items":[{"i":0},{"i":1},{"i":2},{"i":3},{"i":4},{"i":5}]})");
  bool fixed = false;
  auto answer = [&](const Command& c) {
    if (!fixed && (*c.payload)["i"].get<int>() >= 4) return Answer{Json(), "Bad"};
    return Answer{Json{{"done", (*c.payload)["i"]}}, std::nullopt};
  };
  Executor ex(machine, Options());
  Driver d(ex);
  d.set_answer(answer);
  d.Start(input);
  ASSERT_EQ(ex.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(ex.error().error, "States.ExceedToleratedFailureThreshold");
  EXPECT_EQ(d.invocations("call"), 6);

  fixed = true;
  d.Redrive(kT0 + kSecond);
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(d.invocations("call"), 8);  // only the two failed iterations ran again
  // Each redriven iteration continued from its failed state: Pre ran once per item.
  EXPECT_EQ(CountEvents(ex, "PassStateEntered", "Pre"), 6);
  EXPECT_EQ(CountEvents(ex, "MapIterationStarted"), 8);
  EXPECT_EQ(CountEvents(ex, "MapStateStarted"), 2);
  Json expected = Json::array();
  for (int i = 0; i < 6; ++i) expected.push_back(Json{{"done", i}});
  EXPECT_EQ(ex.output(), expected);
  ExpectConsistentIds(ex);
  ExpectReplaysExactly(machine, ex, input, d.journal());
}

TEST(Redrive, AParallelRunsAgainOnlyTheBranchThatFailed) {
  auto machine = Compile(R"({"StartAt":"Fan","States":{
    "Fan":{"Type":"Parallel","End":true,"Branches":[
      {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"a","End":true}}},
      {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"b","End":true}}},
      {"StartAt":"C","States":{"C":{"Type":"Pass","Result":"c","End":true}}}]}}})");
  bool fixed = false;
  auto answer = [&](const Command& c) {
    if (c.resource == "b" && !fixed) return Answer{Json(), "Down"};
    return Answer{Json(c.resource), std::nullopt};
  };
  Executor ex(machine, Options());
  Driver d(ex);
  d.set_answer(answer);
  d.Start(Json::object());
  ASSERT_EQ(ex.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(ex.error().error, "Down");

  fixed = true;
  d.Redrive(kT0 + kSecond);
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(d.invocations("a"), 1);
  EXPECT_EQ(d.invocations("b"), 2);
  EXPECT_EQ(CountEvents(ex, "PassStateEntered", "C"), 1);
  EXPECT_EQ(ex.output(), Json::parse(R"(["a","b","c"])"));
  ExpectReplaysExactly(machine, ex, Json::object(), d.journal());
}

TEST(Redrive, AnAbortedExecutionRunsAgainTheStateItWasStoppedIn) {
  auto machine = Compile(R"({"StartAt":"Work","States":{
    "Work":{"Type":"Task","Resource":"work","End":true}}})");
  Executor ex(machine, Options());
  Commands started = ex.Start(Json::object(), kT0);
  ASSERT_EQ(started.size(), 1u);
  ex.Stop("Halt", "by test", kT0 + kSecond);
  ASSERT_EQ(ex.status(), ExecutionStatus::kAborted);
  Commands redriven = ex.Redrive(kT0 + 2 * kSecond);
  ASSERT_EQ(ex.status(), ExecutionStatus::kRunning);
  ASSERT_EQ(redriven.size(), 1u);
  EXPECT_EQ(redriven[0].kind, Command::Kind::kScheduleTask);
  EXPECT_NE(redriven[0].task_id, started[0].task_id);
  // The stale task of the first attempt is ignored; the new one ends the execution.
  EXPECT_TRUE(ex.OnTaskSucceeded(started[0].task_id, Json(1), kT0 + 3 * kSecond).empty());
  EXPECT_EQ(ex.status(), ExecutionStatus::kRunning);
  ex.OnTaskSucceeded(redriven[0].task_id, Json(2), kT0 + 3 * kSecond);
  EXPECT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(ex.output(), Json(2));
}

TEST(Redrive, ATimedOutExecutionGetsItsTimeoutAfreshFromTheRedrive) {
  // Waits of 4 s under a 10 s execution timeout: the first run times out in W3.
  auto machine = Compile(R"({"TimeoutSeconds":10,"StartAt":"W1","States":{
    "W1":{"Type":"Wait","Seconds":4,"Next":"W2"},
    "W2":{"Type":"Wait","Seconds":4,"Next":"W3"},
    "W3":{"Type":"Wait","Seconds":4,"Next":"Done"},
    "Done":{"Type":"Succeed"}}})");
  Executor ex(machine, Options());
  Driver d(ex);
  d.Start(Json::object());
  ASSERT_EQ(ex.status(), ExecutionStatus::kTimedOut);
  d.Redrive(kT0 + 100 * kSecond);
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(CountEvents(ex, "WaitStateEntered", "W1"), 1);
  EXPECT_EQ(CountEvents(ex, "WaitStateEntered", "W3"), 2);
  EXPECT_EQ(ex.history().back().timestamp_nanos, kT0 + 104 * kSecond);
  ExpectReplaysExactly(machine, ex, Json::object(), d.journal());
}

TEST(Redrive, VariablesAreThoseTheFailedStateEnteredWith) {
  auto machine = Compile(R"({"StartAt":"Set","States":{
    "Set":{"Type":"Pass","Assign":{"n":1},"Next":"Work"},
    "Work":{"Type":"Task","Resource":"work","Arguments":{"n":"{% $n %}"},
            "Assign":{"n":"{% $n + 1 %}"},"Next":"Out","QueryLanguage":"JSONata"},
    "Out":{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $n %}","End":true}}})");
  bool fixed = false;
  Executor ex(machine, Options());
  Driver d(ex);
  d.set_answer([&](const Command& c) {
    return fixed ? Answer{*c.payload, std::nullopt} : Answer{Json(), "No"};
  });
  d.Start(Json::object());
  ASSERT_EQ(ex.status(), ExecutionStatus::kFailed);
  fixed = true;
  d.Redrive(kT0 + kSecond);
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(d.payloads.back(), Json::parse(R"({"n":1})"));
  EXPECT_EQ(ex.output(), Json(2));
}

TEST(Redrive, OnlyFailedTimedOutOrAbortedExecutionsCanBeRedriven) {
  auto machine = Compile(R"({"StartAt":"Work","States":{
    "Work":{"Type":"Task","Resource":"work","End":true}}})");
  Executor ex(machine, Options());
  Commands c = ex.Start(Json::object(), kT0);
  EXPECT_EQ(ex.NotRedrivableReason(), "Execution is RUNNING and cannot be redriven.");
  const size_t events = ex.history().size();
  EXPECT_TRUE(ex.Redrive(kT0 + 1).empty());
  EXPECT_EQ(ex.history().size(), events);
  EXPECT_EQ(ex.redrive_count(), 0);
  ex.OnTaskSucceeded(c[0].task_id, Json(1), kT0 + 2);
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(ex.NotRedrivableReason(), "Execution is SUCCEEDED and cannot be redriven.");
  EXPECT_TRUE(ex.Redrive(kT0 + 3).empty());
  EXPECT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(ex.history().back().type, "ExecutionSucceeded");

  ExecutionOptions express = Options();
  express.express = true;
  Executor ex2(machine, express);
  ex2.Start(Json::object(), kT0);
  ex2.Stop("E", "", kT0 + 1);
  EXPECT_NE(ex2.NotRedrivableReason(), "");
  EXPECT_TRUE(ex2.Redrive(kT0 + 2).empty());
  EXPECT_EQ(ex2.status(), ExecutionStatus::kAborted);
}

TEST(Redrive, StartOptionsUndoTheRedrivesOfTheJournal) {
  ExecutionOptions stored = Options();
  stored.redrive_count = 2;
  EXPECT_EQ(StartOptions(stored, {}).redrive_count, 2);
  JournalEntry redrive;
  redrive.kind = JournalEntry::Kind::kRedrive;
  redrive.value = std::make_shared<const Json>(Json{{"redriveCount", 1}});
  JournalEntry timer;
  EXPECT_EQ(StartOptions(stored, {timer, redrive, redrive}).redrive_count, 0);
  auto decoded = DecodeJournalEntry(EncodeJournalEntry(redrive));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value().kind, JournalEntry::Kind::kRedrive);
}

// ---- through the service, with a database ------------------------------------------------

constexpr const char* kServiceMachine = R"({"StartAt":"Prep","States":{
  "Prep":{"Type":"Pass","Parameters":{"x.$":"$.x"},"Next":"Work"},
  "Work":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:work",
          "Parameters":{"x.$":"$.x","redrives.$":"$$.Execution.RedriveCount"},"Next":"Nap"},
  "Nap":{"Type":"Wait","Seconds":5,"Next":"Done"},
  "Done":{"Type":"Pass","Parameters":{"work.$":"$","redrives.$":"$$.Execution.RedriveCount"},
          "End":true}}})";

constexpr const char* kBroken = R"({"functions":{"work":{"raise":{"errorType":"Boom"}}}})";
constexpr const char* kFixed = R"({"functions":{"work":{"command":["cat"]}}})";

class RedriveService : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("redrive-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "t.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Service> Open() {
    ServiceOptions so;
    so.db_path = db_;
    so.virtual_clock = true;
    auto service = Service::Open(so);
    EXPECT_TRUE(service.ok()) << (service.ok() ? "" : service.error());
    return std::move(service).value();
  }

  static HandlerConfig Handlers(const char* functions) {
    HandlerConfig h;
    h.functions = std::make_shared<const Json>(Json::parse(functions));
    h.functions_source = "functions.json";
    h.machine_name = "m";
    return h;
  }

  // Runs kServiceMachine in a process of its own (a Service opened and dropped) until it fails.
  void RunBroken() {
    auto service = Open();
    StartRequest r;
    r.definition_text = kServiceMachine;
    r.machine = Compile(kServiceMachine);
    r.machine_name = "m";
    r.execution_name = "job";
    r.input = std::make_shared<const Json>(Json::parse(R"({"x":7})"));
    r.handlers = Handlers(kBroken);
    r.seed = 5;
    ASSERT_TRUE(service->Start(r).ok());
    ASSERT_TRUE(service->Run().ok());
    auto record = service->store().ResolveExecution("job");
    ASSERT_TRUE(record.ok());
    ASSERT_EQ(record.value().status, ExecutionStatus::kFailed);
  }

  ExecutionRecord Record() {
    auto store = Store::Open(db_);
    EXPECT_TRUE(store.ok());
    auto record = store.value()->ResolveExecution("job");
    EXPECT_TRUE(record.ok());
    return record.value();
  }

  fs::path dir_;
  std::string db_;
};

const Json kExpectedOutput = Json::parse(R"({"work":{"x":7,"redrives":1},"redrives":1})");

TEST_F(RedriveService, ARedriveAfterARestartUsesTheNewHandlersAndIsRecorded) {
  RunBroken();
  {
    auto service = Open();  // a new process
    RedriveRequest req;
    req.reference = "job";
    req.handlers = Handlers(kFixed);
    req.handlers->machine_name.clear();  // kept from the stored configuration
    std::optional<ExecutionStatus> ended;
    auto redriven = service->Redrive(req, [&](const Executor& ex) { ended = ex.status(); });
    ASSERT_TRUE(redriven.ok()) << redriven.error();
    EXPECT_EQ(redriven.value(), "arn:aws:states:local:123456789012:execution:m:job");
    ASSERT_TRUE(service->Run().ok());
    EXPECT_EQ(ended, ExecutionStatus::kSucceeded);
  }
  ExecutionRecord record = Record();
  EXPECT_EQ(record.status, ExecutionStatus::kSucceeded);
  ASSERT_TRUE(record.output);
  EXPECT_EQ(Json::parse(*record.output), kExpectedOutput);
  EXPECT_EQ(record.redrive_count, 1);
  ASSERT_TRUE(record.redrive_nanos);
  EXPECT_FALSE(record.error);
  EXPECT_EQ(RedriveStatusReason(record), "Execution is SUCCEEDED and cannot be redriven.");
  auto handlers = DecodeHandlerConfig(record.options);
  ASSERT_TRUE(handlers.ok());
  EXPECT_EQ(*handlers.value().functions, Json::parse(kFixed));
  EXPECT_EQ(handlers.value().machine_name, "m");

  auto store = OpenStoreForReplay(db_);
  ASSERT_TRUE(store.ok()) << store.error();
  auto history = store.value()->GetHistory(record.arn);
  ASSERT_TRUE(history.ok());
  int redriven_events = 0;
  for (size_t i = 0; i < history.value().size(); ++i) {
    EXPECT_EQ(history.value()[i].id, static_cast<int64_t>(i) + 1);
    if (history.value()[i].type == "ExecutionRedriven") ++redriven_events;
  }
  EXPECT_EQ(redriven_events, 1);
  ReplayRequest rr;
  rr.reference = "job";
  auto report = Replay(*store.value(), rr);
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_TRUE(report.value().matches());
  EXPECT_EQ(report.value().replayed_status, ExecutionStatus::kSucceeded);
}

TEST_F(RedriveService, AnInterruptedRedriveResumes) {
  RunBroken();
  {
    auto service = Open();
    RedriveRequest req;
    req.reference = "job";
    req.handlers = Handlers(kFixed);
    ASSERT_TRUE(service->Redrive(req).ok());
    // The process dies before running: the redrive is recorded, the task not yet run.
  }
  EXPECT_EQ(Record().status, ExecutionStatus::kRunning);
  EXPECT_EQ(Record().redrive_count, 1);
  {
    auto service = Open();
    auto recovered = service->Recover();
    ASSERT_TRUE(recovered.ok()) << recovered.error();
    ASSERT_EQ(recovered.value().size(), 1u);
    ASSERT_TRUE(service->Run().ok());
  }
  ExecutionRecord record = Record();
  EXPECT_EQ(record.status, ExecutionStatus::kSucceeded);
  ASSERT_TRUE(record.output);
  EXPECT_EQ(Json::parse(*record.output), kExpectedOutput);
  EXPECT_EQ(record.redrive_count, 1);
}

TEST_F(RedriveService, ASucceededOrUnknownExecutionIsRefused) {
  RunBroken();
  {
    auto service = Open();
    RedriveRequest req;
    req.reference = "job";
    req.handlers = Handlers(kFixed);
    ASSERT_TRUE(service->Redrive(req).ok());
    ASSERT_TRUE(service->Run().ok());
  }
  auto service = Open();
  RedriveRequest req;
  req.reference = "job";
  auto refused = service->Redrive(req);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("ExecutionNotRedrivable"), std::string::npos) << refused.error();
  EXPECT_NE(refused.error().find("SUCCEEDED"), std::string::npos) << refused.error();
  req.reference = "nosuch";
  EXPECT_FALSE(service->Redrive(req).ok());
  EXPECT_EQ(Record().redrive_count, 1);
}

}  // namespace
}  // namespace sluice::engine
