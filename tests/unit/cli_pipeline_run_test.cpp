// `sluice pipeline run` end to end through the binary, against a temporary --db: a run that
// completes (its events, its --json line and its pipeline_runs row), a second start refused and
// --force, rules that never pass (VALIDATION_EXHAUSTED on the virtual clock), a command job that
// fails (JOB_FAILED), an unknown pipeline, and a lifecycle killed during a real-clock Wait that
// `sluice resume` completes.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "engine/store/store.h"
#include "tests/support/shell.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using sluice::engine::PipelineRunStatus;

using Outcome = sluice::testing::ShellOutcome;

// A pipeline gated on sensor "upstream" (status ready, count >= 100), evaluated every `interval`
// for `window`, whose job runs `shell`.
std::string Config(const std::string& shell, const std::string& window = "1h",
                   const std::string& interval = "5m") {
  return "pipeline: {id: orders}\n"
         "schedule:\n"
         "  evaluation: {window: " +
         window + ", interval: " + interval +
         "}\n"
         "validation:\n"
         "  rules:\n"
         "    - {key: upstream, check: equals, field: status, value: ready}\n"
         "    - {key: upstream, check: gte, field: count, value: 100}\n"
         "job:\n"
         "  type: command\n"
         "  config: {argv: [sh, -c, \"" +
         shell + "\"]}\n";
}

constexpr char kReady[] = R"({"status": "ready", "count": 150})";
constexpr char kDate[] = "2026-03-03";

class CliPipelineRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("cli-pipeline-run-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "t.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `sluice ARGS --db DB` in `dir_`; stderr goes to a file (Stderr()).
  Outcome Sluice(const std::string& args) {
    std::string cmd = "cd '" + dir_.string() + "' && " + std::string(SLUICE_BINARY) + " " + args +
                      " --db '" + db_ + "' 2>'" + (dir_ / "stderr").string() + "'";
    return sluice::testing::RunShell(cmd);
  }

  std::string Stderr() const {
    std::ifstream in((dir_ / "stderr").string());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  void Apply(const std::string& config) {
    std::ofstream((dir_ / "orders.yaml").string()) << config;
    Outcome o = Sluice("pipeline apply orders.yaml");
    ASSERT_EQ(o.code, 0) << o.out << Stderr();
  }

  void PutSensor(const std::string& data) {
    Outcome o = Sluice("sensor put orders upstream '" + std::string(data) + "'");
    ASSERT_EQ(o.code, 0) << o.out << Stderr();
  }

  // The --json line: the last line of the output.
  static json LastLine(const std::string& out) {
    std::string text = out;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    auto nl = text.rfind('\n');
    return json::parse(nl == std::string::npos ? text : text.substr(nl + 1), nullptr, false);
  }

  std::optional<sluice::engine::PipelineRunRecord> RunRecord(const std::string& date = kDate) {
    auto store = sluice::engine::Store::Open(db_);
    EXPECT_TRUE(store.ok());
    if (!store.ok()) return std::nullopt;
    auto run = (*store)->GetPipelineRun("orders", "stream", date);
    EXPECT_TRUE(run.ok());
    return run.ok() ? *run : std::nullopt;
  }

  // Starts `pipeline run orders` (real clock) in a child process and SIGKILLs it once the
  // lifecycle is recorded inside a Wait state; returns the execution's ARN ("" on failure).
  std::string RunAndKillDuringWait() {
    const std::string out_path = (dir_ / "run.out").string();
    pid_t pid = fork();
    if (pid < 0) return "";
    if (pid == 0) {
      FILE* out = std::freopen(out_path.c_str(), "w", stdout);
      (void)out;
      execl(SLUICE_BINARY, SLUICE_BINARY, "pipeline", "run", "orders", "--date", kDate, "--db",
            db_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    // Wait until the lifecycle is recorded inside its first WaitInterval.
    std::string arn;
    bool waiting = false;
    for (int i = 0; i < 600 && !waiting; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      auto store = sluice::engine::Store::Open(db_);
      if (!store.ok()) continue;
      auto run = (*store)->GetPipelineRun("orders", "stream", kDate);
      if (!run.ok() || !*run || !(*run)->execution_arn) continue;
      arn = *(*run)->execution_arn;
      auto history = (*store)->GetHistory(arn);
      if (!history.ok()) continue;
      for (const auto& e : *history) {
        if (e.type == "WaitStateEntered") waiting = true;
      }
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(waiting) << "the lifecycle never reached its Wait";
    return waiting ? arn : "";
  }

  fs::path dir_;
  std::string db_;
};

TEST_F(CliPipelineRun, RunCompletesWithItsEventsAndJsonLine) {
  Apply(Config("echo loaded"));
  PutSensor(kReady);
  Outcome o = Sluice("pipeline run orders --date 2026-03-03 --clock virtual --json");
  ASSERT_EQ(o.code, 0) << o.out << Stderr();
  json j = LastLine(o.out);
  ASSERT_TRUE(j.is_object()) << o.out;
  EXPECT_EQ(j["status"], "COMPLETED");
  EXPECT_EQ(j["outcome"], "COMPLETED");
  EXPECT_EQ(j["events"], json::parse(R"(["VALIDATION_PASSED","JOB_TRIGGERED","JOB_COMPLETED"])"));
  const std::string arn = j["executionArn"];
  EXPECT_EQ(arn.rfind("arn:aws:states:", 0), 0u) << arn;
  EXPECT_NE(arn.find(":execution:pipeline-lifecycle:orders-stream-2026-03-03"), std::string::npos)
      << arn;
  // Human lines: the run, its execution, each event as it happened, the status.
  EXPECT_NE(o.out.find("Pipeline run orders/stream/2026-03-03\nExecution " + arn + "\n"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("  VALIDATION_PASSED  "), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("  JOB_COMPLETED  "), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Status: COMPLETED (COMPLETED)\n"), std::string::npos) << o.out;

  auto run = RunRecord();
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->status, PipelineRunStatus::kCompleted);
  EXPECT_EQ(run->execution_arn, arn);
  EXPECT_TRUE(run->ended_nanos.has_value());

  // The lifecycle is a recorded execution like any other.
  Outcome history = Sluice("history " + arn);
  EXPECT_EQ(history.code, 0) << Stderr();
  EXPECT_NE(history.out.find("TaskStateEntered  CompleteTrigger"), std::string::npos)
      << history.out;
  EXPECT_NE(history.out.find("ExecutionSucceeded"), std::string::npos) << history.out;
}

TEST_F(CliPipelineRun, SecondStartIsRefusedAndForceRunsAgain) {
  Apply(Config("true"));
  PutSensor(kReady);
  Outcome first = Sluice("pipeline run orders --date 2026-03-03 --clock virtual --json");
  ASSERT_EQ(first.code, 0) << first.out << Stderr();
  const std::string first_arn = LastLine(first.out)["executionArn"];

  Outcome again = Sluice("pipeline run orders --date 2026-03-03 --clock virtual --json");
  EXPECT_EQ(again.code, 2) << again.out;
  EXPECT_EQ(Stderr(),
            "sluice: pipeline run orders/stream/2026-03-03 has already run (COMPLETED, "
            "execution " +
                first_arn + "); use --force to run it again\n");
  EXPECT_EQ(again.out, "");

  Outcome forced = Sluice("pipeline run orders --date 2026-03-03 --clock virtual --force --json");
  ASSERT_EQ(forced.code, 0) << forced.out << Stderr();
  json j = LastLine(forced.out);
  EXPECT_EQ(j["status"], "COMPLETED");
  EXPECT_NE(j["executionArn"], first_arn);
  auto run = RunRecord();
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->execution_arn, j["executionArn"].get<std::string>());

  // Another date is another run.
  Outcome other = Sluice("pipeline run orders --date 2026-03-04 --clock virtual");
  EXPECT_EQ(other.code, 0) << other.out << Stderr();
}

TEST_F(CliPipelineRun, RulesThatNeverPassExhaustTheWindow) {
  Apply(Config("true"));
  PutSensor(R"({"status": "ready", "count": 99})");
  Outcome o = Sluice("pipeline run orders --date 2026-03-03 --clock virtual --json");
  EXPECT_EQ(o.code, 1) << o.out << Stderr();
  json j = LastLine(o.out);
  EXPECT_EQ(j["status"], "FAILED_FINAL");
  EXPECT_EQ(j["outcome"], "VALIDATION_EXHAUSTED");
  EXPECT_EQ(j["events"], json::parse(R"(["VALIDATION_EXHAUSTED"])"));
  auto run = RunRecord();
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->status, PipelineRunStatus::kFailedFinal);

  // 12 evaluations: at 0, 5, …, 55 minutes.
  Outcome history = Sluice("history " + j["executionArn"].get<std::string>() + " --json");
  ASSERT_EQ(history.code, 0) << Stderr();
  int evaluations = 0;
  const json recorded = json::parse(history.out);
  for (const auto& e : recorded["events"]) {
    if (e["type"] == "TaskScheduled" &&
        e["taskScheduledEventDetails"]["resource"] == "sluice:pipeline:evaluate") {
      ++evaluations;
    }
  }
  EXPECT_EQ(evaluations, 12);
}

TEST_F(CliPipelineRun, FailingCommandJobEndsFailedFinal) {
  Apply(Config("echo broken >&2; exit 3"));
  PutSensor(kReady);
  Outcome o = Sluice("pipeline run orders --date 2026-03-03 --clock virtual --json");
  EXPECT_EQ(o.code, 1) << o.out << Stderr();
  json j = LastLine(o.out);
  EXPECT_EQ(j["status"], "FAILED_FINAL");
  EXPECT_EQ(j["outcome"], "FAILED_FINAL");
  EXPECT_EQ(j["events"], json::parse(R"(["VALIDATION_PASSED","JOB_TRIGGERED","JOB_FAILED"])"));
  auto run = RunRecord();
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->status, PipelineRunStatus::kFailedFinal);
}

TEST_F(CliPipelineRun, UnknownPipelineExits2) {
  Outcome o = Sluice("pipeline run nope --clock virtual");
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(Stderr(),
            "sluice: pipeline 'nope' has no applied config in this database (apply one with "
            "`sluice pipeline apply FILE`)\n");
}

TEST_F(CliPipelineRun, BadDateExits2) {
  Apply(Config("true"));
  Outcome o = Sluice("pipeline run orders --date 03/03/2026");
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(Stderr().find("sluice: --date: "), std::string::npos) << Stderr();
  EXPECT_FALSE(RunRecord("03/03/2026").has_value());
}

TEST_F(CliPipelineRun, KilledDuringARealClockWaitResumesToCompletion) {
  // Not ready at first: the lifecycle waits an hour (real clock) before evaluating again.
  Apply(Config("true", "2h", "1h"));
  const std::string arn = RunAndKillDuringWait();
  ASSERT_FALSE(arn.empty());

  // The run is still RUNNING with a RUNNING execution: a second start is refused.
  Outcome again = Sluice("pipeline run orders --date 2026-03-03 --force");
  EXPECT_EQ(again.code, 2);
  EXPECT_EQ(Stderr(),
            "sluice: pipeline run orders/stream/2026-03-03 is already RUNNING (execution " + arn +
                "); wait for it to end, or continue it with `sluice resume` if its "
                "process has died\n");

  // The sensor arrives; resume (virtual clock: the hour's wait passes at once) completes it.
  PutSensor(kReady);
  Outcome resumed = Sluice("resume --clock virtual");
  EXPECT_EQ(resumed.code, 0) << resumed.out << Stderr();
  EXPECT_NE(resumed.out.find("SUCCEEDED  " + arn + "  pipeline run COMPLETED (COMPLETED)"),
            std::string::npos)
      << resumed.out;
  auto run = RunRecord();
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->status, PipelineRunStatus::kCompleted);
  EXPECT_EQ(run->execution_arn, arn);

  Outcome events = Sluice("events --pipeline orders --json");
  ASSERT_EQ(events.code, 0) << Stderr();
  std::vector<std::string> types;
  const json listed = json::parse(events.out);
  for (const auto& e : listed["events"]) types.push_back(e["type"]);
  EXPECT_EQ(types,
            (std::vector<std::string>{"VALIDATION_PASSED", "JOB_TRIGGERED", "JOB_COMPLETED"}));
}

TEST_F(CliPipelineRun, RunLeftRunningByAStoppedExecutionNeedsForce) {
  Apply(Config("true", "2h", "1h"));
  const std::string arn = RunAndKillDuringWait();
  ASSERT_FALSE(arn.empty());
  Outcome stopped = Sluice("stop " + arn);
  ASSERT_EQ(stopped.code, 0) << stopped.out << Stderr();

  Outcome again = Sluice("pipeline run orders --date 2026-03-03 --clock virtual");
  EXPECT_EQ(again.code, 2);
  EXPECT_EQ(Stderr(),
            "sluice: pipeline run orders/stream/2026-03-03 was left RUNNING by execution " + arn +
                ", which is no longer running; use --force to run it again\n");

  PutSensor(kReady);
  Outcome forced = Sluice("pipeline run orders --date 2026-03-03 --clock virtual --force --json");
  EXPECT_EQ(forced.code, 0) << forced.out << Stderr();
  EXPECT_EQ(LastLine(forced.out)["status"], "COMPLETED");
}

}  // namespace
