// The AWS Step Functions API layer (engine/server/api.h) driven directly, without HTTP: each
// action's answer shape, AWS's error names for bad requests, executions started through it run
// on the service, `.waitForTaskToken` tasks answered with SendTaskSuccess / SendTaskFailure,
// StartSyncExecution answered when its execution ends.
#include "engine/server/api.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "engine/runtime.h"
#include "engine/server/task_broker.h"
#include "engine/service.h"
#include "tests/support/api_testing.h"

namespace sluice::engine::server {
namespace {

using testing::Answered;
using testing::Convert;

constexpr const char* kPassMachine = R"({"StartAt":"A","States":{
  "A":{"Type":"Pass","Result":{"greeting":"hello"},"ResultPath":"$.r","Next":"B"},
  "B":{"Type":"Pass","End":true}}})";

constexpr const char* kWaitMachine = R"({"StartAt":"W","States":{
  "W":{"Type":"Wait","Seconds":3600,"End":true}}})";

constexpr const char* kTokenMachine = R"({"StartAt":"Ask","States":{
  "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
         "Parameters":{"MessageBody":{"token.$":"$$.Task.Token"}},"End":true}}})";

constexpr const char* kFailMachine = R"({"StartAt":"F","States":{
  "F":{"Type":"Fail","Error":"Broken","Cause":"on purpose"}}})";

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServiceOptions options;
    options.db_path = ":memory:";
    options.virtual_clock = true;
    auto opened = Service::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.error();
    service_ = std::move(opened).value();
    service_->set_builtin_handler(&broker_);
    api_ = std::make_unique<StepFunctionsApi>(*service_, broker_);
  }

  // Calls an action that answers at once.
  Answered Call(const std::string& action, const nlohmann::ordered_json& body) {
    std::optional<Answered> got;
    api_->Handle(action, body.dump(), [&](ApiAnswer a) { got = Convert(std::move(a)); });
    EXPECT_TRUE(got.has_value()) << action << " did not answer at once";
    return got.value_or(Answered{});
  }

  // Fails the test unless the action succeeds; returns its answer.
  nlohmann::ordered_json Ok(const std::string& action, const nlohmann::ordered_json& body) {
    Answered a = Call(action, body);
    EXPECT_TRUE(a.ok) << action << ": " << a.error.type << ": " << a.error.message;
    return a.body;
  }

  std::string ErrorOf(const std::string& action, const nlohmann::ordered_json& body) {
    Answered a = Call(action, body);
    EXPECT_FALSE(a.ok) << action << " succeeded: " << a.body.dump();
    return a.error.type;
  }

  std::string Create(const std::string& name, const char* definition,
                     const std::string& type = "STANDARD") {
    return Ok("CreateStateMachine", {{"name", name},
                                     {"definition", definition},
                                     {"roleArn", "arn:aws:iam::123456789012:role/r"},
                                     {"type", type}})["stateMachineArn"];
  }

  std::string Start(const std::string& machine_arn, const std::string& input = "{}",
                    const std::string& name = "") {
    nlohmann::ordered_json body{{"stateMachineArn", machine_arn}, {"input", input}};
    if (!name.empty()) body["name"] = name;
    return Ok("StartExecution", body)["executionArn"];
  }

  std::vector<std::string> EventTypes(const std::string& execution_arn) {
    std::vector<std::string> types;
    auto answer = Ok("GetExecutionHistory", {{"executionArn", execution_arn}});
    for (const auto& e : answer["events"]) types.push_back(e["type"]);
    return types;
  }

  void ServeUntil(const std::function<bool()>& step) { testing::ServeUntil(*service_, step); }

  TaskBroker broker_{[this](uint64_t task) { service_->runtime().TaskHeartbeat(task); }};
  std::unique_ptr<Service> service_;
  std::unique_ptr<StepFunctionsApi> api_;
};

