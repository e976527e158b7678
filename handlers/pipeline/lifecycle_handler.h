// LifecycleHandler: the built-in Task resources behind the shipped pipeline lifecycle
// (statemachines/pipeline-lifecycle.asl.json) — Interlock's orchestrator and sla-monitor modes,
// one resource per mode:
//
//   sluice:pipeline:evaluate              calendar gate, then the validation rules
//   sluice:pipeline:trigger               starts the job (Jobs::Start)
//   sluice:pipeline:check-job             polls the job (Jobs::Check)
//   sluice:pipeline:validation-exhausted  the evaluation window is spent
//   sluice:pipeline:trigger-exhausted     the trigger failed after its retries
//   sluice:pipeline:job-poll-exhausted    the job outlived its poll window
//   sluice:pipeline:complete-trigger      the run's final status: COMPLETED or FAILED_FINAL
//   sluice:pipeline:infra-failure         a lifecycle task failed after its retries
//   sluice:sla:calculate                  warning/breach times; arms the alerts
//   sluice:sla:fire-alert                 an alert is due: SLA_WARNING / SLA_BREACH
//   sluice:sla:cancel                     disarms the alerts; publishes the verdict
//
// Naming scheme: `sluice:<area>:<mode>`, lower case, the mode being Interlock's. Every input
// carries {pipelineId, scheduleId, date}; docs/pipelines.md ("Built-in handlers and the
// lifecycle") lists each resource's further input and its output. Every output carries every
// field the lifecycle reads (null or "" rather than absent), so no JSONPath in the lifecycle can
// fail on a missing field.
//
// Failures are AslError values, named so that the lifecycle's Retry policies can tell transient
// from permanent (kError* below). Events go through PipelineData::AppendEvent.
//
// SLA alerts. sla:calculate asks `schedule_alert` to arrange a call of sla:fire-alert at the
// warning and the breach instants (the engine starts a companion execution of
// statemachines/sla-alert.asl.json with SlaAlertInput(): a Wait until `at`, then the Task), so
// the alerts are timers on the loop and follow a virtual clock. sla:cancel calls `cancel_alerts`
// and publishes the verdict. fire-alert publishes nothing once the run has ended (a terminal
// handler or sla:cancel ran for the same pipeline, schedule and date in this process, or
// PipelineData::RunEnded says an earlier process recorded its end). The terminal handlers
// (evaluate for an excluded date, a dry-run trigger, validation-exhausted, trigger-exhausted,
// job-poll-exhausted, infra-failure, complete-trigger) record the end with
// PipelineData::EndRun: COMPLETED when complete-trigger sees the job's success, else
// FAILED_FINAL.
//
// Every answer is asynchronous: the work runs on a later loop turn (DeferredCalls) or when the
// job answers; Cancel() withdraws the answer.
//
// Thread rule: loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "asl/json.h"
#include "asl/result.h"
#include "handlers/pipeline/jobs.h"
#include "handlers/pipeline/pipeline_data.h"
#include "handlers/task_handler.h"

typedef struct uv_loop_s uv_loop_t;

