// PipelineTriggers (engine/pipeline_triggers.h) and the Watchdog (engine/watchdog.h) in a
// Service on a virtual clock: a sensor write that satisfies the trigger starts the run once per
// date, other keys and failing rules are ignored, late data and post-run drift rerun within
// job.maxDriftReruns, failed jobs within job.maxRetries, cron times start cron pipelines' runs;
// the watchdog reports missed schedules, expired trigger deadlines and missing post-run sensors
// once each.
#include "engine/pipeline_triggers.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/executor.h"
#include "engine/runtime.h"
#include "engine/store/store.h"
#include "engine/watchdog.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;

constexpr const char* kStream = R"(
pipeline: {id: orders}
schedule:
  trigger: {key: upstream, check: equals, field: status, value: SUCCEEDED}
  evaluation: {window: 10m, interval: 5m}
validation:
  trigger: ALL
  rules: [{key: upstream, check: exists}]
job:
  type: command
  config: {argv: ["true"]}
  maxDriftReruns: 1
)";

constexpr const char* kCron = R"(
pipeline: {id: nightly}
schedule:
  cron: "30 2 * * *"
  timezone: Europe/Berlin
  evaluation: {window: 10m, interval: 5m}
validation:
  trigger: ALL
  rules: [{key: ready, check: exists}]
job:
  type: command
  config: {argv: ["true"]}
)";

class PipelineTriggersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("pipeline-triggers-" + std::to_string(::getpid()) + "-" +
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
    triggers_ = std::make_unique<PipelineTriggers>(*service_, *runner_);
  }
  void TearDown() override {
    triggers_.reset();
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

  TriggerOutcome Put(const std::string& key, const std::string& data) {
    auto sensor = runner_->pipelines().PutSensor("orders", key, data);
    EXPECT_TRUE(sensor.ok()) << sensor.error();
    auto outcome = triggers_->OnSensorWritten(sensor.value());
    EXPECT_TRUE(outcome.ok()) << outcome.error();
    return outcome.ok() ? outcome.value() : TriggerOutcome{};
  }

  PipelineRunStatus RunStatus(const std::string& pipeline, const std::string& schedule,
                              const std::string& date) {
    auto run = service_->store().GetPipelineRun(pipeline, schedule, date);
    EXPECT_TRUE(run.ok() && run.value().has_value());
    return run.ok() && run.value() ? run.value()->status : PipelineRunStatus::kFailedFinal;
  }

  fs::path dir_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<PipelineRunner> runner_;
  std::unique_ptr<PipelineTriggers> triggers_;
};

TEST_F(PipelineTriggersTest, ExecutionDatesFromSensorData) {
  EXPECT_EQ(ExecutionDateOf(Json{{"date", "2026-03-03"}}), "2026-03-03");
  EXPECT_EQ(ExecutionDateOf(Json{{"date", "20260303"}}), "2026-03-03");
  EXPECT_EQ(ExecutionDateOf(Json{{"date", "20260303"}, {"hour", "07"}}), "2026-03-03T07");
  EXPECT_EQ(ExecutionDateOf(Json{{"date", "2026-03-03"}, {"hour", "24"}}), "2026-03-03");
  EXPECT_EQ(ExecutionDateOf(Json{{"date", "2026-03-03"}, {"hour", "7"}}), "2026-03-03");
  EXPECT_EQ(ExecutionDateOf(Json{{"date", "2026-02-30"}}), "");
  EXPECT_EQ(ExecutionDateOf(Json{{"date", 20260303}}), "");
  EXPECT_EQ(ExecutionDateOf(Json::object()), "");
}