TEST_F(ApiTest, StateMachineLifecycle) {
  std::string arn = Create("hello", kPassMachine);
  EXPECT_EQ(arn, "arn:aws:states:local:123456789012:stateMachine:hello");
  auto described = Ok("DescribeStateMachine", {{"stateMachineArn", arn}});
  EXPECT_EQ(described["name"], "hello");
  EXPECT_EQ(described["status"], "ACTIVE");
  EXPECT_EQ(described["type"], "STANDARD");
  EXPECT_EQ(described["definition"], kPassMachine);
  EXPECT_EQ(described["roleArn"], "arn:aws:iam::123456789012:role/r");
  EXPECT_TRUE(described["creationDate"].is_number());

  // The same request again is answered with the same machine; a different one is refused.
  EXPECT_EQ(Create("hello", kPassMachine), arn);
  EXPECT_EQ(ErrorOf("CreateStateMachine", {{"name", "hello"},
                                           {"definition", kWaitMachine},
                                           {"roleArn", "arn:aws:iam::123456789012:role/r"}}),
            "StateMachineAlreadyExists");

  Ok("UpdateStateMachine", {{"stateMachineArn", arn}, {"definition", kWaitMachine}});
  EXPECT_EQ(Ok("DescribeStateMachine", {{"stateMachineArn", arn}})["definition"], kWaitMachine);

  Create("other", kPassMachine, "EXPRESS");
  auto listed = Ok("ListStateMachines", {{"maxResults", 1}});
  ASSERT_EQ(listed["stateMachines"].size(), 1u);
  EXPECT_EQ(listed["stateMachines"][0]["name"], "hello");
  auto rest = Ok("ListStateMachines", {{"maxResults", 1}, {"nextToken", listed["nextToken"]}});
  ASSERT_EQ(rest["stateMachines"].size(), 1u);
  EXPECT_EQ(rest["stateMachines"][0]["name"], "other");
  EXPECT_EQ(rest["stateMachines"][0]["type"], "EXPRESS");
  EXPECT_FALSE(rest.contains("nextToken"));

  Ok("DeleteStateMachine", {{"stateMachineArn", arn}});
  EXPECT_EQ(ErrorOf("DescribeStateMachine", {{"stateMachineArn", arn}}),
            "StateMachineDoesNotExist");
}

TEST_F(ApiTest, BadDefinitionsAndNamesAreRefusedWithAwsErrors) {
  Answered bad = Call("CreateStateMachine",
                      {{"name", "bad"},
                       {"definition", R"({"StartAt":"Nope","States":{"A":{"Type":"Succeed"}}})"},
                       {"roleArn", "arn:aws:iam::123456789012:role/r"}});
  ASSERT_FALSE(bad.ok);
  EXPECT_EQ(bad.error.type, "InvalidDefinition");
  EXPECT_NE(bad.error.message.find("SCHEMA_VALIDATION_FAILED"), std::string::npos)
      << bad.error.message;
  EXPECT_NE(bad.error.message.find("/StartAt"), std::string::npos) << bad.error.message;
  EXPECT_EQ(ErrorOf("CreateStateMachine", {{"name", "has space"}, {"definition", kPassMachine}}),
            "InvalidName");
  EXPECT_EQ(ErrorOf("CreateStateMachine", {{"name", "x"}, {"definition", "{not json"}}),
            "InvalidDefinition");
  EXPECT_EQ(ErrorOf("CreateStateMachine", {{"definition", kPassMachine}}), "ValidationException");
  EXPECT_EQ(ErrorOf("CreateStateMachine", {{"name", 7}, {"definition", kPassMachine}}),
            "ValidationException");
  EXPECT_EQ(ErrorOf("CreateStateMachine",
                    {{"name", "t"}, {"definition", kPassMachine}, {"type", "SIDEWAYS"}}),
            "ValidationException");

  auto valid = Ok("ValidateStateMachineDefinition", {{"definition", kPassMachine}});
  EXPECT_EQ(valid["result"], "OK");
  EXPECT_TRUE(valid["diagnostics"].empty());
  auto invalid = Ok("ValidateStateMachineDefinition",
                    {{"definition", R"({"StartAt":"A","States":{"A":{"Type":"Pass"}}})"}});
  EXPECT_EQ(invalid["result"], "FAIL");
  ASSERT_FALSE(invalid["diagnostics"].empty());
  EXPECT_EQ(invalid["diagnostics"][0]["code"], "SCHEMA_VALIDATION_FAILED");
  EXPECT_EQ(invalid["diagnostics"][0]["location"].get<std::string>().rfind("/States", 0), 0u)
      << invalid.dump();
}

