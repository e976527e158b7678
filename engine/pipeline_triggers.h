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
//      valid date, the write's day in the schedule's time zone (DefaultRunDate: its hour too for
//      an hourly SLA deadline). The claim is PipelineRunner::StartRun's: at
//      most one run per (pipeline, schedule, date). Calendars are applied by the lifecycle's
//      evaluate step (an excluded date ends in PIPELINE_EXCLUDED).
// When the run was already claimed and has COMPLETED, the write is late data: LATE_DATA is
// recorded and the run starts again (a rerun) while the pipeline's `job.maxDriftReruns` budget
// for that date lasts (LATE_DATA's detail says which: {"rerun": true, "attempt": n, "budget": m}
// or {"rerun": false, …}). A run still RUNNING, or FAILED_FINAL, ignores the write, and so does
// a run claimed after the write was made (it saw the data).
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
// Dry run (`dryRun: true`, Interlock 11.2): a sensor write never starts an execution. The same
// checks decide (MatchSensor, the calendar, the validation rules, the drift and the rerun
// budget); only the outcome differs, as DRY_RUN_* events:
//   - a trigger write for a date whose execution date the calendar excludes → PIPELINE_EXCLUDED
//     {source: "dry-run"}; when the date's dry-run marker exists → DRY_RUN_LATE_DATA
//     {triggeredAt, lateBy}; else the validation rules are evaluated over every sensor: failing
//     → nothing; passing → the marker is put (put-if-absent: a process that loses the race
//     records nothing), the post-run baseline captured (POST_RUN_BASELINE_CAPTURED), then
//     DRY_RUN_WOULD_TRIGGER, DRY_RUN_SLA_PROJECTION (with sla.expectedDuration) and
//     DRY_RUN_COMPLETED (pipeline::DryRunTriggerEvents, the lifecycle's own dry-run events).
//     The marker is a pipeline_runs row under the schedule DryRunMarkerSchedule("stream") =
//     "dry-run#stream", status COMPLETED, execution "dry-run", started = triggeredAt: the run
//     table's atomic claim gives put-if-absent across processes, and the marker never collides
//     with a live run of the same date.
//   - a post-run write with a marker and a baseline that drifted → DRY_RUN_DRIFT
//     {previousCount, currentCount, delta, driftThreshold, driftField, sensorKey}; else nothing.
//   - RequestRerun → DRY_RUN_WOULD_RERUN {reason, rerunCount, budget} or DRY_RUN_RERUN_REJECTED
//     {reason: "excluded by calendar" | "limit exceeded", rerunReason, rerunCount, budget}; it
//     then fails (nothing starts) with a message beginning with the event's type.
//
// Sensor writes by other processes (`sluice sensor put`, or anything else writing the same
// database file): PollExternalSensorWrites() finds the sensors written since its previous call
// that this object has not judged (OnSensorWritten remembers every write it judges, so the
// daemon's own HTTP writes are not judged twice) and judges each like an HTTP write. It
// compares each sensor's `written` stamp with the one it last saw: one ListSensors scan per
// call (the store has no cheaper change query yet), no JSON parsing for unchanged rows. Two
// writes of one key between polls are judged once, with the newer data (a sensor is replaced
// by each write). The first call only takes note of the sensors that exist; writes the daemon
// missed before it are the watchdog's reconciliation's (engine/watchdog.h).
//
// Thread rule: the service's loop thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "asl/json.h"
#include "asl/result.h"
#include "engine/pipeline_runner.h"

namespace sluice::engine {

struct TriggerOutcome {
  enum class Kind {
    kIgnored,   // no trigger, another key, or the rule does not hold
    kStarted,   // a new run started
    kRerun,     // late data: the run started again
    kLateData,  // late data past its rerun budget: recorded only
    kRunning,   // the run is already RUNNING (or FAILED_FINAL): nothing to do
    kPostRun,   // a post-run sensor: judged (POST_RUN_* / DATA_DRIFT events)
    kDryRun,    // a dry-run pipeline: observed (DRY_RUN_* events, or nothing)
  };
  Kind kind = Kind::kIgnored;
  std::string reason;  // one sentence for logs and for the HTTP answer
  std::optional<StartedRun> run;
};

const char* TriggerOutcomeName(TriggerOutcome::Kind kind);  // "ignored", "started", …

// What a sensor write is to its pipeline's config (the first check of every path: live, dry
// run, the poll and the watchdog's reconciliation).
struct SensorMatch {
  enum class Kind {
    kNone,     // no trigger, another key, or the trigger's rule does not hold
    kTrigger,  // the trigger's key, and its rule holds on the sensor's data
    kPostRun,  // a post-run rule's key (and not the trigger's)
  };
  Kind kind = Kind::kNone;
  std::string reason;    // why not (kNone)
  std::string date;      // the execution date (kTrigger, kPostRun)
  std::string rule_key;  // the post-run rule's key (kPostRun)
};

// The execution date of a trigger write is ExecutionDateOf(data), else DefaultRunDate at the
// write's time; of a post-run write, ExecutionDateOf(data), else the write's day.
SensorMatch MatchSensor(const pipeline::PipelineConfig& config, const SensorRecord& sensor,
                        int64_t now_ns);

// The pipeline_runs schedule of the dry-run markers of `schedule` ("dry-run#stream").
std::string DryRunMarkerSchedule(std::string_view schedule);

// A sensor write found by PollExternalSensorWrites, and what judging it did.
struct ExternalSensorWrite {
  SensorRecord sensor;
  std::optional<TriggerOutcome> outcome;  // empty when judging failed
  std::string error;                      // why it failed
};

class PipelineTriggers {
 public:
  // `service` and `runner` (running on it) must outlive this.
  PipelineTriggers(Service& service, PipelineRunner& runner);

