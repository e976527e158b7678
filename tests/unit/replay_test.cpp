// Replay (engine/replay.h): a recorded execution re-executed from its journal reproduces its
// history, explains each state (input, output, the Choice rule that matched), reports where a
// changed definition or a tampered history diverges, stops before an --until state, and never
// writes to the database.
#include "engine/replay.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "asl/loader.h"
#include "engine/handler_setup.h"
#include "engine/run.h"
#include "engine/service.h"
#include "handlers/task_handler.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFetch = "arn:aws:lambda:us-east-1:123456789012:function:fetch";

// Prepare draws a UUID (the seeded generator), Fetch runs a task, Nap waits (a timer), Route
// chooses by $.n.
std::string Definition(int threshold = 3, const char* prepare_extra = "") {
  return std::string(R"json({"StartAt":"Prepare","States":{
    "Prepare":{"Type":"Pass","Parameters":{"n.$":"$.n","id.$":"States.UUID()")json") +
         prepare_extra + R"json(},"Next":"Fetch"},
    "Fetch":{"Type":"Task","Resource":")json" +
         kFetch + R"json(","ResultPath":"$.fetched","Next":"Nap"},
    "Nap":{"Type":"Wait","Seconds":30,"Next":"Route"},
    "Route":{"Type":"Choice","Choices":[
        {"Variable":"$.n","NumericLessThan":0,"Next":"Negative"},
        {"Variable":"$.n","NumericGreaterThan":)json" +
         std::to_string(threshold) + R"json(,"Next":"Big"}],
      "Default":"Small"},
    "Big":{"Type":"Pass","Result":"big","ResultPath":"$.size","End":true},
    "Small":{"Type":"Pass","Result":"small","ResultPath":"$.size","End":true},
    "Negative":{"Type":"Fail","Error":"Negative","Cause":"n < 0"}}})json";
}

constexpr const char* kMapDefinition = R"({"StartAt":"Each","States":{
    "Each":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,"ItemProcessor":{
        "StartAt":"Get","States":{
          "Get":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:fetch",
                 "Next":"Keep"},
          "Keep":{"Type":"Pass","End":true}}},
     "End":true}}})";

std::shared_ptr<const asl::StateMachine> Compile(const std::string& text) {
  auto parsed = asl::ParseDefinitionText(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error());
  auto compiled = asl::Compile(parsed.value());
  EXPECT_TRUE(compiled.ok()) << (compiled.ok() ? "" : asl::FormatDiagnostics(compiled.error()));
  return compiled.value();
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("replay-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "t.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `definition` to its end into the database, as `sluice run --clock virtual` would.
  void Record(const std::string& name, const std::string& definition, const Json& input) {
    ServiceOptions so;
    so.db_path = db_;
    so.virtual_clock = true;
    auto service = Service::Open(so);
    ASSERT_TRUE(service.ok()) << service.error();
    StartRequest req;
    req.definition_text = definition;
    req.machine = Compile(definition);
    req.machine_name = "M";
    req.execution_name = name;
    req.input = std::make_shared<const Json>(input);
    req.handlers.functions =
        std::make_shared<const Json>(Json{{"functions", {{"fetch", {{"return", {{"rows", 3}}}}}}}});
    req.handlers.functions_source = "functions.json";
    req.handlers.machine_name = "M";
    req.seed = 42;
    auto started = (*service)->Start(req);
    ASSERT_TRUE(started.ok()) << started.error();
    auto ran = (*service)->Run();
    ASSERT_TRUE(ran.ok()) << ran.error();
  }

  ReplayReport Replayed(ReplayRequest request) {
    auto store = OpenStoreForReplay(db_);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error());
    auto report = Replay(*store.value(), request);
    EXPECT_TRUE(report.ok()) << (report.ok() ? "" : report.error());
    return report.ok() ? std::move(report).value() : ReplayReport{};
  }

  std::vector<HistoryEvent> RecordedHistory(const std::string& name) {
    auto store = OpenStoreForReplay(db_);
    auto record = (*store)->ResolveExecution(name);
    EXPECT_TRUE(record.ok());
    return (*store)->GetHistory(record->arn).value();
  }

  const ReplayStep* Step(const ReplayReport& r, const std::string& state) {
    for (const auto& s : r.steps) {
      if (s.state == state) return &s;
    }
    ADD_FAILURE() << "no step for " << state;
    return nullptr;
  }

  fs::path dir_;
  std::string db_;
};

