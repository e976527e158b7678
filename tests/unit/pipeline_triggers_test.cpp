// PipelineTriggers (engine/pipeline_triggers.h) and the Watchdog (engine/watchdog.h) in a
// Service on a virtual clock: a sensor write that satisfies the trigger starts the run once per
// date, other keys and failing rules are ignored, late data and post-run drift rerun within
// job.maxDriftReruns, failed jobs within job.maxRetries, cron times start cron pipelines' runs;
// every event reaches the runner's observer; dry-run pipelines only record DRY_RUN_* events;
// sensor writes by another process are found by polling; the watchdog (WatchdogTest) ends stale
// runs, reports missed cron and inclusion schedules, expired trigger deadlines and missing
// post-run sensors once each, recovers missed sensor triggers and reports its own failures
// (the reference's W1-W10 scenarios).
#include "engine/pipeline_triggers.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "engine/clock.h"
#include "engine/executor.h"
#include "engine/runtime.h"
#include "engine/store/store.h"
#include "engine/store/write_batch.h"
#include "engine/watchdog.h"
#include "handlers/pipeline/civil_time.h"

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
    options.fail_step = [this](std::string_view sql) {
      return fail_executions_ && sql.find("FROM executions") != std::string_view::npos;
    };
    auto service = Service::Open(options);
    ASSERT_TRUE(service.ok()) << service.error();
    service_ = std::move(service).value();
    runner_ = std::make_unique<PipelineRunner>(*service_);
    triggers_ = std::make_unique<PipelineTriggers>(*service_, *runner_);
  }
  void TearDown() override {
    watchdog_.reset();
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
    return PutTo("orders", key, data);
  }
  TriggerOutcome PutTo(const std::string& pipeline, const std::string& key,
                       const std::string& data) {
    auto sensor = runner_->pipelines().PutSensor(pipeline, key, data);
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

  // The events of `type` ("": every type) of every pipeline, oldest first.
  std::vector<PipelineEventRecord> Events(const std::string& type) {
    PipelineEventFilter filter;
    filter.type = type;
    auto events = runner_->pipelines().Events(filter);
    EXPECT_TRUE(events.ok()) << events.error();
    return events.ok() ? events.value() : std::vector<PipelineEventRecord>{};
  }
  std::vector<std::string> EventTypes() {
    std::vector<std::string> types;
    for (const auto& e : Events("")) types.push_back(e.type);
    return types;
  }
  size_t Executions() {
    ExecutionFilter filter;
    filter.limit = 1000;
    auto page = service_->store().ListExecutions(filter);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->executions.size() : 0;
  }
  std::optional<PipelineRunRecord> RunRecord(const std::string& pipeline,
                                             const std::string& schedule, const std::string& date) {
    auto run = service_->store().GetPipelineRun(pipeline, schedule, date);
    EXPECT_TRUE(run.ok());
    return run.ok() ? run.value() : std::nullopt;
  }
  void PutRun(PipelineRunRecord run) {
    WriteBatch batch;
    batch.PutPipelineRun(std::move(run));
    ASSERT_TRUE(service_->store().Commit(batch).ok());
  }
  Watchdog& Dog() {
    if (!watchdog_) watchdog_ = std::make_unique<Watchdog>(*service_, *runner_, triggers_->Done());
    return *watchdog_;
  }
  std::vector<std::string> CheckAt(int64_t now) {
    auto found = Dog().Check(now);
    EXPECT_TRUE(found.ok()) << found.error();
    return found.ok() ? found.value() : std::vector<std::string>{};
  }

  bool fail_executions_ = false;  // fail every statement reading the executions table
  fs::path dir_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<PipelineRunner> runner_;
  std::unique_ptr<PipelineTriggers> triggers_;
  std::unique_ptr<Watchdog> watchdog_;
};

using WatchdogTest = PipelineTriggersTest;
using DryRunTest = PipelineTriggersTest;

// A sensor-triggered pipeline whose post-run sensor `quality` is due within an hour of the run.
constexpr const char* kPostRunWithTimeout = R"(
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
)";

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

