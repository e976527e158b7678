// Activities and TestState through the AWS Step Functions API layer (engine/server/api.h),
// driven in-process without HTTP: CreateActivity / DescribeActivity / ListActivities /
// DeleteActivity, Task states whose Resource is an activity answered by a worker
// (GetActivityTask, SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat), their timeouts, a
// restart with an activity task pending, and TestState's statuses and inspection data.
#include <gtest/gtest.h>
#include <unistd.h>
#include <uv.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/runtime.h"
#include "engine/server/api.h"
#include "engine/server/task_broker.h"
#include "engine/service.h"
#include "tests/support/api_testing.h"

namespace sluice::engine::server {
namespace {

using testing::Answered;
using testing::Convert;

namespace fs = std::filesystem;
using OJson = nlohmann::ordered_json;

constexpr const char* kActivityArnPrefix = "arn:aws:states:local:123456789012:activity:";

// A machine whose one Task state is the activity `arn`, with `extra` fields added to the state.
std::string ActivityMachine(const std::string& arn, const OJson& extra = OJson::object()) {
  OJson task{{"Type", "Task"}, {"Resource", arn}, {"End", true}};
  task.update(extra);
  return OJson{{"StartAt", "Work"}, {"States", {{"Work", task}}}}.dump();
}

class ActivityApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sluice_activity_api_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Open();
  }

  void TearDown() override {
    Close();
    fs::remove_all(dir_);
  }

  // Opens the service on the test's database (a "daemon start"), resuming what was running.
  void Open() {
    ServiceOptions options;
    options.db_path = (dir_ / "sluice.db").string();
    options.virtual_clock = virtual_clock_;
    auto opened = Service::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.error();
    service_ = std::move(opened).value();
    broker_ = std::make_unique<TaskBroker>(
        [this](uint64_t task) { service_->runtime().TaskHeartbeat(task); });
    service_->set_builtin_handler(broker_.get());
    ApiOptions api_options;
    api_options.activity_poll_millis = poll_millis_;
    api_ = std::make_unique<StepFunctionsApi>(*service_, *broker_, api_options);
    auto recovered = service_->Recover();
    ASSERT_TRUE(recovered.ok()) << recovered.error();
    ASSERT_TRUE(service_->CommitNow().ok());  // recovered tasks are dispatched again
  }

  // Stops the "daemon": what runs stays RUNNING in the database.
  void Close() {
    api_.reset();
    if (service_) {
      EXPECT_TRUE(service_->CommitNow().ok());
      service_->set_builtin_handler(nullptr);
    }
    service_.reset();
    broker_.reset();
  }

  // Calls an action; `reply` may come later (GetActivityTask, TestState).
  void CallAsync(const std::string& action, const OJson& body, std::optional<Answered>* out) {
    api_->Handle(action, body.dump(), [out](ApiAnswer a) { *out = Convert(std::move(a)); });
  }

  Answered Call(const std::string& action, const OJson& body) {
    std::optional<Answered> got;
    CallAsync(action, body, &got);
    EXPECT_TRUE(got.has_value()) << action << " did not answer at once";
    return got.value_or(Answered{});
  }

  OJson Ok(const std::string& action, const OJson& body) {
    Answered a = Call(action, body);
    EXPECT_TRUE(a.ok) << action << ": " << a.error.type << ": " << a.error.message;
    return a.body;
  }

  std::string ErrorOf(const std::string& action, const OJson& body) {
    Answered a = Call(action, body);
    EXPECT_FALSE(a.ok) << action << " succeeded: " << a.body.dump();
    return a.error.type;
  }

  std::string CreateActivity(const std::string& name) {
    return Ok("CreateActivity", {{"name", name}})["activityArn"];
  }

  std::string Start(const std::string& name, const std::string& definition,
                    const std::string& input = "{}") {
    std::string machine = Ok("CreateStateMachine",
                             {{"name", name},
                              {"definition", definition},
                              {"roleArn", "arn:aws:iam::123456789012:role/r"}})["stateMachineArn"];
    return Ok("StartExecution", {{"stateMachineArn", machine}, {"input", input}})["executionArn"];
  }

  OJson Describe(const std::string& execution) {
    return Ok("DescribeExecution", {{"executionArn", execution}});
  }

  std::string Status(const std::string& execution) { return Describe(execution)["status"]; }