  // The callback for the end of any execution (pass it to Service::Recover too): a lifecycle's
  // end is recorded in its run (PipelineRunner::Finish), then OnRunEnded judges it. Errors are
  // logged (spdlog): an execution's end cannot fail.
  Service::DoneCallback Done();

  // Judges a sensor write (already committed) and starts the run it calls for (a dry-run
  // pipeline: records what it would do).
  Result<TriggerOutcome> OnSensorWritten(const SensorRecord& sensor);

  // Judges every sensor written since the previous call that OnSensorWritten has not judged
  // (written by another process), oldest write first. Fails only when the sensors cannot be
  // read; a write whose judging fails is returned with its error. `sluice serve` calls it every
  // second.
  Result<std::vector<ExternalSensorWrite>> PollExternalSensorWrites();

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
  // fails with "RERUN_REJECTED: …"). An execution date the calendar excludes is refused first:
  // PIPELINE_EXCLUDED {source: "rerun"}, then fails with "PIPELINE_EXCLUDED: …". A dry-run
  // pipeline records DRY_RUN_WOULD_RERUN / DRY_RUN_RERUN_REJECTED instead and always fails
  // (nothing starts). `done` is passed to the run.
  Result<StartedRun> RequestRerun(const PipelineRunRequest& request, const std::string& reason,
                                  Service::DoneCallback done);

  // Starts the run of every applied cron pipeline with a cron time in (after_ns, now_ns]; returns
  // what started (a run already claimed is skipped, not an error).
  Result<std::vector<StartedRun>> FireCron(int64_t after_ns, int64_t now_ns);

 private:
  // A rerun's budget for (pipeline, date, reason), and the reruns that count against it.
  struct RerunBudget {
    int reruns = 0;
    int budget = 0;
  };
  // Events of `type` for the pipeline's date whose detail has "reason": `reason`.
  Result<int> CountEvents(const std::string& pipeline, const std::string& date,
                          const std::string& type, const std::string& reason);
  // "late-data" and "data-drift" (the daemon's LATE_DATA / DATA_DRIFT reruns and requested ones)
  // share job.maxDriftReruns; any other reason has job.maxManualReruns. A dry-run pipeline's
  // DRY_RUN_WOULD_RERUN events count as reruns too.
  Result<RerunBudget> Budget(const pipeline::PipelineConfig& config, const std::string& date,
                             const std::string& reason);
  Result<TriggerOutcome> Trigger(const pipeline::PipelineConfig& config, const SensorRecord& sensor,
                                 const std::string& date);
  Result<TriggerOutcome> DryRunTrigger(const pipeline::PipelineConfig& config,
                                       const SensorRecord& sensor, const std::string& date);
  Result<TriggerOutcome> PostRun(const pipeline::PipelineConfig& config, const SensorRecord& sensor,
                                 const SensorMatch& match);
  Status<> CaptureBaseline(const pipeline::PipelineConfig& config, const std::string& schedule,
                           const std::string& date);
  // Reruns a COMPLETED run within maxDriftReruns (shared by LATE_DATA and DATA_DRIFT), recording
  // `event` with {"rerun", "attempt", "budget"} added to `detail`.
  Result<TriggerOutcome> DriftRerun(const pipeline::PipelineConfig& config, const StartedRun& run,
                                    const std::string& event, const std::string& message,
                                    Json detail);
  // A trigger write for a run already claimed: a write older than the run's claim is not late.
  Result<TriggerOutcome> LateData(const pipeline::PipelineConfig& config, StartedRun run,
                                  int64_t written_ns);
  // The dry-run marker of (config's pipeline, date), if put.
  Result<std::optional<PipelineRunRecord>> DryRunMarker(const pipeline::PipelineConfig& config,
                                                        const std::string& date);
  // Puts the marker unless it exists; false when it existed (another process put it).
  Result<bool> PutDryRunMarker(const pipeline::PipelineConfig& config, const std::string& date,
                               int64_t now);
  Status<> Record(pipeline::PipelineEvent event);

  Service& service_;
  PipelineRunner& runner_;
  Service::DoneCallback done_;  // Done(), given to every run started here
  // PollExternalSensorWrites: the `written` stamp last seen of each (pipeline, key).
  std::map<std::pair<std::string, std::string>, int64_t> seen_;
  bool seeded_ = false;
};

// The execution date a sensor's data names ("YYYY-MM-DD" or "YYYY-MM-DDTHH"), or "" when it
// names none (Interlock's resolution: `date` dashed or not, optional two-digit `hour`).
std::string ExecutionDateOf(const Json& sensor_data);

}  // namespace sluice::engine