TEST_F(PipelineTriggersTest, ARerunOfAnExcludedDateIsRefused) {
  Apply(R"(
pipeline: {id: orders}
schedule:
  trigger: {key: upstream, check: exists}
  evaluation: {window: 10m, interval: 5m}
  exclude: {weekends: true}
validation:
  trigger: ALL
  rules: [{key: upstream, check: exists}]
job:
  type: command
  config: {argv: ["true"]}
)");
  ASSERT_EQ(Put("upstream", R"({"date":"2027-01-09"})").kind, TriggerOutcome::Kind::kStarted);
  ASSERT_TRUE(service_->Run().ok());  // the lifecycle excludes the Saturday
  PipelineRunRequest request;
  request.pipeline = "orders";
  request.date = "2027-01-09";
  auto refused = triggers_->RequestRerun(request, "manual", nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().rfind("PIPELINE_EXCLUDED: ", 0), 0u) << refused.error();
  EXPECT_TRUE(Events("RERUN_ACCEPTED").empty());
  auto excluded = Events("PIPELINE_EXCLUDED");
  ASSERT_EQ(excluded.size(), 2u);  // the lifecycle's, then the rerun's
  EXPECT_EQ(Json::parse(excluded[1].detail)["source"], "rerun");
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
  TriggerOutcome closed = Put("upstream", R"({"date":"2027-01-04"})");
  EXPECT_EQ(closed.kind, TriggerOutcome::Kind::kRunning) << closed.reason;
}

TEST_F(PipelineTriggersTest, WatchdogReportsMissingPostRunSensors) {
  Apply(kPostRunWithTimeout);
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

constexpr int64_t kSecond = 1'000'000'000;

TEST_F(PipelineTriggersTest, TheRunnersObserverSeesTheDaemonsAndTheWatchdogsEvents) {
  std::vector<std::string> observed;
  runner_->set_event_observer(
      [&](const pipeline::PipelineEvent& e, int64_t) { observed.push_back(e.type); });
  Apply(kStream);
  ASSERT_EQ(Put("upstream", R"({"status":"SUCCEEDED","date":"2026-03-03"})").kind,
            TriggerOutcome::Kind::kStarted);
  ASSERT_TRUE(service_->Run().ok());
  ASSERT_EQ(Put("upstream", R"({"status":"SUCCEEDED","date":"2026-03-03"})").kind,
            TriggerOutcome::Kind::kRerun);
  ASSERT_TRUE(service_->Run().ok());
  EXPECT_NE(std::find(observed.begin(), observed.end(), "LATE_DATA"), observed.end());
  EXPECT_NE(std::find(observed.begin(), observed.end(), "JOB_TRIGGERED"), observed.end());

  Apply(kCron);
  observed.clear();
  EXPECT_EQ(CheckAt(Jan4(2, 0)), std::vector<std::string>{"SCHEDULE_MISSED"});
  EXPECT_EQ(observed, std::vector<std::string>{"SCHEDULE_MISSED"});
  // Whatever was stored was observed, once.
  EXPECT_EQ(Events("LATE_DATA").size(), 1u);
  runner_->set_event_observer(nullptr);
}

// --- Sensor writes by another process ------------------------------------------------------

TEST_F(PipelineTriggersTest, SensorWritesOfAnotherProcessAreJudgedOnceByPolling) {
  Apply(kStream);
  // Another process: its own store handle and clock on the same file.
  auto other_store = Store::Open((dir_ / "t.db").string());
  ASSERT_TRUE(other_store.ok()) << other_store.error();
  VirtualClock other_clock(service_->runtime().clock().Now());
  Pipelines other(**other_store, other_clock);

  ASSERT_TRUE(
      other.PutSensor("orders", "upstream", R"({"status":"SUCCEEDED","date":"2026-03-01"})").ok());
  auto seeded = triggers_->PollExternalSensorWrites();  // takes note of what exists
  ASSERT_TRUE(seeded.ok()) << seeded.error();
  EXPECT_TRUE(seeded->empty());
  EXPECT_FALSE(RunRecord("orders", "stream", "2026-03-01").has_value());

  other_clock.AdvanceTo(other_clock.Now() + kSecond);
  ASSERT_TRUE(other.PutSensor("orders", "other", R"({"n":1})").ok());
  other_clock.AdvanceTo(other_clock.Now() + kSecond);
  ASSERT_TRUE(
      other.PutSensor("orders", "upstream", R"({"status":"SUCCEEDED","date":"2026-03-03"})").ok());
  auto polled = triggers_->PollExternalSensorWrites();
  ASSERT_TRUE(polled.ok()) << polled.error();
  ASSERT_EQ(polled->size(), 2u);
  EXPECT_EQ((*polled)[0].sensor.key, "other");  // oldest write first
  ASSERT_TRUE((*polled)[0].outcome.has_value());
  EXPECT_EQ((*polled)[0].outcome->kind, TriggerOutcome::Kind::kIgnored);
  EXPECT_EQ((*polled)[1].sensor.key, "upstream");
  ASSERT_TRUE((*polled)[1].outcome.has_value()) << (*polled)[1].error;
  EXPECT_EQ((*polled)[1].outcome->kind, TriggerOutcome::Kind::kStarted);
  EXPECT_EQ(RunRecord("orders", "stream", "2026-03-03")->status, PipelineRunStatus::kRunning);
  // Judged once.
  EXPECT_TRUE(triggers_->PollExternalSensorWrites()->empty());
  // The daemon's own writes (judged by OnSensorWritten) are not judged again.
  EXPECT_EQ(Put("upstream", R"({"status":"SUCCEEDED","date":"2026-03-04"})").kind,
            TriggerOutcome::Kind::kStarted);
  EXPECT_TRUE(triggers_->PollExternalSensorWrites()->empty());
  // A rewrite of a key already seen is a new write.
  other_clock.AdvanceTo(other_clock.Now() + kSecond);
  ASSERT_TRUE(other.PutSensor("orders", "other", R"({"n":2})").ok());
  auto again = triggers_->PollExternalSensorWrites();
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].sensor.data, R"({"n":2})");
  ASSERT_TRUE(service_->Run().ok());
  EXPECT_EQ(RunRecord("orders", "stream", "2026-03-03")->status, PipelineRunStatus::kCompleted);
}