std::vector<std::string> StateNames(const ReplayReport& r) {
  std::vector<std::string> names;
  for (const auto& s : r.steps) names.push_back(s.state);
  return names;
}

TEST_F(ReplayTest, IdenticalReplayReproducesTheHistoryAndExplainsEachState) {
  Record("big", Definition(), Json{{"n", 5}});
  ReplayReport r = Replayed({"big"});
  EXPECT_TRUE(r.matches());
  EXPECT_EQ(r.recorded_status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(r.replayed_status, ExecutionStatus::kSucceeded);
  EXPECT_FALSE(r.definition_changed);
  EXPECT_GT(r.recorded_events, 10);
  EXPECT_EQ(r.compared_events, r.recorded_events);
  EXPECT_EQ(r.journal_entries, 2);  // the task's result and the timer
  EXPECT_EQ(StateNames(r), (std::vector<std::string>{"Prepare", "Fetch", "Nap", "Route", "Big"}));

  const ReplayStep* fetch = Step(r, "Fetch");
  ASSERT_NE(fetch, nullptr);
  EXPECT_EQ(fetch->type, "Task");
  ASSERT_TRUE(fetch->output);
  EXPECT_EQ(Json::parse(*fetch->output)["fetched"], Json({{"rows", 3}}));
  EXPECT_FALSE(fetch->choice);
  // The UUID drawn in Prepare comes out as recorded, since the seed is part of the record.
  const ReplayStep* prepare = Step(r, "Prepare");
  const ReplayStep* nap = Step(r, "Nap");
  ASSERT_TRUE(prepare && nap && prepare->output);
  EXPECT_EQ(Json::parse(*prepare->output)["id"], Json::parse(nap->input)["id"]);
  EXPECT_GE(Step(r, "Route")->time - nap->time, 30'000'000'000);  // the Wait lasted, virtually
}

TEST_F(ReplayTest, ChoiceStepsNameTheRuleThatMatched) {
  Record("big", Definition(), Json{{"n", 5}});
  Record("small", Definition(), Json{{"n", 1}});
  ReplayReport big = Replayed({"big"});
  const ReplayStep* route = Step(big, "Route");
  ASSERT_TRUE(route && route->choice);
  EXPECT_EQ(route->type, "Choice");
  EXPECT_EQ(route->choice->index, 1);
  EXPECT_EQ(route->choice->rule, "$.n NumericGreaterThan 3");
  EXPECT_EQ(route->choice->next, "Big");

  ReplayReport small = Replayed({"small"});
  route = Step(small, "Route");
  ASSERT_TRUE(route && route->choice);
  EXPECT_EQ(route->choice->index, -1);
  EXPECT_EQ(route->choice->rule, "Default");
  EXPECT_EQ(route->choice->next, "Small");
  EXPECT_EQ(StateNames(small).back(), "Small");
}

TEST_F(ReplayTest, AFailedExecutionReplaysToItsFailure) {
  Record("negative", Definition(), Json{{"n", -1}});
  ReplayReport r = Replayed({"negative"});
  EXPECT_TRUE(r.matches());
  EXPECT_EQ(r.replayed_status, ExecutionStatus::kFailed);
  const ReplayStep* fail = Step(r, "Negative");
  ASSERT_NE(fail, nullptr);
  EXPECT_FALSE(fail->output);  // a Fail state never exits
  EXPECT_EQ(Step(r, "Route")->choice->index, 0);
}

TEST_F(ReplayTest, MapIterationsAreEachAStepWithTheirOwnOutput) {
  Record("map", kMapDefinition, Json{{"items", Json{1, 2, 3}}});
  ReplayReport r = Replayed({"map"});
  EXPECT_TRUE(r.matches());
  int gets = 0, keeps = 0;
  for (const auto& s : r.steps) {
    EXPECT_TRUE(s.output) << s.state << " entered at event " << s.entered_event_id;
    gets += s.state == "Get";
    keeps += s.state == "Keep";
  }
  EXPECT_EQ(gets, 3);
  EXPECT_EQ(keeps, 3);
  EXPECT_EQ(r.steps.front().state, "Each");
}

TEST_F(ReplayTest, AChangedDefinitionDivergesAtTheFirstDifferentEvent) {
  Record("big", Definition(), Json{{"n", 5}});
  const auto recorded = RecordedHistory("big");
  int64_t big_entered = 0;
  for (const auto& e : recorded) {
    if (e.type == "PassStateEntered" && DetailsJson(e).value("name", "") == "Big") {
      big_entered = e.id;
    }
  }
  ASSERT_GT(big_entered, 0);

  // With threshold 10, n = 5 takes the Default branch: everything up to the Choice's exit is
  // the same, then Small is entered where Big was.
  ReplayRequest request{"big", Definition(10), ""};
  ReplayReport r = Replayed(request);
  EXPECT_TRUE(r.definition_changed);
  ASSERT_FALSE(r.matches());
  EXPECT_EQ(r.difference->event_id, big_entered);
  EXPECT_EQ(r.compared_events, big_entered - 1);
  ASSERT_TRUE(r.difference->recorded && r.difference->replayed);
  EXPECT_EQ(DetailsJson(*r.difference->recorded).value("name", ""), "Big");
  EXPECT_EQ(DetailsJson(*r.difference->replayed).value("name", ""), "Small");
  EXPECT_EQ(Step(r, "Route")->choice->rule, "Default");
  EXPECT_EQ(StateNames(r).back(), "Route");

  // A change in the first state diverges at its exit (event 3: started, entered, exited).
  ReplayReport early = Replayed({"big", Definition(3, R"(,"extra":1)"), ""});
  ASSERT_FALSE(early.matches());
  EXPECT_EQ(early.difference->event_id, 3);
  EXPECT_EQ(early.difference->recorded->type, "PassStateExited");
}

TEST_F(ReplayTest, TheRecordedDefinitionGivenAgainIsNoChange) {
  Record("big", Definition(), Json{{"n", 5}});
  ReplayReport r = Replayed({"big", Definition(), ""});
  EXPECT_FALSE(r.definition_changed);
  EXPECT_TRUE(r.matches());
}

TEST_F(ReplayTest, ATamperedHistoryIsReportedAtTheTamperedEvent) {
  Record("big", Definition(), Json{{"n", 5}});
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE history_events SET details = "
                         "'{\"name\":\"Prepare\",\"output\":\"{}\",\"outputDetails\":"
                         "{\"truncated\":false}}' WHERE id = 3",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  ReplayReport r = Replayed({"big"});
  ASSERT_FALSE(r.matches());
  EXPECT_EQ(r.difference->event_id, 3);
  EXPECT_EQ(DetailsJson(*r.difference->recorded).value("output", ""), "{}");
  EXPECT_NE(DetailsJson(*r.difference->replayed).value("output", ""), "{}");
  EXPECT_EQ(r.compared_events, 2);
}

TEST_F(ReplayTest, UntilStopsBeforeTheStateAndShowsItsInput) {
  Record("big", Definition(), Json{{"n", 5}});
  ReplayReport r = Replayed({"big", std::nullopt, "Route"});
  EXPECT_TRUE(r.matches());
  ASSERT_TRUE(r.until && r.until->reached);
  EXPECT_EQ(r.until->state, "Route");
  Json input = Json::parse(r.until->input);
  EXPECT_EQ(input["n"], 5);
  EXPECT_EQ(input["fetched"], Json({{"rows", 3}}));
  EXPECT_EQ(StateNames(r), (std::vector<std::string>{"Prepare", "Fetch", "Nap"}));
  EXPECT_EQ(r.compared_events, r.until->event_id);
  EXPECT_EQ(RecordedHistory("big")[r.until->event_id - 1].type, "ChoiceStateEntered");
}

TEST_F(ReplayTest, UntilAStateNeverEnteredRunsToTheEnd) {
  Record("big", Definition(), Json{{"n", 5}});
  ReplayReport r = Replayed({"big", std::nullopt, "Small"});
  EXPECT_TRUE(r.matches());
  ASSERT_TRUE(r.until);
  EXPECT_FALSE(r.until->reached);
  EXPECT_EQ(r.compared_events, r.recorded_events);
}

TEST_F(ReplayTest, UntilAStateTheDefinitionLacksIsAnError) {
  Record("big", Definition(), Json{{"n", 5}});
  auto store = OpenStoreForReplay(db_);
  ASSERT_TRUE(store.ok());
  auto r = Replay(**store, {"big", std::nullopt, "Nowhere"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("no state named 'Nowhere'"), std::string::npos) << r.error();
}

TEST_F(ReplayTest, UnknownExecutionAndBadDefinitionAreErrors) {
  Record("big", Definition(), Json{{"n", 5}});
  auto store = OpenStoreForReplay(db_);
  ASSERT_TRUE(store.ok());
  auto unknown = Replay(**store, {"nosuch"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().find("nosuch"), std::string::npos) << unknown.error();
  auto bad = Replay(**store, {"big", R"({"StartAt":"X","States":{}})", ""});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("invalid definition"), std::string::npos) << bad.error();
}

TEST_F(ReplayTest, ReplayNeverWritesToTheDatabase) {
  Record("big", Definition(), Json{{"n", 5}});
  {
    // Fold the WAL into the file first, so the file alone holds every row.
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Checkpoint().ok());
  }
  const std::string before = ReadFile(db_);
  EXPECT_TRUE(Replayed({"big"}).matches());
  EXPECT_EQ(ReadFile(db_), before);

  // The replay store refuses writes outright.
  auto store = OpenStoreForReplay(db_);
  ASSERT_TRUE(store.ok());
  WriteBatch batch;
  batch.PutDefinition("{}");
  EXPECT_FALSE((*store)->Commit(batch).ok());
}

TEST_F(ReplayTest, OpeningAMissingDatabaseFailsWithoutCreatingIt) {
  const std::string missing = (dir_ / "missing.db").string();
  auto store = OpenStoreForReplay(missing);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().find("missing.db"), std::string::npos) << store.error();
  EXPECT_FALSE(fs::exists(missing));
}

TEST_F(ReplayTest, ADatabaseThatNeedsAMigrationIsRefusedUntouched) {
  Record("big", Definition(), Json{{"n", 5}});
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  const std::string older = "PRAGMA user_version = " + std::to_string(kSchemaVersion - 1);
  ASSERT_EQ(sqlite3_exec(db, older.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const std::string before = ReadFile(db_);
  auto store = OpenStoreForReplay(db_);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().find("needs a schema migration"), std::string::npos) << store.error();
  EXPECT_EQ(ReadFile(db_), before);
}

TEST_F(ReplayTest, TheJsonReportCarriesStepsChoicesAndTheDifference) {
  Record("big", Definition(), Json{{"n", 5}});
  Json same = ReplayReportToJson(Replayed({"big"}));
  EXPECT_EQ(same["matches"], true);
  EXPECT_EQ(same["recordedStatus"], "SUCCEEDED");
  EXPECT_FALSE(same.contains("difference"));
  Json route = same["steps"][3];
  EXPECT_EQ(route["state"], "Route");
  EXPECT_EQ(route["choice"]["index"], 1);
  EXPECT_EQ(route["input"]["n"], 5);  // inputs and outputs as JSON, not text

  Json changed = ReplayReportToJson(Replayed({"big", Definition(10), "Small"}));
  // --until Small: Small is entered exactly where Big was recorded, so the difference comes
  // first and the replay never reaches Small in agreement with the record.
  EXPECT_EQ(changed["matches"], false);
  EXPECT_EQ(changed["difference"]["recorded"]["stateEnteredEventDetails"]["name"], "Big");
  EXPECT_EQ(changed["difference"]["replayed"]["stateEnteredEventDetails"]["name"], "Small");
  EXPECT_EQ(changed["until"]["reached"], false);
}

TEST(FirstDifference, ComparesEventByEvent) {
  HistoryEvent a{1, 0, 10, "ExecutionStarted", ""};
  HistoryEvent b{2, 1, 10, "PassStateEntered", R"({"name":"A","input":"{}"})"};
  HistoryEvent c = b;
  c.timestamp_nanos = 11'000'000;  // a different time is a different event
  EXPECT_FALSE(FirstDifference({a, b}, {a, b}));
  auto d = FirstDifference({a, b}, {a, c});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->event_id, 2);
  auto longer = FirstDifference({a}, {a, b});
  ASSERT_TRUE(longer);
  EXPECT_FALSE(longer->recorded);
  EXPECT_EQ(longer->replayed->type, "PassStateEntered");
  auto shorter = FirstDifference({a, b}, {a});
  ASSERT_TRUE(shorter);
  EXPECT_FALSE(shorter->replayed);
}

// Events are compared as GetExecutionHistory JSON: details texts that differ only in spacing
// are the same details, and times are shown in milliseconds.
TEST(FirstDifference, ComparesDetailsAsJson) {
  const HistoryEvent a{2, 1, 1'000'000, "PassStateEntered", R"({"name":"A","input":"{}"})"};
  HistoryEvent spaced = a;
  spaced.details = R"({ "name": "A", "input": "{}" })";
  HistoryEvent same_ms = a;
  same_ms.timestamp_nanos = 1'000'001;
  EXPECT_TRUE(SameEvent(a, spaced));
  EXPECT_TRUE(SameEvent(a, same_ms));
  EXPECT_FALSE(FirstDifference({a}, {spaced}));
  HistoryEvent other = a;
  other.details = R"({"name":"B","input":"{}"})";
  HistoryEvent reordered = a;  // key order is part of the JSON (ordered_json)
  reordered.details = R"({"input":"{}","name":"A"})";
  HistoryEvent none = a;
  none.details.clear();
  EXPECT_FALSE(SameEvent(a, other));
  EXPECT_FALSE(SameEvent(a, reordered));
  EXPECT_FALSE(SameEvent(a, none));
  EXPECT_FALSE(SameEvent(none, a));
  EXPECT_TRUE(SameEvent(none, none));
  for (const HistoryEvent* e : {&spaced, &same_ms, &other, &reordered, &none}) {
    EXPECT_EQ(SameEvent(a, *e), HistoryEventToJson(a) == HistoryEventToJson(*e)) << e->details;
  }
}

TEST(JournalRecorder, KeepsWhatRebuildsARunWithoutADatabase) {
  RunRequest req;
  req.machine = Compile(Definition());
  req.input = std::make_shared<const Json>(Json{{"n", 1}});
  req.virtual_clock = true;
  req.seed = 9;
  HandlerConfig hc;
  hc.functions =
      std::make_shared<const Json>(Json{{"functions", {{"fetch", {{"return", {{"rows", 1}}}}}}}});
  JournalRecorder journal;
  auto run = RunToCompletion(
      req, [&](uv_loop_t* loop) { return BuildHandlers(loop, hc); }, &journal);
  ASSERT_TRUE(run.ok()) << run.error();
  ASSERT_EQ(run->status, ExecutionStatus::kSucceeded);
  ASSERT_TRUE(journal.started());
  EXPECT_EQ(journal.input(), Json({{"n", 1}}));
  EXPECT_EQ(journal.entries().size(), 2u);
  auto rebuilt =
      Rebuild(req.machine, run->options, journal.input(), journal.start_time(), journal.entries());
  EXPECT_FALSE(FirstDifference(run->history, rebuilt.executor->history()));
  // Without the journal the rebuilt run stops at the task: the entries are what made it move.
  auto bare = Rebuild(req.machine, run->options, journal.input(), journal.start_time(), {});
  EXPECT_TRUE(FirstDifference(run->history, bare.executor->history()));
}

}  // namespace
}  // namespace sluice::engine