TEST_F(ApiTest, MalformedRequestsAndUnknownActions) {
  std::optional<ApiAnswer> got;
  api_->Handle("ListStateMachines", "{not json", [&](ApiAnswer a) { got = a; });
  ASSERT_TRUE(got && !got->ok);
  EXPECT_EQ(got->error.type, "SerializationException");
  got.reset();
  api_->Handle("ListStateMachines", "[1,2]", [&](ApiAnswer a) { got = a; });
  ASSERT_TRUE(got && !got->ok);
  EXPECT_EQ(got->error.type, "SerializationException");
  EXPECT_EQ(ErrorOf("LaunchRockets", nlohmann::ordered_json::object()),
            "UnknownOperationException");
  EXPECT_EQ(ErrorOf("ListStateMachines", {{"maxResults", 5000}}), "ValidationException");
  EXPECT_EQ(ErrorOf("ListStateMachines", {{"nextToken", "garbage"}}), "InvalidToken");
  EXPECT_EQ(StepFunctionsApi::ErrorBody(ApiError{"ExecutionDoesNotExist", "gone", 400}),
            R"({"__type":"ExecutionDoesNotExist","message":"gone"})");
}

TEST_F(ApiTest, ExecutionsRunAndAreDescribedWithTheirHistory) {
  std::string machine = Create("hello", kPassMachine);
  std::string arn = Start(machine, R"({"who":"world"})", "first");
  EXPECT_EQ(arn, "arn:aws:states:local:123456789012:execution:hello:first");
  ASSERT_TRUE(service_->Run().ok());

  auto described = Ok("DescribeExecution", {{"executionArn", arn}});
  EXPECT_EQ(described["status"], "SUCCEEDED");
  EXPECT_EQ(described["name"], "first");
  EXPECT_EQ(described["stateMachineArn"], machine);
  EXPECT_EQ(nlohmann::json::parse(described["output"].get<std::string>()),
            nlohmann::json::parse(R"({"who":"world","r":{"greeting":"hello"}})"));
  EXPECT_EQ(described["input"], R"({"who":"world"})");
  EXPECT_TRUE(described["stopDate"].is_number());
  EXPECT_EQ(described["redriveStatus"], "NOT_REDRIVABLE");

  EXPECT_EQ(EventTypes(arn), (std::vector<std::string>{"ExecutionStarted", "PassStateEntered",
                                                       "PassStateExited", "PassStateEntered",
                                                       "PassStateExited", "ExecutionSucceeded"}));
  // Pages of two, forward and in reverse; without execution data.
  auto page1 = Ok("GetExecutionHistory", {{"executionArn", arn}, {"maxResults", 2}});
  ASSERT_EQ(page1["events"].size(), 2u);
  EXPECT_EQ(page1["events"][1]["id"], 2);
  auto page2 = Ok("GetExecutionHistory",
                  {{"executionArn", arn}, {"maxResults", 2}, {"nextToken", page1["nextToken"]}});
  ASSERT_EQ(page2["events"].size(), 2u);
  EXPECT_EQ(page2["events"][0]["id"], 3);
  EXPECT_TRUE(page2["events"][0]["timestamp"].is_number());
  auto reversed = Ok("GetExecutionHistory", {{"executionArn", arn},
                                             {"maxResults", 1},
                                             {"reverseOrder", true},
                                             {"includeExecutionData", false}});
  ASSERT_EQ(reversed["events"].size(), 1u);
  EXPECT_EQ(reversed["events"][0]["type"], "ExecutionSucceeded");
  EXPECT_FALSE(reversed["events"][0]["executionSucceededEventDetails"].contains("output"));
  EXPECT_EQ(reversed["nextToken"], "5");

  auto for_execution = Ok("DescribeStateMachineForExecution", {{"executionArn", arn}});
  EXPECT_EQ(for_execution["definition"], kPassMachine);
  EXPECT_EQ(for_execution["name"], "hello");
}