// --- Dry runs --------------------------------------------------------------------------------

constexpr const char* kDryRun = R"(
pipeline: {id: orders}
dryRun: true
schedule:
  trigger: {key: upstream, check: exists}
  evaluation: {window: 10m, interval: 5m}
validation:
  trigger: ALL
  rules: [{key: upstream, check: exists}, {key: ready, check: exists}]
sla: {deadline: "08:00", expectedDuration: 30m}
job:
  type: command
  config: {argv: ["true"]}
postRun:
  rules: [{key: quality, check: exists}]
  driftField: count
  driftThreshold: 10
)";

TEST_F(DryRunTest, ASensorWriteRecordsWhatWouldHappenAndStartsNothing) {
  Apply(kDryRun);
  service_->runtime().clock().AdvanceTo(Jan4(1, 15));
  // The validation rules do not pass yet (no `ready`): nothing at all.
  TriggerOutcome waiting = Put("upstream", R"({"date":"2027-01-04"})");
  EXPECT_EQ(waiting.kind, TriggerOutcome::Kind::kDryRun);
  EXPECT_TRUE(EventTypes().empty());
  EXPECT_FALSE(RunRecord("orders", DryRunMarkerSchedule("stream"), "2027-01-04").has_value());

  Put("ready", R"({})");
  Put("quality", R"({"date":"2027-01-04","count":100})");  // no marker yet: ignored
  EXPECT_TRUE(EventTypes().empty());
  TriggerOutcome would = Put("upstream", R"({"date":"2027-01-04"})");
  EXPECT_EQ(would.kind, TriggerOutcome::Kind::kDryRun) << would.reason;
  EXPECT_FALSE(would.run.has_value());
  EXPECT_EQ(EventTypes(),
            (std::vector<std::string>{"POST_RUN_BASELINE_CAPTURED", "DRY_RUN_WOULD_TRIGGER",
                                      "DRY_RUN_SLA_PROJECTION", "DRY_RUN_COMPLETED"}));
  Json projection = Json::parse(Events("DRY_RUN_SLA_PROJECTION")[0].detail);
  EXPECT_EQ(projection["status"], "met");
  EXPECT_EQ(projection["estimatedCompletion"], "2027-01-04T01:45:00Z");
  EXPECT_EQ(projection["deadline"], "2027-01-04T08:00:00Z");
  EXPECT_EQ(projection["marginSeconds"], 22500);
  EXPECT_EQ(Json::parse(Events("DRY_RUN_COMPLETED")[0].detail)["slaStatus"], "met");
  // No execution, no live run: only the marker.
  EXPECT_EQ(Executions(), 0u);
  EXPECT_FALSE(RunRecord("orders", "stream", "2027-01-04").has_value());
  auto marker = RunRecord("orders", DryRunMarkerSchedule("stream"), "2027-01-04");
  ASSERT_TRUE(marker.has_value());
  EXPECT_EQ(marker->started_nanos, Jan4(1, 15));

  // Again for the date: late data.
  service_->runtime().clock().AdvanceTo(Jan4(1, 16) + 30 * kSecond);
  EXPECT_EQ(Put("upstream", R"({"date":"2027-01-04"})").kind, TriggerOutcome::Kind::kDryRun);
  auto late = Events("DRY_RUN_LATE_DATA");
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(Json::parse(late[0].detail)["lateBy"], "1m30s");
  EXPECT_EQ(Json::parse(late[0].detail)["triggeredAt"], "2027-01-04T01:15:00Z");
  EXPECT_EQ(Events("DRY_RUN_WOULD_TRIGGER").size(), 1u);

  // Post-run: drift against the baseline is reported, a small change is not.
  Put("quality", R"({"date":"2027-01-04","count":105})");
  EXPECT_TRUE(Events("DRY_RUN_DRIFT").empty());
  Put("quality", R"({"date":"2027-01-04","count":150})");
  auto drift = Events("DRY_RUN_DRIFT");
  ASSERT_EQ(drift.size(), 1u);
  Json detail = Json::parse(drift[0].detail);
  EXPECT_EQ(detail["previousCount"], 100);
  EXPECT_EQ(detail["currentCount"], 150);
  EXPECT_EQ(detail["delta"], 50.0);
  EXPECT_EQ(detail["driftThreshold"], 10.0);
  EXPECT_EQ(detail["driftField"], "count");
  EXPECT_EQ(detail["sensorKey"], "quality");
  EXPECT_TRUE(Events("DATA_DRIFT").empty());
  EXPECT_EQ(Executions(), 0u);

  // Triggered at 07:50, 30 minutes of work miss 08:00: a breach (the date's own deadline).
  std::string late_pipeline = kDryRun;
  late_pipeline.replace(late_pipeline.find("id: orders"), 10, "id: latecomer");
  Apply(late_pipeline);
  service_->runtime().clock().AdvanceTo(Jan4(7, 50));
  PutTo("latecomer", "ready", "{}");
  EXPECT_EQ(PutTo("latecomer", "upstream", R"({"date":"2027-01-04"})").kind,
            TriggerOutcome::Kind::kDryRun);
  Json breach = Json::parse(Events("DRY_RUN_SLA_PROJECTION").back().detail);
  EXPECT_EQ(breach["status"], "breach") << breach.dump();
  EXPECT_EQ(breach["deadline"], "2027-01-04T08:00:00Z");
  EXPECT_EQ(breach["marginSeconds"], -1200);
  EXPECT_EQ(Json::parse(Events("DRY_RUN_COMPLETED").back().detail)["slaStatus"], "breach");
  EXPECT_EQ(Executions(), 0u);
}

