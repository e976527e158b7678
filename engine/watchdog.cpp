// Watchdog: see watchdog.h.
#include "engine/watchdog.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <utility>

#include "engine/pipeline_triggers.h"
#include "engine/store/store.h"
#include "handlers/pipeline/calendar.h"
#include "handlers/pipeline/civil_time.h"
#include "handlers/pipeline/config.h"

namespace sluice::engine {

namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int kInclusionDatesChecked = 3;

std::string Today(const pipeline::ScheduleConfig& schedule, int64_t now) {
  return pipeline::FormatDate(schedule.zone.ToCivil(now).date);
}

// When `schedule.time` falls on `day`, in the schedule's zone.
int64_t ExpectedAt(const pipeline::ScheduleConfig& schedule, const pipeline::CivilDate& day) {
  return schedule.zone.ToInstant(
      pipeline::CivilDateTime{day, schedule.time->hour.value_or(0), schedule.time->minute, 0});
}

// Whether the calendar excludes the execution date `date`.
bool Excluded(const pipeline::CalendarConfig& calendar, const std::string& date) {
  auto parsed = pipeline::ParseExecutionDate(date);
  return parsed.ok() && pipeline::IsExcluded(calendar, *parsed);
}

// Writes `run` unless a run of its (pipeline, schedule, date) was claimed since `expected_arn`
// was read; false when one was.
Result<bool> PutRunIfUnchanged(Store& store, PipelineRunRecord run,
                               std::optional<std::string> expected_arn) {
  const PipelineRunRecord key = run;
  WriteBatch batch;
  batch.ClaimPipelineRun(std::move(run), expected_arn);
  auto committed = store.Commit(batch);
  if (committed.ok()) return true;
  auto now = store.GetPipelineRun(key.pipeline, key.schedule, key.date);
  if (now.ok() && now.value() && now.value()->execution_arn != expected_arn) return false;
  return Fail(committed.error());
}

}  // namespace

Watchdog::Watchdog(Service& service, PipelineRunner& runner, Service::DoneCallback run_done)
    : service_(service), runner_(runner), run_done_(std::move(run_done)) {}

Result<std::vector<std::string>> Watchdog::Check(int64_t now_ns) {
  Found found;
  std::vector<std::pair<std::string, std::string>> failures;  // (check, message)
  std::vector<ConfigPtr> configs;
  auto pipelines = runner_.pipelines().List();
  if (!pipelines.ok()) failures.emplace_back("configs", pipelines.error());
  const std::vector<PipelineVersionRecord> none;
  for (const auto& version : pipelines.ok() ? pipelines.value() : none) {
    auto config = runner_.pipelines().Config(version.id);
    if (!config.ok()) {
      failures.emplace_back("configs", version.id + ": " + config.error());
    } else if (*config != nullptr && !(*config)->dry_run) {
      configs.push_back(*config);
    }
  }
  if (auto stale = StaleRuns(configs, now_ns, found); !stale.ok()) {
    failures.emplace_back("stale-runs", stale.error());
  }
  using PerPipeline = Status<> (Watchdog::*)(const pipeline::PipelineConfig&, int64_t, Found&);
  static constexpr std::pair<const char*, PerPipeline> kChecks[] = {
      {"missed-schedules", &Watchdog::MissedSchedule},
      {"missed-inclusion-schedules", &Watchdog::MissedInclusion},
      {"trigger-reconciliation", &Watchdog::Reconcile},
      {"trigger-deadlines", &Watchdog::TriggerDeadline},
      {"post-run-sensors", &Watchdog::PostRunSensors},
  };
  for (const auto& [name, check] : kChecks) {
    for (const ConfigPtr& config : configs) {
      auto checked = (this->*check)(*config, now_ns, found);
      if (!checked.ok()) failures.emplace_back(name, config->pipeline.id + ": " + checked.error());
    }
  }
  if (failures.empty()) {
    degraded_.clear();
    return found;
  }
  std::vector<std::string> names;
  Json errors = Json::array();
  std::string message;
  for (const auto& [name, error] : failures) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    errors.push_back(name + ": " + error);
    message += (message.empty() ? "" : "; ") + name + ": " + error;
  }
  if (names != degraded_) {
    std::string listed;
    for (const auto& name : names) listed += (listed.empty() ? "" : ", ") + name;
    auto recorded =
        Record(found, pipeline::PipelineEvent{
                          "WATCHDOG_DEGRADED", "", "", "", "watchdog checks failed: " + listed,
                          Json{{"checks", names}, {"errors", std::move(errors)}}});
    if (!recorded.ok()) message += "; recording WATCHDOG_DEGRADED: " + recorded.error();
    degraded_ = names;
  }
  return Fail("watchdog: " + message);
}

