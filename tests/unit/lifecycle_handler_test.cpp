// The built-in pipeline handlers, one mode at a time, against an in-memory PipelineData and a
// scripted Jobs: outputs (every field the lifecycle reads), events, error names, SLA alerts and
// cancellation.
#include "handlers/pipeline/lifecycle_handler.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "handlers/pipeline/civil_time.h"
#include "tests/unit/lifecycle_fakes.h"

namespace sluice::pipeline {
namespace {

using handlers::TaskOutcome;
using handlers::TaskRequest;
using testing::FakeJobs;
using testing::MemoryPipelineData;
using testing::StartError;

constexpr int64_t kSecond = kNanosPerSecond;
// 2026-03-03T06:00:00Z, a Tuesday.
constexpr int64_t kT0 = 1772517600 * kSecond;

constexpr const char* kConfig = R"(pipeline: {id: p}
schedule:
  evaluation: {window: 1h, interval: 5m}
  exclude: {weekends: true}
validation:
  trigger: ALL
  rules:
    - {key: upstream, check: equals, field: status, value: ready}
    - {key: upstream, check: gte, field: count, value: 100}
job:
  type: command
  config: {argv: ["true"]}
  jobPollWindowSeconds: 120
)";

class LifecycleHandlerTest : public ::testing::Test {
 protected:
  LifecycleHandlerTest() {
    uv_loop_init(&loop_);
    jobs_ = std::make_unique<FakeJobs>(&loop_);
    MakeHandler();
  }

