// The shipped lifecycle (statemachines/pipeline-lifecycle.asl.json) end to end on the virtual
// clock, with the built-in handlers over an in-memory PipelineData and a scripted Jobs. The SLA
// alert hooks start and stop companion executions of statemachines/sla-alert.asl.json in the
// same Runtime, as the engine does. Every path of issue 5 item 10: the pipeline events (types,
// order, times) and the execution history.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "asl/loader.h"
#include "engine/clock.h"
#include "engine/run.h"
#include "engine/runtime.h"
#include "handlers/pipeline/lifecycle_handler.h"
#include "tests/unit/lifecycle_fakes.h"

namespace sluice::pipeline {
namespace {

using engine::ExecutionOptions;
using engine::ExecutionStatus;
using engine::Executor;
using testing::FakeJobs;
using testing::MemoryPipelineData;

constexpr int64_t kSecond = kNanosPerSecond;
constexpr int64_t kMinute = 60 * kSecond;
// 2026-03-03T06:00:00Z, a Tuesday.
constexpr int64_t kT0 = 1772517600 * kSecond;

std::shared_ptr<const asl::StateMachine> LoadMachine(const std::string& name) {
  auto definition =
      asl::LoadDefinitionFile(std::string(SLUICE_SOURCE_DIR) + "/statemachines/" + name);
  EXPECT_TRUE(definition.ok()) << name;
  if (!definition.ok()) return nullptr;
  auto compiled = asl::Compile(*definition);
  EXPECT_TRUE(compiled.ok()) << name;
  return compiled.ok() ? *compiled : nullptr;
}

ExecutionOptions Options(const std::string& machine, const std::string& name) {
  ExecutionOptions o;
  o.state_machine_name = machine;
  o.state_machine_arn = engine::StateMachineArn(machine);
  o.execution_name = name;
  o.execution_arn = engine::ExecutionArn(machine, name);
  o.seed = 1;
  return o;
}

// A config with the given extra YAML sections; rules on sensor "upstream".
std::string Config(const std::string& extra, const std::string& combinator = "ALL") {
  return R"(pipeline: {id: p}
schedule:
  evaluation: {window: 1h, interval: 5m}
validation:
  trigger: )" +
         combinator + R"(
  rules:
    - {key: upstream, check: equals, field: status, value: ready}
    - {key: upstream, check: gte, field: count, value: 100}
job:
  type: command
  config: {argv: ["true"]}
)" + extra;
}

const Json kReady{{"status", "ready"}, {"count", 150}};

class LifecycleTest : public ::testing::Test {
 protected:
  explicit LifecycleTest(int64_t start = kT0) : clock_(start), runtime_(clock_) {
    lifecycle_ = LoadMachine("pipeline-lifecycle.asl.json");
    alert_machine_ = LoadMachine("sla-alert.asl.json");
    jobs_ = std::make_unique<FakeJobs>(runtime_.loop());
    handler_ = std::make_unique<LifecycleHandler>(LifecycleEnvironment{
        data_, *jobs_, [this] { return clock_.Now(); }, runtime_.loop(),
        [this](const SlaAlert& alert) { return ScheduleAlert(alert); },
        [this](const std::string& p, const std::string& s, const std::string& d) {
          return CancelAlerts(p + "/" + s + "/" + d);
        }});
    runtime_.set_handler(handler_.get());
  }

  ~LifecycleTest() override {
    // Every execution has ended, so no task is in flight when the handler goes.
    handler_.reset();
    jobs_.reset();
  }

  // The engine's hooks: one companion execution per armed alert.
  Status<> ScheduleAlert(const SlaAlert& alert) {
    std::string run = alert.pipeline + "/" + alert.schedule + "/" + alert.date;
    Executor*& slot = alerts_[run][alert.kind];
    if (slot != nullptr && !slot->done()) runtime_.Stop(*slot, "Sluice.AlertReplaced", "");
    slot = &runtime_.Start(alert_machine_,
                           Options("sla-alert", alert.kind + "-" + std::to_string(++companions_)),
                           SlaAlertInput(alert));
    return Ok{};
  }

  Status<> CancelAlerts(const std::string& run) {
    for (auto& [kind, executor] : alerts_[run]) {
      if (!executor->done()) runtime_.Stop(*executor, "Sluice.AlertCancelled", "the run ended");
    }
    return Ok{};
  }

  Executor& RunLifecycle(const std::string& date = "2026-03-03") {
    Executor& ex =
        runtime_.Start(lifecycle_, Options("pipeline-lifecycle", "p-" + date),
                       Json{{"pipelineId", "p"}, {"scheduleId", "stream"}, {"date", date}});
    EXPECT_TRUE(runtime_.Run().ok());
    EXPECT_TRUE(ex.done());
    return ex;
  }