Result<bool> Watchdog::Recorded(const std::string& pipeline, const std::string& date,
                                const std::string& type) {
  PipelineEventFilter filter;
  filter.pipeline = pipeline;
  filter.type = type;
  auto events = runner_.pipelines().Events(filter);
  if (!events.ok()) return Fail(events.error());
  for (const auto& e : events.value()) {
    if (e.date == date) return true;
  }
  return false;
}

Result<bool> Watchdog::HasRunForDay(const std::string& pipeline, const std::string& schedule,
                                    const std::string& day) {
  for (int hour = -1; hour < 24; ++hour) {
    std::string date = day;
    if (hour >= 0) {
      char suffix[4];
      std::snprintf(suffix, sizeof suffix, "T%02d", hour);
      date += suffix;
    }
    auto run = service_.store().GetPipelineRun(pipeline, schedule, date);
    if (!run.ok()) return Fail(run.error());
    if (run.value()) return true;
  }
  return false;
}

Status<> Watchdog::Record(Found& found, pipeline::PipelineEvent event) {
  auto recorded = runner_.RecordEvent(event);
  if (!recorded.ok()) return recorded;
  found.push_back(event.type);
  return Ok{};
}

Status<> Watchdog::StaleRuns(const std::vector<ConfigPtr>& configs, int64_t now, Found& found) {
  auto runs = runner_.RunningRuns();
  if (!runs.ok()) return Fail(runs.error());
  for (const PipelineRunRecord& run : runs.value()) {
    // Strictly past; a run without an expiry never goes stale.
    if (!run.lock_expires_nanos || now <= *run.lock_expires_nanos) continue;
    // Only the pipelines checked (dry-run ones are not); a run whose config was never applied in
    // this database is checked too.
    auto config = runner_.pipelines().Config(run.pipeline);
    if (!config.ok()) return Fail(config.error());
    const bool checked =
        *config == nullptr || std::any_of(configs.begin(), configs.end(), [&](const ConfigPtr& c) {
          return c->pipeline.id == run.pipeline;
        });
    if (!checked) continue;
    PipelineRunRecord ended = run;
    ended.status = PipelineRunStatus::kFailedFinal;
    ended.ended_nanos = now;
    ended.lock_expires_nanos.reset();
    auto put = PutRunIfUnchanged(service_.store(), ended, run.execution_arn);
    if (!put.ok()) return Fail(put.error());
    if (!*put) continue;  // claimed again meanwhile
    const std::string arn = run.execution_arn.value_or("");
    const std::string expired = pipeline::FormatUtcSeconds(*run.lock_expires_nanos);
    auto recorded = Record(
        found,
        pipeline::PipelineEvent{"SFN_TIMEOUT", run.pipeline, run.schedule, run.date,
                                "the run was still RUNNING when its lock expired at " + expired,
                                Json{{"source", "watchdog"},
                                     {"ttlExpired", expired},
                                     {"executionArn", arn},
                                     {"actionHint",
                                      "the run is now FAILED_FINAL; look at its execution, then "
                                      "rerun it with `sluice pipeline rerun`"}}});
    if (!recorded.ok()) return recorded;
    if (service_.Running(arn) != nullptr) {
      auto stopped = service_.StopRunning(arn, "Sluice.RunLockExpired",
                                          "the pipeline run's lock expired at " + expired);
      if (!stopped.ok()) return stopped;
    }
  }
  return Ok{};
}

Status<> Watchdog::MissedSchedule(const pipeline::PipelineConfig& config, int64_t now,
                                  Found& found) {
  const pipeline::ScheduleConfig& schedule = config.schedule;
  if (!schedule.cron) return Ok{};
  const pipeline::CivilDateTime local = schedule.zone.ToCivil(now);
  if (pipeline::IsExcluded(schedule.calendar, local.date)) return Ok{};
  // The first cron time of today (local midnight onwards) must have passed.
  const int64_t midnight = schedule.zone.ToInstant(pipeline::CivilDateTime{local.date, 0, 0, 0});
  auto fire = schedule.cron->NextFireAfter(midnight - 1, schedule.zone);
  if (!fire || *fire > now) return Ok{};
  if (schedule.time && now < ExpectedAt(schedule, local.date)) return Ok{};
  const std::string date = pipeline::FormatDate(local.date);
  auto ran = HasRunForDay(config.pipeline.id, "cron", date);
  if (!ran.ok()) return Fail(ran.error());
  if (*ran) return Ok{};
  auto seen = Recorded(config.pipeline.id, date, "SCHEDULE_MISSED");
  if (!seen.ok()) return Fail(seen.error());
  if (*seen) return Ok{};
  Json detail{{"source", "watchdog"},
              {"cron", schedule.cron->text()},
              {"actionHint", "start it with `sluice pipeline run " + config.pipeline.id + "`"}};
  if (schedule.time) detail["expectedTime"] = pipeline::FormatClockTime(*schedule.time);
  return Record(found,
                pipeline::PipelineEvent{"SCHEDULE_MISSED", config.pipeline.id, "cron", date,
                                        "the cron time passed without a run", std::move(detail)});
}

