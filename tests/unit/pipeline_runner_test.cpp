// PipelineRunner inside a Service (virtual clock, a temporary database): the shipped machines are
// embedded; an SLA alert companion started by a later process fires only while pipeline_runs
// says its run is RUNNING (the durable check after a restart); the lifecycle's SLA hooks start
// companions, replace them, and stop them when the run ends.
#include "engine/pipeline_runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "asl/loader.h"
#include "engine/executor.h"
#include "engine/run.h"
#include "engine/shipped_machines.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;

constexpr char kDate[] = "2026-03-03";

class PipelineRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("pipeline-runner-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ServiceOptions options;
    options.db_path = (dir_ / "t.db").string();
    options.virtual_clock = true;
    auto service = Service::Open(options);
    ASSERT_TRUE(service.ok()) << service.error();
    service_ = std::move(service).value();
    runner_ = std::make_unique<PipelineRunner>(*service_);
  }
  void TearDown() override {
    runner_.reset();
    service_.reset();
    fs::remove_all(dir_);
  }

  void Apply(const std::string& yaml) {
    std::ofstream((dir_ / "p.yaml").string()) << yaml;
    auto files = LoadPipelineFiles({(dir_ / "p.yaml").string()});
    ASSERT_TRUE(files.ok()) << FormatPipelineFileErrors(files.error());
    ASSERT_TRUE(runner_->pipelines().Apply(*files).ok());
  }

  void PutRun(PipelineRunStatus status) {
    PipelineRunRecord run{"p", "stream", kDate, std::nullopt, status};
    WriteBatch batch;
    batch.PutPipelineRun(run);
    ASSERT_TRUE(service_->store().Commit(batch).ok());
  }

  // Starts a companion alert as an earlier process would have, runs it to its end and returns
  // its output.
  Json FireAlert() {
    auto text = ShippedDefinition(kSlaAlertMachine);
    EXPECT_TRUE(text.has_value());
    auto parsed = asl::ParseDefinitionText(*text);
    auto machine = asl::Compile(*parsed);
    EXPECT_TRUE(machine.ok());
    StartRequest request;
    request.definition_text = std::string(*text);
    request.machine = *machine;
    request.machine_name = std::string(kSlaAlertMachine);
    request.input = std::make_shared<const Json>(Json{{"pipelineId", "p"},
                                                      {"scheduleId", "stream"},
                                                      {"date", kDate},
                                                      {"alertType", "SLA_BREACH"},
                                                      {"at", "2020-01-01T00:00:00Z"},
                                                      {"breachAt", nullptr}});
    request.handlers.builtins = true;
    Json output;
    auto started = service_->Start(request, [&](const Executor& ex) {
      EXPECT_EQ(ex.status(), ExecutionStatus::kSucceeded);
      output = ex.output();
    });
    EXPECT_TRUE(started.ok()) << started.error();
    EXPECT_TRUE(service_->Run().ok());
    return output;
  }

  std::vector<std::string> EventTypes() {
    std::vector<std::string> types;
    auto events = runner_->pipelines().Events({});
    EXPECT_TRUE(events.ok());
    for (const auto& e : *events) types.push_back(e.type);
    return types;
  }

  fs::path dir_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<PipelineRunner> runner_;
};

constexpr char kConfig[] = R"(pipeline: {id: p}
validation:
  rules:
    - {key: upstream, check: exists}
job:
  type: command
  config: {argv: ["true"]}
)";

TEST_F(PipelineRunnerTest, ShippedMachinesAreEmbeddedAndCompile) {
  for (auto name : {kLifecycleMachine, kSlaAlertMachine}) {
    auto text = ShippedDefinition(name);
    ASSERT_TRUE(text.has_value()) << name;
    auto parsed = asl::ParseDefinitionText(*text);
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_TRUE(asl::Compile(*parsed).ok()) << name;
  }
  EXPECT_FALSE(ShippedDefinition("no-such-machine").has_value());
}

TEST_F(PipelineRunnerTest, AlertOfARunRecordedAsEndedDoesNotFire) {
  Apply(kConfig);
  PutRun(PipelineRunStatus::kCompleted);
  Json out = FireAlert();
  EXPECT_EQ(out["fired"], false) << out;
  EXPECT_EQ(out["reason"], "the run has ended");
  EXPECT_TRUE(EventTypes().empty());
}

TEST_F(PipelineRunnerTest, AlertOfARunningRunFires) {
  Apply(kConfig);
  PutRun(PipelineRunStatus::kRunning);
  Json out = FireAlert();
  EXPECT_EQ(out["fired"], true) << out;
  EXPECT_EQ(EventTypes(), std::vector<std::string>{"SLA_BREACH"});
}

TEST_F(PipelineRunnerTest, LifecycleArmsAndCancelsCompanionAlerts) {
  // A relative SLA counted from the trigger sensor: both alerts are ahead when the run starts.
  Apply(std::string(kConfig) + R"(schedule:
  trigger: {key: upstream, check: exists}
sla: {maxDuration: 2h}
)");
  ASSERT_TRUE(runner_->pipelines().PutSensor("p", "upstream", R"({"ok": true})").ok());
  std::optional<Result<RunEnd>> end;
  PipelineRunRequest request{"p", kDate};
  auto started = runner_->StartRun(request, [&](const Executor& ex) { end = runner_->Finish(ex); });
  ASSERT_TRUE(started.ok()) << started.error();
  ASSERT_TRUE(service_->Run().ok());
  ASSERT_TRUE(end && end->ok());
  EXPECT_EQ(end->value().status, PipelineRunStatus::kCompleted);
  EXPECT_EQ(EventTypes(), (std::vector<std::string>{"VALIDATION_PASSED", "JOB_TRIGGERED",
                                                    "JOB_COMPLETED", "SLA_MET"}));
  // Two companions, one per alert kind, both stopped when the run ended.
  ExecutionFilter filter;
  filter.state_machine_arn = StateMachineArn(std::string(kSlaAlertMachine));
  auto companions = service_->store().ListExecutions(filter);
  ASSERT_TRUE(companions.ok());
  ASSERT_EQ(companions->executions.size(), 2u);
  for (const auto& e : companions->executions) {
    EXPECT_EQ(e.status, ExecutionStatus::kAborted) << e.arn;
    EXPECT_EQ(e.error, "Sluice.AlertCancelled") << e.arn;
  }
  auto run = service_->store().GetPipelineRun("p", "stream", kDate);
  ASSERT_TRUE(run.ok() && *run);
  EXPECT_EQ((*run)->status, PipelineRunStatus::kCompleted);
  EXPECT_EQ((*run)->execution_arn, started->execution_arn);
}

}  // namespace
}  // namespace sluice::engine
