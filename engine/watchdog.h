// Watchdog: notices what did not happen, for `sluice serve` (Interlock's watchdog, section 6 of
// the reference; docs/server.md, "Watchdog"). Check(now) runs every check over every applied
// pipeline (dry-run ones excepted) and records an event for each finding, once per pipeline and
// date (Interlock repeats SCHEDULE_MISSED every tick; Sluice records it once):
//
//   missed-schedules   a cron pipeline whose cron time today (in its zone, after
//                      `schedule.time` when set) has passed with no run for today, and the date
//                      is not excluded by the calendar → SCHEDULE_MISSED {cron, expectedTime}.
//                      Unlike Interlock this also reports cron times that passed while no daemon
//                      ran (the daemon starts runs at cron times itself while it runs).
//   trigger-deadlines  `schedule.trigger.deadline` ("HH:MM" today, ":MM" the hour after the
//                      previous hour) has passed with no run for the date → the run is recorded
//                      FAILED_FINAL (later sensor writes cannot start it) and
//                      SENSOR_DEADLINE_EXPIRED {triggerDeadline}.
//   post-run-sensors   a run of today COMPLETED with a post-run baseline, `postRun.sensorTimeout`
//                      has passed since, and no post-run rule's sensor was written since the
//                      baseline → POST_RUN_SENSOR_MISSING {sensorTimeout, ruleKeys}.
//
// A failing check does not stop the others; Check returns the first error after running all.
//
// Thread rule: the service's loop thread.
#pragma once

#include <cstdint>
#include <vector>

#include "asl/result.h"
#include "engine/pipeline_runner.h"

namespace sluice::engine {

class Watchdog {
 public:
  // `service` and `runner` must outlive the watchdog.
  Watchdog(Service& service, PipelineRunner& runner);

  // Runs every check at `now_ns`; returns the types of the events it recorded, in order.
  Result<std::vector<std::string>> Check(int64_t now_ns);

 private:
  Status<> MissedSchedule(const pipeline::PipelineConfig& config, int64_t now,
                          std::vector<std::string>& found);
  Status<> TriggerDeadline(const pipeline::PipelineConfig& config, int64_t now,
                           std::vector<std::string>& found);
  Status<> PostRunSensors(const pipeline::PipelineConfig& config, int64_t now,
                          std::vector<std::string>& found);
  // Whether an event of `type` is already recorded for (pipeline, date).
  Result<bool> Recorded(const std::string& pipeline, const std::string& date,
                        const std::string& type);
  Status<> Record(std::vector<std::string>& found, pipeline::PipelineEvent event);

  Service& service_;
  PipelineRunner& runner_;
};

}  // namespace sluice::engine