Status<> Watchdog::MissedInclusion(const pipeline::PipelineConfig& config, int64_t now,
                                   Found& found) {
  const pipeline::ScheduleConfig& schedule = config.schedule;
  if (schedule.calendar.include_dates.empty()) return Ok{};
  const pipeline::CivilDate today = schedule.zone.ToCivil(now).date;
  std::vector<pipeline::CivilDate> due;
  for (const auto& day : schedule.calendar.include_dates) {
    if (day <= today) due.push_back(day);
  }
  std::sort(due.begin(), due.end(), std::greater<>());  // newest first
  if (due.size() > kInclusionDatesChecked) due.resize(kInclusionDatesChecked);
  const std::string schedule_id(config.schedule_id());
  for (const auto& day : due) {
    if (day == today && schedule.time && now < ExpectedAt(schedule, day)) continue;
    if (pipeline::IsExcluded(schedule.calendar, day)) continue;  // also excluded otherwise
    const std::string date = pipeline::FormatDate(day);
    auto ran = HasRunForDay(config.pipeline.id, schedule_id, date);
    if (!ran.ok()) return Fail(ran.error());
    if (*ran) continue;
    auto seen = Recorded(config.pipeline.id, date, "IRREGULAR_SCHEDULE_MISSED");
    if (!seen.ok()) return Fail(seen.error());
    if (*seen) continue;
    Json detail{{"source", "watchdog"},
                {"actionHint",
                 "the date is listed in schedule.include.dates; start it with "
                 "`sluice pipeline run " +
                     config.pipeline.id + " --date " + date + "`"}};
    if (schedule.time) detail["expectedTime"] = pipeline::FormatClockTime(*schedule.time);
    auto recorded = Record(
        found,
        pipeline::PipelineEvent{"IRREGULAR_SCHEDULE_MISSED", config.pipeline.id, schedule_id, date,
                                "an inclusion date passed without a run", std::move(detail)});
    if (!recorded.ok()) return recorded;
  }
  return Ok{};
}

Status<> Watchdog::Reconcile(const pipeline::PipelineConfig& config, int64_t now, Found& found) {
  if (config.schedule.cron || !config.schedule.trigger) return Ok{};
  auto sensors = service_.store().ListSensors(config.pipeline.id);
  if (!sensors.ok()) return Fail(sensors.error());
  const std::string schedule_id(config.schedule_id());
  for (const SensorRecord& sensor : sensors.value()) {
    if (now - sensor.written_nanos > kReconcileLookbackSeconds * kNanosPerSecond) continue;
    const SensorMatch match = MatchSensor(config, sensor, now);
    if (match.kind != SensorMatch::Kind::kTrigger) continue;
    if (Excluded(config.schedule.calendar, match.date)) continue;
    auto run = service_.store().GetPipelineRun(config.pipeline.id, schedule_id, match.date);
    if (!run.ok()) return Fail(run.error());
    if (run.value()) continue;
    PipelineRunRequest request;
    request.pipeline = config.pipeline.id;
    request.date = match.date;
    auto started = runner_.StartRun(request, run_done_);
    if (!started.ok()) return Fail(started.error());
    auto recorded = Record(
        found, pipeline::PipelineEvent{
                   "TRIGGER_RECOVERED", config.pipeline.id, schedule_id, match.date,
                   "sensor '" + sensor.key + "' satisfies the trigger but started no run: started",
                   Json{{"source", "reconciliation"},
                        {"sensorKey", sensor.key},
                        {"executionArn", started->execution_arn},
                        {"actionHint",
                         "the trigger write was missed (no daemon was running, or "
                         "it failed); the run has been started"}}});
    if (!recorded.ok()) return recorded;
  }
  return Ok{};
}

