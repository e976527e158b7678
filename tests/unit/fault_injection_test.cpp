// Fault injection through the service: a store whose Nth statement step fails (as if SQLite had
// reported an I/O error), for every N of a run. Each faulty run must end with a clean error from
// Open, Start or Run (no crash, no exception), and the database it leaves must — reopened without
// faults — resume to the fault-free run's output, with a consistent history, nothing left
// pending and `PRAGMA integrity_check` ok. The same holds for a fault during recovery: a run cut
// short by a fault, resumed by a session whose Nth step fails, then resumed cleanly.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "asl/loader.h"
#include "engine/history.h"
#include "engine/service.h"
#include "tests/crash/history_check.h"

namespace {

using sluice::Json;
namespace engine = sluice::engine;
namespace fs = std::filesystem;

// Pass, Wait 0, a task, a Map of command and canned tasks (the commands of its two iterations run
// at once, so a failed commit can find one still running), a Parallel with a Wait and a task
// retried then caught; under the virtual clock the waits and back-off take no real time.
constexpr const char* kMachine = R"({"StartAt":"Start","States":{
  "Start":{"Type":"Pass","Parameters":{"items.$":"$.items","greeting":"hi"},"Next":"Nap"},
  "Nap":{"Type":"Wait","Seconds":0,"Next":"Setup"},
  "Setup":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:const",
          "ResultPath":"$.setup","Next":"Fan"},
  "Fan":{"Type":"Parallel","Next":"Done","Branches":[
    {"StartAt":"Each","States":{"Each":{"Type":"Map","ItemsPath":"$.items","End":true,
      "ItemProcessor":{"StartAt":"Item","States":{
        "Item":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo",
          "ResultPath":"$.echoed","Next":"Const"},
        "Const":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:const",
          "ResultPath":"$.const","End":true}}}}}},
    {"StartAt":"Sleep","States":{
      "Sleep":{"Type":"Wait","Seconds":30,"Next":"Broken"},
      "Broken":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:broken",
        "Retry":[{"ErrorEquals":["Broken"],"IntervalSeconds":2,"MaxAttempts":2}],
        "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":null,"Next":"Caught"}],"End":true},
      "Caught":{"Type":"Pass","Result":"caught","End":true}}}]},
  "Done":{"Type":"Pass","Parameters":{"map.$":"$[0]","branch.$":"$[1]"},"End":true}}})";

constexpr const char* kFunctions = R"({"functions":{
  "echo":{"command":["cat"]},
  "const":{"return":{"ok":true}},
  "broken":{"raise":{"errorType":"Broken","errorMessage":"always"}}}})";

constexpr const char* kExecutionName = "faulty";
constexpr int64_t kMaxSteps = 20000;  // a bound on N, far above a run's statement steps

engine::StartRequest Request() {
  engine::StartRequest r;
  r.definition_text = kMachine;
  auto parsed = sluice::asl::ParseDefinitionText(kMachine);
  EXPECT_TRUE(parsed.ok());
  auto machine = sluice::asl::Compile(parsed.value());
  EXPECT_TRUE(machine.ok());
  r.machine = machine.value();
  r.machine_name = "fi";
  r.execution_name = kExecutionName;
  r.input = std::make_shared<const Json>(Json::parse(R"({"items":[{"i":1},{"i":2}]})"));
  r.handlers.functions = std::make_shared<const Json>(Json::parse(kFunctions));
  r.handlers.functions_source = "functions.json";
  r.handlers.machine_name = "fi";
  r.seed = 7;
  return r;
}

// Counts statement steps and fails the `fail_at`th (0: none).
struct Fault {
  int64_t fail_at = 0;
  int64_t steps = 0;
  bool hit = false;
  std::function<bool(std::string_view)> Hook() {
    return [this](std::string_view) {
      if (++steps != fail_at) return false;
      hit = true;
      return true;
    };
  }
};

// What one session did: the first error (and where), or none.
struct Session {
  std::string stage;  // "open", "start", "recover", "run"; empty when all went well
  std::string error;
};

engine::ServiceOptions Options(const std::string& db, Fault* fault) {
  engine::ServiceOptions o;
  o.db_path = db;
  o.virtual_clock = true;
  o.durability = engine::Durability::kNormal;  // faults, not power loss: no sync per commit
  if (fault) o.fail_step = fault->Hook();
  return o;
}

