// StateTester: AWS TestState — runs one state's definition on Sluice's executor and reports
// what it did, without creating a state machine or recording an execution.
//
// The state is compiled as the only real state of a throwaway machine: its transition targets
// become Succeed states (so the definition validates and the run stops right after it), and
// `variables`, when given, are assigned by a Pass state before it. The executor then runs it
// exactly as an execution would (Task resources go to the same handlers), with two differences
// AWS also makes:
//
//   - The state runs once. Its Retry and Catch are left out of that run; when it fails, a
//     retrier matching the error makes the answer RETRIABLE, else a matching catcher makes it
//     CAUGHT_ERROR (the catcher is then applied to the error by a second, one-task run, so its
//     ResultPath, Assign and Output are the executor's), else FAILED.
//   - A Wait state does not wait. The whole test is limited to five minutes (States.Timeout).
//
// Not supported, as by AWS TestState without mocks: Map and Parallel states, activities, `.sync`
// and `.waitForTaskToken` resources (ValidationException).
//
// The answer is TestState's: {output, status, nextState, error, cause, inspectionData}; with
// inspection level DEBUG or TRACE, inspectionData carries the data flow (input, afterInputPath,
// afterParameters / afterArguments, result, afterResultSelector, afterResultPath, variables).
//
// Thread rule: the loop thread of `loop`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "asl/json.h"
#include "asl/result.h"

typedef struct uv_loop_s uv_loop_t;

namespace sluice::handlers {
class TaskHandler;
}

namespace sluice::engine {
class Clock;
}

namespace sluice::engine::server {

struct TestStateRequest {
  std::string definition;  // one state's JSON
  std::string role_arn;    // "": Sluice's default role
  Json input = Json::object();
  std::string inspection_level = "INFO";  // INFO, DEBUG or TRACE
  std::optional<Json> variables;          // an object of variable name -> value
};

// A request refused before anything ran, in AWS's error names.
struct TestStateError {
  std::string type;  // "InvalidDefinition", "ValidationException", "InternalFailure"
  std::string message;
};

using TestStateReply = std::function<void(Result<Json, TestStateError>)>;

class StateTester {
 public:
  // `loop` and `clock` must outlive the tester; `builtin` (may be null) serves Task states as
  // it serves executions with built-in handlers.
  StateTester(uv_loop_t* loop, Clock& clock, handlers::TaskHandler* builtin);
  // Tests still running are dropped: their tasks are cancelled and they never answer.
  ~StateTester();
  StateTester(const StateTester&) = delete;
  StateTester& operator=(const StateTester&) = delete;

  // Runs the test; `reply` is called exactly once (at once for a refused request or a state
  // that needs no task), unless the tester is destroyed first.
  void Run(const TestStateRequest& request, TestStateReply reply);

  size_t running() const { return runs_.size(); }

  class TestRun;

 private:
  friend class TestRun;
  void Finished(uint64_t id);

  uv_loop_t* loop_;
  Clock& clock_;
  std::unique_ptr<handlers::TaskHandler> handler_;
  std::map<uint64_t, std::unique_ptr<TestRun>> runs_;
  uint64_t next_run_ = 1;
  // Task ids handed to the handlers, in a range of their own: the runtime's start at 1, and the
  // built-in handlers key their work on the id.
  uint64_t next_task_ = uint64_t{1} << 62;
};

}  // namespace sluice::engine::server
