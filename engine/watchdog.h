// Watchdog: notices what did not happen, for `sluice serve` (Interlock's watchdog, section 6 of
// the reference; docs/server.md, "Watchdog"). Check(now) runs every check, in this order, over
// every applied pipeline except dry-run ones, and records an event for each finding. "Today" is
// `now`'s date in the pipeline's schedule.timezone (Interlock used UTC). Findings are recorded
// once per pipeline and date (Interlock repeats SCHEDULE_MISSED every tick):
//
//   stale-runs         a run RUNNING (its lifecycle execution recorded RUNNING) whose lock
//                      (PipelineRunner's RunLockExpiry) is strictly past → the run is recorded
//                      FAILED_FINAL and SFN_TIMEOUT {source, actionHint, ttlExpired}; when this
//                      process runs the execution it is stopped (ABORTED, error
//                      "Sluice.RunLockExpired"). A run without a lock expiry is never stale.
//   missed-schedules   a cron pipeline whose first cron time today (in its zone, after
//                      `schedule.time` when set) has passed with no run for today (daily or any
//                      hour of it), and the date is not excluded by the calendar →
//                      SCHEDULE_MISSED {source, cron, actionHint, expectedTime?}. Unlike
//                      Interlock this also reports cron times that passed while no daemon ran
//                      (the daemon starts runs at cron times itself while it runs).
//   missed-inclusion-schedules
//                      `schedule.include.dates`: of the listed dates up to today, the newest 3;
//                      today's only once `schedule.time` (when set) has passed; a date with no
//                      run (daily or any hour) that the calendar does not exclude otherwise →
//                      IRREGULAR_SCHEDULE_MISSED {source, actionHint, expectedTime?}.
//   trigger-reconciliation
//                      a sensor-triggered (non-cron) pipeline: every sensor written in the last
//                      kReconcileLookbackSeconds that satisfies the trigger (MatchSensor) and
//                      whose execution date has no run and is not excluded → the run is started
//                      and TRIGGER_RECOVERED {source: "reconciliation", actionHint, sensorKey,
//                      executionArn}. A sensor without a date names the day it was written (not
//                      today: Interlock re-triggered a dateless sensor every day).
//   trigger-deadlines  `schedule.trigger.deadline` ("HH:MM" today, ":MM" the hour after the
//                      previous hour) has passed with no run for the date → the run is recorded
//                      FAILED_FINAL (later sensor writes cannot start it) and
//                      SENSOR_DEADLINE_EXPIRED {source, triggerDeadline, actionHint}.
//   post-run-sensors   a run of today COMPLETED with a post-run baseline, `postRun.sensorTimeout`
//                      has passed since the baseline, and no post-run rule's sensor was written
//                      since → POST_RUN_SENSOR_MISSING {source, sensorTimeout, ruleKeys,
//                      actionHint}.
//
// Once-only findings are deduplicated through the events table itself (an event of the type for
// the pipeline and date), so the deduplication survives restarts.
//
// A failing check does not stop the others. When some fail, Check records WATCHDOG_DEGRADED
// (pipeline "", detail {checks: [names], errors: [messages]}) — once while the same checks keep
// failing — and returns an error listing them after running every check.
//
// Thread rule: the service's loop thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "asl/result.h"
#include "engine/pipeline_runner.h"

namespace sluice::engine {

// How far back trigger-reconciliation looks for sensor writes that started no run.
inline constexpr int64_t kReconcileLookbackSeconds = 24 * 3600;

class Watchdog {
 public:
  // `service` and `runner` must outlive the watchdog. `run_done` is given to the runs
  // trigger-reconciliation starts: in the daemon, PipelineTriggers::Done().
  Watchdog(Service& service, PipelineRunner& runner, Service::DoneCallback run_done = nullptr);

  // Runs every check at `now_ns`; returns the types of the events it recorded, in order.
  Result<std::vector<std::string>> Check(int64_t now_ns);

 private:
  using Found = std::vector<std::string>;
  using ConfigPtr = std::shared_ptr<const pipeline::PipelineConfig>;

  Status<> StaleRuns(const std::vector<ConfigPtr>& configs, int64_t now, Found& found);
  Status<> MissedSchedule(const pipeline::PipelineConfig& config, int64_t now, Found& found);
  Status<> MissedInclusion(const pipeline::PipelineConfig& config, int64_t now, Found& found);
  Status<> Reconcile(const pipeline::PipelineConfig& config, int64_t now, Found& found);
  Status<> TriggerDeadline(const pipeline::PipelineConfig& config, int64_t now, Found& found);
  Status<> PostRunSensors(const pipeline::PipelineConfig& config, int64_t now, Found& found);
  // Whether an event of `type` is already recorded for (pipeline, date).
  Result<bool> Recorded(const std::string& pipeline, const std::string& date,
                        const std::string& type);
  // Whether (pipeline, schedule) has a run of `day` ("YYYY-MM-DD") or of any hour of it.
  Result<bool> HasRunForDay(const std::string& pipeline, const std::string& schedule,
                            const std::string& day);
  Status<> Record(Found& found, pipeline::PipelineEvent event);

  Service& service_;
  PipelineRunner& runner_;
  Service::DoneCallback run_done_;
  std::vector<std::string> degraded_;  // the checks that failed last time (WATCHDOG_DEGRADED)
};

}  // namespace sluice::engine