  ~LifecycleHandlerTest() override {
    handler_.reset();
    jobs_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  void MakeHandler() {
    handler_ = std::make_unique<LifecycleHandler>(LifecycleEnvironment{
        data_, *jobs_, [this] { return now_; }, &loop_,
        [this](const SlaAlert& alert) -> Status<> {
          if (fail_hooks_) return Fail(std::string("scheduler down"));
          alerts_.push_back(alert);
          return Ok{};
        },
        [this](const std::string& p, const std::string& s, const std::string& d) -> Status<> {
          cancelled_.push_back(p + "/" + s + "/" + d);
          return Ok{};
        }});
  }

  TaskRequest Request(std::string_view resource, Json payload) {
    TaskRequest r;
    r.task_id = ++next_task_;
    r.resource = std::string(resource);
    r.payload = std::make_shared<const Json>(std::move(payload));
    r.state_name = "S";
    return r;
  }

  // Runs one task to its answer.
  TaskOutcome Call(std::string_view resource, Json payload) {
    std::optional<TaskOutcome> out;
    bool inside_start = true;
    handler_->Start(Request(resource, std::move(payload)), [&](TaskOutcome o) {
      EXPECT_FALSE(inside_start) << "answered from inside Start";
      out = std::move(o);
    });
    inside_start = false;
    while (!out && uv_run(&loop_, UV_RUN_ONCE) != 0) {
    }
    EXPECT_TRUE(out.has_value()) << "no answer";
    return out.value_or(TaskOutcome{});
  }

  Json Run(std::string_view resource, Json payload) {
    TaskOutcome o = Call(resource, std::move(payload));
    EXPECT_TRUE(o.ok) << o.error.error << ": " << o.error.cause;
    return o.ok && o.result ? *o.result : Json();
  }

  std::string ErrorOf(std::string_view resource, Json payload) {
    TaskOutcome o = Call(resource, std::move(payload));
    EXPECT_FALSE(o.ok);
    return o.error.error;
  }

  static Json Key(std::string date = "2026-03-03") {
    return Json{{"pipelineId", "p"}, {"scheduleId", "stream"}, {"date", date}};
  }
  static Json With(Json base, const Json& extra) {
    base.update(extra);
    return base;
  }

  uv_loop_t loop_;
  int64_t now_ = kT0;
  MemoryPipelineData data_{[this] { return now_; }};
  std::unique_ptr<FakeJobs> jobs_;
  std::unique_ptr<LifecycleHandler> handler_;
  std::vector<SlaAlert> alerts_;
  std::vector<std::string> cancelled_;
  bool fail_hooks_ = false;
  uint64_t next_task_ = 0;
};

TEST_F(LifecycleHandlerTest, ServesExactlyItsResources) {
  for (std::string_view r :
       {kEvaluateResource, kTriggerResource, kCheckJobResource, kValidationExhaustedResource,
        kTriggerExhaustedResource, kJobPollExhaustedResource, kCompleteTriggerResource,
        kInfraFailureResource, kSlaCalculateResource, kSlaFireAlertResource, kSlaCancelResource}) {
    EXPECT_TRUE(handler_->Handles(Request(r, Json::object()))) << r;
  }
  EXPECT_FALSE(handler_->Handles(Request("sluice:pipeline:post-run", Json::object())));
  EXPECT_FALSE(handler_->Handles(Request("arn:aws:states:::lambda:invoke", Json::object())));
  EXPECT_EQ(ErrorOf("sluice:pipeline:post-run", Key()), "States.TaskFailed");
}

// evaluate ----------------------------------------------------------------------------------

TEST_F(LifecycleHandlerTest, EvaluatePassesAndReportsEveryRule) {
  data_.Apply(kConfig);
  data_.PutSensor("p", "upstream", Json{{"status", "ready"}, {"count", 150}});
  Json out = Run(kEvaluateResource, Key());
  EXPECT_EQ(out["status"], "passed");
  EXPECT_EQ(out["passed"], true);
  EXPECT_EQ(out["intervalSeconds"], 300);
  EXPECT_EQ(out["windowSeconds"], 3600);
  EXPECT_EQ(out["trigger"], "ALL");
  ASSERT_EQ(out["results"].size(), 2u);
  EXPECT_EQ(out["results"][0],
            (Json{{"key", "upstream"}, {"check", "equals"}, {"passed", true}, {"reason", ""}}));
  EXPECT_EQ(data_.Types(), (std::vector<std::string>{"VALIDATION_PASSED"}));
  EXPECT_EQ(data_.events[0].event.date, "2026-03-03");
  EXPECT_EQ(data_.events[0].event.schedule, "stream");
}

TEST_F(LifecycleHandlerTest, EvaluateNotReadyGivesReasonsAndNoEvent) {
  data_.Apply(kConfig);
  data_.PutSensor("p", "upstream", Json{{"status", "ready"}, {"count", 50}});
  Json out = Run(kEvaluateResource, Key());
  EXPECT_EQ(out["status"], "not_ready");
  EXPECT_EQ(out["results"][0]["passed"], true);
  EXPECT_EQ(out["results"][1]["passed"], false);
  EXPECT_NE(out["results"][1]["reason"].get<std::string>().find("50"), std::string::npos);
  EXPECT_TRUE(data_.events.empty());
}

TEST_F(LifecycleHandlerTest, EvaluateAnyPassesOnOneRule) {
  std::string any = kConfig;
  any.replace(any.find("ALL"), 3, "ANY");
  data_.Apply(any);
  data_.PutSensor("p", "upstream", Json{{"status", "late"}, {"count", 150}});
  Json out = Run(kEvaluateResource, Key());
  EXPECT_EQ(out["trigger"], "ANY");
  EXPECT_EQ(out["status"], "passed");
}

TEST_F(LifecycleHandlerTest, EvaluateAgeGtWorks) {
  data_.Apply(R"(pipeline: {id: p}
validation:
  rules: [{key: upstream, check: age_gt, field: updatedAt, value: 2h}]
job: {type: command, config: {argv: ["true"]}}
)");
  data_.PutSensor("p", "upstream",
                  Json{{"updatedAt", FormatUtcSeconds(now_ - 3 * 3600 * kSecond)}});
  EXPECT_EQ(Run(kEvaluateResource, Key())["status"], "passed");
  data_.PutSensor("p", "upstream", Json{{"updatedAt", FormatUtcSeconds(now_ - 3600 * kSecond)}});
  EXPECT_EQ(Run(kEvaluateResource, Key())["status"], "not_ready");
}

TEST_F(LifecycleHandlerTest, EvaluateOnAnExcludedDateStopsWithPipelineExcluded) {
  data_.Apply(kConfig);
  data_.PutSensor("p", "upstream", Json{{"status", "ready"}, {"count", 150}});
  Json out = Run(kEvaluateResource, Key("2026-03-07"));  // a Saturday
  EXPECT_EQ(out["status"], "excluded");
  EXPECT_EQ(out["passed"], false);
  EXPECT_EQ(out["results"], Json::array());
  EXPECT_EQ(data_.Types(), (std::vector<std::string>{"PIPELINE_EXCLUDED"}));
  // An hourly date counts by its day.
  EXPECT_EQ(Run(kEvaluateResource, Key("2026-03-08T10"))["status"], "excluded");
}

TEST_F(LifecycleHandlerTest, EvaluateSeesPerPeriodSensorsOfItsDateOnly) {
  data_.Apply(kConfig);
  data_.PutSensor("p", "upstream", Json{{"status", "stale"}, {"count", 150}});
  data_.PutSensor("p", "upstream#20260303T07", Json{{"status", "ready"}, {"count", 150}});
  EXPECT_EQ(Run(kEvaluateResource, Key("2026-03-03T07"))["status"], "passed");
  EXPECT_EQ(Run(kEvaluateResource, Key("2026-03-03T08"))["status"], "not_ready");
}

TEST_F(LifecycleHandlerTest, EvaluateErrorsAreNamed) {
  EXPECT_EQ(ErrorOf(kEvaluateResource, Key()), "Sluice.PipelineNotFound");
  data_.Apply(kConfig);
  EXPECT_EQ(ErrorOf(kEvaluateResource, Json{{"pipelineId", "p"}, {"date", "2026-03-03"}}),
            "Sluice.InvalidInput");
  EXPECT_EQ(ErrorOf(kEvaluateResource, Key("03/03/2026")), "Sluice.InvalidInput");
  EXPECT_EQ(ErrorOf(kEvaluateResource, Json::array()), "Sluice.InvalidInput");
  data_.fail_reads = true;
  EXPECT_EQ(ErrorOf(kEvaluateResource, Key()), "Sluice.DataUnavailable");
  data_.fail_reads = false;
  data_.PutSensor("p", "upstream", Json{{"status", "ready"}, {"count", 150}});
  data_.fail_writes = true;
  EXPECT_EQ(ErrorOf(kEvaluateResource, Key()), "Sluice.DataUnavailable");
}

// trigger and check-job ---------------------------------------------------------------------

TEST_F(LifecycleHandlerTest, TriggerStartsTheJobAndReturnsEverythingCheckJobReads) {
  data_.Apply(kConfig);
  jobs_->start_results = {Json{{"runId", "r-7"}, {"pid", 42}}};
  Json out = Run(kTriggerResource, Key());
  EXPECT_EQ(jobs_->starts, 1);
  EXPECT_EQ(out["runId"], "r-7");
  EXPECT_EQ(out["metadata"], (Json{{"runId", "r-7"}, {"pid", 42}}));
  EXPECT_EQ(out["jobType"], "command");
  EXPECT_EQ(out["pollIntervalSeconds"], 60);
  EXPECT_EQ(out["pollWindowSeconds"], 120);
  EXPECT_EQ(out["dryRun"], false);
  EXPECT_EQ(out["triggeredAt"], "2026-03-03T06:00:00Z");
  ASSERT_EQ(data_.Types(), (std::vector<std::string>{"JOB_TRIGGERED"}));
  EXPECT_EQ(data_.events[0].event.detail["runId"], "r-7");
}

TEST_F(LifecycleHandlerTest, TriggerWithoutARunIdStillReturnsOne) {
  data_.Apply(kConfig);
  jobs_->start_results = {Json{{"airflow_dag_run_id", "x"}}};
  Json out = Run(kTriggerResource, Key());
  EXPECT_EQ(out["runId"], "");
  EXPECT_EQ(out["metadata"]["airflow_dag_run_id"], "x");
}

TEST_F(LifecycleHandlerTest, TriggerFailuresAreTransientOrPermanentByCategory) {
  data_.Apply(kConfig);
  jobs_->start_results = {StartError(JobFailureCategory::kTransient, "http: 503")};
  TaskOutcome o = Call(kTriggerResource, Key());
  EXPECT_EQ(o.error.error, "Sluice.JobStartFailed");
  EXPECT_NE(o.error.cause.find("http: 503"), std::string::npos);
  jobs_->start_results = {StartError(JobFailureCategory::kTimeout, "http: timed out")};
  EXPECT_EQ(ErrorOf(kTriggerResource, Key()), "Sluice.JobStartFailed");
  jobs_->start_results = {StartError(JobFailureCategory::kPermanent, "http: 404")};
  EXPECT_EQ(ErrorOf(kTriggerResource, Key()), "Sluice.JobStartRefused");
  EXPECT_TRUE(data_.events.empty());
}

TEST_F(LifecycleHandlerTest, TriggerWithoutAJobSectionIsAConfigError) {
  data_.Apply("pipeline: {id: p}\n");
  EXPECT_EQ(ErrorOf(kTriggerResource, Key()), "Sluice.ConfigError");
  EXPECT_EQ(jobs_->starts, 0);
}

TEST_F(LifecycleHandlerTest, DryRunTriggerStartsNothingAndReportsWhatWouldHappen) {
  data_.Apply(R"(pipeline: {id: p}
dryRun: true
schedule:
  trigger: {key: upstream, check: exists}
sla: {deadline: "08:00", expectedDuration: 30m}
job: {type: command, config: {argv: ["true"]}}
)");
  Json out = Run(kTriggerResource, Key());
  EXPECT_EQ(jobs_->starts, 0);
  EXPECT_EQ(out["dryRun"], true);
  EXPECT_EQ(out["runId"], "");
  EXPECT_EQ(data_.Types(),
            (std::vector<std::string>{"DRY_RUN_WOULD_TRIGGER", "DRY_RUN_SLA_PROJECTION",
                                      "DRY_RUN_COMPLETED"}));
  // 06:00 + 30m = 06:30, before the 08:00 deadline.
  EXPECT_EQ(data_.events[1].event.detail["status"], "met");
}

TEST_F(LifecycleHandlerTest, CheckJobReportsRunningSuccessAndFailure) {
  data_.Apply(kConfig);
  Json input = With(Key(), Json{{"runId", "r-1"}, {"metadata", {{"runId", "r-1"}}}});
  jobs_->check_status = [](int n) {
    return n == 1 ? testing::Running() : n == 2 ? testing::Succeeded() : testing::Failed("OOM");
  };
  Json running = Run(kCheckJobResource, input);
  EXPECT_EQ(jobs_->last_ref, (Json{{"runId", "r-1"}}));
  EXPECT_EQ(running["event"], "running");
  EXPECT_EQ(running["state"], "running");
  EXPECT_EQ(running["category"], "");
  EXPECT_TRUE(data_.events.empty());

  Json success = Run(kCheckJobResource, input);
  EXPECT_EQ(success["event"], "success");
  EXPECT_EQ(success["detail"]["exitCode"], 0);

  Json failure = Run(kCheckJobResource, input);
  EXPECT_EQ(failure["event"], "fail");
  EXPECT_EQ(failure["category"], "PERMANENT");
  EXPECT_EQ(failure["message"], "OOM");
  ASSERT_EQ(data_.Types(), (std::vector<std::string>{"JOB_COMPLETED", "JOB_FAILED"}));
  EXPECT_EQ(data_.events[1].event.detail["error"], "OOM");
  EXPECT_EQ(data_.events[1].event.detail["runId"], "r-1");

  EXPECT_EQ(ErrorOf(kCheckJobResource, Key()), "Sluice.InvalidInput");  // no metadata
}

// terminal modes ----------------------------------------------------------------------------

TEST_F(LifecycleHandlerTest, TerminalModesPublishTheirEventAndOutcome) {
  Json ve = Run(kValidationExhaustedResource,
                With(Key(), Json{{"results", Json::array()}, {"windowSeconds", 3600}}));
  EXPECT_EQ(ve["outcome"], "VALIDATION_EXHAUSTED");
  EXPECT_EQ(ve["status"], "exhausted");

  Json te =
      Run(kTriggerExhaustedResource,
          With(Key(),
               Json{{"errorInfo", {{"Error", "Sluice.JobStartFailed"}, {"Cause", "http: 503"}}}}));
  EXPECT_EQ(te["outcome"], "RETRY_EXHAUSTED");

  Json pe = Run(kJobPollExhaustedResource, With(Key(), Json{{"runId", "r-1"}}));
  EXPECT_EQ(pe["event"], "timeout");
  EXPECT_EQ(pe["outcome"], "JOB_POLL_EXHAUSTED");

  Json inf = Run(kInfraFailureResource,
                 With(Key(), Json{{"errorInfo", {{"Error", "Sluice.DataUnavailable"}}}}));
  EXPECT_EQ(inf["outcome"], "INFRA_FAILURE");

  EXPECT_EQ(data_.Types(), (std::vector<std::string>{"VALIDATION_EXHAUSTED", "RETRY_EXHAUSTED",
                                                     "JOB_POLL_EXHAUSTED", "INFRA_FAILURE"}));
  EXPECT_EQ(data_.events[1].event.detail,
            (Json{{"error", "Sluice.JobStartFailed"}, {"cause", "http: 503"}}));
  EXPECT_NE(data_.events[1].event.message.find("http: 503"), std::string::npos);
  EXPECT_EQ(data_.events[3].event.detail["cause"], "");  // absent Cause: "", not a failure
}

TEST_F(LifecycleHandlerTest, CompleteTriggerMapsTheJobEventToTheFinalStatus) {
  EXPECT_EQ(Run(kCompleteTriggerResource, With(Key(), Json{{"event", "success"}}))["status"],
            "COMPLETED");
  EXPECT_EQ(Run(kCompleteTriggerResource, With(Key(), Json{{"event", "fail"}}))["status"],
            "FAILED_FINAL");
  EXPECT_EQ(Run(kCompleteTriggerResource, With(Key(), Json{{"event", "timeout"}}))["outcome"],
            "FAILED_FINAL");
  EXPECT_TRUE(data_.events.empty());
}

// SLA ---------------------------------------------------------------------------------------

constexpr const char* kSlaConfig = R"(pipeline: {id: p}
sla: {deadline: "09:00", expectedDuration: 1h, timezone: America/New_York}
job: {type: command, config: {argv: ["true"]}}
)";

TEST_F(LifecycleHandlerTest, SlaCalculateArmsWarningAndBreachInTheSlaZone) {
  data_.Apply(kSlaConfig);
  Json out = Run(kSlaCalculateResource, Key());
  // 09:00 EST (UTC-5) on 2026-03-03.
  EXPECT_EQ(out["configured"], true);
  EXPECT_EQ(out["armed"], true);
  EXPECT_EQ(out["warningAt"], "2026-03-03T13:00:00Z");
  EXPECT_EQ(out["breachAt"], "2026-03-03T14:00:00Z");
  ASSERT_EQ(alerts_.size(), 2u);
  EXPECT_EQ(alerts_[0].kind, "SLA_WARNING");
  EXPECT_EQ(alerts_[0].at, "2026-03-03T13:00:00Z");
  EXPECT_EQ(alerts_[1].kind, "SLA_BREACH");
  EXPECT_EQ(alerts_[1].at, "2026-03-03T14:00:00Z");
  EXPECT_EQ(SlaAlertInput(alerts_[0]), (Json{{"pipelineId", "p"},
                                             {"scheduleId", "stream"},
                                             {"date", "2026-03-03"},
                                             {"alertType", "SLA_WARNING"},
                                             {"at", "2026-03-03T13:00:00Z"},
                                             {"breachAt", "2026-03-03T14:00:00Z"}}));
}

TEST_F(LifecycleHandlerTest, SlaCalculateWithoutSlaOrPastBreachArmsNothing) {
  data_.Apply(kConfig);
  Json none = Run(kSlaCalculateResource, Key());
  EXPECT_EQ(none["configured"], false);
  EXPECT_EQ(none["breachAt"], nullptr);
  EXPECT_TRUE(none.contains("warningAt"));

  data_.Apply(kSlaConfig);
  now_ = kT0 + 8 * 3600 * kSecond + 60 * kSecond;  // 14:01Z: the deadline rolls to tomorrow
  Json rolled = Run(kSlaCalculateResource, Key());
  EXPECT_EQ(rolled["breachAt"], "2026-03-04T14:00:00Z");
  alerts_.clear();
  Json past = Run(kSlaCalculateResource, Key("2026-03-01T10"));  // hourly, long past
  EXPECT_EQ(past["configured"], true);
  EXPECT_EQ(past["armed"], false);
  EXPECT_TRUE(alerts_.empty());
}

TEST_F(LifecycleHandlerTest, SlaCalculateHookFailureIsTransient) {
  data_.Apply(kSlaConfig);
  fail_hooks_ = true;
  EXPECT_EQ(ErrorOf(kSlaCalculateResource, Key()), "Sluice.DataUnavailable");
}

TEST_F(LifecycleHandlerTest, RelativeSlaCountsFromTheTriggerSensor) {
  data_.Apply(R"(pipeline: {id: p}
schedule:
  trigger: {key: upstream, check: exists}
sla: {maxDuration: 2h, expectedDuration: 30m}
job: {type: command, config: {argv: ["true"]}}
)");
  Json unknown = Run(kSlaCalculateResource, Key());
  EXPECT_EQ(unknown["configured"], true);
  EXPECT_EQ(unknown["armed"], false);
  EXPECT_NE(unknown["reason"], "");
  data_.PutSensor("p", "upstream", Json{{"status", "ready"}});  // at 06:00Z
  Json out = Run(kSlaCalculateResource, Key());
  EXPECT_EQ(out["breachAt"], "2026-03-03T08:00:00Z");
  EXPECT_EQ(out["warningAt"], "2026-03-03T07:30:00Z");
}

TEST_F(LifecycleHandlerTest, FireAlertPublishesWhileTheRunGoesOn) {
  data_.Apply(kSlaConfig);
  Run(kSlaCalculateResource, Key());
  Json input =
      With(Key(), Json{{"alertType", "SLA_WARNING"}, {"breachAt", "2026-03-03T14:00:00Z"}});
  now_ = kT0 + 7 * 3600 * kSecond;
  Json out = Run(kSlaFireAlertResource, input);
  EXPECT_EQ(out["fired"], true);
  EXPECT_EQ(out["firedAt"], "2026-03-03T13:00:00Z");
  ASSERT_EQ(data_.Types(), (std::vector<std::string>{"SLA_WARNING"}));
  EXPECT_EQ(data_.events[0].event.detail["breachAt"], "2026-03-03T14:00:00Z");
  EXPECT_EQ(data_.events[0].event.detail["source"], "schedule");

  EXPECT_EQ(ErrorOf(kSlaFireAlertResource, With(Key(), Json{{"alertType", "SLA_MET"}})),
            "Sluice.InvalidInput");
}

TEST_F(LifecycleHandlerTest, FireAlertIsSilentOnceTheRunEndedOrTheWarningIsLate) {
  data_.Apply(kSlaConfig);
  Run(kSlaCalculateResource, Key());
  now_ = kT0 + 9 * 3600 * kSecond;  // past the breach
  Json late =
      Run(kSlaFireAlertResource,
          With(Key(), Json{{"alertType", "SLA_WARNING"}, {"breachAt", "2026-03-03T14:00:00Z"}}));
  EXPECT_EQ(late["fired"], false);
  Run(kCompleteTriggerResource, With(Key(), Json{{"event", "success"}}));
  Json ended =
      Run(kSlaFireAlertResource,
          With(Key(), Json{{"alertType", "SLA_BREACH"}, {"breachAt", "2026-03-03T14:00:00Z"}}));
  EXPECT_EQ(ended["fired"], false);
  EXPECT_EQ(ended["reason"], "the run has ended");
  EXPECT_TRUE(data_.events.empty());
  // Another run for another date is not affected.
  Json other =
      Run(kSlaFireAlertResource,
          With(Key("2026-03-04"), Json{{"alertType", "SLA_BREACH"}, {"breachAt", nullptr}}));
  EXPECT_EQ(other["fired"], true);
}

TEST_F(LifecycleHandlerTest, CancelDisarmsAndPublishesTheVerdict) {
  data_.Apply(kSlaConfig);
  Json sla = Run(kSlaCalculateResource, Key());
  Json met = Run(kSlaCancelResource, With(Key(), Json{{"outcome", "COMPLETED"}, {"sla", sla}}));
  EXPECT_EQ(met["alertType"], "SLA_MET");
  EXPECT_EQ(met["verdict"], "met");
  EXPECT_EQ(cancelled_, (std::vector<std::string>{"p/stream/2026-03-03"}));

  now_ = kT0 + 8 * 3600 * kSecond + kSecond;  // just past the 14:00Z breach
  Json breach =
      Run(kSlaCancelResource, With(Key(), Json{{"outcome", "FAILED_FINAL"}, {"sla", sla}}));
  EXPECT_EQ(breach["alertType"], "SLA_BREACH");
  // The times from the start are used: recomputed now, the deadline would be tomorrow's.
  EXPECT_EQ(breach["breachAt"], "2026-03-03T14:00:00Z");
  ASSERT_EQ(data_.Types(), (std::vector<std::string>{"SLA_MET", "SLA_BREACH"}));
  EXPECT_EQ(data_.events[1].event.detail["source"], "verdict");
}

TEST_F(LifecycleHandlerTest, CancelAfterAFailureBeforeTheBreachPublishesNoVerdict) {
  data_.Apply(kSlaConfig);
  Json sla = Run(kSlaCalculateResource, Key());
  Json out =
      Run(kSlaCancelResource, With(Key(), Json{{"outcome", "VALIDATION_EXHAUSTED"}, {"sla", sla}}));
  EXPECT_EQ(out["verdict"], "unresolved");
  EXPECT_EQ(out["alertType"], "");
  EXPECT_TRUE(data_.events.empty());
  EXPECT_EQ(cancelled_.size(), 1u);
}

// cancellation ------------------------------------------------------------------------------

TEST_F(LifecycleHandlerTest, CancelledTasksNeverAnswerNorAct) {
  data_.Apply(kConfig);
  data_.PutSensor("p", "upstream", Json{{"status", "ready"}, {"count", 150}});
  int answers = 0;
  TaskRequest evaluate = Request(kEvaluateResource, Key());
  handler_->Start(evaluate, [&](TaskOutcome) { ++answers; });
  handler_->Cancel(evaluate.task_id);
  TaskRequest trigger = Request(kTriggerResource, Key());
  handler_->Start(trigger, [&](TaskOutcome) { ++answers; });
  while (jobs_->starts == 0 && uv_run(&loop_, UV_RUN_ONCE) != 0) {
  }
  ASSERT_EQ(jobs_->starts, 1);
  handler_->Cancel(trigger.task_id);  // the job is starting
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(answers, 0);
  // No VALIDATION_PASSED; the job did start, and that fact is recorded.
  EXPECT_EQ(data_.Types(), (std::vector<std::string>{"JOB_TRIGGERED"}));
}

TEST_F(LifecycleHandlerTest, AJobAnsweringAfterTheHandlerIsGoneIsIgnored) {
  data_.Apply(kConfig);
  int answers = 0;
  handler_->Start(Request(kTriggerResource, Key()), [&](TaskOutcome) { ++answers; });
  while (jobs_->starts == 0 && uv_run(&loop_, UV_RUN_ONCE) != 0) {
  }
  handler_.reset();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(answers, 0);
}

}  // namespace
}  // namespace sluice::pipeline