namespace sluice::pipeline {

inline constexpr std::string_view kEvaluateResource = "sluice:pipeline:evaluate";
inline constexpr std::string_view kTriggerResource = "sluice:pipeline:trigger";
inline constexpr std::string_view kCheckJobResource = "sluice:pipeline:check-job";
inline constexpr std::string_view kValidationExhaustedResource =
    "sluice:pipeline:validation-exhausted";
inline constexpr std::string_view kTriggerExhaustedResource = "sluice:pipeline:trigger-exhausted";
inline constexpr std::string_view kJobPollExhaustedResource = "sluice:pipeline:job-poll-exhausted";
inline constexpr std::string_view kCompleteTriggerResource = "sluice:pipeline:complete-trigger";
inline constexpr std::string_view kInfraFailureResource = "sluice:pipeline:infra-failure";
inline constexpr std::string_view kSlaCalculateResource = "sluice:sla:calculate";
inline constexpr std::string_view kSlaFireAlertResource = "sluice:sla:fire-alert";
inline constexpr std::string_view kSlaCancelResource = "sluice:sla:cancel";

// Error names of failed tasks. Transient ones are retried by the lifecycle.
inline constexpr std::string_view kErrorInvalidInput = "Sluice.InvalidInput";  // bad payload
inline constexpr std::string_view kErrorPipelineNotFound = "Sluice.PipelineNotFound";
inline constexpr std::string_view kErrorConfig = "Sluice.ConfigError";  // e.g. no `job` section
// Transient: PipelineData failed, or an alert hook did.
inline constexpr std::string_view kErrorDataUnavailable = "Sluice.DataUnavailable";
// Transient: the job could not be started (TRANSIENT or TIMEOUT category).
inline constexpr std::string_view kErrorJobStartFailed = "Sluice.JobStartFailed";
// Permanent: the job was refused (PERMANENT category, e.g. an HTTP 4xx).
inline constexpr std::string_view kErrorJobStartRefused = "Sluice.JobStartRefused";

// One SLA alert to arrange: call sla:fire-alert at `at`.
struct SlaAlert {
  std::string pipeline;
  std::string schedule;
  std::string date;
  std::string kind;       // "SLA_WARNING" or "SLA_BREACH"
  std::string at;         // RFC 3339, UTC, seconds: "2026-03-28T07:30:00Z"
  std::string breach_at;  // the breach instant, same format
};

// The input of statemachines/sla-alert.asl.json for `alert`:
// {"pipelineId", "scheduleId", "date", "alertType", "at", "breachAt"}.
Json SlaAlertInput(const SlaAlert& alert);

struct LifecycleEnvironment {
  PipelineData& data;
  Jobs& jobs;
  std::function<int64_t()> now;  // the engine's clock, nanoseconds since the epoch
  uv_loop_t* loop = nullptr;
  // Arranges a call of sla:fire-alert at alert.at. Must replace an alert already armed for the
  // same (pipeline, schedule, date, kind), so a retried sla:calculate arms each alert once.
  // Unset: alerts are not armed (only the verdict is published).
  std::function<Status<>(const SlaAlert& alert)> schedule_alert;
  // Disarms every alert armed for (pipeline, schedule, date); none armed is not an error.
  std::function<Status<>(const std::string& pipeline, const std::string& schedule,
                         const std::string& date)>
      cancel_alerts;
};

class LifecycleHandler final : public handlers::TaskHandler {
 public:
  explicit LifecycleHandler(LifecycleEnvironment env);
  ~LifecycleHandler() override;
  LifecycleHandler(const LifecycleHandler&) = delete;
  LifecycleHandler& operator=(const LifecycleHandler&) = delete;

  // True for the resources above.
  bool Handles(const handlers::TaskRequest& request) const override;
  void Start(const handlers::TaskRequest& request, handlers::TaskCallback done) override;
  void Cancel(uint64_t task_id) override;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;  // shared with the Jobs callbacks, which hold it weakly
};

// The sensors as rules see them (key -> data) from PipelineData::Sensors' {key: {data,
// writtenAt}}, with Interlock's per-period aliases: a sensor keyed "<base>#<date>" (or the date
// without dashes) also answers for "<base>", overriding it.
Json SensorDataFor(const Json& sensors, const std::string& date);

// The events a dry run records once its validation passes at `triggered_at_ns` (the lifecycle's
// dry-run trigger, and the daemon's dry-run observation of a sensor write), in order:
// DRY_RUN_WOULD_TRIGGER {triggeredAt, rulesEvaluated}; with sla.expectedDuration,
// DRY_RUN_SLA_PROJECTION {triggeredAt, estimatedCompletion, expectedDuration, status,
// deadline?, marginSeconds?} (ProjectDryRun); DRY_RUN_COMPLETED {triggeredAt, slaStatus,
// estimatedCompletion?}.
std::vector<PipelineEvent> DryRunTriggerEvents(const PipelineConfig& config,
                                               const std::string& pipeline,
                                               const std::string& schedule, const std::string& date,
                                               int64_t triggered_at_ns);

}  // namespace sluice::pipeline
