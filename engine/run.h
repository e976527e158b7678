// Running one execution to completion on its own runtime: what `sluice run` and the
// conformance runner do.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "asl/json.h"
#include "asl/result.h"
#include "asl/state_machine.h"
#include "engine/executor.h"

typedef struct uv_loop_s uv_loop_t;

namespace sluice::handlers {
class TaskHandler;
}

namespace sluice::engine {

class RuntimeListener;

// The ARNs Sluice gives local state machines and executions (region "local").
std::string StateMachineArn(const std::string& machine_name);
std::string ExecutionArn(const std::string& machine_name, const std::string& execution_name);
// A random version-4 UUID, for generated execution names.
std::string NewUuid();

struct RunRequest {
  std::shared_ptr<const asl::StateMachine> machine;
  std::string machine_name = "StateMachine";
  std::string execution_name;         // empty: a new UUID
  std::shared_ptr<const Json> input;  // required
  bool virtual_clock = false;
  size_t max_payload_bytes = 256 * 1024;
  uint64_t seed = 0;     // 0: drawn at random
  bool express = false;  // an EXPRESS execution (no RedriveCount in the context)
};

struct RunResult {
  ExecutionStatus status = ExecutionStatus::kRunning;
  std::shared_ptr<Json> output;  // when SUCCEEDED
  asl::AslError error;
  std::vector<HistoryEvent> history;
  ExecutionOptions options;
};

// Builds the task handler for a run, given the runtime's loop.
using HandlerFactory =
    std::function<Result<std::unique_ptr<handlers::TaskHandler>>(uv_loop_t* loop)>;

// Runs the execution until it ends. Fails only when the handler cannot be built, or when
// `listener` (optional; e.g. a JournalRecorder, engine/replay.h) fails to commit.
Result<RunResult> RunToCompletion(const RunRequest& request, const HandlerFactory& make_handler,
                                  RuntimeListener* listener = nullptr);

}  // namespace sluice::engine