Status<> Watchdog::TriggerDeadline(const pipeline::PipelineConfig& config, int64_t now,
                                   Found& found) {
  const pipeline::ScheduleConfig& schedule = config.schedule;
  if (!schedule.trigger || !schedule.trigger->deadline) return Ok{};
  const pipeline::ClockTime& deadline = *schedule.trigger->deadline;
  pipeline::CivilDateTime local = schedule.zone.ToCivil(now);
  pipeline::ExecutionDate date{local.date, std::nullopt};
  int64_t due = 0;
  if (deadline.hour) {
    due = schedule.zone.ToInstant(
        pipeline::CivilDateTime{local.date, *deadline.hour, deadline.minute, 0});
  } else {
    // ":MM": the run of the previous hour closes at MM past this hour.
    const pipeline::CivilDateTime previous = schedule.zone.ToCivil(now - 3600 * kNanosPerSecond);
    date = pipeline::ExecutionDate{previous.date, previous.hour};
    due = schedule.zone.ToInstant(
        pipeline::CivilDateTime{local.date, local.hour, deadline.minute, 0});
  }
  if (now < due) return Ok{};
  if (pipeline::IsExcluded(schedule.calendar, date)) return Ok{};
  const std::string text = pipeline::FormatExecutionDate(date);
  const std::string schedule_id(config.schedule_id());
  auto run = service_.store().GetPipelineRun(config.pipeline.id, schedule_id, text);
  if (!run.ok()) return Fail(run.error());
  if (run.value()) return Ok{};
  PipelineRunRecord closed;
  closed.pipeline = config.pipeline.id;
  closed.schedule = schedule_id;
  closed.date = text;
  closed.status = PipelineRunStatus::kFailedFinal;
  closed.started_nanos = now;
  closed.ended_nanos = now;
  auto put = PutRunIfUnchanged(service_.store(), std::move(closed), std::nullopt);  // if absent
  if (!put.ok()) return Fail(put.error());
  if (!*put) return Ok{};  // a trigger claimed it meanwhile
  return Record(
      found, pipeline::PipelineEvent{"SENSOR_DEADLINE_EXPIRED", config.pipeline.id, schedule_id,
                                     text, "the trigger deadline passed without a sensor trigger",
                                     Json{{"source", "watchdog"},
                                          {"triggerDeadline", pipeline::FormatClockTime(deadline)},
                                          {"actionHint",
                                           "the auto-trigger window closed; run it with "
                                           "`sluice pipeline run --force`"}}});
}

Status<> Watchdog::PostRunSensors(const pipeline::PipelineConfig& config, int64_t now,
                                  Found& found) {
  if (!config.post_run || config.post_run->rules.empty()) return Ok{};
  const std::string date = Today(config.schedule, now);
  const std::string schedule_id(config.schedule_id());
  auto run = service_.store().GetPipelineRun(config.pipeline.id, schedule_id, date);
  if (!run.ok()) return Fail(run.error());
  if (!run.value() || run.value()->status != PipelineRunStatus::kCompleted) return Ok{};
  PipelineEventFilter filter;
  filter.pipeline = config.pipeline.id;
  filter.type = "POST_RUN_BASELINE_CAPTURED";
  auto baselines = runner_.pipelines().Events(filter);
  if (!baselines.ok()) return Fail(baselines.error());
  int64_t since = -1;
  for (const auto& e : baselines.value()) {
    if (e.date == date) since = e.time_nanos;
  }
  if (since < 0 || now < since + config.post_run->sensor_timeout_seconds * kNanosPerSecond) {
    return Ok{};
  }
  std::string keys;
  for (const auto& rule : config.post_run->rules) {
    auto sensor = service_.store().GetSensor(config.pipeline.id, rule.key);
    if (!sensor.ok()) return Fail(sensor.error());
    if (sensor.value() && sensor.value()->written_nanos > since) return Ok{};  // arrived
    keys += (keys.empty() ? "" : ",") + rule.key;
  }
  auto seen = Recorded(config.pipeline.id, date, "POST_RUN_SENSOR_MISSING");
  if (!seen.ok()) return Fail(seen.error());
  if (*seen) return Ok{};
  return Record(found, pipeline::PipelineEvent{
                           "POST_RUN_SENSOR_MISSING", config.pipeline.id, schedule_id, date,
                           "no post-run sensor arrived within postRun.sensorTimeout",
                           Json{{"source", "watchdog"},
                                {"sensorTimeout", config.post_run->sensor_timeout_seconds},
                                {"ruleKeys", keys},
                                {"actionHint", "check the post-run producers"}}});
}

}  // namespace sluice::engine