TEST_F(PipelineTriggersTest, TriggerStartsOneRunPerDateAndLateDataRerunsWithinBudget) {
  Apply(kStream);
  EXPECT_EQ(Put("other", R"({"status":"SUCCEEDED"})").kind, TriggerOutcome::Kind::kIgnored);
  EXPECT_EQ(Put("upstream", R"({"status":"RUNNING","date":"2026-03-03"})").kind,
            TriggerOutcome::Kind::kIgnored);
  TriggerOutcome first =
      Put("upstream#2026-03-03", R"({"status":"SUCCEEDED","date":"2026-03-03"})");
  ASSERT_EQ(first.kind, TriggerOutcome::Kind::kStarted) << first.reason;
  ASSERT_TRUE(first.run.has_value());
  EXPECT_EQ(first.run->date, "2026-03-03");
  // While it runs, another write for the date starts nothing.
  EXPECT_EQ(Put("upstream", R"({"status":"SUCCEEDED","date":"2026-03-03"})").kind,
            TriggerOutcome::Kind::kRunning);
  ASSERT_TRUE(service_->Run().ok());
  EXPECT_EQ(RunStatus("orders", "stream", "2026-03-03"), PipelineRunStatus::kCompleted);

  TriggerOutcome late = Put("upstream", R"({"status":"SUCCEEDED","date":"2026-03-03"})");
  ASSERT_EQ(late.kind, TriggerOutcome::Kind::kRerun) << late.reason;
  EXPECT_NE(late.run->execution_arn, first.run->execution_arn);
  ASSERT_TRUE(service_->Run().ok());
  TriggerOutcome spent = Put("upstream", R"({"status":"SUCCEEDED","date":"2026-03-03"})");
  EXPECT_EQ(spent.kind, TriggerOutcome::Kind::kLateData) << spent.reason;

  PipelineEventFilter filter;
  filter.pipeline = "orders";
  filter.type = "LATE_DATA";
  auto events = runner_->pipelines().Events(filter);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ(Json::parse((*events)[0].detail)["rerun"], true);
  EXPECT_EQ(Json::parse((*events)[1].detail)["rerun"], false);

  // Another date is a run of its own.
  TriggerOutcome next = Put("upstream", R"({"status":"SUCCEEDED","date":"2026-03-04"})");
  EXPECT_EQ(next.kind, TriggerOutcome::Kind::kStarted) << next.reason;
  ASSERT_TRUE(service_->Run().ok());
}

TEST_F(PipelineTriggersTest, AFailedJobIsRerunWithinMaxRetriesThenRetryExhausted) {
  Apply(R"(
pipeline: {id: orders}
schedule:
  trigger: {key: upstream, check: exists}
  evaluation: {window: 10m, interval: 5m}
validation:
  trigger: ALL
  rules: [{key: upstream, check: exists}]
job:
  type: command
  config: {argv: ["false"]}
  maxRetries: 2
)");
  TriggerOutcome first = Put("upstream", R"({"date":"2026-03-03"})");
  ASSERT_EQ(first.kind, TriggerOutcome::Kind::kStarted) << first.reason;
  ASSERT_TRUE(service_->Run().ok());  // the run, then its two reruns
  auto count = [&](const std::string& type) {
    PipelineEventFilter filter;
    filter.pipeline = "orders";
    filter.type = type;
    auto events = runner_->pipelines().Events(filter);
    EXPECT_TRUE(events.ok());
    return events.ok() ? events->size() : 0u;
  };
  EXPECT_EQ(count("JOB_TRIGGERED"), 3u);
  EXPECT_EQ(count("JOB_FAILED"), 3u);
  EXPECT_EQ(count("RERUN_ACCEPTED"), 2u);
  EXPECT_EQ(count("RETRY_EXHAUSTED"), 1u);
  EXPECT_EQ(RunStatus("orders", "stream", "2026-03-03"), PipelineRunStatus::kFailedFinal);
}