  // Names of the states entered, in order.
  static std::vector<std::string> Entered(const Executor& ex) {
    std::vector<std::string> names;
    for (const auto& e : ex.history()) {
      if (e.type.ends_with("StateEntered") && !e.details.empty()) {
        names.push_back(DetailsJson(e)["name"].get<std::string>());
      }
    }
    return names;
  }

  // When each task of `resource` was scheduled, in seconds after `start`.
  static std::vector<int64_t> Scheduled(const Executor& ex, std::string_view resource,
                                        int64_t start) {
    std::vector<int64_t> at;
    for (const auto& e : ex.history()) {
      if (e.type == "TaskScheduled" && DetailsJson(e)["resource"] == resource) {
        at.push_back((e.timestamp_nanos - start) / kSecond);
      }
    }
    return at;
  }

  // Pipeline events as "TYPE@seconds after start".
  std::vector<std::string> Events(int64_t start = kT0) const {
    std::vector<std::string> out;
    for (const auto& e : data_.events) {
      out.push_back(e.event.type + "@" + std::to_string((e.at_ns - start) / kSecond));
    }
    return out;
  }

  engine::VirtualClock clock_;
  engine::Runtime runtime_;
  MemoryPipelineData data_{[this] { return clock_.Now(); }};
  std::unique_ptr<FakeJobs> jobs_;
  std::unique_ptr<LifecycleHandler> handler_;
  std::shared_ptr<const asl::StateMachine> lifecycle_;
  std::shared_ptr<const asl::StateMachine> alert_machine_;
  std::map<std::string, std::map<std::string, Executor*>> alerts_;
  int companions_ = 0;
};