  std::vector<OJson> History(const std::string& execution) {
    std::vector<OJson> events;
    const OJson answer = Ok("GetExecutionHistory", {{"executionArn", execution}});
    for (const auto& e : answer["events"]) events.push_back(e);
    return events;
  }

  std::vector<std::string> EventTypes(const std::string& execution) {
    std::vector<std::string> types;
    for (const auto& e : History(execution)) types.push_back(e["type"]);
    return types;
  }

  OJson EventOf(const std::string& execution, const std::string& type) {
    for (const auto& e : History(execution)) {
      if (e["type"] == type) return e;
    }
    ADD_FAILURE() << "no " << type << " event";
    return OJson();
  }

  void ServeUntil(const std::function<bool()>& step) { testing::ServeUntil(*service_, step); }

  // A worker: polls `activity` once, then calls `answer` with the task it got (once).
  struct Worker {
    std::optional<Answered> poll;
    bool polling = false;
    bool answered = false;
  };

  // One step of a worker loop: polls when idle; hands a task to `answer`.
  void WorkerStep(Worker& w, const std::string& activity,
                  const std::function<void(const OJson& task)>& answer) {
    if (w.answered) return;
    if (!w.polling) {
      w.polling = true;
      CallAsync("GetActivityTask", {{"activityArn", activity}, {"workerName", "worker-1"}},
                &w.poll);
      return;
    }
    if (!w.poll) return;
    ASSERT_TRUE(w.poll->ok) << w.poll->error.type << ": " << w.poll->error.message;
    if (!w.poll->body.contains("taskToken")) {  // an empty poll: poll again
      w.poll.reset();
      w.polling = false;
      return;
    }
    w.answered = true;
    answer(w.poll->body);
  }

  // Serves until `execution` is no longer RUNNING, with a worker answering its activity task.
  void RunWorker(const std::string& execution, const std::string& activity,
                 const std::function<void(const OJson& task)>& answer) {
    Worker w;
    ServeUntil([&] {
      WorkerStep(w, activity, answer);
      return Status(execution) != "RUNNING";
    });
  }

  // TestState, answered at once (states that need no task that waits).
  OJson Test(const OJson& request) {
    Answered a = Call("TestState", request);
    EXPECT_TRUE(a.ok) << a.error.type << ": " << a.error.message;
    return a.body;
  }

  fs::path dir_;
  uint64_t poll_millis_ = 60'000;
  // Timers of a task in flight fire only in real time: a virtual clock jumps only when no task
  // runs.
  bool virtual_clock_ = true;
  std::unique_ptr<Service> service_;
  std::unique_ptr<TaskBroker> broker_;
  std::unique_ptr<StepFunctionsApi> api_;
};

// --- activities ---------------------------------------------------------------------------------

TEST_F(ActivityApiTest, CreateDescribeListAndDelete) {
  OJson created = Ok("CreateActivity", {{"name", "resize"}});
  const std::string arn = created["activityArn"];
  EXPECT_EQ(arn, std::string(kActivityArnPrefix) + "resize");
  EXPECT_TRUE(created["creationDate"].is_number());
  // Idempotent: the same name is the same activity, created when it first was.
  OJson again = Ok("CreateActivity", {{"name", "resize"}});
  EXPECT_EQ(again["activityArn"], arn);
  EXPECT_EQ(again["creationDate"], created["creationDate"]);

  OJson described = Ok("DescribeActivity", {{"activityArn", arn}});
  EXPECT_EQ(described["activityArn"], arn);
  EXPECT_EQ(described["name"], "resize");
  EXPECT_EQ(described["creationDate"], created["creationDate"]);

  CreateActivity("archive");
  CreateActivity("convert");
  OJson page1 = Ok("ListActivities", {{"maxResults", 2}});
  ASSERT_EQ(page1["activities"].size(), 2u);
  EXPECT_EQ(page1["activities"][0]["name"], "archive");
  EXPECT_EQ(page1["activities"][1]["name"], "convert");
  ASSERT_TRUE(page1.contains("nextToken"));
  OJson page2 = Ok("ListActivities", {{"maxResults", 2}, {"nextToken", page1["nextToken"]}});
  ASSERT_EQ(page2["activities"].size(), 1u);
  EXPECT_EQ(page2["activities"][0]["activityArn"], arn);
  EXPECT_FALSE(page2.contains("nextToken"));

  EXPECT_TRUE(Ok("DeleteActivity", {{"activityArn", arn}}).empty());
  EXPECT_EQ(ErrorOf("DescribeActivity", {{"activityArn", arn}}), "ActivityDoesNotExist");
  EXPECT_TRUE(Ok("DeleteActivity", {{"activityArn", arn}}).empty());  // absent: still fine
  EXPECT_EQ(Ok("ListActivities", OJson::object())["activities"].size(), 2u);
}

