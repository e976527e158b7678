// The executor as a pure step function (events in, commands and history out), and the runtime
// driving it on a virtual clock.
#include "engine/executor.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "asl/loader.h"
#include "engine/clock.h"
#include "engine/runtime.h"
#include "handlers/task_handler.h"

namespace sluice::engine {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kSecond;

std::shared_ptr<const asl::StateMachine> Machine(const char* text) {
  auto compiled = asl::Compile(Json::parse(text));
  EXPECT_TRUE(compiled.ok()) << (compiled.ok() ? "" : asl::FormatDiagnostics(compiled.error()));
  return compiled.ok() ? compiled.value() : nullptr;
}

ExecutionOptions Options() {
  ExecutionOptions o;
  o.state_machine_name = "M";
  o.state_machine_arn = "arn:aws:states:local:123456789012:stateMachine:M";
  o.execution_name = "e1";
  o.execution_arn = "arn:aws:states:local:123456789012:execution:M:e1";
  o.seed = 42;
  return o;
}

std::vector<std::string> Types(const Executor& ex) {
  std::vector<std::string> types;
  for (const auto& e : ex.history()) types.push_back(e.type);
  return types;
}

const Command* Find(const Commands& cmds, Command::Kind kind) {
  for (const auto& c : cmds) {
    if (c.kind == kind) return &c;
  }
  return nullptr;
}

TEST(Executor, PassChainRecordsAwsHistoryWithContiguousIds) {
  Executor ex(Machine(R"({"StartAt":"A","States":{
      "A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.a","Next":"B"},
      "B":{"Type":"Pass","End":true}}})"),
              Options());
  Commands cmds = ex.Start(Json{{"in", true}}, kT0);
  EXPECT_TRUE(cmds.empty());
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(ex.output(), Json::parse(R"({"in":true,"a":{"x":1}})"));
  EXPECT_EQ(Types(ex), (std::vector<std::string>{"ExecutionStarted", "PassStateEntered",
                                                 "PassStateExited", "PassStateEntered",
                                                 "PassStateExited", "ExecutionSucceeded"}));
  for (size_t i = 0; i < ex.history().size(); ++i) {
    EXPECT_EQ(ex.history()[i].id, static_cast<int64_t>(i + 1));
  }
  EXPECT_EQ(ex.history()[1].previous_event_id, 0);  // as AWS records the first state
  EXPECT_EQ(ex.history()[2].previous_event_id, 2);
  EXPECT_EQ(DetailsJson(ex.history()[2])["output"], R"({"in":true,"a":{"x":1}})");
}

TEST(Executor, TaskRetriesWithExponentialBackoffThenCatches) {
  Executor ex(Machine(R"({"StartAt":"T","States":{
      "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
           "Parameters":{"FunctionName":"f"},
           "Retry":[{"ErrorEquals":["Boom"],"IntervalSeconds":1,"MaxAttempts":2,"BackoffRate":3}],
           "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"H"}],
           "End":true},
      "H":{"Type":"Pass","End":true}}})"),
              Options());
  Commands c = ex.Start(Json::object(), kT0);
  const Command* task = Find(c, Command::Kind::kScheduleTask);
  ASSERT_NE(task, nullptr);
  EXPECT_EQ(*task->payload, Json::parse(R"({"FunctionName":"f"})"));

  // First failure: retry after 1 s.
  c = ex.OnTaskFailed(task->task_id, asl::AslError{"Boom", "first"}, kT0);
  const Command* timer = Find(c, Command::Kind::kStartTimer);
  ASSERT_NE(timer, nullptr);
  EXPECT_EQ(timer->due_nanos, kT0 + 1 * kSecond);
  c = ex.OnTimer(timer->timer_id, timer->due_nanos);
  task = Find(c, Command::Kind::kScheduleTask);
  ASSERT_NE(task, nullptr);

  // Second failure: retry after 1 * 3 s.
  c = ex.OnTaskFailed(task->task_id, asl::AslError{"Boom", "second"}, kT0 + kSecond);
  timer = Find(c, Command::Kind::kStartTimer);
  ASSERT_NE(timer, nullptr);
  EXPECT_EQ(timer->due_nanos, kT0 + 4 * kSecond);
  c = ex.OnTimer(timer->timer_id, timer->due_nanos);
  task = Find(c, Command::Kind::kScheduleTask);
  ASSERT_NE(task, nullptr);

  // Retries exhausted: the catcher takes over with the error output at $.err.
  c = ex.OnTaskFailed(task->task_id, asl::AslError{"Boom", "third"}, kT0 + 4 * kSecond);
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(ex.output(), Json::parse(R"({"err":{"Error":"Boom","Cause":"third"}})"));
}