TEST_F(DryRunTest, RerunsAreJudgedButNeverStarted) {
  Apply(kDryRun);
  PipelineRunRequest request;
  request.pipeline = "orders";
  request.date = "2027-01-04";
  auto never = triggers_->RequestRerun(request, "manual", nullptr);
  ASSERT_FALSE(never.ok());
  EXPECT_NE(never.error().find("has never run"), std::string::npos) << never.error();
  Put("ready", R"({})");
  Put("upstream", R"({"date":"2027-01-04"})");
  ASSERT_EQ(Events("DRY_RUN_WOULD_TRIGGER").size(), 1u);

  auto would = triggers_->RequestRerun(request, "manual", nullptr);
  ASSERT_FALSE(would.ok());
  EXPECT_EQ(would.error().rfind("DRY_RUN_WOULD_RERUN: ", 0), 0u) << would.error();
  auto accepted = Events("DRY_RUN_WOULD_RERUN");
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(Json::parse(accepted[0].detail),
            (Json{{"reason", "manual"}, {"rerunCount", 0}, {"budget", 1}}));
  // The budget counts what would have run.
  auto rejected = triggers_->RequestRerun(request, "manual", nullptr);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().rfind("DRY_RUN_RERUN_REJECTED: ", 0), 0u) << rejected.error();
  auto refusal = Events("DRY_RUN_RERUN_REJECTED");
  ASSERT_EQ(refusal.size(), 1u);
  EXPECT_EQ(Json::parse(refusal[0].detail)["reason"], "limit exceeded");
  EXPECT_EQ(Json::parse(refusal[0].detail)["rerunCount"], 1);
  EXPECT_TRUE(Events("RERUN_ACCEPTED").empty());
  EXPECT_TRUE(Events("RERUN_REJECTED").empty());
  EXPECT_EQ(Executions(), 0u);
}

