// Building the task handler chain for a run from the user's configuration: a mock config
// (AWS Step Functions Local format) first, then a functions file.
#pragma once

#include <memory>
#include <string>

#include "asl/json.h"
#include "asl/result.h"

typedef struct uv_loop_s uv_loop_t;

namespace sluice::handlers {
class TaskHandler;
}

namespace sluice::engine {

struct HandlerConfig {
  std::shared_ptr<const Json> functions;    // a functions file's content, or null
  std::string functions_source;             // its file name, for messages
  std::shared_ptr<const Json> mock_config;  // a mock config file's content, or null
  std::string mock_source;
  std::string test_case;     // required with mock_config
  std::string machine_name;  // the state machine's name, checked against the mock config
  // Serve the Task states that neither the mocks nor the functions serve with the process's
  // built-in handlers (the pipeline lifecycle's, Service::set_builtin_handler).
  bool builtins = false;
};

// Validates the configuration and builds the handlers on `loop`; the error names the file and
// the offending key. With config.builtins, `builtin` (not owned; it must outlive the result)
// serves what the files do not; a config asking for builtins without one fails.
Result<std::unique_ptr<handlers::TaskHandler>> BuildHandlers(
    uv_loop_t* loop, const HandlerConfig& config, handlers::TaskHandler* builtin = nullptr);

// Converts a conformance case's `task_mocks` into a functions file: identity → a command that
// echoes its payload (`cat`), constant → return, raise → raise.
Json FunctionsFromTaskMocks(const Json& task_mocks);

}  // namespace sluice::engine
