// PipelineTriggers: see pipeline_triggers.h.
#include "engine/pipeline_triggers.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "engine/runtime.h"
#include "engine/store/records.h"
#include "engine/store/store.h"
#include "handlers/pipeline/calendar.h"
#include "handlers/pipeline/civil_time.h"
#include "handlers/pipeline/config.h"
#include "handlers/pipeline/duration.h"
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
    case TriggerOutcome::Kind::kDryRun:
      return "dry-run";
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

namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr const char* kDryRunMarkerArn = "dry-run";

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

// A post-run write judged against its baseline: whether it drifted, and the detail of the
// drift events (POST_RUN_DRIFT_INFLIGHT, DATA_DRIFT, DRY_RUN_DRIFT).
struct DriftJudgement {
  bool drifted = false;
  Json detail;
};

DriftJudgement JudgeDrift(const pipeline::PostRunConfig& post, const std::string& sensor_key,
                          const Json& baseline, const Json& data) {
  DriftJudgement judged;
  auto drift = Drift(baseline, data, post.drift_field);
  judged.drifted = drift && (*drift > post.drift_threshold || -*drift > post.drift_threshold);
  judged.detail = Json{{"sensorKey", sensor_key},
                       {"driftField", post.drift_field},
                       {"driftThreshold", post.drift_threshold}};
  if (drift) {
    judged.detail["previousCount"] = baseline[post.drift_field];
    judged.detail["currentCount"] = data[post.drift_field];
    judged.detail["delta"] = static_cast<double>(*drift);
  }
  return judged;
}

bool IsDriftReason(const std::string& reason) {
  return reason == "late-data" || reason == "data-drift";
}

// Whether the execution date `date` is excluded by the pipeline's calendar.
bool DateExcluded(const pipeline::PipelineConfig& config, const std::string& date) {
  auto parsed = pipeline::ParseExecutionDate(date);
  return parsed.ok() && pipeline::IsExcluded(config.schedule.calendar, *parsed);
}

}  // namespace

SensorMatch MatchSensor(const pipeline::PipelineConfig& config, const SensorRecord& sensor,
                        int64_t now_ns) {
  SensorMatch match;
  if (!config.schedule.trigger) {
    match.reason = "pipeline '" + sensor.pipeline + "' has no schedule.trigger";
    return match;
  }
  const pipeline::Rule& rule = config.schedule.trigger->rule;
  const Json data = Json::parse(sensor.data, nullptr, /*allow_exceptions=*/false);
  const std::string date = ExecutionDateOf(data);
  if (sensor.key.rfind(rule.key, 0) != 0) {
    if (config.post_run) {
      for (const auto& post : config.post_run->rules) {
        if (sensor.key.rfind(post.key, 0) != 0) continue;
        match.kind = SensorMatch::Kind::kPostRun;
        match.rule_key = post.key;
        match.date =
            !date.empty()
                ? date
                : pipeline::FormatDate(config.schedule.zone.ToCivil(sensor.written_nanos).date);
        return match;
      }
    }
    match.reason = "key '" + sensor.key + "' is not the trigger's key '" + rule.key + "'";
    return match;
  }
  auto result = pipeline::EvaluateRule(rule, Json{{rule.key, data}}, now_ns);
  if (!result.passed) {
    match.reason = "the trigger's rule does not hold: " + result.reason;
    return match;
  }
  match.kind = SensorMatch::Kind::kTrigger;
  match.date = !date.empty() ? date : DefaultRunDate(config, sensor.written_nanos);
  return match;
}