TEST_F(ApiTest, StartExecutionErrorsAndIdempotency) {
  std::string machine = Create("waiter", kWaitMachine);
  std::string arn = Start(machine, R"({"a":1})", "same");
  // The same name and input while it runs: the same execution; another input: refused.
  EXPECT_EQ(Start(machine, R"({"a":1})", "same"), arn);
  EXPECT_EQ(ErrorOf("StartExecution",
                    {{"stateMachineArn", machine}, {"name", "same"}, {"input", R"({"a":2})"}}),
            "ExecutionAlreadyExists");
  EXPECT_EQ(ErrorOf("StartExecution", {{"stateMachineArn", machine}, {"input", "{oops"}}),
            "InvalidExecutionInput");
  EXPECT_EQ(ErrorOf("StartExecution", {{"stateMachineArn", machine},
                                       {"input", "\"" + std::string(300 * 1024, 'x') + "\""}}),
            "InvalidExecutionInput");
  EXPECT_EQ(ErrorOf("StartExecution", {{"stateMachineArn", machine}, {"name", "bad/name"}}),
            "InvalidName");
  EXPECT_EQ(ErrorOf("StartExecution", {{"stateMachineArn", machine + "-missing"}}),
            "StateMachineDoesNotExist");
  EXPECT_EQ(ErrorOf("DescribeExecution", {{"executionArn", arn + "-missing"}}),
            "ExecutionDoesNotExist");
  EXPECT_EQ(ErrorOf("GetExecutionHistory", {{"executionArn", arn + "-missing"}}),
            "ExecutionDoesNotExist");

  // Stopped while waiting: ABORTED with the given error and cause.
  auto stopped =
      Ok("StopExecution", {{"executionArn", arn}, {"error", "Halt"}, {"cause", "enough"}});
  EXPECT_TRUE(stopped["stopDate"].is_number());
  ASSERT_TRUE(service_->Run().ok());
  auto described = Ok("DescribeExecution", {{"executionArn", arn}});
  EXPECT_EQ(described["status"], "ABORTED");
  EXPECT_EQ(described["error"], "Halt");
  EXPECT_EQ(described["cause"], "enough");
  EXPECT_EQ(described["redriveStatus"], "REDRIVABLE");

  std::string second = Start(machine, "{}", "second");
  ASSERT_TRUE(service_->Run().ok());  // the virtual clock jumps the hour
  auto aborted = Ok("ListExecutions", {{"stateMachineArn", machine}, {"statusFilter", "ABORTED"}});
  ASSERT_EQ(aborted["executions"].size(), 1u);
  EXPECT_EQ(aborted["executions"][0]["executionArn"], arn);
  auto all = Ok("ListExecutions", {{"stateMachineArn", machine}, {"maxResults", 1}});
  ASSERT_EQ(all["executions"].size(), 1u);
  EXPECT_EQ(all["executions"][0]["executionArn"], second);  // newest first
  ASSERT_TRUE(all.contains("nextToken"));
  auto next =
      Ok("ListExecutions",
         {{"stateMachineArn", machine}, {"maxResults", 1}, {"nextToken", all["nextToken"]}});
  EXPECT_EQ(next["executions"][0]["executionArn"], arn);
  EXPECT_EQ(ErrorOf("ListExecutions", {{"stateMachineArn", machine}, {"statusFilter", "NAPPING"}}),
            "ValidationException");
}

TEST_F(ApiTest, RedriveExecutionRunsAFailedExecutionAgain) {
  std::string machine = Create("broken", kFailMachine);
  std::string arn = Start(machine);
  ASSERT_TRUE(service_->Run().ok());
  EXPECT_EQ(Ok("DescribeExecution", {{"executionArn", arn}})["status"], "FAILED");
  auto redriven = Ok("RedriveExecution", {{"executionArn", arn}});
  EXPECT_TRUE(redriven["redriveDate"].is_number());
  ASSERT_TRUE(service_->Run().ok());
  auto described = Ok("DescribeExecution", {{"executionArn", arn}});
  EXPECT_EQ(described["status"], "FAILED");
  EXPECT_EQ(described["redriveCount"], 1);
  auto types = EventTypes(arn);
  EXPECT_NE(std::find(types.begin(), types.end(), "ExecutionRedriven"), types.end());

  std::string ok_machine = Create("fine", kPassMachine);
  std::string ok_arn = Start(ok_machine);
  ASSERT_TRUE(service_->Run().ok());
  Answered refused = Call("RedriveExecution", {{"executionArn", ok_arn}});
  ASSERT_FALSE(refused.ok);
  EXPECT_EQ(refused.error.type, "ExecutionNotRedrivable");
  EXPECT_NE(refused.error.message.find("SUCCEEDED"), std::string::npos) << refused.error.message;
}