TEST_F(DryRunTest, CalendarExclusionsAreReportedLikeLiveRuns) {
  Apply(R"(
pipeline: {id: orders}
dryRun: true
schedule:
  trigger: {key: upstream, check: exists}
  exclude: {weekends: true}
validation:
  trigger: ALL
  rules: [{key: upstream, check: exists}]
job:
  type: command
  config: {argv: ["true"]}
)");
  Put("upstream", R"({"date":"2027-01-09"})");  // a Saturday
  EXPECT_EQ(EventTypes(), std::vector<std::string>{"PIPELINE_EXCLUDED"});
  EXPECT_FALSE(RunRecord("orders", DryRunMarkerSchedule("stream"), "2027-01-09").has_value());
}

TEST_F(WatchdogTest, DryRunPipelinesAreInvisible) {
  Apply(kDryRun);
  service_->runtime().clock().AdvanceTo(Jan4(1, 0));
  ASSERT_TRUE(
      runner_->pipelines().PutSensor("orders", "upstream", R"({"date":"2027-01-04"})").ok());
  ASSERT_TRUE(runner_->pipelines().PutSensor("orders", "ready", "{}").ok());
  EXPECT_TRUE(CheckAt(Jan4(1, 1)).empty());  // no TRIGGER_RECOVERED
  EXPECT_EQ(Executions(), 0u);
}

// --- The watchdog ----------------------------------------------------------------------------

// A trigger pipeline whose validation waits for `ready` (never written): its runs stay RUNNING.
constexpr const char* kWaiting = R"(
pipeline: {id: orders}
schedule:
  trigger: {key: upstream, check: exists}
  evaluation: {window: 10m, interval: 5m}
validation:
  trigger: ALL
  rules: [{key: ready, check: exists}]
job:
  type: command
  config: {argv: ["true"]}
)";

// W1.
TEST_F(WatchdogTest, AStaleRunIsEndedOnceStrictlyAfterItsLockExpired) {
  Apply(kWaiting);
  TriggerOutcome first = Put("upstream", R"({"date":"2027-01-04"})");
  ASSERT_EQ(first.kind, TriggerOutcome::Kind::kStarted);
  auto run = RunRecord("orders", "stream", "2027-01-04");
  ASSERT_TRUE(run && run->lock_expires_nanos);
  const int64_t expires = *run->lock_expires_nanos;
  EXPECT_EQ(expires - run->started_nanos, kMinRunLockSeconds * kSecond);
  // A second run whose row has no lock expiry is never stale.
  ASSERT_EQ(Put("upstream", R"({"date":"2027-01-05"})").kind, TriggerOutcome::Kind::kStarted);
  auto unlocked = RunRecord("orders", "stream", "2027-01-05");
  unlocked->lock_expires_nanos.reset();
  PutRun(*unlocked);
  ASSERT_TRUE(service_->CommitNow().ok());  // the executions are recorded

  EXPECT_TRUE(CheckAt(expires - 1).empty());
  EXPECT_TRUE(CheckAt(expires).empty());  // at the expiry: not yet
  EXPECT_EQ(CheckAt(expires + 1), std::vector<std::string>{"SFN_TIMEOUT"});
  EXPECT_EQ(RunRecord("orders", "stream", "2027-01-04")->status, PipelineRunStatus::kFailedFinal);
  auto timeout = Events("SFN_TIMEOUT");
  ASSERT_EQ(timeout.size(), 1u);
  EXPECT_EQ(timeout[0].date, "2027-01-04");
  Json detail = Json::parse(timeout[0].detail);
  EXPECT_EQ(detail["source"], "watchdog");
  EXPECT_EQ(detail["ttlExpired"], pipeline::FormatUtcSeconds(expires));
  EXPECT_TRUE(detail["actionHint"].is_string());
  EXPECT_TRUE(CheckAt(expires + 12 * 3600 * kSecond).empty());  // once
  EXPECT_EQ(RunRecord("orders", "stream", "2027-01-05")->status, PipelineRunStatus::kRunning);
  ASSERT_TRUE(service_->Run().ok());
  // Its execution, running here, was stopped.
  auto execution = service_->store().GetExecution(first.run->execution_arn);
  ASSERT_TRUE(execution.ok() && execution.value());
  EXPECT_EQ(execution.value()->status, ExecutionStatus::kAborted);
  EXPECT_EQ(RunRecord("orders", "stream", "2027-01-04")->status, PipelineRunStatus::kFailedFinal);
  EXPECT_TRUE(Events("RERUN_ACCEPTED").empty());
}