std::string DryRunMarkerSchedule(std::string_view schedule) {
  return "dry-run#" + std::string(schedule);
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

Status<> PipelineTriggers::Record(pipeline::PipelineEvent event) {
  return runner_.RecordEvent(event);
}

Result<TriggerOutcome> PipelineTriggers::OnSensorWritten(const SensorRecord& sensor) {
  seen_[{sensor.pipeline, sensor.key}] = sensor.written_nanos;
  TriggerOutcome outcome;
  auto config = runner_.pipelines().Config(sensor.pipeline);
  if (!config.ok()) return Fail(config.error());
  if (*config == nullptr) {
    outcome.reason = "pipeline '" + sensor.pipeline + "' has no applied config";
    return outcome;
  }
  const pipeline::PipelineConfig& c = **config;
  const SensorMatch match = MatchSensor(c, sensor, service_.runtime().clock().Now());
  switch (match.kind) {
    case SensorMatch::Kind::kNone:
      outcome.reason = match.reason;
      return outcome;
    case SensorMatch::Kind::kPostRun:
      return PostRun(c, sensor, match);
    case SensorMatch::Kind::kTrigger:
      break;
  }
  return c.dry_run ? DryRunTrigger(c, sensor, match.date) : Trigger(c, sensor, match.date);
}

Result<TriggerOutcome> PipelineTriggers::Trigger(const pipeline::PipelineConfig& config,
                                                 const SensorRecord& sensor,
                                                 const std::string& date) {
  TriggerOutcome outcome;
  PipelineRunRequest request;
  request.pipeline = sensor.pipeline;
  request.date = date;
  auto started = runner_.StartRun(request, done_);
  if (started.ok()) {
    outcome.kind = TriggerOutcome::Kind::kStarted;
    outcome.reason = "started run " + started->date + " (" + started->execution_arn + ")";
    outcome.run = std::move(started).value();
    return outcome;
  }
  // Claimed already: is this late data?
  return LateData(config, StartedRun{"", sensor.pipeline, std::string(config.schedule_id()), date},
                  sensor.written_nanos);
}

Result<std::vector<ExternalSensorWrite>> PipelineTriggers::PollExternalSensorWrites() {
  auto sensors = service_.store().ListSensors("");
  if (!sensors.ok()) return Fail(sensors.error());
  std::vector<SensorRecord> fresh;
  for (SensorRecord& sensor : sensors.value()) {
    auto [seen, inserted] = seen_.try_emplace({sensor.pipeline, sensor.key}, sensor.written_nanos);
    if (!seeded_ || (!inserted && seen->second == sensor.written_nanos)) continue;
    fresh.push_back(std::move(sensor));
  }
  seeded_ = true;
  std::stable_sort(fresh.begin(), fresh.end(), [](const SensorRecord& a, const SensorRecord& b) {
    return a.written_nanos < b.written_nanos;
  });
  std::vector<ExternalSensorWrite> judged;
  for (SensorRecord& sensor : fresh) {
    auto outcome = OnSensorWritten(sensor);
    ExternalSensorWrite write{std::move(sensor), std::nullopt, ""};
    if (outcome.ok()) {
      write.outcome = std::move(outcome).value();
    } else {
      write.error = outcome.error();
    }
    judged.push_back(std::move(write));
  }
  return judged;
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

Result<PipelineTriggers::RerunBudget> PipelineTriggers::Budget(
    const pipeline::PipelineConfig& config, const std::string& date, const std::string& reason) {
  const std::string& pipeline = config.pipeline.id;
  const pipeline::JobConfig defaults;
  const pipeline::JobConfig& job = config.job ? *config.job : defaults;
  RerunBudget budget;
  std::vector<std::string> reasons{reason};
  if (IsDriftReason(reason)) {
    budget.budget = job.max_drift_reruns;
    reasons = {"late-data", "data-drift"};
    for (const char* type : {"LATE_DATA", "DATA_DRIFT"}) {  // the daemon's own reruns
      PipelineEventFilter filter;
      filter.pipeline = pipeline;
      filter.type = type;
      auto earlier = runner_.pipelines().Events(filter);
      if (!earlier.ok()) return Fail(earlier.error());
      for (const auto& e : earlier.value()) {
        Json d = Json::parse(e.detail, nullptr, /*allow_exceptions=*/false);
        if (e.date == date && d.is_object() && d.value("rerun", false)) ++budget.reruns;
      }
    }
  } else {
    budget.budget = job.max_manual_reruns;
  }
  std::vector<std::string> types{"RERUN_ACCEPTED"};
  if (config.dry_run) types.push_back("DRY_RUN_WOULD_RERUN");
  for (const auto& type : types) {
    for (const auto& r : reasons) {
      auto n = CountEvents(pipeline, date, type, r);
      if (!n.ok()) return Fail(n.error());
      budget.reruns += *n;
    }
  }
  return budget;
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
    auto recorded = Record(pipeline::PipelineEvent{
        "RETRY_EXHAUSTED", pipeline_id, schedule, date,
        "retry limit reached (" + std::to_string(*attempts) + "/" + std::to_string(budget) +
            "): the job failed again",
        Json{{"reason", "job-fail-retry"}, {"retries", *attempts}, {"maxRetries", budget}}});
    if (!recorded.ok()) return Fail(recorded.error());
    return std::optional<StartedRun>();
  }
  auto recorded = Record(pipeline::PipelineEvent{
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
  const pipeline::PipelineConfig& c = **config;
  const bool dry = c.dry_run;
  const std::string schedule(c.schedule_id());
  auto existing = service_.store().GetPipelineRun(request.pipeline, schedule, request.date);
  if (!existing.ok()) return Fail(existing.error());
  bool ran = existing.value().has_value();
  if (!ran && dry) {
    auto marker = DryRunMarker(c, request.date);
    if (!marker.ok()) return Fail(marker.error());
    ran = marker.value().has_value();
  }
  if (!ran) {
    return Fail("pipeline run " + request.pipeline + "/" + schedule + "/" + request.date +
                " has never run: start it with `sluice pipeline run`");
  }
  // Refused: the event's type, then the message, as the error.
  auto refuse = [&](const std::string& type, const std::string& message,
                    Json detail) -> Result<StartedRun> {
    auto recorded = Record(pipeline::PipelineEvent{type, request.pipeline, schedule, request.date,
                                                   message, std::move(detail)});
    if (!recorded.ok()) return Fail(recorded.error());
    return Fail(type + ": " + message);
  };
  if (DateExcluded(c, request.date)) {
    const std::string message =
        "execution date " + request.date + " is excluded by the pipeline's calendar";
    if (dry) {
      return refuse("DRY_RUN_RERUN_REJECTED", "dry run: rerun refused: " + message,
                    Json{{"reason", "excluded by calendar"}, {"rerunReason", reason}});
    }
    return refuse("PIPELINE_EXCLUDED", message, Json{{"source", "rerun"}, {"reason", reason}});
  }
  auto budget = Budget(c, request.date, reason);
  if (!budget.ok()) return Fail(budget.error());
  const int reruns = budget->reruns;
  if (reruns >= budget->budget) {
    const std::string message = "rerun limit reached (" + std::to_string(reruns) + "/" +
                                std::to_string(budget->budget) + ") for reason '" + reason + "'";
    if (dry) {
      return refuse("DRY_RUN_RERUN_REJECTED", "dry run: " + message,
                    Json{{"reason", "limit exceeded"},
                         {"rerunReason", reason},
                         {"rerunCount", reruns},
                         {"budget", budget->budget}});
    }
    return refuse("RERUN_REJECTED", message,
                  Json{{"reason", reason}, {"reruns", reruns}, {"budget", budget->budget}});
  }
  const std::string accepted = "rerun " + std::to_string(reruns + 1) + " of " +
                               std::to_string(budget->budget) + " ('" + reason + "')";
  if (dry) {
    return refuse("DRY_RUN_WOULD_RERUN", "dry run: " + accepted + " would start; nothing started",
                  Json{{"reason", reason}, {"rerunCount", reruns}, {"budget", budget->budget}});
  }
  auto recorded = Record(pipeline::PipelineEvent{
      "RERUN_ACCEPTED", request.pipeline, schedule, request.date, accepted,
      Json{{"reason", reason}, {"attempt", reruns + 1}, {"budget", budget->budget}}});
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

Result<TriggerOutcome> PipelineTriggers::LateData(const pipeline::PipelineConfig& config,
                                                  StartedRun run, int64_t written_ns) {
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
  if (written_ns < existing.value()->started_nanos) {
    // Written before the run's (latest) claim: that run saw it (e.g. a run the watchdog started
    // for this very write before the poll got to it).
    outcome.reason = "run " + run.date + " started after this write: not late data";
    return outcome;
  }
  return DriftRerun(config, run, "LATE_DATA", "data arrived after the run succeeded",
                    Json::object());
}

Result<TriggerOutcome> PipelineTriggers::DriftRerun(const pipeline::PipelineConfig& config,
                                                    const StartedRun& run, const std::string& event,
                                                    const std::string& message, Json detail) {
  auto budget = Budget(config, run.date, "data-drift");  // shared with late data
  if (!budget.ok()) return Fail(budget.error());
  const int reruns = budget->reruns;
  const bool rerun = reruns < budget->budget;
  detail["rerun"] = rerun;
  detail["attempt"] = reruns + (rerun ? 1 : 0);
  detail["budget"] = budget->budget;
  auto recorded = Record(pipeline::PipelineEvent{
      event, run.pipeline, run.schedule, run.date,
      message + (rerun ? ": rerunning" : "; the rerun budget is spent"), detail});
  if (!recorded.ok()) return Fail(recorded.error());
  TriggerOutcome outcome;
  const std::string what = event == "LATE_DATA" ? "late data" : "data drift";
  if (!rerun) {
    outcome.kind = TriggerOutcome::Kind::kLateData;
    outcome.reason =
        what + " for " + run.date + ": rerun budget " + std::to_string(budget->budget) + " spent";
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
                   std::to_string(budget->budget);
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
  return Record(pipeline::PipelineEvent{
      "POST_RUN_BASELINE_CAPTURED", config.pipeline.id, schedule, date,
      "post-run baseline captured for " + std::to_string(baseline.size()) + " sensor(s)",
      Json{{"baseline", baseline}}});
}

Result<std::optional<PipelineRunRecord>> PipelineTriggers::DryRunMarker(
    const pipeline::PipelineConfig& config, const std::string& date) {
  return service_.store().GetPipelineRun(config.pipeline.id,
                                         DryRunMarkerSchedule(config.schedule_id()), date);
}

Result<bool> PipelineTriggers::PutDryRunMarker(const pipeline::PipelineConfig& config,
                                               const std::string& date, int64_t now) {
  PipelineRunRecord marker;
  marker.pipeline = config.pipeline.id;
  marker.schedule = DryRunMarkerSchedule(config.schedule_id());
  marker.date = date;
  marker.execution_arn = kDryRunMarkerArn;
  marker.status = PipelineRunStatus::kCompleted;
  marker.started_nanos = now;
  marker.ended_nanos = now;
  WriteBatch batch;
  // Put-if-absent: a row that exists names kDryRunMarkerArn, not "no execution".
  batch.ClaimPipelineRun(std::move(marker), std::nullopt);
  auto committed = service_.store().Commit(batch);
  if (committed.ok()) return true;
  auto existing = DryRunMarker(config, date);  // lost the race, or failed?
  if (existing.ok() && existing.value()) return false;
  return Fail("dry-run marker " + config.pipeline.id + "/" + date + ": " + committed.error());
}

Result<TriggerOutcome> PipelineTriggers::DryRunTrigger(const pipeline::PipelineConfig& config,
                                                       const SensorRecord& sensor,
                                                       const std::string& date) {
  TriggerOutcome outcome;
  outcome.kind = TriggerOutcome::Kind::kDryRun;
  const std::string& pipeline = config.pipeline.id;
  const std::string schedule(config.schedule_id());
  const int64_t now = service_.runtime().clock().Now();
  if (DateExcluded(config, date)) {
    auto recorded = Record(pipeline::PipelineEvent{
        "PIPELINE_EXCLUDED", pipeline, schedule, date,
        "dry run: execution date " + date + " is excluded by the pipeline's calendar",
        Json{{"source", "dry-run"}, {"sensorKey", sensor.key}}});
    if (!recorded.ok()) return Fail(recorded.error());
    outcome.reason = "dry run: " + date + " is excluded by the calendar";
    return outcome;
  }
  auto marker = DryRunMarker(config, date);
  if (!marker.ok()) return Fail(marker.error());
  if (marker.value()) {
    const int64_t triggered = marker.value()->started_nanos;
    auto recorded = Record(pipeline::PipelineEvent{
        "DRY_RUN_LATE_DATA", pipeline, schedule, date,
        "dry run: data arrived after the run would have been triggered",
        Json{{"triggeredAt", pipeline::FormatUtcSeconds(triggered)},
             {"lateBy", pipeline::FormatDuration((now - triggered) / kNanosPerSecond)},
             {"sensorKey", sensor.key}}});
    if (!recorded.ok()) return Fail(recorded.error());
    outcome.reason = "dry run: late data for " + date;
    return outcome;
  }
  auto sensors = runner_.pipelines().Sensors(pipeline);
  if (!sensors.ok()) return Fail(sensors.error());
  auto rules = pipeline::EvaluateRules(config.validation.trigger, config.validation.rules,
                                       pipeline::SensorDataFor(*sensors, date), now);
  if (!rules.passed) {
    outcome.reason = "dry run: the validation rules do not pass for " + date;
    return outcome;
  }
  auto put = PutDryRunMarker(config, date, now);
  if (!put.ok()) return Fail(put.error());
  if (!*put) {
    outcome.reason = "dry run: another process observed " + date + " first";
    return outcome;
  }
  if (auto captured = CaptureBaseline(config, schedule, date); !captured.ok()) {
    return Fail(captured.error());
  }
  for (pipeline::PipelineEvent& event :
       pipeline::DryRunTriggerEvents(config, pipeline, schedule, date, now)) {
    if (auto recorded = Record(std::move(event)); !recorded.ok()) return Fail(recorded.error());
  }
  outcome.reason = "dry run: run " + date + " would be triggered";
  return outcome;
}

Result<TriggerOutcome> PipelineTriggers::PostRun(const pipeline::PipelineConfig& config,
                                                 const SensorRecord& sensor,
                                                 const SensorMatch& match) {
  TriggerOutcome outcome;
  outcome.kind = config.dry_run ? TriggerOutcome::Kind::kDryRun : TriggerOutcome::Kind::kPostRun;
  Json data = Json::parse(sensor.data, nullptr, /*allow_exceptions=*/false);
  const int64_t now = service_.runtime().clock().Now();
  StartedRun run{"", sensor.pipeline, std::string(config.schedule_id()), match.date};
  // The run the write is judged against: the live run, or the dry-run marker.
  auto existing = config.dry_run
                      ? DryRunMarker(config, run.date)
                      : service_.store().GetPipelineRun(run.pipeline, run.schedule, run.date);
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
        d["baseline"].contains(match.rule_key)) {
      previous = d["baseline"][match.rule_key];
    }
  }
  const pipeline::PostRunConfig& post = *config.post_run;
  DriftJudgement drift = JudgeDrift(post, sensor.key, previous, data);
  if (config.dry_run) {
    if (drift.drifted) {
      auto recorded = Record(pipeline::PipelineEvent{
          "DRY_RUN_DRIFT", run.pipeline, run.schedule, run.date,
          "dry run: " + post.drift_field + " drifted after the run would have been triggered",
          std::move(drift.detail)});
      if (!recorded.ok()) return Fail(recorded.error());
    }
    outcome.reason =
        std::string("dry run: post-run sensor ") + (drift.drifted ? "drifted" : "did not drift");
    return outcome;
  }
  if (existing.value()->status == PipelineRunStatus::kRunning) {
    if (drift.drifted) {
      auto recorded = Record(pipeline::PipelineEvent{
          "POST_RUN_DRIFT_INFLIGHT", run.pipeline, run.schedule, run.date,
          "post-run data drifted while the run is still going", std::move(drift.detail)});
      if (!recorded.ok()) return Fail(recorded.error());
    }
    outcome.reason = std::string("post-run sensor while the run is RUNNING") +
                     (drift.drifted ? ": drift recorded" : "");
    return outcome;
  }
  if (drift.drifted) {
    return DriftRerun(config, run, "DATA_DRIFT", post.drift_field + " drifted after the run",
                      std::move(drift.detail));
  }
  auto sensors = runner_.pipelines().Sensors(run.pipeline);
  if (!sensors.ok()) return Fail(sensors.error());
  auto rules = pipeline::EvaluateRules(pipeline::Combinator::kAll, post.rules,
                                       pipeline::SensorDataFor(*sensors, run.date), now);
  Json results = Json::array();
  for (const auto& r : rules.results) {
    results.push_back({{"key", r.key}, {"passed", r.passed}, {"reason", r.reason}});
  }
  auto recorded = Record(pipeline::PipelineEvent{
      rules.passed ? "POST_RUN_PASSED" : "POST_RUN_FAILED", run.pipeline, run.schedule, run.date,
      rules.passed ? "post-run rules passed" : "post-run rules failed",
      Json{{"sensorKey", sensor.key}, {"results", results}}});
  if (!recorded.ok()) return Fail(recorded.error());
  outcome.reason = std::string("post-run rules ") + (rules.passed ? "passed" : "failed");
  return outcome;
}

}  // namespace sluice::engine