TEST_F(ActivityApiTest, BadNamesAndArnsAreRefusedWithAwsErrors) {
  EXPECT_EQ(ErrorOf("CreateActivity", {{"name", "has space"}}), "InvalidName");
  EXPECT_EQ(ErrorOf("CreateActivity", {{"name", ""}}), "InvalidName");
  EXPECT_EQ(ErrorOf("CreateActivity", {{"name", std::string(81, 'a')}}), "InvalidName");
  EXPECT_EQ(ErrorOf("CreateActivity", OJson::object()), "ValidationException");
  EXPECT_EQ(ErrorOf("DescribeActivity", {{"activityArn", "resize"}}), "InvalidArn");
  EXPECT_EQ(ErrorOf("DescribeActivity",
                    {{"activityArn", "arn:aws:states:local:123456789012:stateMachine:m"}}),
            "InvalidArn");
  EXPECT_EQ(ErrorOf("DeleteActivity", {{"activityArn", "arn:aws:states:::activity:x"}}),
            "InvalidArn");
  EXPECT_EQ(
      ErrorOf("DescribeActivity", {{"activityArn", std::string(kActivityArnPrefix) + "gone"}}),
      "ActivityDoesNotExist");
  EXPECT_EQ(ErrorOf("ListActivities", {{"nextToken", "x"}}), "InvalidToken");
  std::optional<Answered> poll;
  CallAsync("GetActivityTask", {{"activityArn", std::string(kActivityArnPrefix) + "gone"}}, &poll);
  ASSERT_TRUE(poll.has_value());
  EXPECT_EQ(poll->error.type, "ActivityDoesNotExist");
}

TEST_F(ActivityApiTest, AWorkerCompletesTheActivityTask) {
  const std::string activity = CreateActivity("resize");
  const std::string execution =
      Start("m", ActivityMachine(activity, {{"ResultPath", "$.result"}}), R"({"image":"a.png"})");
  RunWorker(execution, activity, [&](const OJson& task) {
    EXPECT_EQ(OJson::parse(task["input"].get<std::string>()), OJson({{"image", "a.png"}}));
    const std::string token = task["taskToken"];
    EXPECT_TRUE(Ok("SendTaskHeartbeat", {{"taskToken", token}}).empty());
    EXPECT_TRUE(Ok("SendTaskSuccess", {{"taskToken", token}, {"output", R"({"size":3})"}}).empty());
    EXPECT_EQ(ErrorOf("SendTaskSuccess", {{"taskToken", token}, {"output", "{}"}}),
              "TaskDoesNotExist");
  });
  OJson d = Describe(execution);
  EXPECT_EQ(d["status"], "SUCCEEDED");
  EXPECT_EQ(OJson::parse(d["output"].get<std::string>()),
            OJson({{"image", "a.png"}, {"result", {{"size", 3}}}}));
  EXPECT_EQ(EventTypes(execution),
            (std::vector<std::string>{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
                                      "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
                                      "ExecutionSucceeded"}));
  OJson scheduled = EventOf(execution, "ActivityScheduled")["activityScheduledEventDetails"];
  EXPECT_EQ(scheduled["resource"], activity);
  EXPECT_EQ(OJson::parse(scheduled["input"].get<std::string>()), OJson({{"image", "a.png"}}));
  EXPECT_EQ(EventOf(execution, "ActivityStarted")["activityStartedEventDetails"]["workerName"],
            "worker-1");
  EXPECT_EQ(EventOf(execution, "ActivitySucceeded")["activitySucceededEventDetails"]["output"],
            R"({"size":3})");
}

TEST_F(ActivityApiTest, AWorkerFailureFailsTheState) {
  const std::string activity = CreateActivity("resize");
  const std::string execution = Start("m", ActivityMachine(activity));
  RunWorker(execution, activity, [&](const OJson& task) {
    Ok("SendTaskFailure",
       {{"taskToken", task["taskToken"]}, {"error", "Resize.Broken"}, {"cause", "no pixels"}});
  });
  OJson d = Describe(execution);
  EXPECT_EQ(d["status"], "FAILED");
  EXPECT_EQ(d["error"], "Resize.Broken");
  EXPECT_EQ(d["cause"], "no pixels");
  OJson failed = EventOf(execution, "ActivityFailed")["activityFailedEventDetails"];
  EXPECT_EQ(failed["error"], "Resize.Broken");
  EXPECT_EQ(failed["cause"], "no pixels");
}