// W2.
TEST_F(WatchdogTest, AMissedCronScheduleIsNotReportedForHourlyRunsExcludedDaysOrStreams) {
  Apply(R"(
pipeline: {id: nightly}
schedule:
  cron: "30 2 * * *"
  timezone: Europe/Berlin
  exclude: {weekends: true}
validation:
  trigger: ALL
  rules: [{key: ready, check: exists}]
job:
  type: command
  config: {argv: ["true"]}
)");
  PipelineRunRecord hourly;
  hourly.pipeline = "nightly";
  hourly.schedule = "cron";
  hourly.date = "2027-01-04T00";
  hourly.status = PipelineRunStatus::kCompleted;
  PutRun(hourly);
  EXPECT_TRUE(CheckAt(Jan4(2, 0)).empty());
  // 2027-01-09 is a Saturday.
  EXPECT_TRUE(CheckAt(Jan4(2, 0) + 5 * 86400 * kSecond).empty());
  EXPECT_EQ(CheckAt(Jan4(2, 0) + 86400 * kSecond), std::vector<std::string>{"SCHEDULE_MISSED"});
  Apply(kWaiting);  // a stream pipeline has no cron time to miss
  EXPECT_TRUE(CheckAt(Jan4(23, 0)).empty());
}

// W3 (Sluice differs: a cron time that passed before the daemon started is reported too) and
// W4 (schedule.time).
TEST_F(WatchdogTest, AMissedCronScheduleWaitsForScheduleTime) {
  Apply(R"(
pipeline: {id: nightly}
schedule:
  cron: "30 2 * * *"
  timezone: Europe/Berlin
  time: "04:00"
validation:
  trigger: ALL
  rules: [{key: ready, check: exists}]
job:
  type: command
  config: {argv: ["true"]}
)");
  EXPECT_TRUE(CheckAt(Jan4(2, 59)).empty());  // 03:59 in Berlin
  EXPECT_EQ(CheckAt(Jan4(3, 0)), std::vector<std::string>{"SCHEDULE_MISSED"});
  Json detail = Json::parse(Events("SCHEDULE_MISSED")[0].detail);
  EXPECT_EQ(detail["expectedTime"], "04:00");
  EXPECT_EQ(detail["cron"], "30 2 * * *");
  EXPECT_EQ(detail["source"], "watchdog");
}