TEST_F(ApiTest, TaskTokensAreAnsweredBySendTaskSuccessAndFailure) {
  std::string machine = Create("asker", kTokenMachine);
  std::string good = Start(machine, "{}", "good");
  std::string bad = Start(machine, "{}", "bad");
  int phase = 0;
  int turns = 0;
  ServeUntil([&] {
    if (++turns > 500) {  // 5 s: report instead of hanging
      ADD_FAILURE() << "waiting: " << broker_.waiting()
                    << ", running: " << service_->runtime().running()
                    << ", good: " << Ok("DescribeExecution", {{"executionArn", good}}).dump();
      return true;
    }
    if (phase == 0 && broker_.waiting() == 2) {
      const std::string good_token = good + "#3";  // the TaskScheduled event's id
      EXPECT_EQ(ErrorOf("SendTaskHeartbeat", {{"taskToken", "nonsense"}}), "InvalidToken");
      EXPECT_EQ(ErrorOf("SendTaskSuccess", {{"taskToken", good_token}, {"output", "{oops"}}),
                "InvalidOutput");
      Ok("SendTaskHeartbeat", {{"taskToken", good_token}});
      Ok("SendTaskSuccess", {{"taskToken", good_token}, {"output", R"({"answer":42})"}});
      Ok("SendTaskFailure", {{"taskToken", bad + "#3"}, {"error", "No"}, {"cause", "declined"}});
      EXPECT_EQ(ErrorOf("SendTaskSuccess", {{"taskToken", good_token}, {"output", "{}"}}),
                "TaskDoesNotExist");
      phase = 1;
      return false;
    }
    return phase == 1 && service_->runtime().running() == 0;
  });
  auto g = Ok("DescribeExecution", {{"executionArn", good}});
  EXPECT_EQ(g["status"], "SUCCEEDED");
  EXPECT_EQ(g["output"], R"({"answer":42})");
  auto b = Ok("DescribeExecution", {{"executionArn", bad}});
  EXPECT_EQ(b["status"], "FAILED");
  EXPECT_EQ(b["error"], "No");
  EXPECT_EQ(b["cause"], "declined");
  // The token the state was given is the one that answered it.
  auto events = Ok("GetExecutionHistory", {{"executionArn", good}})["events"];
  ASSERT_GE(events.size(), 3u);
  EXPECT_NE(events[2].dump().find(good + "#3"), std::string::npos) << events[2].dump();
}

TEST_F(ApiTest, StartSyncExecutionAnswersWhenTheExecutionEnds) {
  std::string standard = Create("standard", kPassMachine);
  EXPECT_EQ(ErrorOf("StartSyncExecution", {{"stateMachineArn", standard}}),
            "StateMachineTypeNotSupported");
  std::string express = Create("quick", kPassMachine, "EXPRESS");
  std::optional<Answered> got;
  api_->Handle("StartSyncExecution",
               nlohmann::json{{"stateMachineArn", express}, {"input", R"({"n":1})"}}.dump(),
               [&](ApiAnswer a) { got = Convert(std::move(a)); });
  EXPECT_FALSE(got.has_value());  // not before the execution has run
  ASSERT_TRUE(service_->Run().ok());
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->ok) << got->error.message;
  EXPECT_EQ(got->body["status"], "SUCCEEDED");
  EXPECT_EQ(got->body["stateMachineArn"], express);
  EXPECT_EQ(nlohmann::json::parse(got->body["output"].get<std::string>()),
            nlohmann::json::parse(R"({"n":1,"r":{"greeting":"hello"}})"));
  EXPECT_TRUE(got->body["stopDate"].is_number());
}

}  // namespace
}  // namespace sluice::engine::server