TEST_F(LifecycleTest, RulesPassAtOnceJobSucceedsCompletedAndSlaMet) {
  data_.Apply(Config(R"(sla: {deadline: "23:59", expectedDuration: 1h, timezone: Europe/Berlin}
)"));
  data_.PutSensor("p", "upstream", kReady);
  jobs_->check_status = [](int n) { return n < 3 ? testing::Running() : testing::Succeeded(); };
  Executor& ex = RunLifecycle();
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(ex.output()["run"]["status"], "COMPLETED");
  EXPECT_EQ(Events(), (std::vector<std::string>{"VALIDATION_PASSED@0", "JOB_TRIGGERED@0",
                                                "JOB_COMPLETED@180", "SLA_MET@180"}));
  EXPECT_EQ(jobs_->checks, 3);
  EXPECT_EQ(Entered(ex), (std::vector<std::string>{"Init",
                                                   "CalculateSLA",
                                                   "InitEvalLoop",
                                                   "Evaluate",
                                                   "IsReady",
                                                   "Trigger",
                                                   "IsDryRun",
                                                   "InitJobPollLoop",
                                                   "WaitForJob",
                                                   "CheckJob",
                                                   "IsJobDone",
                                                   "IncrementJobPollElapsed",
                                                   "CheckJobPollExhausted",  //
                                                   "WaitForJob",
                                                   "CheckJob",
                                                   "IsJobDone",
                                                   "IncrementJobPollElapsed",
                                                   "CheckJobPollExhausted",  //
                                                   "WaitForJob",
                                                   "CheckJob",
                                                   "IsJobDone",
                                                   "CompleteTrigger",
                                                   "CheckCancelSLA",
                                                   "CancelSLA",
                                                   "Done"}));
  EXPECT_EQ(ex.history().front().type, "ExecutionStarted");
  EXPECT_EQ(ex.history().back().type, "ExecutionSucceeded");
  // Both alerts were armed and stopped when the run ended; none fired.
  ASSERT_EQ(alerts_["p/stream/2026-03-03"].size(), 2u);
  for (auto& [kind, companion] : alerts_["p/stream/2026-03-03"]) {
    EXPECT_EQ(companion->status(), ExecutionStatus::kAborted) << kind;
  }
}

TEST_F(LifecycleTest, RulesPassAfterTwentyMinutesTakeExactlyFiveEvaluations) {
  data_.Apply(Config(""));
  data_.PutSensorAt("p", "upstream", kReady, kT0 + 20 * kMinute);
  jobs_->check_status = [](int) { return testing::Succeeded(); };
  Executor& ex = RunLifecycle();
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(Scheduled(ex, kEvaluateResource, kT0), (std::vector<int64_t>{0, 300, 600, 900, 1200}));
  EXPECT_EQ(Events(), (std::vector<std::string>{"VALIDATION_PASSED@1200", "JOB_TRIGGERED@1200",
                                                "JOB_COMPLETED@1260"}));
  EXPECT_EQ(ex.output()["run"]["status"], "COMPLETED");
}

TEST_F(LifecycleTest, RulesNeverPassTwelveEvaluationsThenValidationExhausted) {
  data_.Apply(Config(""));
  data_.PutSensor("p", "upstream", Json{{"status", "pending"}, {"count", 150}});
  Executor& ex = RunLifecycle();
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  std::vector<int64_t> expected;
  for (int i = 0; i < 12; ++i) expected.push_back(i * 300);
  EXPECT_EQ(Scheduled(ex, kEvaluateResource, kT0), expected);
  EXPECT_EQ(Events(), (std::vector<std::string>{"VALIDATION_EXHAUSTED@3600"}));
  EXPECT_EQ(ex.output()["run"]["outcome"], "VALIDATION_EXHAUSTED");
  EXPECT_EQ(jobs_->starts, 0);
  // The event says which rule held the run back.
  const auto* exhausted = data_.Find("VALIDATION_EXHAUSTED");
  ASSERT_NE(exhausted, nullptr);
  EXPECT_EQ(exhausted->event.detail["results"][0]["passed"], false);
}

TEST_F(LifecycleTest, TriggerKeepsFailingRetriesAfter30_60_120SecondsThenRetryExhausted) {
  data_.Apply(Config(""));
  data_.PutSensor("p", "upstream", kReady);
  jobs_->start_results = {testing::StartError(JobFailureCategory::kTransient, "http: 503")};
  Executor& ex = RunLifecycle();
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(Scheduled(ex, kTriggerResource, kT0), (std::vector<int64_t>{0, 30, 90, 210}));
  EXPECT_EQ(jobs_->starts, 4);
  EXPECT_EQ(Events(), (std::vector<std::string>{"VALIDATION_PASSED@0", "RETRY_EXHAUSTED@210"}));
  EXPECT_EQ(data_.Find("RETRY_EXHAUSTED")->event.detail["error"], "Sluice.JobStartFailed");
  EXPECT_EQ(ex.output()["run"]["outcome"], "RETRY_EXHAUSTED");
}

TEST_F(LifecycleTest, AJobRefusedPermanentlyIsNotRetried) {
  data_.Apply(Config(""));
  data_.PutSensor("p", "upstream", kReady);
  jobs_->start_results = {testing::StartError(JobFailureCategory::kPermanent, "http: 404")};
  Executor& ex = RunLifecycle();
  EXPECT_EQ(Scheduled(ex, kTriggerResource, kT0), (std::vector<int64_t>{0}));
  EXPECT_EQ(Events(), (std::vector<std::string>{"VALIDATION_PASSED@0", "RETRY_EXHAUSTED@0"}));
}

TEST_F(LifecycleTest, JobFailsJobFailedAndFailedFinal) {
  data_.Apply(Config(""));
  data_.PutSensor("p", "upstream", kReady);
  jobs_->check_status = [](int n) { return n < 2 ? testing::Running() : testing::Failed("OOM"); };
  Executor& ex = RunLifecycle();
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(Events(),
            (std::vector<std::string>{"VALIDATION_PASSED@0", "JOB_TRIGGERED@0", "JOB_FAILED@120"}));
  EXPECT_EQ(ex.output()["run"]["status"], "FAILED_FINAL");
  EXPECT_EQ(ex.output()["checkJobResult"]["message"], "OOM");
}

TEST_F(LifecycleTest, JobOutlivesThePollWindowJobPollExhausted) {
  data_.Apply(Config("  jobPollWindowSeconds: 180\n"));
  data_.PutSensor("p", "upstream", kReady);
  Executor& ex = RunLifecycle();
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(Scheduled(ex, kCheckJobResource, kT0), (std::vector<int64_t>{60, 120, 180}));
  EXPECT_EQ(Events(), (std::vector<std::string>{"VALIDATION_PASSED@0", "JOB_TRIGGERED@0",
                                                "JOB_POLL_EXHAUSTED@180"}));
  EXPECT_EQ(ex.output()["run"]["status"], "FAILED_FINAL");
  EXPECT_EQ(ex.output()["checkJobResult"]["event"], "timeout");
}

TEST_F(LifecycleTest, AllNeedsEveryRuleAnyNeedsOne) {
  // "count" passes, "status" never does.
  data_.Apply(Config(""));
  data_.PutSensor("p", "upstream", Json{{"status", "pending"}, {"count", 150}});
  Executor& all = RunLifecycle("2026-03-03");
  EXPECT_EQ(all.output()["run"]["outcome"], "VALIDATION_EXHAUSTED");

  data_.Apply(Config("", "ANY"));
  jobs_->check_status = [](int) { return testing::Succeeded(); };
  Executor& any = RunLifecycle("2026-03-04");
  EXPECT_EQ(any.output()["run"]["status"], "COMPLETED");
  EXPECT_EQ(data_.Count("VALIDATION_PASSED"), 1);
  EXPECT_EQ(data_.Count("VALIDATION_EXHAUSTED"), 1);
}

TEST_F(LifecycleTest, AnExcludedDateRunsNothing) {
  std::string config = Config(R"(sla: {deadline: "23:00", expectedDuration: 1h}
)");
  config.replace(config.find("schedule:\n"), 10, "schedule:\n  exclude: {weekends: true}\n");
  data_.Apply(config);
  data_.PutSensor("p", "upstream", kReady);
  Executor& ex = RunLifecycle("2026-03-07");  // a Saturday
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(Events(), (std::vector<std::string>{"PIPELINE_EXCLUDED@0"}));
  EXPECT_EQ(ex.output()["sla"]["configured"], false);
  EXPECT_TRUE(alerts_.empty());
  EXPECT_EQ(jobs_->starts, 0);
}

TEST_F(LifecycleTest, InfrastructureFailureAfterRetriesIsInfraFailure) {
  data_.Apply(Config(""));
  data_.fail_reads = true;
  Executor& ex = RunLifecycle();
  ASSERT_EQ(ex.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(ex.error().error, "InfraFailure");
  // CalculateSLA: the first attempt and three retries after 2, 4 and 8 s.
  EXPECT_EQ(Scheduled(ex, kSlaCalculateResource, kT0), (std::vector<int64_t>{0, 2, 6, 14}));
  EXPECT_EQ(Events(), (std::vector<std::string>{"INFRA_FAILURE@14"}));
  EXPECT_EQ(data_.events[0].event.detail["error"], "Sluice.DataUnavailable");
}

TEST_F(LifecycleTest, AnUnknownPipelineIsAnInfraFailureAtOnce) {
  Executor& ex = RunLifecycle();
  ASSERT_EQ(ex.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(Events(), (std::vector<std::string>{"INFRA_FAILURE@0"}));
  EXPECT_EQ(data_.events[0].event.detail["error"], "Sluice.PipelineNotFound");
}

// SLA alerts on a daylight-saving day: New York springs forward at 02:00 EST on 2026-03-08
// (07:00Z). The 09:00 deadline is then 09:00 EDT = 13:00Z (a fixed -5 h offset would give
// 14:00Z, UTC 09:00Z); the warning, 2 h of elapsed time earlier, is 11:00Z.
class LifecycleDstTest : public LifecycleTest {
 protected:
  static constexpr int64_t kStart = 1772946000 * kSecond;  // 2026-03-08T05:00:00Z, 00:00 EST
  LifecycleDstTest() : LifecycleTest(kStart) {}
};

TEST_F(LifecycleDstTest, WarningAndBreachFireOnTimeWhileTheJobRuns) {
  data_.Apply(Config(R"(  jobPollWindowSeconds: 36000
sla: {deadline: "09:00", expectedDuration: 2h, timezone: America/New_York}
)"));
  data_.PutSensor("p", "upstream", kReady);
  // The job succeeds on the poll at 9 h: 14:00Z, after the breach.
  jobs_->check_status = [](int n) { return n < 540 ? testing::Running() : testing::Succeeded(); };
  Executor& ex = RunLifecycle("2026-03-08");
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(ex.output()["sla"]["warningAt"], "2026-03-08T11:00:00Z");
  EXPECT_EQ(ex.output()["sla"]["breachAt"], "2026-03-08T13:00:00Z");
  EXPECT_EQ(Events(kStart), (std::vector<std::string>{"VALIDATION_PASSED@0", "JOB_TRIGGERED@0",
                                                      "SLA_WARNING@21600", "SLA_BREACH@28800",
                                                      "JOB_COMPLETED@32400", "SLA_BREACH@32400"}));
  EXPECT_EQ(data_.events[3].event.detail["source"], "schedule");
  EXPECT_EQ(data_.events[5].event.detail["source"], "verdict");
  for (auto& [kind, companion] : alerts_["p/stream/2026-03-08"]) {
    EXPECT_EQ(companion->status(), ExecutionStatus::kSucceeded) << kind;
  }
}

TEST_F(LifecycleDstTest, ARunEndingBeforeTheWarningSilencesTheAlerts) {
  data_.Apply(Config(R"(sla: {deadline: "09:00", expectedDuration: 2h, timezone: America/New_York}
)"));
  data_.PutSensor("p", "upstream", kReady);
  jobs_->check_status = [](int) { return testing::Succeeded(); };
  Executor& ex = RunLifecycle("2026-03-08");
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(Events(kStart), (std::vector<std::string>{"VALIDATION_PASSED@0", "JOB_TRIGGERED@0",
                                                      "JOB_COMPLETED@60", "SLA_MET@60"}));
  // The companions were stopped: the virtual clock never went to the warning time.
  EXPECT_EQ(clock_.Now(), kStart + 60 * kSecond);
}

}  // namespace
}  // namespace sluice::pipeline