// A session that starts the execution (when `start`) or recovers what the database holds, then
// runs to the end. With `start_if_missing`, an execution that was never recorded is started.
Session RunSession(const std::string& db, Fault* fault, bool start, bool start_if_missing) {
  auto service = engine::Service::Open(Options(db, fault));
  if (!service.ok()) return {"open", service.error()};
  engine::Service& s = *service.value();
  if (!start) {
    auto recovered = s.Recover();
    if (!recovered.ok()) return {"recover", recovered.error()};
    if (start_if_missing) {
      auto existing = s.store().ResolveExecution(kExecutionName);
      start = !existing.ok();
    }
  }
  if (start) {
    auto started = s.Start(Request());
    if (!started.ok()) return {"start", started.error()};
  }
  auto ran = s.Run();
  if (!ran.ok()) return {"run", ran.error()};
  return {};
}

std::string QueryText(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    out = text ? reinterpret_cast<const char*>(text) : "";
  }
  sqlite3_finalize(stmt);
  return out;
}

struct Final {
  std::string status;
  Json output;
  Json history = Json::array();
};

// Reads the finished execution back and checks the database around it.
Final Inspect(const std::string& db) {
  Final f;
  {
    auto store = engine::Store::Open(db);
    EXPECT_TRUE(store.ok()) << store.error();
    if (!store.ok()) return f;
    auto record = store.value()->ResolveExecution(kExecutionName);
    EXPECT_TRUE(record.ok()) << record.error();
    if (!record.ok()) return f;
    f.status = engine::ExecutionStatusName(record.value().status);
    if (record.value().output) f.output = Json::parse(*record.value().output);
    auto history = store.value()->GetHistory(record.value().arn);
    EXPECT_TRUE(history.ok());
    for (const auto& e : history.value()) f.history.push_back(engine::HistoryEventToJson(e));
  }
  sqlite3* raw = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  EXPECT_EQ(QueryText(raw, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(QueryText(raw, "SELECT count(*) FROM executions"), "1");
  EXPECT_EQ(QueryText(raw, "SELECT count(*) FROM pending_timers"), "0");
  EXPECT_EQ(QueryText(raw, "SELECT count(*) FROM pending_tasks"), "0");
  sqlite3_close_v2(raw);
  return f;
}

std::vector<std::string> Types(const Json& history) {
  std::vector<std::string> types;
  for (const auto& e : history) types.push_back(e.value("type", ""));
  std::sort(types.begin(), types.end());
  return types;
}

class FaultInjection : public ::testing::Test {
 protected:
  void SetUp() override {
    // The faults are in SQLite's steps, not the disk's: a RAM file system, when there is one,
    // spares the hundreds of runs their syncs.
    const fs::path base = fs::is_directory("/dev/shm") ? "/dev/shm" : ::testing::TempDir();
    dir_ = base / ("faults-" + std::to_string(::getpid()) + "-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // The fault-free run: its output, history and number of statement steps.
    Fault counter;
    const std::string db = Db("reference");
    Session clean = RunSession(db, &counter, /*start=*/true, false);
    ASSERT_EQ(clean.error, "");
    reference_steps_ = counter.steps;
    reference_ = Inspect(db);
    ASSERT_EQ(reference_.status, "SUCCEEDED");
    for (const auto& p : sluice::testing::HistoryProblems(reference_.history, true)) {
      ADD_FAILURE() << "fault-free run: " << p;
    }
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  std::string Db(const std::string& name) {
    fs::remove(dir_ / (name + ".db"));
    fs::remove(dir_ / (name + ".db-wal"));
    fs::remove(dir_ / (name + ".db-shm"));
    return (dir_ / (name + ".db")).string();
  }

  // A faulty session must have failed cleanly exactly when its fault was hit.
  static void ExpectCleanFailure(const Session& s, const Fault& fault) {
    if (!fault.hit) {
      EXPECT_EQ(s.error, "") << "failed at " << s.stage << " without a fault";
      return;
    }
    EXPECT_NE(s.stage, "") << "step " << fault.fail_at << " failed and nobody noticed";
    EXPECT_NE(s.error.find("injected fault"), std::string::npos) << s.stage << ": " << s.error;
  }

  // Resumes `db` without faults and checks it ends like the fault-free run.
  void ExpectResumesToTheReference(const std::string& db) {
    Session resumed = RunSession(db, nullptr, /*start=*/false, /*start_if_missing=*/true);
    ASSERT_EQ(resumed.error, "") << resumed.stage;
    Final f = Inspect(db);
    EXPECT_EQ(f.status, "SUCCEEDED");
    EXPECT_EQ(f.output, reference_.output);
    for (const auto& p : sluice::testing::HistoryProblems(f.history, true)) ADD_FAILURE() << p;
    EXPECT_EQ(Types(f.history), Types(reference_.history));
  }

  fs::path dir_;
  int64_t reference_steps_ = 0;
  Final reference_;
};

TEST_F(FaultInjection, EveryFailedStepOfARunLeavesAResumableDatabase) {
  std::map<std::string, int> failed_at;
  int64_t n = 1;
  for (; n < kMaxSteps; ++n) {
    SCOPED_TRACE("step " + std::to_string(n) + " fails");
    const std::string db = Db("run");
    Fault fault{n};
    Session s = RunSession(db, &fault, /*start=*/true, false);
    ExpectCleanFailure(s, fault);
    ++failed_at[fault.hit ? s.stage : "nowhere"];
    ExpectResumesToTheReference(db);
    if (HasFailure() || !fault.hit) break;
  }
  EXPECT_LT(n, kMaxSteps);
  std::printf(
      "fault injection: %lld runs (the fault-free run takes %lld steps); failed at open %d,"
      " start %d, run %d; all resumed to the fault-free output\n",
      static_cast<long long>(n), static_cast<long long>(reference_steps_), failed_at["open"],
      failed_at["start"], failed_at["run"]);
}

TEST_F(FaultInjection, EveryFailedStepOfARecoveryLeavesAResumableDatabase) {
  // The run is cut short halfway by a fault; a recovering session then fails at step N.
  std::map<std::string, int> failed_at;
  int64_t n = 1;
  for (; n < kMaxSteps; ++n) {
    SCOPED_TRACE("recovery step " + std::to_string(n) + " fails");
    const std::string db = Db("recovery");
    Fault halfway{reference_steps_ / 2};
    Session first = RunSession(db, &halfway, /*start=*/true, false);
    ASSERT_TRUE(halfway.hit);
    ASSERT_EQ(first.stage, "run") << first.error;
    Fault fault{n};
    Session s = RunSession(db, &fault, /*start=*/false, /*start_if_missing=*/false);
    ExpectCleanFailure(s, fault);
    ++failed_at[fault.hit ? s.stage : "nowhere"];
    ExpectResumesToTheReference(db);
    if (HasFailure() || !fault.hit) break;
  }
  EXPECT_LT(n, kMaxSteps);
  std::printf(
      "fault injection: %lld recoveries; failed at open %d, recover %d, run %d; all"
      " resumed to the fault-free output\n",
      static_cast<long long>(n), failed_at["open"], failed_at["recover"], failed_at["run"]);
}

}  // namespace

// The checker the crash and fault tests rely on must itself catch what it claims to.
TEST(HistoryCheck, FlagsWhatADurableHistoryMustNeverShow) {
  auto event = [](int64_t id, int64_t previous, const char* type, Json details = nullptr) {
    Json e{{"type", type}, {"id", id}, {"previousEventId", previous}};
    if (!details.is_null()) e[engine::DetailsMemberName(type)] = details;
    return e;
  };
  const Json good = Json::array({event(1, 0, "ExecutionStarted"),
                                 event(2, 0, "LambdaFunctionScheduled", Json{{"input", "1"}}),
                                 event(3, 2, "LambdaFunctionStarted"),
                                 event(4, 3, "LambdaFunctionSucceeded", Json{{"output", "1"}}),
                                 event(5, 4, "ExecutionSucceeded")});
  using sluice::testing::HistoryProblems;
  EXPECT_TRUE(HistoryProblems(good, true).empty());
  EXPECT_FALSE(HistoryProblems(good, false).empty());  // a terminal event in a running one

  Json gap = good;
  gap[4]["id"] = 6;
  EXPECT_FALSE(HistoryProblems(gap, true).empty());

  Json twice = good;  // the result recorded again
  twice.insert(twice.begin() + 4, event(5, 3, "LambdaFunctionSucceeded", Json{{"output", "1"}}));
  twice[5]["id"] = 6;
  EXPECT_FALSE(HistoryProblems(twice, true).empty());

  Json lost = good;  // the result lost from a succeeded execution
  lost.erase(3);
  lost[3]["id"] = 4;
  lost[3]["previousEventId"] = 3;
  EXPECT_FALSE(HistoryProblems(lost, true).empty());

  Json restarted = good;
  restarted[1] = event(2, 1, "ExecutionStarted");
  EXPECT_FALSE(HistoryProblems(restarted, true).empty());
}