TEST_F(PipelineTriggersTest, PostRunSensorsArePassedOrDriftAndRerunWithinBudget) {
  Apply(R"(
pipeline: {id: orders}
schedule:
  trigger: {key: upstream, check: exists}
  evaluation: {window: 10m, interval: 5m}
validation:
  trigger: ALL
  rules: [{key: upstream, check: exists}]
job:
  type: command
  config: {argv: ["true"]}
  maxDriftReruns: 1
postRun:
  rules: [{key: quality, check: gte, field: count, value: 50}]
  driftField: count
  driftThreshold: 10
)");
  // Before any run the post-run sensor is only stored.
  EXPECT_EQ(Put("quality", R"({"date":"2026-03-03","count":100})").kind,
            TriggerOutcome::Kind::kIgnored);
  ASSERT_EQ(Put("upstream", R"({"date":"2026-03-03"})").kind, TriggerOutcome::Kind::kStarted);
  ASSERT_TRUE(service_->Run().ok());  // COMPLETED: the baseline is {quality: {count: 100}}

  TriggerOutcome within = Put("quality", R"({"date":"2026-03-03","count":105})");
  EXPECT_EQ(within.kind, TriggerOutcome::Kind::kPostRun) << within.reason;
  EXPECT_EQ(within.reason, "post-run rules passed");
  TriggerOutcome low = Put("quality", R"({"date":"2026-03-03","count":"95"})");  // numeric text
  EXPECT_EQ(low.reason, "post-run rules passed") << low.reason;

  TriggerOutcome drift = Put("quality", R"({"date":"2026-03-03","count":200})");
  ASSERT_EQ(drift.kind, TriggerOutcome::Kind::kRerun) << drift.reason;
  ASSERT_TRUE(service_->Run().ok());  // the rerun completes: the baseline is now 200
  TriggerOutcome spent = Put("quality", R"({"date":"2026-03-03","count":400})");
  EXPECT_EQ(spent.kind, TriggerOutcome::Kind::kLateData) << spent.reason;
  // Late data shares the budget: spent too.
  EXPECT_EQ(Put("upstream", R"({"date":"2026-03-03"})").kind, TriggerOutcome::Kind::kLateData);

  PipelineEventFilter filter;
  filter.pipeline = "orders";
  filter.type = "DATA_DRIFT";
  auto drifts = runner_->pipelines().Events(filter);
  ASSERT_TRUE(drifts.ok());
  ASSERT_EQ(drifts->size(), 2u);
  Json first = Json::parse((*drifts)[0].detail);
  EXPECT_EQ(first["previousCount"], 100);
  EXPECT_EQ(first["currentCount"], 200);
  EXPECT_EQ(first["delta"], 100.0);
  EXPECT_EQ(first["rerun"], true);
  EXPECT_EQ(Json::parse((*drifts)[1].detail)["rerun"], false);
  filter.type = "POST_RUN_BASELINE_CAPTURED";
  EXPECT_EQ(runner_->pipelines().Events(filter)->size(), 2u);
  filter.type = "POST_RUN_PASSED";
  EXPECT_EQ(runner_->pipelines().Events(filter)->size(), 2u);
}