TEST(Executor, StaleTaskResultsAreIgnored) {
  Executor ex(Machine(R"({"StartAt":"T","States":{
      "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true}}})"),
              Options());
  Commands c = ex.Start(Json::object(), kT0);
  const Command* task = Find(c, Command::Kind::kScheduleTask);
  ASSERT_NE(task, nullptr);
  EXPECT_TRUE(ex.OnTaskSucceeded(task->task_id + 99, Json(1), kT0).empty());
  EXPECT_EQ(ex.status(), ExecutionStatus::kRunning);
  ex.OnTaskSucceeded(task->task_id, Json(7), kT0);
  EXPECT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(ex.output(), Json(7));
  auto types = Types(ex);
  EXPECT_EQ(types[2], "LambdaFunctionScheduled");
  EXPECT_EQ(types[3], "LambdaFunctionStarted");
  EXPECT_EQ(types[4], "LambdaFunctionSucceeded");
}

TEST(Executor, TaskTimeoutFailsWithStatesTimeout) {
  Executor ex(Machine(R"({"StartAt":"T","States":{
      "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":5,
           "End":true}}})"),
              Options());
  Commands c = ex.Start(Json::object(), kT0);
  const Command* timer = Find(c, Command::Kind::kStartTimer);
  ASSERT_NE(timer, nullptr);
  EXPECT_EQ(timer->due_nanos, kT0 + 5 * kSecond);
  c = ex.OnTimer(timer->timer_id, timer->due_nanos);
  EXPECT_NE(Find(c, Command::Kind::kCancelTask), nullptr);
  ASSERT_EQ(ex.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(ex.error().error, "States.Timeout");
  EXPECT_EQ(Types(ex)[4], "TaskTimedOut");
}

TEST(Executor, MachineTimeoutEndsTimedOut) {
  Executor ex(Machine(R"({"StartAt":"W","TimeoutSeconds":10,"States":{
      "W":{"Type":"Wait","Seconds":3600,"End":true}}})"),
              Options());
  Commands c = ex.Start(Json::object(), kT0);
  ASSERT_EQ(c.size(), 2u);
  const Command* machine_timer = &c[0];
  EXPECT_EQ(machine_timer->due_nanos, kT0 + 10 * kSecond);
  ex.OnTimer(machine_timer->timer_id, machine_timer->due_nanos);
  EXPECT_EQ(ex.status(), ExecutionStatus::kTimedOut);
  EXPECT_EQ(ex.error().error, "States.Timeout");
  auto types = Types(ex);
  EXPECT_EQ(types[types.size() - 2], "WaitStateAborted");
  EXPECT_EQ(types.back(), "ExecutionTimedOut");
}

TEST(Executor, StopAbortsARunningExecution) {
  Executor ex(Machine(R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}})"),
              Options());
  Commands c = ex.Start(Json::object(), kT0);
  c = ex.Stop("Operator", "no longer needed", kT0 + kSecond);
  EXPECT_NE(Find(c, Command::Kind::kCancelTimer), nullptr);
  EXPECT_EQ(ex.status(), ExecutionStatus::kAborted);
  EXPECT_EQ(ex.error().cause, "no longer needed");
  EXPECT_EQ(Types(ex).back(), "ExecutionAborted");
}

TEST(Executor, MapRunsIterationsInOrderWithMaxConcurrencyOne) {
  Executor ex(Machine(R"({"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,
      "ItemProcessor":{"StartAt":"T","States":{
          "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},
      "End":true}}})"),
              Options());
  Commands c = ex.Start(Json::array({10, 20, 30}), kT0);
  for (int expected : {10, 20, 30}) {
    const Command* task = Find(c, Command::Kind::kScheduleTask);
    ASSERT_NE(task, nullptr);
    EXPECT_EQ(*task->payload, Json(expected));
    c = ex.OnTaskSucceeded(task->task_id, Json(expected + 1), kT0);
  }
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(ex.output(), Json::parse("[11,21,31]"));
}

TEST(Executor, ParallelBranchFailurePropagatesTheBranchError) {
  Executor ex(Machine(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
      {"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"End":true}}},
      {"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Bad","Cause":"why"}}}]}}})"),
              Options());
  Commands c = ex.Start(Json::object(), kT0);
  ASSERT_EQ(ex.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(ex.error().error, "Bad");
  EXPECT_EQ(ex.error().cause, "why");
  EXPECT_NE(Find(c, Command::Kind::kCancelTimer), nullptr);  // the waiting branch is aborted
}