TEST_F(ActivityApiTest, AMissedHeartbeatTimesTheActivityOut) {
  Close();
  virtual_clock_ = false;
  Open();
  const std::string activity = CreateActivity("resize");
  const std::string execution = Start("m", ActivityMachine(activity, {{"HeartbeatSeconds", 1}}));
  std::string token;
  RunWorker(execution, activity, [&](const OJson& task) { token = task["taskToken"]; });
  ASSERT_FALSE(token.empty());
  OJson d = Describe(execution);
  EXPECT_EQ(d["status"], "FAILED");
  EXPECT_EQ(d["error"], "States.HeartbeatTimeout");
  auto types = EventTypes(execution);
  EXPECT_EQ(types[types.size() - 2], "ActivityTimedOut");
  EXPECT_EQ(EventOf(execution, "ActivityTimedOut")["activityTimedOutEventDetails"]["error"],
            "States.HeartbeatTimeout");
  EXPECT_EQ(EventOf(execution,
                    "ActivityScheduled")["activityScheduledEventDetails"]["heartbeatInSeconds"],
            1);
  EXPECT_EQ(ErrorOf("SendTaskSuccess", {{"taskToken", token}, {"output", "{}"}}),
            "TaskDoesNotExist");
}

TEST_F(ActivityApiTest, ATaskForAnActivityThatDoesNotExistFailsToSchedule) {
  const std::string execution = Start("m", ActivityMachine(std::string(kActivityArnPrefix) + "x"));
  ServeUntil([&] { return Status(execution) != "RUNNING"; });
  OJson d = Describe(execution);
  EXPECT_EQ(d["status"], "FAILED");
  EXPECT_EQ(d["error"], "ActivityDoesNotExist");
  OJson failed = EventOf(execution, "ActivityScheduleFailed")["activityScheduleFailedEventDetails"];
  EXPECT_EQ(failed["error"], "ActivityDoesNotExist");
}

TEST_F(ActivityApiTest, ALongPollWithNoTaskAnswersEmpty) {
  Close();
  poll_millis_ = 50;
  Open();
  const std::string activity = CreateActivity("idle");
  std::optional<Answered> poll;
  CallAsync("GetActivityTask", {{"activityArn", activity}, {"workerName", "w"}}, &poll);
  EXPECT_FALSE(poll.has_value());  // held open
  ServeUntil([&] { return poll.has_value(); });
  ASSERT_TRUE(poll->ok) << poll->error.message;
  EXPECT_EQ(poll->body, OJson::object());  // AWS leaves taskToken and input out
}

TEST_F(ActivityApiTest, EndPollsAnswersWaitingAndLaterPollsWithoutWaiting) {
  // The default 60 s wait: only EndPolls can answer within the test.
  const std::string activity = CreateActivity("draining");
  std::optional<Answered> waiting;
  CallAsync("GetActivityTask", {{"activityArn", activity}, {"workerName", "w"}}, &waiting);
  EXPECT_FALSE(waiting.has_value());
  api_->EndPolls();
  ServeUntil([&] { return waiting.has_value(); });
  ASSERT_TRUE(waiting->ok) << waiting->error.message;
  EXPECT_EQ(waiting->body, OJson::object());
  EXPECT_EQ(Ok("GetActivityTask", {{"activityArn", activity}, {"workerName", "late"}}),
            OJson::object());
}

