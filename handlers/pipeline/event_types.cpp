// The pipeline event catalogue: see event_types.h.
#include "handlers/pipeline/event_types.h"

#include <algorithm>

namespace sluice::pipeline {
namespace {

constexpr std::string_view kEventTypes[] = {
    // The lifecycle state machine's handlers.
    "VALIDATION_PASSED",
    "PIPELINE_EXCLUDED",
    "VALIDATION_EXHAUSTED",
    "JOB_TRIGGERED",
    "RETRY_EXHAUSTED",
    "JOB_COMPLETED",
    "JOB_FAILED",
    "JOB_POLL_EXHAUSTED",
    "INFRA_FAILURE",
    "SLA_WARNING",
    "SLA_BREACH",
    "SLA_MET",
    // Dry runs.
    "DRY_RUN_WOULD_TRIGGER",
    "DRY_RUN_SLA_PROJECTION",
    "DRY_RUN_COMPLETED",
    "DRY_RUN_LATE_DATA",
    "DRY_RUN_DRIFT",
    "DRY_RUN_WOULD_RERUN",
    "DRY_RUN_RERUN_REJECTED",
    // The daemon: late data, reruns, post-run checks.
    "LATE_DATA",
    "RERUN_ACCEPTED",
    "RERUN_REJECTED",
    "DATA_DRIFT",
    "POST_RUN_BASELINE_CAPTURED",
    "POST_RUN_DRIFT_INFLIGHT",
    "POST_RUN_PASSED",
    "POST_RUN_FAILED",
    "TRIGGER_RECOVERED",
    // The watchdog.
    "SFN_TIMEOUT",
    "SCHEDULE_MISSED",
    "IRREGULAR_SCHEDULE_MISSED",
    "SENSOR_DEADLINE_EXPIRED",
    "POST_RUN_SENSOR_MISSING",
    "WATCHDOG_DEGRADED",
};

}  // namespace

std::span<const std::string_view> EventTypes() { return kEventTypes; }

bool IsEventType(std::string_view type) {
  return std::find(std::begin(kEventTypes), std::end(kEventTypes), type) != std::end(kEventTypes);
}

std::string JoinedEventTypes() {
  std::string text;
  for (std::string_view type : kEventTypes) {
    if (!text.empty()) text += ", ";
    text += type;
  }
  return text;
}

}  // namespace sluice::pipeline