// Each event's details are the compact JSON text that dumping AWS's details object gives, byte
// for byte, with quotes, control characters and UTF-8 in names, payloads and causes.
TEST(Executor, DetailsAreTheCompactJsonOfAwsDetails) {
  Executor ex(Machine(R"({"StartAt":"Say \"hi\"\té","States":{
      "Say \"hi\"\té":{"Type":"Pass","Next":"T"},
      "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":30,
           "HeartbeatSeconds":10,"End":true}}})"),
              Options());
  const Json input = Json::parse(R"({"s":"a\"b\\c\u0001\n\ud83d\ude00","n":[1,-2.5,null]})");
  Commands c = ex.Start(input, kT0);
  const Command* task = Find(c, Command::Kind::kScheduleTask);
  ASSERT_NE(task, nullptr);
  ex.OnTaskFailed(task->task_id, asl::AslError{"Err\"1", "cause \x7f\x01 \xe2\x82\xac"},
                  kT0 + kSecond);
  ASSERT_EQ(ex.status(), ExecutionStatus::kFailed);

  const Json truncated{{"truncated", false}};
  const std::string name = "Say \"hi\"\t\xc3\xa9";
  const std::vector<std::pair<std::string, Json>> expected = {
      {"ExecutionStarted", Json{{"input", input.dump()},
                                {"inputDetails", truncated},
                                {"roleArn", Options().role_arn},
                                {"stateMachineArn", Options().state_machine_arn}}},
      {"PassStateEntered",
       Json{{"name", name}, {"input", input.dump()}, {"inputDetails", truncated}}},
      {"PassStateExited",
       Json{{"name", name}, {"output", input.dump()}, {"outputDetails", truncated}}},
      {"TaskStateEntered",
       Json{{"name", "T"}, {"input", input.dump()}, {"inputDetails", truncated}}},
      {"TaskScheduled", Json{{"resourceType", "lambda"},
                             {"resource", "invoke"},
                             {"region", "local"},
                             {"parameters", input.dump()},
                             {"timeoutInSeconds", 30},
                             {"heartbeatInSeconds", 10}}},
      {"TaskStarted", Json{{"resourceType", "lambda"}, {"resource", "invoke"}}},
      {"TaskFailed", Json{{"resourceType", "lambda"},
                          {"resource", "invoke"},
                          {"error", "Err\"1"},
                          {"cause", "cause \x7f\x01 \xe2\x82\xac"}}},
      {"ExecutionFailed", Json{{"error", "Err\"1"}, {"cause", "cause \x7f\x01 \xe2\x82\xac"}}},
  };
  ASSERT_EQ(ex.history().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const HistoryEvent& e = ex.history()[i];
    EXPECT_EQ(e.type, expected[i].first);
    EXPECT_EQ(e.details, expected[i].second.dump()) << e.type;
    EXPECT_EQ(DetailsJson(e), expected[i].second) << e.type;
  }
  // In GetExecutionHistory shape, the details parsed under their member.
  EXPECT_EQ(HistoryEventToJson(ex.history()[4])["taskScheduledEventDetails"], expected[4].second);
}

// An event without details has no details member; an error without a cause has no "cause".
TEST(Executor, EventsWithoutDetailsOrCause) {
  Executor ex(Machine(R"({"StartAt":"T","States":{
      "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true}}})"),
              Options());
  Commands c = ex.Start(Json::object(), kT0);
  const Command* task = Find(c, Command::Kind::kScheduleTask);
  ASSERT_NE(task, nullptr);
  ex.OnTaskFailed(task->task_id, asl::AslError{"", "", false}, kT0);
  ASSERT_EQ(Types(ex), (std::vector<std::string>{"ExecutionStarted", "TaskStateEntered",
                                                 "LambdaFunctionScheduled", "LambdaFunctionStarted",
                                                 "LambdaFunctionFailed", "ExecutionFailed"}));
  EXPECT_EQ(ex.history()[2].details,
            R"({"resource":"arn:aws:lambda:us-east-1:1:function:f","input":"{}",)"
            R"("inputDetails":{"truncated":false}})");
  EXPECT_TRUE(ex.history()[3].details.empty());
  EXPECT_FALSE(HistoryEventToJson(ex.history()[3]).contains("lambdaFunctionStartedEventDetails"));
  EXPECT_EQ(ex.history()[4].details, R"({"error":""})");
  EXPECT_EQ(ex.history()[5].details, "{}");  // an empty error: an empty object, as AWS shows it
}

