// PipelineRunner: the pipeline safety controller inside a Service — what `sluice pipeline run`
// and `sluice resume` use to run the shipped lifecycle (statemachines/pipeline-lifecycle.asl.json)
// as a durable execution.
//
//   Service::Open ──► PipelineRunner(service) ──► StartRun(…) / Service::Recover ──► Service::Run
//                                                       └─ done: Finish(execution)
//
// Construction installs one LifecycleHandler (handlers/pipeline/lifecycle_handler.h) as the
// service's built-in handler; every execution started here carries HandlerConfig::builtins in
// its stored options, so recovery in a later process (with a runner of its own) rebuilds its
// handlers. The handler's environment:
//   - PipelineData: the engine's Pipelines over the service's store and clock, plus the durable
//     run status of pipeline_runs (RunEnded / EndRun).
//   - Jobs: MakeJobs on the service's loop; under a virtual clock a command job's check waits up
//     to kVirtualSettleMs real milliseconds for the process; step-function jobs start and poll
//     executions of this service (a shipped machine's name, a definition file, or a state machine
//     stored in the database, by name).
//   - SLA alerts: durable companion executions of the shipped sla-alert machine in the same
//     service. schedule_alert stops any companion still RUNNING for the same (pipeline, schedule,
//     date, kind) before starting the new one; cancel_alerts stops every one of the run. Both
//     find companions in the database, so they work on companions recovered from an earlier
//     process too.
//
// Runs. StartRun claims the run (pipeline, schedule, date) in pipeline_runs — refused while it
// is RUNNING with a live execution, and when it has ended unless `force` — and starts the
// lifecycle with input {pipelineId, scheduleId, date}. The terminal lifecycle handlers record
// the run's end; Finish() records it from the execution's end as well, so a lifecycle that fails
// outside its handlers (e.g. a definition override that breaks) still ends FAILED_FINAL.
//
// The claim is atomic across processes: it is written with WriteBatch::ClaimPipelineRun, which
// fails the commit when another process claimed the run after it was read, so two processes
// racing for one run never both start it. A claim holds the run's lock until RunLockExpiry():
// a run still RUNNING after that is stale (the watchdog ends it, SFN_TIMEOUT).
//
// Events. Every pipeline event of the process — the lifecycle handlers', the daemon's triggers',
// the watchdog's — is recorded through the runner (RecordEvent, or PipelineData::AppendEvent of
// the lifecycle handler's data, which is the same path): stored, then given to the event
// observer. Nothing else appends pipeline events, so an observer (the daemon's alert
// dispatcher) sees every one.
//
// Thread rule: the service's loop thread. The runner must be destroyed before the service.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "asl/result.h"
#include "engine/pipelines.h"
#include "engine/service.h"

namespace sluice::handlers {
class TaskHandler;
}

namespace sluice::engine {

// How long (real milliseconds) a command job's check waits for its process under a virtual
// clock (JobEnvironment::settle_ms).
inline constexpr int64_t kVirtualSettleMs = 2000;

// The shortest lock a run's claim holds (Interlock's 4 h step-function timeout + 30 min).
inline constexpr int64_t kMinRunLockSeconds = 4 * 3600 + 30 * 60;

struct PipelineRunRequest {
  std::string pipeline;
  // "YYYY-MM-DD" or "YYYY-MM-DDTHH"; empty: today in the schedule's time zone (the current hour
  // when the SLA deadline is hourly, ":MM").
  std::string date;
  bool force = false;  // run again a run that has ended
  // The lifecycle definition's text; empty: the shipped one. `definition_source` names it.
  std::string definition_text;
  std::string definition_source;
};

struct StartedRun {
  std::string execution_arn;
  std::string pipeline;
  std::string schedule;
  std::string date;
};

// How a lifecycle execution ended.
struct RunEnd {
  PipelineRunStatus status = PipelineRunStatus::kFailedFinal;  // COMPLETED or FAILED_FINAL
  // What ended it: COMPLETED, FAILED_FINAL (the job failed or outlived its poll window),
  // VALIDATION_EXHAUSTED, RETRY_EXHAUSTED, INFRA_FAILURE, PIPELINE_EXCLUDED, DRY_RUN_COMPLETED,
  // or the execution's status when it did not succeed (e.g. "ABORTED").
  std::string outcome;
};

class PipelineRunner {
 public:
  // Installs the lifecycle handler into `service` (which must outlive the runner).
  explicit PipelineRunner(Service& service);
  ~PipelineRunner();
  PipelineRunner(const PipelineRunner&) = delete;
  PipelineRunner& operator=(const PipelineRunner&) = delete;

  Pipelines& pipelines();

  // The lifecycle handler it installed as the service's built-in handler, for a caller that
  // serves more built-in resources next to it (`sluice serve`: the task-token broker).
  handlers::TaskHandler& builtin_handler();

  // Called with every pipeline event as it is recorded (time: the engine's clock).
  void set_event_observer(
      std::function<void(const pipeline::PipelineEvent& event, int64_t time_nanos)> observer);

  // The one way to record a pipeline event: stores it (stamped with the engine's clock), then
  // calls the event observer. Nothing is observed when storing fails.
  Status<> RecordEvent(const pipeline::PipelineEvent& event);

  // Claims the run and starts its lifecycle; it makes progress in Service::Run(), and `done` is
  // called when it ends. Errors are one sentence for the user (an unknown pipeline, a bad date,
  // a run already RUNNING or ended, a broken definition).
  Result<StartedRun> StartRun(const PipelineRunRequest& request,
                              Service::DoneCallback done = nullptr);

  // True for an execution of the lifecycle (by its state machine name).
  static bool IsLifecycle(const Executor& execution);

  // Records the end of a lifecycle execution in pipeline_runs (when the run is still this
  // execution's) and returns it.
  Result<RunEnd> Finish(const Executor& execution);

  // The runs recorded RUNNING whose execution is a lifecycle execution recorded RUNNING (by any
  // process), oldest claim first: what may hold a lock. A run whose claim committed without its
  // execution (a crash between the two commits) is not listed.
  Result<std::vector<PipelineRunRecord>> RunningRuns();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// When a run of `config` claimed at `claimed_ns` becomes stale: after the longest a lifecycle
// can take (evaluation window + job poll window) plus 30 minutes, and at least
// kMinRunLockSeconds.
int64_t RunLockExpiry(const pipeline::PipelineConfig& config, int64_t claimed_ns);

// The execution date a run of `config` defaults to at `at_ns`: that day (or that hour, for an
// hourly SLA deadline ":MM") in the schedule's zone.
std::string DefaultRunDate(const pipeline::PipelineConfig& config, int64_t at_ns);

}  // namespace sluice::engine