TEST_F(ActivityApiTest, TasksScheduledBeforeARestartAreObtainableAfterIt) {
  const std::string activity = CreateActivity("resize");
  const std::string waiting = Start("a", ActivityMachine(activity), R"({"n":1})");
  const std::string taken = Start("b", ActivityMachine(activity), R"({"n":2})");
  // Before the restart a worker takes one task (ActivityStarted is recorded) and keeps it.
  std::string held_token;
  ServeUntil([&] {
    if (held_token.empty()) {
      Answered a = Call("GetActivityTask", {{"activityArn", activity}, {"workerName", "early"}});
      if (a.ok && a.body.contains("taskToken")) held_token = a.body["taskToken"];
    }
    return !held_token.empty();
  });
  ASSERT_FALSE(held_token.empty());
  const std::string held_execution = held_token.substr(0, held_token.rfind('#'));
  const std::string other = held_execution == waiting ? taken : waiting;

  Close();
  Open();  // a new daemon on the same database
  EXPECT_EQ(Ok("DescribeActivity", {{"activityArn", activity}})["name"], "resize");
  // The worker that held a task answers it with its token; the other task is handed out anew.
  EXPECT_TRUE(
      Ok("SendTaskSuccess", {{"taskToken", held_token}, {"output", R"({"by":"early"})"}}).empty());
  RunWorker(other, activity, [&](const OJson& task) {
    EXPECT_NE(task["taskToken"], held_token);
    Ok("SendTaskSuccess", {{"taskToken", task["taskToken"]}, {"output", R"({"by":"late"})"}});
  });
  ServeUntil([&] { return Status(held_execution) != "RUNNING"; });
  EXPECT_EQ(Describe(held_execution)["output"], R"({"by":"early"})");
  EXPECT_EQ(Describe(other)["output"], R"({"by":"late"})");
  auto started = EventOf(held_execution, "ActivityStarted")["activityStartedEventDetails"];
  EXPECT_EQ(started["workerName"], "early");
}

// --- TestState ----------------------------------------------------------------------------------

TEST_F(ActivityApiTest, TestStatePassShowsItsDataFlowInDebug) {
  OJson state{{"Type", "Pass"},
              {"InputPath", "$.order"},
              {"Parameters", {{"id.$", "$.id"}, {"fixed", 1}}},
              {"ResultPath", "$.order.copy"},
              {"Next", "Ship"}};
  OJson r = Test({{"definition", state.dump()},
                  {"input", R"({"order":{"id":"o-7"}})"},
                  {"inspectionLevel", "DEBUG"}});
  EXPECT_EQ(r["status"], "SUCCEEDED");
  EXPECT_EQ(r["nextState"], "Ship");
  const OJson expected_output{{"order", {{"id", "o-7"}, {"copy", {{"id", "o-7"}, {"fixed", 1}}}}}};
  EXPECT_EQ(OJson::parse(r["output"].get<std::string>()), expected_output);
  const OJson& data = r["inspectionData"];
  EXPECT_EQ(OJson::parse(data["input"].get<std::string>()),
            OJson::parse(R"({"order":{"id":"o-7"}})"));
  EXPECT_EQ(OJson::parse(data["afterInputPath"].get<std::string>()), OJson({{"id", "o-7"}}));
  EXPECT_EQ(OJson::parse(data["afterParameters"].get<std::string>()),
            OJson({{"id", "o-7"}, {"fixed", 1}}));
  EXPECT_EQ(OJson::parse(data["result"].get<std::string>()), OJson({{"id", "o-7"}, {"fixed", 1}}));
  EXPECT_EQ(OJson::parse(data["afterResultPath"].get<std::string>()), expected_output);
  // INFO: no inspection data.
  OJson info = Test({{"definition", state.dump()}, {"input", R"({"order":{"id":"o-7"}})"}});
  EXPECT_FALSE(info.contains("inspectionData"));
  EXPECT_EQ(info["output"], r["output"]);
}

TEST_F(ActivityApiTest, TestStateWithVariables) {
  OJson state{{"Type", "Pass"},
              {"Parameters", {{"greeting.$", "States.Format('hi {}', $name)"}}},
              {"Assign", {{"seen.$", "$.greeting"}}},
              {"End", true}};
  OJson r = Test({{"definition", state.dump()},
                  {"input", R"({"n":2})"},
                  {"variables", R"({"name":"ada"})"},
                  {"inspectionLevel", "DEBUG"}});
  EXPECT_EQ(r["status"], "SUCCEEDED");
  EXPECT_FALSE(r.contains("nextState"));
  EXPECT_EQ(OJson::parse(r["output"].get<std::string>()), OJson({{"greeting", "hi ada"}}));
  EXPECT_EQ(OJson::parse(r["inspectionData"]["variables"].get<std::string>()),
            OJson({{"name", "ada"}, {"seen", "hi ada"}}));
}

