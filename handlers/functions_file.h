// Local functions: `--functions FILE` maps Lambda function names or ARNs to local behaviour.
//
//   functions:
//     greet:                                   # by name ...
//       command: [python3, greet.py]           # run a command: payload on stdin, JSON on stdout
//     arn:aws:lambda:us-east-1:123456789012:function:lookup:   # ... or by full ARN
//       return: {"id": 42}                     # a canned result
//     broken:
//       raise: {errorType: ValueError, errorMessage: "bad input"}  # fail like a raising Lambda
//
// The FunctionsHandler serves the two Task forms that invoke Lambda functions (see
// handlers/lambda.h): a function ARN as Resource, and arn:aws:states:::lambda:invoke with
// {"FunctionName", "Payload"}. It reproduces AWS's shapes: raw output vs. the Invoke response
// envelope, and the two renderings of a raised error's Cause. docs/functions-file.md is the
// user's reference.
//
// Lookup: the name or ARN exactly as the state gives it, then (for a qualified ARN) the
// unqualified ARN, then NAME:QUALIFIER, then the bare NAME. A function that is not in the file
// fails like AWS does: Lambda.ResourceNotFoundException, "Function not found: <ARN>:$LATEST …".
//
// Commands get the function's event on stdin (one JSON text and a newline) and these variables
// on top of Sluice's environment: SLUICE_IDEMPOTENCY_KEY (stable across re-dispatch after a
// crash), SLUICE_EXECUTION_ARN, SLUICE_STATE_NAME, SLUICE_FUNCTION_NAME.
//
// Thread rule: loop thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "asl/json.h"
#include "asl/result.h"
#include "handlers/command_runner.h"
#include "handlers/deferred_calls.h"
#include "handlers/task_handler.h"

namespace sluice::handlers {

// What a local function does.
enum class FunctionKind {
  kCommand,  // run an argv; the event on stdin, the result as JSON on stdout
  kReturn,   // return a fixed JSON value
  kRaise,    // fail like a Lambda function that raised errorType(errorMessage)
};

struct FunctionSpec {
  FunctionKind kind = FunctionKind::kReturn;
  // kCommand: argv, with a relative argv[0] that contains '/' resolved against the file's
  // directory; the working directory (empty: Sluice's own); extra environment variables.
  std::vector<std::string> command;
  std::string cwd;
  std::vector<std::pair<std::string, std::string>> env;
  // kReturn
  std::shared_ptr<const Json> value;
  // kRaise
  std::string error_type;
  std::string error_message;
};

struct FunctionsFile {
  std::string label;                                            // the file name, for messages
  std::vector<std::pair<std::string, FunctionSpec>> functions;  // in file order

  // The spec stored under exactly `key`, or null.
  const FunctionSpec* Find(std::string_view key) const;
};

// Validates a parsed functions document. Every problem is reported, one per line, each naming
// the file and the key, e.g. "functions.yaml: functions/myFn: unknown key 'comand'". Relative
// paths in commands are resolved against `base_dir` (empty: left as they are).
Result<FunctionsFile> ParseFunctionsFile(const Json& document, std::string_view label,
                                         const std::string& base_dir);

// Reads (JSON or YAML) and validates the file at `path`.
Result<FunctionsFile> LoadFunctionsFile(const std::string& path);

// Converts a conformance case's `task_mocks` object into a functions document:
// identity → {"command": ["cat"]}, constant → {"return": result},
// raise → {"raise": {"errorType": error, "errorMessage": errorMessage}}.
Result<Json> TaskMocksToFunctionsFile(const Json& task_mocks);

struct FunctionsHandlerOptions {
  // Region and account for ARNs built from a bare function name when the execution ARN does
  // not carry them.
  std::string default_region = "us-east-1";
  std::string default_account = "123456789012";
  // Injected for tests: Lambda request ids, and the clock for the Invoke response's Date.
  std::function<std::string()> new_request_id;                 // default: random UUID v4
  std::function<std::chrono::system_clock::time_point()> now;  // default: the system clock
  CommandRunner::Options runner;
};

class FunctionsHandler final : public TaskHandler {
 public:
  // `loop` must outlive the handler; destroy the handler before closing the loop.
  FunctionsHandler(uv_loop_t* loop, std::shared_ptr<const FunctionsFile> functions);
  FunctionsHandler(uv_loop_t* loop, std::shared_ptr<const FunctionsFile> functions,
                   FunctionsHandlerOptions options);
  ~FunctionsHandler() override;

  // Every Lambda function ARN resource and arn:aws:states:::lambda:invoke; a function missing
  // from the file is answered with Lambda.ResourceNotFoundException, as AWS does.
  bool Handles(const TaskRequest& request) const override;
  void Start(const TaskRequest& request, TaskCallback done) override;
  void Cancel(uint64_t task_id) override;

  struct Call;

 private:
  void RunCommand(const TaskRequest& request, std::shared_ptr<Call> call, TaskCallback done);

  std::shared_ptr<const FunctionsFile> functions_;
  FunctionsHandlerOptions options_;
  DeferredCalls deferred_;
  CommandRunner runner_;
  std::unordered_map<uint64_t, uint64_t> running_;  // task id -> command run id
};

}  // namespace sluice::handlers
