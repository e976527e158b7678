// PipelineData: what the pipeline handlers read and write besides their task input — the
// sensors of a pipeline, its applied config, and the lifecycle events they publish.
//
// Handlers live below the engine (asl ← handlers ← engine), so they see the data through this
// interface only; the engine implements it over its SQLite store (engine/pipelines.h), and
// tests implement it in memory.
//
//   Sensors(pipeline)   every sensor of the pipeline, as one JSON object:
//                         {"<key>": {"data": {…}, "writtenAt": "2026-03-03T07:00:00.000Z"}, …}
//                       `data` is the object the producer wrote; `writtenAt` when it was written
//                       (RFC 3339, UTC, milliseconds). No sensors: an empty object.
//   Config(pipeline)    the latest applied config, or null when none was ever applied (Interlock
//                       ignores sensor writes for a pipeline without config; so may a handler).
//   AppendEvent(event)  records one lifecycle fact, stamped with the engine's clock. Durable when
//                       it returns Ok.
//   RunEnded(pipeline, schedule, date)
//                       true when the run of that (pipeline, schedule, date) is recorded as ended
//                       (the engine: pipeline_runs says COMPLETED or FAILED_FINAL), so a process
//                       that restarted knows a run ended before it. Default: false (nothing
//                       durable; the handler's own memory of this process decides).
//   EndRun(pipeline, schedule, date, completed)
//                       records the run's end: COMPLETED when `completed`, else FAILED_FINAL.
//                       Durable when it returns Ok. Default: records nothing.
//
// Errors (an unreadable database, a stored config that no longer validates) are values naming the
// pipeline; a missing sensor or config is not an error.
//
// Thread rule: called on the runtime's loop thread only, like every handler entry point. Calls
// are synchronous reads or one small commit each.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "asl/json.h"
#include "asl/result.h"
#include "handlers/pipeline/config.h"

namespace sluice::pipeline {

// One lifecycle fact (Interlock's EventBridge event; docs/pipelines.md lists the types).
struct PipelineEvent {
  std::string type;      // e.g. "JOB_TRIGGERED", "SLA_BREACH"
  std::string pipeline;  // "" for events about no pipeline (WATCHDOG_DEGRADED)
  std::string schedule;  // "cron" or "stream"; "" when not about a schedule
  std::string date;      // the execution date ("YYYY-MM-DD" or "YYYY-MM-DDTHH"); "" when none
  std::string message;   // one human-readable sentence; may be ""
  Json detail;           // an object of event-specific fields; null is stored as {}
};

class PipelineData {
 public:
  virtual ~PipelineData() = default;

  virtual Result<Json> Sensors(std::string_view pipeline) = 0;
  virtual Result<std::shared_ptr<const PipelineConfig>> Config(std::string_view pipeline) = 0;
  virtual Status<> AppendEvent(const PipelineEvent& event) = 0;
  virtual Result<bool> RunEnded(std::string_view /*pipeline*/, std::string_view /*schedule*/,
                                std::string_view /*date*/) {
    return false;
  }
  virtual Status<> EndRun(std::string_view /*pipeline*/, std::string_view /*schedule*/,
                          std::string_view /*date*/, bool /*completed*/) {
    return Ok{};
  }
};

}  // namespace sluice::pipeline
