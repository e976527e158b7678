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
  if (end.outcome != "FAILED_FINAL") return std::optional<StartedRun>();
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
  PipelineEventFilter filter;
  filter.pipeline = run.pipeline;
  filter.type = "LATE_DATA";
  auto earlier = runner_.pipelines().Events(filter);
  if (!earlier.ok()) return Fail(earlier.error());
  int reruns = 0;
  for (const auto& e : earlier.value()) {
    Json detail = Json::parse(e.detail, nullptr, false);
    if (e.date == run.date && detail.is_object() && detail.value("rerun", false)) ++reruns;
  }
  const int budget = config.job ? config.job->max_drift_reruns : 0;
  const bool rerun = reruns < budget;
  pipeline::PipelineEvent event{
      "LATE_DATA",
      run.pipeline,
      run.schedule,
      run.date,
      rerun ? "data arrived after the run succeeded: rerunning"
            : "data arrived after the run succeeded; the rerun budget is spent",
      Json{{"rerun", rerun}, {"attempt", reruns + (rerun ? 1 : 0)}, {"budget", budget}}};
  auto recorded = runner_.pipelines().AppendEvent(event);
  if (!recorded.ok()) return Fail(recorded.error());
  if (!rerun) {
    outcome.kind = TriggerOutcome::Kind::kLateData;
    outcome.reason =
        "late data for " + run.date + ": rerun budget " + std::to_string(budget) + " spent";
    return outcome;
  }
  PipelineRunRequest request;
  request.pipeline = run.pipeline;
  request.date = run.date;
  request.force = true;
  auto started = runner_.StartRun(request, done_);
  if (!started.ok()) return Fail(started.error());
  outcome.kind = TriggerOutcome::Kind::kRerun;
  outcome.reason = "late data for " + run.date + ": rerun " + std::to_string(reruns + 1) + " of " +
                   std::to_string(budget);
  outcome.run = std::move(started).value();
  return outcome;
}

}  // namespace sluice::engine