TEST_F(PipelineTriggersTest, CronTimesStartCronPipelines) {
  Apply(kCron);
  // 2026-03-03 02:30 in Berlin is 01:30 UTC.
  const int64_t fire = 1772501400LL * 1'000'000'000;
  auto before = triggers_->FireCron(fire - 120'000'000'000, fire - 1);
  ASSERT_TRUE(before.ok()) << before.error();
  EXPECT_TRUE(before->empty());
  auto at = triggers_->FireCron(fire - 1, fire + 5'000'000'000);
  ASSERT_TRUE(at.ok()) << at.error();
  ASSERT_EQ(at->size(), 1u);
  EXPECT_EQ((*at)[0].pipeline, "nightly");
  EXPECT_EQ((*at)[0].schedule, "cron");
  EXPECT_EQ((*at)[0].date, "2026-03-03");
  // The same window again: the run is claimed, nothing more starts.
  auto again = triggers_->FireCron(fire - 1, fire + 5'000'000'000);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  ASSERT_TRUE(service_->Run().ok());
}

TEST_F(PipelineTriggersTest, ManualRerunsHaveABudgetPerReason) {
  Apply(kStream);  // maxManualReruns: 1 (the default)
  PipelineRunRequest request;
  request.pipeline = "orders";
  request.date = "2026-03-03";
  auto never = triggers_->RequestRerun(request, "manual", nullptr);
  ASSERT_FALSE(never.ok());
  EXPECT_NE(never.error().find("has never run"), std::string::npos) << never.error();
  ASSERT_EQ(Put("upstream", R"({"status":"SUCCEEDED","date":"2026-03-03"})").kind,
            TriggerOutcome::Kind::kStarted);
  ASSERT_TRUE(service_->Run().ok());

  auto first = triggers_->RequestRerun(request, "manual", nullptr);
  ASSERT_TRUE(first.ok()) << first.error();
  ASSERT_TRUE(service_->Run().ok());
  EXPECT_EQ(RunStatus("orders", "stream", "2026-03-03"), PipelineRunStatus::kCompleted);
  auto second = triggers_->RequestRerun(request, "manual", nullptr);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().rfind("RERUN_REJECTED: rerun limit reached (1/1)", 0), 0u)
      << second.error();
  // Another reason has a budget of its own.
  auto other = triggers_->RequestRerun(request, "upstream-fix", nullptr);
  ASSERT_TRUE(other.ok()) << other.error();
  ASSERT_TRUE(service_->Run().ok());

  PipelineEventFilter filter;
  filter.pipeline = "orders";
  filter.type = "RERUN_ACCEPTED";
  EXPECT_EQ(runner_->pipelines().Events(filter)->size(), 2u);
  filter.type = "RERUN_REJECTED";
  EXPECT_EQ(runner_->pipelines().Events(filter)->size(), 1u);
}

// 2027-01-04 (a Monday) at HH:MM UTC, in nanoseconds: after the virtual clock's start.
int64_t Jan4(int hour, int minute) {
  return (1799020800LL + hour * 3600 + minute * 60) * 1'000'000'000;
}

TEST_F(PipelineTriggersTest, WatchdogReportsAMissedCronScheduleOnce) {
  Apply(kCron);  // 02:30 Berlin = 01:30 UTC in January
  Watchdog watchdog(*service_, *runner_);
  auto early = watchdog.Check(Jan4(1, 0));
  ASSERT_TRUE(early.ok()) << early.error();
  EXPECT_TRUE(early->empty());
  auto late = watchdog.Check(Jan4(2, 0));
  ASSERT_TRUE(late.ok()) << late.error();
  EXPECT_EQ(*late, std::vector<std::string>{"SCHEDULE_MISSED"});
  EXPECT_TRUE(watchdog.Check(Jan4(3, 0))->empty());  // once per date
  // A day whose cron time started a run is not missed.
  ASSERT_EQ(
      triggers_
          ->FireCron(Jan4(1, 0) + 86400LL * 1'000'000'000, Jan4(2, 0) + 86400LL * 1'000'000'000)
          ->size(),
      1u);
  EXPECT_TRUE(watchdog.Check(Jan4(3, 0) + 86400LL * 1'000'000'000)->empty());
}

TEST_F(PipelineTriggersTest, WatchdogClosesAnExpiredTriggerWindow) {
  Apply(R"(
pipeline: {id: orders}
schedule:
  trigger: {key: upstream, check: exists, deadline: "10:00"}
validation:
  trigger: ALL
  rules: [{key: upstream, check: exists}]
job:
  type: command
  config: {argv: ["true"]}
)");
  Watchdog watchdog(*service_, *runner_);
  EXPECT_TRUE(watchdog.Check(Jan4(9, 59))->empty());
  auto expired = watchdog.Check(Jan4(10, 0));
  ASSERT_TRUE(expired.ok()) << expired.error();
  EXPECT_EQ(*expired, std::vector<std::string>{"SENSOR_DEADLINE_EXPIRED"});
  EXPECT_EQ(RunStatus("orders", "stream", "2027-01-04"), PipelineRunStatus::kFailedFinal);
  EXPECT_TRUE(watchdog.Check(Jan4(11, 0))->empty());
  // The closed window keeps a late sensor from starting the run.
  EXPECT_EQ(Put("upstream", R"({"date":"2027-01-04"})").kind, TriggerOutcome::Kind::kRunning);
}

TEST_F(PipelineTriggersTest, WatchdogReportsMissingPostRunSensors) {
  Apply(R"(
pipeline: {id: orders}
schedule:
  trigger: {key: upstream, check: exists}
  evaluation: {window: 10m, interval: 5m}
validation:
  trigger: ALL
  rules: [{key: upstream, check: exists}]
job:
  type: command
  config: {argv: ["true"]}
postRun:
  rules: [{key: quality, check: exists}]
  sensorTimeout: 1h
)");
  service_->runtime().clock().AdvanceTo(Jan4(8, 0));
  Put("quality", R"({"count": 1})");
  ASSERT_EQ(Put("upstream", R"({"date":"2027-01-04"})").kind, TriggerOutcome::Kind::kStarted);
  ASSERT_TRUE(service_->Run().ok());
  const int64_t done = service_->runtime().clock().Now();
  Watchdog watchdog(*service_, *runner_);
  EXPECT_TRUE(watchdog.Check(done + 1'000'000'000)->empty());  // within the timeout
  auto missing = watchdog.Check(done + 3601LL * 1'000'000'000);
  ASSERT_TRUE(missing.ok()) << missing.error();
  EXPECT_EQ(*missing, std::vector<std::string>{"POST_RUN_SENSOR_MISSING"});
  EXPECT_TRUE(watchdog.Check(done + 3700LL * 1'000'000'000)->empty());
}

}  // namespace
}  // namespace sluice::engine