TEST(Executor, SameEventsGiveTheSameHistory) {
  auto m = Machine(R"json({"StartAt":"P","States":{"P":{"Type":"Pass",
      "Parameters":{"id.$":"States.UUID()"},"End":true}}})json");
  Executor a(m, Options());
  Executor b(m, Options());
  a.Start(Json::object(), kT0);
  b.Start(Json::object(), kT0);
  ASSERT_EQ(a.history().size(), b.history().size());
  for (size_t i = 0; i < a.history().size(); ++i) {
    EXPECT_EQ(a.history()[i].type, b.history()[i].type);
    EXPECT_EQ(a.history()[i].timestamp_nanos, b.history()[i].timestamp_nanos);
    EXPECT_EQ(a.history()[i].details, b.history()[i].details);
  }
  EXPECT_EQ(a.output(), b.output());
}

// A handler that answers at once: resource "...:fail" fails, anything else echoes its payload.
class EchoHandler : public handlers::TaskHandler {
 public:
  bool Handles(const handlers::TaskRequest&) const override { return true; }
  void Start(const handlers::TaskRequest& r, handlers::TaskCallback done) override {
    handlers::TaskOutcome o;
    if (r.resource.size() >= 5 && r.resource.compare(r.resource.size() - 5, 5, ":fail") == 0) {
      o.ok = false;
      o.error = asl::AslError{"Nope", "failed on purpose"};
    } else {
      o.ok = true;
      o.result = r.payload;
    }
    done(std::move(o));
  }
};

TEST(Runtime, VirtualClockRunsLongWaitsInstantlyWithConsistentTimestamps) {
  VirtualClock clock(kT0);
  Runtime rt(clock);
  EchoHandler handler;
  rt.set_handler(&handler);
  auto m = Machine(R"({"StartAt":"W","States":{
      "W":{"Type":"Wait","Seconds":7200,"Next":"T"},
      "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
           "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":30,"MaxAttempts":1}],
           "End":true}}})");
  int done = 0;
  Executor& ex = rt.Start(m, Options(), Json{{"v", 1}}, [&](const Executor&) { ++done; });
  ASSERT_TRUE(rt.Run().ok());
  EXPECT_EQ(done, 1);
  ASSERT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(ex.output(), (Json{{"v", 1}}));
  EXPECT_EQ(ex.history().back().timestamp_nanos, kT0 + 7200 * kSecond);
}

TEST(Runtime, ManyConcurrentExecutionsShareOneLoop) {
  VirtualClock clock(kT0);
  Runtime rt(clock);
  EchoHandler handler;
  rt.set_handler(&handler);
  auto m = Machine(R"({"StartAt":"W","States":{
      "W":{"Type":"Wait","SecondsPath":"$.wait","Next":"T"},
      "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}})");
  std::vector<Executor*> all;
  for (int i = 0; i < 100; ++i) {
    auto o = Options();
    o.execution_name = "e" + std::to_string(i);
    all.push_back(&rt.Start(m, o, Json{{"wait", 100 - i}}));
  }
  ASSERT_TRUE(rt.Run().ok());
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(all[i]->status(), ExecutionStatus::kSucceeded);
    EXPECT_EQ(all[i]->history().back().timestamp_nanos, kT0 + (100 - i) * kSecond);
  }
}

}  // namespace
}  // namespace sluice::engine

namespace sluice::engine {
namespace {

TEST(Executor, HistoryQuotaEndsAnEndlessLoop) {
  auto o = Options();
  o.max_history_events = 100;
  Executor ex(Machine(R"({"StartAt":"A","States":{
      "A":{"Type":"Pass","Next":"B"},
      "B":{"Type":"Choice","Choices":[{"Variable":"$.stop","IsPresent":true,"Next":"C"}],
           "Default":"A"},
      "C":{"Type":"Succeed"}}})"),
              o);
  ex.Start(Json::object(), kT0);
  ASSERT_EQ(ex.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(ex.error().error, "States.Runtime");
  EXPECT_EQ(ex.error().cause, "The execution reached the maximum number of history events (100).");
  EXPECT_EQ(ex.history().size(), 100u);
  EXPECT_EQ(ex.history().back().type, "ExecutionFailed");
}

}  // namespace
}  // namespace sluice::engine
