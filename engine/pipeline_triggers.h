// PipelineTriggers: what starts pipeline runs in `sluice serve` without anyone asking — a sensor
// write that satisfies a pipeline's `schedule.trigger`, and data that arrives after a run has
// succeeded (late data). docs/server.md, "Pipelines in the daemon", describes it for users.
//
// A sensor write (pipeline P, key K, data D) starts P's lifecycle when:
//   1. P has an applied config with `schedule.trigger`, and K starts with the trigger's key (so
//      `hourly-status#2026-03-03T07` matches the key `hourly-status`);
//   2. the trigger's rule holds on D alone (the rule's check, field and value);
//   3. the run (P, schedule, date) has not been claimed. The execution date is D's `date`
//      (`YYYY-MM-DD` or `YYYYMMDD`), with D's `hour` (`00`–`23`) appended as `THH`; without a
//      valid date, today in the schedule's time zone. The claim is PipelineRunner::StartRun's: at
//      most one run per (pipeline, schedule, date). Calendars are applied by the lifecycle's
//      evaluate step (an excluded date ends in PIPELINE_EXCLUDED).
// When the run was already claimed and has COMPLETED, the write is late data: LATE_DATA is
// recorded and the run starts again (a rerun) while the pipeline's `job.maxDriftReruns` budget
// for that date lasts (LATE_DATA's detail says which: {"rerun": true, "attempt": n, "budget": m}
// or {"rerun": false, …}). A run still RUNNING, or FAILED_FINAL, ignores the write.
//
// Post-run (a config with `postRun.rules`): when a run COMPLETES, the data of the sensors its
// post-run rules name is kept as the baseline (event POST_RUN_BASELINE_CAPTURED, detail
// {"baseline": {key: data}}). A later write whose key starts with a post-run rule's key (and not
// the trigger's) is judged against the run of its date: absent or FAILED_FINAL → ignored;
// RUNNING → POST_RUN_DRIFT_INFLIGHT when it drifted; COMPLETED → DATA_DRIFT and a rerun within
// job.maxDriftReruns (shared with late data) when it drifted, else the post-run rules are
// evaluated (ALL) over every sensor → POST_RUN_PASSED or POST_RUN_FAILED. Drift: the
// `postRun.driftField` of the baseline and of the new data are both numbers (or numeric
// strings) and differ by more than `driftThreshold`.
//
// Cron: a pipeline with `schedule.cron` starts its run (its evaluation window) at each cron time
// in `schedule.timezone`, for that day's execution date; the same claim keeps it to one run per
// date, so a sensor trigger and the cron time never start two. FireCron(after, now) starts the
// runs of every cron time in (after, now]; `sluice serve` calls it every few seconds of real time
// from the time it started (cron times that passed while no daemon ran are not made up).
//
// Thread rule: the service's loop thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asl/json.h"
#include "asl/result.h"
#include "engine/pipeline_runner.h"

namespace sluice::engine {

struct SensorRecord;

struct TriggerOutcome {
  enum class Kind {
    kIgnored,   // no trigger, another key, or the rule does not hold
    kStarted,   // a new run started
    kRerun,     // late data: the run started again
    kLateData,  // late data past its rerun budget: recorded only
    kRunning,   // the run is already RUNNING (or FAILED_FINAL): nothing to do
    kPostRun,   // a post-run sensor: judged (POST_RUN_* / DATA_DRIFT events)
  };
  Kind kind = Kind::kIgnored;
  std::string reason;  // one sentence for logs and for the HTTP answer
  std::optional<StartedRun> run;
};

const char* TriggerOutcomeName(TriggerOutcome::Kind kind);  // "ignored", "started", …

class PipelineTriggers {
 public:
  // `service` and `runner` (running on it) must outlive this.
  PipelineTriggers(Service& service, PipelineRunner& runner);

  // The callback for the end of any execution (pass it to Service::Recover too): a lifecycle's
  // end is recorded in its run (PipelineRunner::Finish), then OnRunEnded judges it. Errors are
  // logged (spdlog): an execution's end cannot fail.
  Service::DoneCallback Done();

  // Judges a sensor write (already committed) and starts the run it calls for.
  Result<TriggerOutcome> OnSensorWritten(const SensorRecord& sensor);

  // After a lifecycle run ended FAILED_FINAL because its job failed (or outlived its poll
  // window): starts the run again while `job.maxRetries` lasts for that date, recording
  // RERUN_ACCEPTED {"reason": "job-fail-retry", "attempt", "budget"}; past the budget records
  // RETRY_EXHAUSTED. Other ends start nothing. The rerun is a new lifecycle execution that
  // triggers and polls its own job. Returns the rerun when one started.
  Result<std::optional<StartedRun>> OnRunEnded(const Executor& execution, const RunEnd& end);

  // `sluice pipeline rerun`: starts an ended run again for `reason` within its budget —
  // "late-data" and "data-drift" share job.maxDriftReruns with the daemon's late-data and drift
  // reruns; any other reason (default "manual") has job.maxManualReruns of its own. Records
  // RERUN_ACCEPTED {reason, attempt, budget} or RERUN_REJECTED {reason, reruns, budget} (then
  // fails with "RERUN_REJECTED: …"). `done` is passed to the run.
  Result<StartedRun> RequestRerun(const PipelineRunRequest& request, const std::string& reason,
                                  Service::DoneCallback done);

  // Starts the run of every applied cron pipeline with a cron time in (after_ns, now_ns]; returns
  // what started (a run already claimed is skipped, not an error).
  Result<std::vector<StartedRun>> FireCron(int64_t after_ns, int64_t now_ns);

 private:
  // Events of `type` for the pipeline's date whose detail has "reason": `reason`.
  Result<int> CountEvents(const std::string& pipeline, const std::string& date,
                          const std::string& type, const std::string& reason);
  Result<TriggerOutcome> PostRun(const pipeline::PipelineConfig& config, const SensorRecord& sensor,
                                 const std::string& rule_key);
  Status<> CaptureBaseline(const pipeline::PipelineConfig& config, const std::string& schedule,
                           const std::string& date);
  // Reruns a COMPLETED run within maxDriftReruns (shared by LATE_DATA and DATA_DRIFT), recording
  // `event` with {"rerun", "attempt", "budget"} added to `detail`.
  Result<TriggerOutcome> DriftRerun(const pipeline::PipelineConfig& config, const StartedRun& run,
                                    const std::string& event, const std::string& message,
                                    Json detail);
  Result<TriggerOutcome> LateData(const pipeline::PipelineConfig& config, StartedRun run);

  Service& service_;
  PipelineRunner& runner_;
  Service::DoneCallback done_;  // Done(), given to every run started here
};

// The execution date a sensor's data names ("YYYY-MM-DD" or "YYYY-MM-DDTHH"), or "" when it
// names none (Interlock's resolution: `date` dashed or not, optional two-digit `hour`).
std::string ExecutionDateOf(const Json& sensor_data);

}  // namespace sluice::engine