TEST_F(ActivityApiTest, TestStateChoiceNamesTheNextState) {
  OJson state{{"Type", "Choice"},
              {"Choices",
               {{{"Variable", "$.n"}, {"NumericGreaterThan", 10}, {"Next", "Big"}},
                {{"Variable", "$.n"}, {"NumericLessThan", 0}, {"Next", "Negative"}}}},
              {"Default", "Small"}};
  EXPECT_EQ(Test({{"definition", state.dump()}, {"input", R"({"n":11})"}})["nextState"], "Big");
  EXPECT_EQ(Test({{"definition", state.dump()}, {"input", R"({"n":-1})"}})["nextState"],
            "Negative");
  OJson r = Test({{"definition", state.dump()}, {"input", R"({"n":3})"}});
  EXPECT_EQ(r["nextState"], "Small");
  EXPECT_EQ(r["status"], "SUCCEEDED");
  EXPECT_EQ(r["output"], R"({"n":3})");
}

TEST_F(ActivityApiTest, TestStateFailReportsErrorAndCause) {
  OJson r = Test({{"definition", R"({"Type":"Fail","Error":"Oops","Cause":"on purpose"})"}});
  EXPECT_EQ(r["status"], "FAILED");
  EXPECT_EQ(r["error"], "Oops");
  EXPECT_EQ(r["cause"], "on purpose");
  EXPECT_FALSE(r.contains("output"));
  EXPECT_FALSE(r.contains("nextState"));
}

TEST_F(ActivityApiTest, TestStateTaskFailuresAreCaughtRetriableOrFailed) {
  // No handler serves this resource: the task fails with States.TaskFailed, as in an execution.
  const std::string resource = "arn:aws:lambda:us-east-1:123456789012:function:absent";
  OJson caught{
      {"Type", "Task"},
      {"Resource", resource},
      {"Catch", {{{"ErrorEquals", {"States.ALL"}}, {"ResultPath", "$.err"}, {"Next", "Recover"}}}},
      {"Next", "Done"}};
  OJson r = Test({{"definition", caught.dump()}, {"input", R"({"a":1})"}});
  EXPECT_EQ(r["status"], "CAUGHT_ERROR");
  EXPECT_EQ(r["nextState"], "Recover");
  EXPECT_EQ(r["error"], "States.TaskFailed");
  OJson output = OJson::parse(r["output"].get<std::string>());
  EXPECT_EQ(output["a"], 1);
  EXPECT_EQ(output["err"]["Error"], "States.TaskFailed");
  EXPECT_EQ(output["err"]["Cause"], r["cause"]);

  OJson retried = caught;
  retried["Retry"] = {{{"ErrorEquals", {"States.TaskFailed"}}, {"MaxAttempts", 2}}};
  OJson retriable = Test({{"definition", retried.dump()}, {"input", R"({"a":1})"}});
  EXPECT_EQ(retriable["status"], "RETRIABLE");
  EXPECT_EQ(retriable["error"], "States.TaskFailed");
  EXPECT_FALSE(retriable.contains("nextState"));

  OJson plain{{"Type", "Task"}, {"Resource", resource}, {"End", true}};
  OJson failed = Test({{"definition", plain.dump()}});
  EXPECT_EQ(failed["status"], "FAILED");
  EXPECT_EQ(failed["error"], "States.TaskFailed");
}

TEST_F(ActivityApiTest, TestStateRefusesInvalidAndUnsupportedDefinitions) {
  Answered bad = Call("TestState", {{"definition", R"({"Type":"Pass","Next":5})"}});
  ASSERT_FALSE(bad.ok);
  EXPECT_EQ(bad.error.type, "InvalidDefinition");
  EXPECT_NE(bad.error.message.find("/Next"), std::string::npos) << bad.error.message;
  EXPECT_EQ(Call("TestState", {{"definition", "not json"}}).error.type, "InvalidDefinition");
  EXPECT_EQ(Call("TestState", {{"definition", R"({"Type":"Nope","End":true})"}}).error.type,
            "InvalidDefinition");
  OJson map{
      {"Type", "Map"},
      {"ItemProcessor", {{"StartAt", "P"}, {"States", {{"P", {{"Type", "Pass"}, {"End", true}}}}}}},
      {"End", true}};
  EXPECT_EQ(Call("TestState", {{"definition", map.dump()}}).error.type, "ValidationException");
  OJson activity{
      {"Type", "Task"}, {"Resource", std::string(kActivityArnPrefix) + "x"}, {"End", true}};
  EXPECT_EQ(Call("TestState", {{"definition", activity.dump()}}).error.type, "ValidationException");
  EXPECT_EQ(
      Call("TestState", {{"definition", R"({"Type":"Succeed"})"}, {"inspectionLevel", "LOUD"}})
          .error.type,
      "ValidationException");
}

}  // namespace
}  // namespace sluice::engine::server