// W10, with W4's inclusion variant.
TEST_F(WatchdogTest, MissedInclusionDatesAreReportedNewestThreeOnce) {
  Apply(R"(
pipeline: {id: orders}
schedule:
  trigger: {key: upstream, check: exists}
  include: {dates: ["2026-12-30", "2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04",
                    "2027-01-10"]}
  time: "10:00"
validation:
  trigger: ALL
  rules: [{key: upstream, check: exists}]
job:
  type: command
  config: {argv: ["true"]}
)");
  PipelineRunRecord ran;
  ran.pipeline = "orders";
  ran.schedule = "stream";
  ran.date = "2027-01-02T05";
  ran.status = PipelineRunStatus::kCompleted;
  PutRun(ran);
  // Before 10:00 today: the newest three dates up to today are 01-04 (not due yet), 01-03,
  // 01-02 (ran, hourly); 01-01 and 2026-12-30 are older than the three.
  EXPECT_EQ(CheckAt(Jan4(9, 0)), std::vector<std::string>{"IRREGULAR_SCHEDULE_MISSED"});
  EXPECT_EQ(Events("IRREGULAR_SCHEDULE_MISSED")[0].date, "2027-01-03");
  EXPECT_TRUE(CheckAt(Jan4(9, 30)).empty());  // once
  EXPECT_EQ(CheckAt(Jan4(10, 0)), std::vector<std::string>{"IRREGULAR_SCHEDULE_MISSED"});
  auto missed = Events("IRREGULAR_SCHEDULE_MISSED");
  ASSERT_EQ(missed.size(), 2u);
  EXPECT_EQ(missed[1].date, "2027-01-04");
  Json detail = Json::parse(missed[1].detail);
  EXPECT_EQ(detail["source"], "watchdog");
  EXPECT_TRUE(detail["actionHint"].is_string());
  EXPECT_TRUE(CheckAt(Jan4(23, 0)).empty());
}

// W5.
TEST_F(WatchdogTest, ASatisfiedSensorWithoutARunIsRecovered) {
  Apply(R"(
pipeline: {id: orders}
schedule:
  trigger: {key: hourly-status, check: equals, field: status, value: ready}
  evaluation: {window: 10m, interval: 5m}
validation:
  trigger: ALL
  rules: [{key: hourly-status, check: exists}]
job:
  type: command
  config: {argv: ["true"]}
)");
  service_->runtime().clock().AdvanceTo(Jan4(12, 0));
  auto write = [&](const std::string& key, const std::string& data) {
    ASSERT_TRUE(runner_->pipelines().PutSensor("orders", key, data).ok());  // not judged
  };
  write("hourly-status#2027-01-04T10", R"({"status":"ready","date":"2027-01-04","hour":"10"})");
  write("hourly-status#2027-01-04T11", R"({"status":"ready","date":"2027-01-04","hour":"11"})");
  write("hourly-status#2027-01-04T12", R"({"status":"waiting","date":"2027-01-04","hour":"12"})");
  // T10 was triggered.
  ASSERT_EQ(
      Put("hourly-status#2027-01-04T10", R"({"status":"ready","date":"2027-01-04","hour":"10"})")
          .kind,
      TriggerOutcome::Kind::kStarted);
  EXPECT_EQ(CheckAt(Jan4(12, 1)), std::vector<std::string>{"TRIGGER_RECOVERED"});
  auto recovered = Events("TRIGGER_RECOVERED");
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0].date, "2027-01-04T11");
  Json detail = Json::parse(recovered[0].detail);
  EXPECT_EQ(detail["source"], "reconciliation");
  EXPECT_EQ(detail["sensorKey"], "hourly-status#2027-01-04T11");
  EXPECT_EQ(RunRecord("orders", "stream", "2027-01-04T11")->status, PipelineRunStatus::kRunning);
  EXPECT_TRUE(CheckAt(Jan4(12, 2)).empty());  // the run exists now
  ASSERT_TRUE(service_->Run().ok());
  // The recovered run ended through the triggers' Done (recorded COMPLETED).
  EXPECT_EQ(RunRecord("orders", "stream", "2027-01-04T11")->status, PipelineRunStatus::kCompleted);
  EXPECT_EQ(RunRecord("orders", "stream", "2027-01-04T10")->status, PipelineRunStatus::kCompleted);
  // A dateless write names the day it was written, and only a recent one counts.
  auto dateless =
      runner_->pipelines().PutSensor("orders", "hourly-status", R"({"status":"ready"})");
  ASSERT_TRUE(dateless.ok());
  EXPECT_TRUE(CheckAt(dateless->written_nanos + (kReconcileLookbackSeconds + 1) * kSecond).empty());
  EXPECT_EQ(CheckAt(Jan4(13, 0)), std::vector<std::string>{"TRIGGER_RECOVERED"});
  EXPECT_EQ(Events("TRIGGER_RECOVERED").back().date, "2027-01-04");
  ASSERT_TRUE(service_->Run().ok());
}

