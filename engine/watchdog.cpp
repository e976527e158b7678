// Watchdog: see watchdog.h.
#include "engine/watchdog.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "engine/store/store.h"
#include "handlers/pipeline/calendar.h"
#include "handlers/pipeline/civil_time.h"
#include "handlers/pipeline/config.h"

namespace sluice::engine {

namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

std::string Today(const pipeline::ScheduleConfig& schedule, int64_t now) {
  return pipeline::FormatDate(schedule.zone.ToCivil(now).date);
}

}  // namespace

Watchdog::Watchdog(Service& service, PipelineRunner& runner) : service_(service), runner_(runner) {}

Result<std::vector<std::string>> Watchdog::Check(int64_t now_ns) {
  std::vector<std::string> found;
  auto pipelines = runner_.pipelines().List();
  if (!pipelines.ok()) return Fail(pipelines.error());
  std::optional<std::string> first_error;
  for (const auto& version : pipelines.value()) {
    auto config = runner_.pipelines().Config(version.id);
    if (!config.ok() || *config == nullptr) {
      if (!config.ok() && !first_error) first_error = config.error();
      continue;
    }
    if ((*config)->dry_run) continue;
    for (auto check :
         {&Watchdog::MissedSchedule, &Watchdog::TriggerDeadline, &Watchdog::PostRunSensors}) {
      auto checked = (this->*check)(**config, now_ns, found);
      if (!checked.ok() && !first_error) first_error = version.id + ": " + checked.error();
    }
  }
  if (first_error) return Fail(*first_error);
  return found;
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

Status<> Watchdog::Record(std::vector<std::string>& found, pipeline::PipelineEvent event) {
  auto recorded = runner_.pipelines().AppendEvent(event);
  if (!recorded.ok()) return recorded;
  found.push_back(event.type);
  return Ok{};
}

Status<> Watchdog::MissedSchedule(const pipeline::PipelineConfig& config, int64_t now,
                                  std::vector<std::string>& found) {
  const pipeline::ScheduleConfig& schedule = config.schedule;
  if (!schedule.cron) return Ok{};
  const pipeline::CivilDateTime local = schedule.zone.ToCivil(now);
  if (pipeline::IsExcluded(schedule.calendar, local.date)) return Ok{};
  // The first cron time of today (local midnight onwards) must have passed.
  const int64_t midnight = schedule.zone.ToInstant(pipeline::CivilDateTime{local.date, 0, 0, 0});
  auto fire = schedule.cron->NextFireAfter(midnight - 1, schedule.zone);
  if (!fire || *fire > now) return Ok{};
  if (schedule.time) {
    const int hour = schedule.time->hour.value_or(0);
    const int64_t expected = schedule.zone.ToInstant(
        pipeline::CivilDateTime{local.date, hour, schedule.time->minute, 0});
    if (now < expected) return Ok{};
  }
  const std::string date = pipeline::FormatDate(local.date);
  auto run = service_.store().GetPipelineRun(config.pipeline.id, "cron", date);
  if (!run.ok()) return Fail(run.error());
  if (run.value()) return Ok{};
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

Status<> Watchdog::TriggerDeadline(const pipeline::PipelineConfig& config, int64_t now,
                                   std::vector<std::string>& found) {
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
  PipelineRunRecord closed{config.pipeline.id, schedule_id, text, std::nullopt,
                           PipelineRunStatus::kFailedFinal};
  closed.started_nanos = now;
  closed.ended_nanos = now;
  WriteBatch batch;
  batch.PutPipelineRun(closed);
  auto committed = service_.store().Commit(batch);
  if (!committed.ok()) return committed;
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
                                  std::vector<std::string>& found) {
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
