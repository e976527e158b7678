// Mock configuration files in the format of AWS Step Functions Local (`--mock-config FILE
// --test-case NAME`), so existing MockConfigFile.json files work unchanged:
//
//   {"StateMachines": {"MyMachine": {"TestCases": {"HappyPath": {"LambdaState": "LambdaOk"}}}},
//    "MockedResponses": {"LambdaOk": {"0": {"Return": {"StatusCode": 200, "Payload": {…}}},
//                                     "1-2": {"Throw": {"Error": "Lambda.TimeoutException",
//                                                       "Cause": "Lambda timed out."}}}}}
//
// Semantics (AWS's documentation of Step Functions Local):
//  - A test case maps Task state names to mocked responses; states it does not name are not
//    mocked (the next handler serves them, like Step Functions Local calling the real service).
//  - A mocked response maps invocation numbers to exactly one of Return or Throw. Keys are
//    "N" or inclusive ranges "A-B"; they must cover 0, 1, 2, … without gaps or overlaps.
//  - Invocations are counted per execution and per state: every attempt counts (retries, a
//    state visited again in a loop, and Map iterations, which share their state's counter).
//  - An invocation past the last key fails the execution (States.Runtime: "If you do not
//    specify a mocked response, the state machine execution will fail").
//  - Return is the task's result as is (for lambda:invoke, the whole Invoke response, e.g.
//    {"StatusCode": 200, "Payload": …}). For a Task whose Resource is a Lambda function ARN
//    the result is the function's output, so an object Return with a "Payload" field yields
//    that Payload, as the real integration does.
//  - Throw fails the task with its Error and Cause; Retry and Catch see them.
//
// docs/mock-config.md is the user's reference.
//
// Thread rule: loop thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "asl/json.h"
#include "asl/result.h"
#include "handlers/deferred_calls.h"
#include "handlers/task_handler.h"

namespace sluice::handlers {

// What one mocked invocation does.
enum class MockedKind {
  kReturn,  // succeed with `value`
  kThrow,   // fail with `error` and `cause`
};

struct MockedResponse {
  MockedKind kind = MockedKind::kReturn;
  std::shared_ptr<const Json> value;  // kReturn
  std::string error;                  // kThrow
  std::string cause;                  // kThrow
};

// The responses of one named mocked response, by invocation number.
struct MockedResponses {
  struct Range {
    uint64_t first = 0;  // inclusive
    uint64_t last = 0;   // inclusive
    MockedResponse response;
  };
  std::vector<Range> ranges;  // sorted; contiguous from 0

  // The response for the 0-based `invocation`, or null past the last key.
  const MockedResponse* At(uint64_t invocation) const;
  // How many invocations have a response.
  uint64_t count() const { return ranges.empty() ? 0 : ranges.back().last + 1; }
};

struct MockConfig {
  std::string label;  // the file name, for messages
  // state machine name -> test case name -> state name -> mocked response name
  std::map<std::string, std::map<std::string, std::map<std::string, std::string>>> state_machines;
  std::map<std::string, MockedResponses> responses;

  // The mocked response name for a state in a test case of a state machine, or null.
  const std::string* Find(const std::string& state_machine, const std::string& test_case,
                          const std::string& state) const;
};

// Validates a parsed mock configuration; every problem is reported, one per line, naming the
// file and the key, e.g. "mock.json: MockedResponses/LambdaRetry/1-x: not an invocation
// number or range (e.g. "0" or "1-2")".
Result<MockConfig> ParseMockConfig(const Json& document, std::string_view label);

// Reads (JSON or YAML) and validates the file at `path`.
Result<MockConfig> LoadMockConfig(const std::string& path);

// `--test-case NAME` must name a test case of at least one state machine.
Status<> CheckTestCase(const MockConfig& config, const std::string& test_case);

// Step Functions Local rejects an execution whose state machine has no such test case; the
// engine calls this when it starts an execution of a state machine the file names.
// Succeeds for state machines the file does not mention (nothing of theirs is mocked).
Status<> CheckStateMachineTestCase(const MockConfig& config, const std::string& state_machine,
                                   const std::string& test_case);

class MockHandler final : public TaskHandler {
 public:
  // `loop` must outlive the handler; destroy the handler before closing the loop.
  MockHandler(uv_loop_t* loop, std::shared_ptr<const MockConfig> config, std::string test_case);
  ~MockHandler() override;

  // True when the test case mocks request.state_name of request.state_machine_name, whatever
  // the resource (AWS SDK integrations, .waitForTaskToken, activities, Lambda).
  bool Handles(const TaskRequest& request) const override;
  void Start(const TaskRequest& request, TaskCallback done) override;
  void Cancel(uint64_t task_id) override;

  // Drops the invocation counters of a finished execution.
  void ForgetExecution(const std::string& execution_arn);

 private:
  std::shared_ptr<const MockConfig> config_;
  std::string test_case_;
  DeferredCalls deferred_;
  // execution ARN -> state name -> invocations so far
  std::map<std::string, std::map<std::string, uint64_t>> invocations_;
};

}  // namespace sluice::handlers
