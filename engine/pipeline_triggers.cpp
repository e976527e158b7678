// PipelineTriggers: see pipeline_triggers.h.
#include "engine/pipeline_triggers.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "engine/runtime.h"
#include "engine/store/records.h"
#include "engine/store/store.h"
#include "handlers/pipeline/civil_time.h"
#include "handlers/pipeline/config.h"
#include "handlers/pipeline/lifecycle_handler.h"
#include "handlers/pipeline/rules.h"

namespace sluice::engine {

const char* TriggerOutcomeName(TriggerOutcome::Kind kind) {
  switch (kind) {
    case TriggerOutcome::Kind::kIgnored:
      return "ignored";
    case TriggerOutcome::Kind::kStarted:
      return "started";
    case TriggerOutcome::Kind::kRerun:
      return "rerun";
    case TriggerOutcome::Kind::kLateData:
      return "late-data";
    case TriggerOutcome::Kind::kRunning:
      return "running";
    case TriggerOutcome::Kind::kPostRun:
      return "post-run";
  }
  return "ignored";
}

std::string ExecutionDateOf(const Json& data) {
  if (!data.is_object()) return "";
  auto date = data.find("date");
  if (date == data.end() || !date->is_string()) return "";
  std::string text = date->get<std::string>();
  if (text.size() == 8 && text.find_first_not_of("0123456789") == std::string::npos) {
    text = text.substr(0, 4) + "-" + text.substr(4, 2) + "-" + text.substr(6, 2);
  }
  if (!pipeline::ParseDate(text)) return "";
  auto hour = data.find("hour");
  if (hour != data.end() && hour->is_string()) {
    const std::string h = hour->get<std::string>();
    if (h.size() == 2 && std::isdigit(static_cast<unsigned char>(h[0])) &&
        std::isdigit(static_cast<unsigned char>(h[1])) && std::stoi(h) <= 23) {
      text += "T" + h;
    }
  }
  return text;
}

PipelineTriggers::PipelineTriggers(Service& service, PipelineRunner& runner)
    : service_(service), runner_(runner), done_(Done()) {}

Service::DoneCallback PipelineTriggers::Done() {
  return [this](const Executor& ex) {
    if (!PipelineRunner::IsLifecycle(ex)) return;
    auto end = runner_.Finish(ex);
    if (!end.ok()) {
      spdlog::error("{}: recording the run's end: {}", ex.options().execution_arn, end.error());
      return;
    }
    auto rerun = OnRunEnded(ex, end.value());
    if (!rerun.ok()) {
      spdlog::error("{}: automatic rerun: {}", ex.options().execution_arn, rerun.error());
    } else if (rerun.value()) {
      spdlog::info("{} {}: the job failed; rerun started ({})", rerun.value()->pipeline,
                   rerun.value()->date, rerun.value()->execution_arn);
    }
  };
}

Result<TriggerOutcome> PipelineTriggers::OnSensorWritten(const SensorRecord& sensor) {
  TriggerOutcome outcome;
  auto config = runner_.pipelines().Config(sensor.pipeline);
  if (!config.ok()) return Fail(config.error());
  if (*config == nullptr) {
    outcome.reason = "pipeline '" + sensor.pipeline + "' has no applied config";
    return outcome;
  }
  const pipeline::PipelineConfig& c = **config;
  if (!c.schedule.trigger) {
    outcome.reason = "pipeline '" + sensor.pipeline + "' has no schedule.trigger";
    return outcome;
  }
  const pipeline::Rule& rule = c.schedule.trigger->rule;
  if (sensor.key.rfind(rule.key, 0) != 0) {
    if (c.post_run) {
      for (const auto& post : c.post_run->rules) {
        if (sensor.key.rfind(post.key, 0) == 0) return PostRun(c, sensor, post.key);
      }
    }
    outcome.reason = "key '" + sensor.key + "' is not the trigger's key '" + rule.key + "'";
    return outcome;
  }
  Json data = Json::parse(sensor.data, nullptr, /*allow_exceptions=*/false);
  const int64_t now = service_.runtime().clock().Now();
  auto result = pipeline::EvaluateRule(rule, Json{{rule.key, data}}, now);
  if (!result.passed) {
    outcome.reason = "the trigger's rule does not hold: " + result.reason;
    return outcome;
  }
  PipelineRunRequest request;
  request.pipeline = sensor.pipeline;
  request.date = ExecutionDateOf(data);
  auto started = runner_.StartRun(request, done_);
  if (started.ok()) {
    outcome.kind = TriggerOutcome::Kind::kStarted;
    outcome.reason = "started run " + started->date + " (" + started->execution_arn + ")";
    outcome.run = std::move(started).value();
    return outcome;
  }
  // Claimed already: which run, and is this late data?
  StartedRun run{"", sensor.pipeline, std::string(c.schedule_id()), request.date};
  if (run.date.empty()) {
    // StartRun resolved today's date itself; ask it again through a claim that must fail.
    outcome.kind = TriggerOutcome::Kind::kRunning;
    outcome.reason = started.error();
    return outcome;
  }
  return LateData(c, std::move(run));
}

Result<int> PipelineTriggers::CountEvents(const std::string& pipeline, const std::string& date,
                                          const std::string& type, const std::string& reason) {
  PipelineEventFilter filter;
  filter.pipeline = pipeline;
  filter.type = type;
  auto events = runner_.pipelines().Events(filter);
  if (!events.ok()) return Fail(events.error());
  int n = 0;
  for (const auto& e : events.value()) {
    Json detail = Json::parse(e.detail, nullptr, /*allow_exceptions=*/false);
    if (e.date == date && detail.is_object() && detail.value("reason", "") == reason) ++n;
  }
  return n;
}

Result<std::optional<StartedRun>> PipelineTriggers::OnRunEnded(const Executor& execution,
                                                               const RunEnd& end) {
  const Json& input = execution.input();
  if (!input.is_object() || !input.contains("pipelineId") || !input.contains("date")) {
    return std::optional<StartedRun>();
  }
  const std::string pipeline_id = input.value("pipelineId", "");
  const std::string schedule = input.value("scheduleId", "");
  const std::string date = input.value("date", "");
  auto config = runner_.pipelines().Config(pipeline_id);
  if (!config.ok()) return Fail(config.error());
  if (*config == nullptr) return std::optional<StartedRun>();
  if (end.status == PipelineRunStatus::kCompleted) {
    auto captured = CaptureBaseline(**config, schedule, date);
    if (!captured.ok()) return Fail(captured.error());
  }
  if (end.outcome != "FAILED_FINAL") return std::optional<StartedRun>();
  const int budget = (*config)->job ? (*config)->job->max_retries : 0;
  auto attempts = CountEvents(pipeline_id, date, "RERUN_ACCEPTED", "job-fail-retry");
  if (!attempts.ok()) return Fail(attempts.error());
  if (*attempts >= budget) {
    if (budget == 0) return std::optional<StartedRun>();  // no automatic reruns configured
    auto recorded = runner_.pipelines().AppendEvent(pipeline::PipelineEvent{
        "RETRY_EXHAUSTED", pipeline_id, schedule, date,
        "retry limit reached (" + std::to_string(*attempts) + "/" + std::to_string(budget) +
            "): the job failed again",
        Json{{"reason", "job-fail-retry"}, {"retries", *attempts}, {"maxRetries", budget}}});
    if (!recorded.ok()) return Fail(recorded.error());
    return std::optional<StartedRun>();
  }
  auto recorded = runner_.pipelines().AppendEvent(pipeline::PipelineEvent{
      "RERUN_ACCEPTED", pipeline_id, schedule, date,
      "the job failed: rerun " + std::to_string(*attempts + 1) + " of " + std::to_string(budget),
      Json{{"reason", "job-fail-retry"},
           {"attempt", *attempts + 1},
           {"budget", budget},
           {"previousExecutionArn", execution.options().execution_arn}}});
  if (!recorded.ok()) return Fail(recorded.error());
  PipelineRunRequest request;
  request.pipeline = pipeline_id;
  request.date = date;
  request.force = true;
  auto started = runner_.StartRun(request, done_);
  if (!started.ok()) return Fail(started.error());
  return std::optional<StartedRun>(std::move(started).value());
}

Result<StartedRun> PipelineTriggers::RequestRerun(const PipelineRunRequest& request,
                                                  const std::string& reason,
                                                  Service::DoneCallback done) {
  auto config = runner_.pipelines().Config(request.pipeline);
  if (!config.ok()) return Fail(config.error());
  if (*config == nullptr) {
    return Fail("pipeline '" + request.pipeline + "' has no applied config in this database");
  }
  if (request.date.empty()) return Fail(std::string("a rerun needs --date"));
  const std::string schedule((*config)->schedule_id());
  auto existing = service_.store().GetPipelineRun(request.pipeline, schedule, request.date);
  if (!existing.ok()) return Fail(existing.error());
  if (!existing.value()) {
    return Fail("pipeline run " + request.pipeline + "/" + schedule + "/" + request.date +
                " has never run: start it with `sluice pipeline run`");
  }
  const bool drift = reason == "late-data" || reason == "data-drift";
  const pipeline::JobConfig defaults;
  const pipeline::JobConfig& job = (*config)->job ? *(*config)->job : defaults;
  const int budget = drift ? job.max_drift_reruns : job.max_manual_reruns;
  int reruns = 0;
  if (drift) {
    for (const char* type : {"LATE_DATA", "DATA_DRIFT"}) {
      PipelineEventFilter filter;
      filter.pipeline = request.pipeline;
      filter.type = type;
      auto earlier = runner_.pipelines().Events(filter);
      if (!earlier.ok()) return Fail(earlier.error());
      for (const auto& e : earlier.value()) {
        Json d = Json::parse(e.detail, nullptr, /*allow_exceptions=*/false);
        if (e.date == request.date && d.is_object() && d.value("rerun", false)) ++reruns;
      }
    }
  }
  auto manual = CountEvents(request.pipeline, request.date, "RERUN_ACCEPTED", reason);
  if (!manual.ok()) return Fail(manual.error());
  reruns += *manual;
  if (reruns >= budget) {
    const std::string message = "rerun limit reached (" + std::to_string(reruns) + "/" +
                                std::to_string(budget) + ") for reason '" + reason + "'";
    auto recorded = runner_.pipelines().AppendEvent(
        pipeline::PipelineEvent{"RERUN_REJECTED", request.pipeline, schedule, request.date, message,
                                Json{{"reason", reason}, {"reruns", reruns}, {"budget", budget}}});
    if (!recorded.ok()) return Fail(recorded.error());
    return Fail("RERUN_REJECTED: " + message);
  }
  auto recorded = runner_.pipelines().AppendEvent(pipeline::PipelineEvent{
      "RERUN_ACCEPTED", request.pipeline, schedule, request.date,
      "rerun " + std::to_string(reruns + 1) + " of " + std::to_string(budget) + " ('" + reason +
          "')",
      Json{{"reason", reason}, {"attempt", reruns + 1}, {"budget", budget}}});
  if (!recorded.ok()) return Fail(recorded.error());
  PipelineRunRequest forced = request;
  forced.force = true;
  return runner_.StartRun(forced, std::move(done));
}

Result<std::vector<StartedRun>> PipelineTriggers::FireCron(int64_t after_ns, int64_t now_ns) {
  std::vector<StartedRun> started;
  auto pipelines = runner_.pipelines().List();
  if (!pipelines.ok()) return Fail(pipelines.error());
  for (const auto& version : pipelines.value()) {
    auto config = runner_.pipelines().Config(version.id);
    if (!config.ok()) return Fail(config.error());
    if (*config == nullptr || !(*config)->schedule.cron) continue;
    const pipeline::ScheduleConfig& schedule = (*config)->schedule;
    auto fire = schedule.cron->NextFireAfter(after_ns, schedule.zone);
    if (!fire || *fire > now_ns) continue;
    PipelineRunRequest request;
    request.pipeline = version.id;
    request.date = pipeline::FormatDate(schedule.zone.ToCivil(*fire).date);  // the cron day's
    auto run = runner_.StartRun(request, done_);
    if (run.ok()) started.push_back(std::move(run).value());  // else: claimed already
  }
  return started;
}

namespace {

// The drift of `field` between two sensor data objects, when both hold it as a number.
std::optional<long double> Drift(const Json& before, const Json& after, const std::string& field) {
  if (!before.is_object() || !after.is_object()) return std::nullopt;
  auto b = before.find(field);
  auto a = after.find(field);
  if (b == before.end() || a == after.end()) return std::nullopt;
  auto x = pipeline::ToNumber(*b);
  auto y = pipeline::ToNumber(*a);
  if (!x || !y) return std::nullopt;
  return *y - *x;
}

}  // namespace

Result<TriggerOutcome> PipelineTriggers::LateData(const pipeline::PipelineConfig& config,
                                                  StartedRun run) {
  TriggerOutcome outcome;
  auto existing = service_.store().GetPipelineRun(run.pipeline, run.schedule, run.date);
  if (!existing.ok()) return Fail(existing.error());
  if (!existing.value() || existing.value()->status != PipelineRunStatus::kCompleted) {
    outcome.kind = TriggerOutcome::Kind::kRunning;
    outcome.reason = "run " + run.date + " is " +
                     (existing.value() ? PipelineRunStatusName(existing.value()->status)
                                       : std::string("not startable")) +
                     ": the write changes nothing";
    return outcome;
  }
  return DriftRerun(config, run, "LATE_DATA", "data arrived after the run succeeded",
                    Json::object());
}

Result<TriggerOutcome> PipelineTriggers::DriftRerun(const pipeline::PipelineConfig& config,
                                                    const StartedRun& run, const std::string& event,
                                                    const std::string& message, Json detail) {
  int reruns = 0;
  for (const char* type : {"LATE_DATA", "DATA_DRIFT"}) {  // one shared budget
    PipelineEventFilter filter;
    filter.pipeline = run.pipeline;
    filter.type = type;
    auto earlier = runner_.pipelines().Events(filter);
    if (!earlier.ok()) return Fail(earlier.error());
    for (const auto& e : earlier.value()) {
      Json d = Json::parse(e.detail, nullptr, /*allow_exceptions=*/false);
      if (e.date == run.date && d.is_object() && d.value("rerun", false)) ++reruns;
    }
  }
  const int budget = config.job ? config.job->max_drift_reruns : 0;
  const bool rerun = reruns < budget;
  detail["rerun"] = rerun;
  detail["attempt"] = reruns + (rerun ? 1 : 0);
  detail["budget"] = budget;
  auto recorded = runner_.pipelines().AppendEvent(pipeline::PipelineEvent{
      event, run.pipeline, run.schedule, run.date,
      message + (rerun ? ": rerunning" : "; the rerun budget is spent"), detail});
  if (!recorded.ok()) return Fail(recorded.error());
  TriggerOutcome outcome;
  const std::string what = event == "LATE_DATA" ? "late data" : "data drift";
  if (!rerun) {
    outcome.kind = TriggerOutcome::Kind::kLateData;
    outcome.reason =
        what + " for " + run.date + ": rerun budget " + std::to_string(budget) + " spent";
    return outcome;
  }
  PipelineRunRequest request;
  request.pipeline = run.pipeline;
  request.date = run.date;
  request.force = true;
  auto started = runner_.StartRun(request, done_);
  if (!started.ok()) return Fail(started.error());
  outcome.kind = TriggerOutcome::Kind::kRerun;
  outcome.reason = what + " for " + run.date + ": rerun " + std::to_string(reruns + 1) + " of " +
                   std::to_string(budget);
  outcome.run = std::move(started).value();
  return outcome;
}

Status<> PipelineTriggers::CaptureBaseline(const pipeline::PipelineConfig& config,
                                           const std::string& schedule, const std::string& date) {
  if (!config.post_run || config.post_run->rules.empty()) return Ok{};
  auto sensors = runner_.pipelines().Sensors(config.pipeline.id);
  if (!sensors.ok()) return Fail(sensors.error());
  const Json data = pipeline::SensorDataFor(*sensors, date);
  Json baseline = Json::object();
  for (const auto& rule : config.post_run->rules) {
    if (data.contains(rule.key)) baseline[rule.key] = data[rule.key];
  }
  if (baseline.empty()) return Ok{};
  return runner_.pipelines().AppendEvent(pipeline::PipelineEvent{
      "POST_RUN_BASELINE_CAPTURED", config.pipeline.id, schedule, date,
      "post-run baseline captured for " + std::to_string(baseline.size()) + " sensor(s)",
      Json{{"baseline", baseline}}});
}

Result<TriggerOutcome> PipelineTriggers::PostRun(const pipeline::PipelineConfig& config,
                                                 const SensorRecord& sensor,
                                                 const std::string& rule_key) {
  TriggerOutcome outcome;
  outcome.kind = TriggerOutcome::Kind::kPostRun;
  Json data = Json::parse(sensor.data, nullptr, /*allow_exceptions=*/false);
  const int64_t now = service_.runtime().clock().Now();
  StartedRun run{"", sensor.pipeline, std::string(config.schedule_id()), ExecutionDateOf(data)};
  if (run.date.empty()) run.date = pipeline::FormatDate(config.schedule.zone.ToCivil(now).date);
  auto existing = service_.store().GetPipelineRun(run.pipeline, run.schedule, run.date);
  if (!existing.ok()) return Fail(existing.error());
  if (!existing.value() || existing.value()->status == PipelineRunStatus::kFailedFinal) {
    outcome.kind = TriggerOutcome::Kind::kIgnored;
    outcome.reason = "post-run sensor for " + run.date + ": no completed or running run";
    return outcome;
  }
  // The newest baseline of the date.
  PipelineEventFilter filter;
  filter.pipeline = run.pipeline;
  filter.type = "POST_RUN_BASELINE_CAPTURED";
  auto baselines = runner_.pipelines().Events(filter);
  if (!baselines.ok()) return Fail(baselines.error());
  Json previous;
  for (const auto& e : baselines.value()) {
    Json d = Json::parse(e.detail, nullptr, /*allow_exceptions=*/false);
    if (e.date == run.date && d.is_object() && d.contains("baseline") &&
        d["baseline"].contains(rule_key)) {
      previous = d["baseline"][rule_key];
    }
  }
  const pipeline::PostRunConfig& post = *config.post_run;
  auto drift = Drift(previous, data, post.drift_field);
  const bool drifted = drift && (*drift > post.drift_threshold || -*drift > post.drift_threshold);
  Json detail{{"sensorKey", sensor.key},
              {"driftField", post.drift_field},
              {"driftThreshold", post.drift_threshold}};
  if (drift) {
    detail["previousCount"] = previous[post.drift_field];
    detail["currentCount"] = data[post.drift_field];
    detail["delta"] = static_cast<double>(*drift);
  }
  if (existing.value()->status == PipelineRunStatus::kRunning) {
    if (drifted) {
      auto recorded = runner_.pipelines().AppendEvent(
          pipeline::PipelineEvent{"POST_RUN_DRIFT_INFLIGHT", run.pipeline, run.schedule, run.date,
                                  "post-run data drifted while the run is still going", detail});
      if (!recorded.ok()) return Fail(recorded.error());
    }
    outcome.reason = std::string("post-run sensor while the run is RUNNING") +
                     (drifted ? ": drift recorded" : "");
    return outcome;
  }
  if (drifted) {
    return DriftRerun(config, run, "DATA_DRIFT", post.drift_field + " drifted after the run",
                      std::move(detail));
  }
  auto sensors = runner_.pipelines().Sensors(run.pipeline);
  if (!sensors.ok()) return Fail(sensors.error());
  auto rules = pipeline::EvaluateRules(pipeline::Combinator::kAll, post.rules,
                                       pipeline::SensorDataFor(*sensors, run.date), now);
  Json results = Json::array();
  for (const auto& r : rules.results) {
    results.push_back({{"key", r.key}, {"passed", r.passed}, {"reason", r.reason}});
  }
  auto recorded = runner_.pipelines().AppendEvent(pipeline::PipelineEvent{
      rules.passed ? "POST_RUN_PASSED" : "POST_RUN_FAILED", run.pipeline, run.schedule, run.date,
      rules.passed ? "post-run rules passed" : "post-run rules failed",
      Json{{"sensorKey", sensor.key}, {"results", results}}});
  if (!recorded.ok()) return Fail(recorded.error());
  outcome.reason = std::string("post-run rules ") + (rules.passed ? "passed" : "failed");
  return outcome;
}

}  // namespace sluice::engine