TEST_F(WatchdogTest, CronPipelinesAreNotReconciled) {
  Apply(R"(
pipeline: {id: nightly}
schedule:
  cron: "30 2 * * *"
  trigger: {key: ready, check: exists}
validation:
  trigger: ALL
  rules: [{key: ready, check: exists}]
job:
  type: command
  config: {argv: ["true"]}
)");
  service_->runtime().clock().AdvanceTo(Jan4(0, 10));
  ASSERT_TRUE(runner_->pipelines().PutSensor("nightly", "ready", R"({"date":"2027-01-04"})").ok());
  EXPECT_TRUE(CheckAt(Jan4(0, 20)).empty());
  EXPECT_EQ(Executions(), 0u);
}

// W8, hourly.
TEST_F(WatchdogTest, AnHourlyTriggerDeadlineClosesThePreviousHoursRun) {
  Apply(R"(
pipeline: {id: orders}
schedule:
  trigger: {key: upstream, check: exists, deadline: ":45"}
validation:
  trigger: ALL
  rules: [{key: upstream, check: exists}]
job:
  type: command
  config: {argv: ["true"]}
)");
  PipelineRunRecord running;
  running.pipeline = "orders";
  running.schedule = "stream";
  running.date = "2027-01-04T12";
  running.status = PipelineRunStatus::kRunning;
  PutRun(running);
  EXPECT_TRUE(CheckAt(Jan4(14, 10)).empty());
  EXPECT_TRUE(CheckAt(Jan4(13, 50)).empty());  // the T12 run exists
  EXPECT_EQ(CheckAt(Jan4(14, 50)), std::vector<std::string>{"SENSOR_DEADLINE_EXPIRED"});
  EXPECT_EQ(RunRecord("orders", "stream", "2027-01-04T13")->status,
            PipelineRunStatus::kFailedFinal);
  Json detail = Json::parse(Events("SENSOR_DEADLINE_EXPIRED")[0].detail);
  EXPECT_EQ(detail["triggerDeadline"], ":45");
  EXPECT_EQ(RunRecord("orders", "stream", "2027-01-04T12")->status, PipelineRunStatus::kRunning);
}

// W9: a post-run sensor that arrived after the run keeps the watchdog quiet.
TEST_F(WatchdogTest, APostRunSensorThatArrivedIsNotMissing) {
  Apply(kPostRunWithTimeout);
  service_->runtime().clock().AdvanceTo(Jan4(8, 0));
  Put("quality", R"({"count": 1})");
  ASSERT_EQ(Put("upstream", R"({"date":"2027-01-04"})").kind, TriggerOutcome::Kind::kStarted);
  ASSERT_TRUE(service_->Run().ok());
  service_->runtime().clock().AdvanceTo(service_->runtime().clock().Now() + 60 * kSecond);
  Put("quality", R"({"count": 2})");
  EXPECT_TRUE(CheckAt(Jan4(11, 0)).empty());
}

TEST_F(WatchdogTest, AFailingCheckIsReportedOnceWhileTheOthersRun) {
  Apply(kCron);
  fail_executions_ = true;  // stale-runs reads the executions table
  auto failed = Dog().Check(Jan4(2, 0));
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().find("stale-runs"), std::string::npos) << failed.error();
  EXPECT_EQ(EventTypes(), (std::vector<std::string>{"SCHEDULE_MISSED", "WATCHDOG_DEGRADED"}));
  auto degraded = Events("WATCHDOG_DEGRADED");
  EXPECT_EQ(degraded[0].pipeline, "");
  EXPECT_EQ(Json::parse(degraded[0].detail)["checks"], Json::array({"stale-runs"}));
  EXPECT_FALSE(Dog().Check(Jan4(2, 1)).ok());
  EXPECT_EQ(Events("WATCHDOG_DEGRADED").size(), 1u);  // still the same failure
  fail_executions_ = false;
  EXPECT_TRUE(CheckAt(Jan4(2, 2)).empty());
  fail_executions_ = true;
  EXPECT_FALSE(Dog().Check(Jan4(2, 3)).ok());
  EXPECT_EQ(Events("WATCHDOG_DEGRADED").size(), 2u);  // failing again after a recovery
  fail_executions_ = false;
}

}  // namespace
}  // namespace sluice::engine
