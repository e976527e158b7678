// The executor in JSONata mode and with workflow variables: Arguments/Output/Assign, $states,
// scoping of variables in Map and Parallel, evaluation order, and AWS's error causes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "asl/loader.h"
#include "engine/executor.h"

namespace sluice::engine {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kSecond;

std::shared_ptr<const asl::StateMachine> Machine(const char* text) {
  auto compiled = asl::Compile(Json::parse(text));
  EXPECT_TRUE(compiled.ok()) << (compiled.ok() ? "" : asl::FormatDiagnostics(compiled.error()));
  return compiled.ok() ? compiled.value() : nullptr;
}

ExecutionOptions Options(uint64_t seed = 0) {
  ExecutionOptions o;
  o.seed = seed;
  o.state_machine_name = "M";
  o.state_machine_arn = "arn:aws:states:local:123456789012:stateMachine:M";
  o.execution_name = "e1";
  o.execution_arn = "arn:aws:states:local:123456789012:execution:M:e1";
  return o;
}

// Runs a machine whose only task (if any) answers with `task_result`.
struct Driven {
  explicit Driven(const char* definition, Json input, Json task_result = Json::object(),
                  uint64_t seed = 0)
      : ex(Machine(definition), Options(seed)) {
    Commands cmds = ex.Start(std::move(input), kT0);
    for (int guard = 0; guard < 100 && !ex.done(); ++guard) {
      Commands next;
      for (const auto& c : cmds) {
        if (c.kind == Command::Kind::kScheduleTask) {
          payloads.push_back(*c.payload);
          auto more = ex.OnTaskSucceeded(c.task_id, task_result, kT0);
          next.insert(next.end(), more.begin(), more.end());
        } else if (c.kind == Command::Kind::kStartTimer) {
          auto more = ex.OnTimer(c.timer_id, c.due_nanos);
          next.insert(next.end(), more.begin(), more.end());
        }
      }
      cmds = std::move(next);
    }
  }
  Executor ex;
  std::vector<Json> payloads;
};

const HistoryEvent* FindEvent(const Executor& ex, const std::string& type, int nth = 0) {
  for (const auto& e : ex.history()) {
    if (e.type == type && nth-- == 0) return &e;
  }
  return nullptr;
}

TEST(ExecutorJsonata, ArgumentsAndOutputSeeStatesInputResultAndContext) {
  Driven run(R"({"QueryLanguage":"JSONata","StartAt":"T","States":{
      "T":{"Type":"Task","Resource":"fn",
           "Arguments":{"n":"{% $states.input.n * 2 %}","name":"{% $states.context.State.Name %}"},
           "Output":{"in":"{% $states.input.n %}","out":"{% $states.result.r %}"},"End":true}}})",
             Json{{"n", 21}}, Json{{"r", "ok"}});
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kSucceeded);
  ASSERT_EQ(run.payloads.size(), 1u);
  EXPECT_EQ(run.payloads[0], Json::parse(R"({"n":42,"name":"T"})"));
  EXPECT_EQ(run.ex.output(), Json::parse(R"({"in":21,"out":"ok"})"));
}

TEST(ExecutorJsonata, TaskOutputDefaultsToTheResultAndPassOutputToTheInput) {
  Driven run(R"({"QueryLanguage":"JSONata","StartAt":"P","States":{
      "P":{"Type":"Pass","Next":"T"},
      "T":{"Type":"Task","Resource":"fn","End":true}}})",
             Json{{"a", 1}}, Json{{"b", 2}});
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(run.payloads[0], Json::parse(R"({"a":1})"));  // no Arguments: the input
  EXPECT_EQ(run.ex.output(), Json::parse(R"({"b":2})"));
}

TEST(ExecutorJsonata, AssignIsVisibleFromTheNextStateOnly) {
  Driven run(R"({"QueryLanguage":"JSONata","StartAt":"A","States":{
      "A":{"Type":"Pass","Assign":{"x":1},"Next":"B"},
      "B":{"Type":"Pass","Assign":{"x":"{% $x + 1 %}","old":"{% $x %}"},
           "Output":{"x":"{% $x %}"},"Next":"C"},
      "C":{"Type":"Pass","Output":{"x":"{% $x %}","old":"{% $old %}"},"End":true}}})",
             Json::object());
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(run.ex.output(), Json::parse(R"({"x":2,"old":1})"));
  // B's Output saw x as it was when B was entered.
  const HistoryEvent* exited = FindEvent(run.ex, "PassStateExited", 1);
  ASSERT_NE(exited, nullptr);
  EXPECT_EQ(DetailsJson(*exited)["output"], R"({"x":1})");
  EXPECT_EQ(DetailsJson(*exited)["assignedVariables"], Json::parse(R"({"x":"2","old":"1"})"));
}

TEST(ExecutorJsonata, JsonPathAssignReadsTheResultAndVariablesByDollarName) {
  Driven run(R"({"StartAt":"A","States":{
      "A":{"Type":"Pass","Result":{"answer":42},"Assign":{"v.$":"$.answer","lit":"$.x"},
           "ResultPath":null,"Next":"B"},
      "B":{"Type":"Pass","Parameters":{"v.$":"$v","lit.$":"$lit"},"End":true}}})",
             Json{{"in", 1}});
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(run.ex.output(), Json::parse(R"({"v":42,"lit":"$.x"})"));
}

TEST(ExecutorJsonata, InnerScopesReadOuterVariablesButDoNotChangeThem) {
  Driven run(R"({"QueryLanguage":"JSONata","StartAt":"Set","States":{
      "Set":{"Type":"Pass","Assign":{"bias":10},"Next":"M"},
      "M":{"Type":"Map","Items":[1,2],"ItemProcessor":{"StartAt":"In","States":{
          "In":{"Type":"Pass","Assign":{"bias":0},"Output":"{% $states.input + $bias %}","Next":"Out"},
          "Out":{"Type":"Pass","Output":"{% [$states.input, $bias] %}","End":true}}},
       "Next":"After"},
      "After":{"Type":"Pass","Output":{"r":"{% $states.input %}","bias":"{% $bias %}"},"End":true}}})",
             Json::object());
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(run.ex.output(), Json::parse(R"({"r":[[11,0],[12,0]],"bias":10})"));
}

TEST(ExecutorJsonata, ChoiceRulesCarryTheirOwnAssignAndOutput) {
  const char* def = R"({"QueryLanguage":"JSONata","StartAt":"C","States":{
      "C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.n > 1 %}","Next":"E",
                                        "Assign":{"which":"rule"},"Output":"big"}],
           "Default":"E","Assign":{"which":"default"}},
      "E":{"Type":"Pass","Output":{"in":"{% $states.input %}","which":"{% $which %}"},"End":true}}})";
  Driven big(def, Json{{"n", 5}});
  EXPECT_EQ(big.ex.output(), Json::parse(R"({"in":"big","which":"rule"})"));
  Driven small(def, Json{{"n", 0}});
  EXPECT_EQ(small.ex.output(), Json::parse(R"({"in":{"n":0},"which":"default"})"));
}

TEST(ExecutorJsonata, ChoiceConditionMustBeBoolean) {
  Driven run(R"({"QueryLanguage":"JSONata","StartAt":"C","States":{
      "C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.n %}","Next":"E"}]},
      "E":{"Type":"Succeed"}}})",
             Json{{"n", 5}});
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(run.ex.error().error, "States.QueryEvaluationError");
  EXPECT_NE(run.ex.error().cause.find("Expected 'boolean', but was 'number' for value: 5"),
            std::string::npos);
}

TEST(ExecutorJsonata, UndefinedResultFailsWithAwsCause) {
  Driven run(R"({"QueryLanguage":"JSONata","StartAt":"S","States":{
      "S":{"Type":"Pass","Output":{"r":"{% $nope %}"},"End":true}}})",
             Json::object());
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(run.ex.error().error, "States.QueryEvaluationError");
  EXPECT_EQ(run.ex.error().cause,
            "An error occurred while executing the state 'S' (entered at the event id #2). The "
            "JSONata expression '$nope' specified for the field 'Output/r' returned nothing "
            "(undefined).");
}

TEST(ExecutorJsonata, EvaluationErrorCarriesJsonataCode) {
  Driven run(R"({"QueryLanguage":"JSONata","StartAt":"S","States":{
      "S":{"Type":"Pass","Output":"{% 1 + 'a' %}","End":true}}})",
             Json::object());
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kFailed);
  EXPECT_NE(run.ex.error().cause.find("threw an error during evaluation. T2002"), std::string::npos)
      << run.ex.error().cause;
}

TEST(ExecutorJsonata, CatchSeesErrorOutputAndCanAssign) {
  const char* def = R"({"QueryLanguage":"JSONata","StartAt":"T","States":{
      "T":{"Type":"Task","Resource":"fn","Arguments":"{% $error('boom') %}",
           "Catch":[{"ErrorEquals":["States.ALL"],"Next":"F",
                     "Assign":{"err":"{% $states.errorOutput.Error %}"},
                     "Output":{"caught":"{% $states.errorOutput.Error %}"}}],"End":true},
      "F":{"Type":"Pass","Output":{"o":"{% $states.input %}","err":"{% $err %}"},"End":true}}})";
  Driven run(def, Json::object());
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(run.ex.output(), Json::parse(R"({"o":{"caught":"States.QueryEvaluationError"},
                            "err":"States.QueryEvaluationError"})"));
}

TEST(ExecutorJsonata, MapItemsMustBeAnArray) {
  Driven run(R"({"QueryLanguage":"JSONata","StartAt":"M","States":{
      "M":{"Type":"Map","Items":"{% $states.input.v %}","ItemProcessor":{"StartAt":"P",
           "States":{"P":{"Type":"Pass","End":true}}},"End":true}}})",
             Json{{"v", Json{{"a", 1}}}});
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(run.ex.error().cause,
            "An error occurred while executing the state 'M' (entered at the event id #2). The "
            "JSONata expression '$states.input.v' specified for the field 'Items' returned an "
            "unexpected result type. Expected 'array', but was 'object' for value: {\"a\":1}");
}

TEST(ExecutorJsonata, MapItemSelectorSeesTheItemInTheContext) {
  Driven run(R"({"QueryLanguage":"JSONata","StartAt":"M","States":{
      "M":{"Type":"Map","Items":"{% $states.input.xs %}",
           "ItemSelector":{"v":"{% $states.context.Map.Item.Value %}",
                           "i":"{% $states.context.Map.Item.Index %}",
                           "k":"{% $states.input.k %}"},
           "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
           "End":true}}})",
             Json::parse(R"({"xs":["a","b"],"k":7})"));
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(run.ex.output(), Json::parse(R"([{"v":"a","i":0,"k":7},{"v":"b","i":1,"k":7}])"));
}

TEST(ExecutorJsonata, WaitSecondsAndTimestampExpressions) {
  Driven secs(R"({"QueryLanguage":"JSONata","StartAt":"W","States":{
      "W":{"Type":"Wait","Seconds":"{% $states.input.s %}","End":true}}})",
              Json{{"s", 5}});
  ASSERT_EQ(secs.ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(secs.ex.history().back().timestamp_nanos, kT0 + 5 * kSecond);
  Driven bad(R"({"QueryLanguage":"JSONata","StartAt":"W","States":{
      "W":{"Type":"Wait","Timestamp":"{% $states.input.t %}","End":true}}})",
             Json{{"t", "2016-12-05 21:29:29Z"}});
  ASSERT_EQ(bad.ex.status(), ExecutionStatus::kFailed);
  EXPECT_NE(bad.ex.error().cause.find("The Timestamp field cannot be parsed as an ISO-8601 "
                                      "extended offset date-time format string: "
                                      "2016-12-05 21:29:29Z"),
            std::string::npos);
}

TEST(ExecutorJsonata, FailErrorAndCauseExpressions) {
  Driven run(R"({"QueryLanguage":"JSONata","StartAt":"F","States":{
      "F":{"Type":"Fail","Error":"{% 'E.' & $states.input.kind %}","Cause":"{% $states.input.why %}"}}})",
             Json{{"kind", "Bad"}, {"why", "because"}});
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(run.ex.error().error, "E.Bad");
  EXPECT_EQ(run.ex.error().cause, "because");
}

TEST(ExecutorJsonata, ParallelArgumentsFeedEveryBranch) {
  Driven run(R"({"QueryLanguage":"JSONata","StartAt":"P","States":{
      "P":{"Type":"Parallel","Arguments":{"v":"{% $states.input.v + 1 %}"},"Branches":[
          {"StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $states.input.v %}","End":true}}},
          {"StartAt":"B","States":{"B":{"Type":"Pass","Output":"{% $states.input.v * 10 %}","End":true}}}],
       "Output":{"sum":"{% $sum($states.result) %}"},"End":true}}})",
             Json{{"v", 1}});
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(run.ex.output(), Json::parse(R"({"sum":22})"));
}

TEST(ExecutorJsonata, MixedLanguagesShareVariables) {
  Driven run(R"({"StartAt":"J","States":{
      "J":{"Type":"Pass","Assign":{"a.$":"$.x"},"Next":"K"},
      "K":{"Type":"Pass","QueryLanguage":"JSONata","Assign":{"b":"{% $a * 2 %}"},"Next":"L"},
      "L":{"Type":"Pass","Parameters":{"a.$":"$a","b.$":"$b"},"End":true}}})",
             Json{{"x", 4}});
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(run.ex.output(), Json::parse(R"({"a":4,"b":8})"));
}

TEST(ExecutorJsonata, OversizedVariableFailsWithDataLimitExceeded) {
  Driven run(R"({"QueryLanguage":"JSONata","StartAt":"A","States":{
      "A":{"Type":"Pass","Assign":{"big":"{% $pad('', 300000, 'x') %}"},"End":true}}})",
             Json::object());
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(run.ex.error().error, "States.DataLimitExceeded");
  EXPECT_NE(run.ex.error().cause.find("'big'"), std::string::npos);
}

TEST(ExecutorJsonata, ClockFunctionsSeeTheEventTime) {
  Driven run(R"({"QueryLanguage":"JSONata","StartAt":"A","States":{
      "A":{"Type":"Pass","Output":{"now":"{% $now() %}","millis":"{% $millis() %}",
                                   "entered":"{% $states.context.State.EnteredTime %}"},
           "Next":"W"},
      "W":{"Type":"Wait","Seconds":5,"Next":"B"},
      "B":{"Type":"Pass","Output":{"first":"{% $states.input %}","millis":"{% $millis() %}"},
           "End":true}}})",
             Json::object());
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kSucceeded);
  const int64_t t0_ms = kT0 / 1'000'000;
  const Json& first = run.ex.output()["first"];
  EXPECT_EQ(first["millis"], Json(t0_ms));
  EXPECT_EQ(first["now"], Json("2023-11-14T22:13:20.000Z"));
  EXPECT_EQ(first["now"], first["entered"]);
  EXPECT_EQ(run.ex.output()["millis"], Json(t0_ms + 5000));  // after the Wait's timer
}

TEST(ExecutorJsonata, RandomFunctionsFollowTheExecutionSeed) {
  const char* def = R"({"QueryLanguage":"JSONata","StartAt":"A","States":{
      "A":{"Type":"Pass","Output":{"u":"{% $uuid() %}","r":"{% $random() %}"},"Next":"B"},
      "B":{"Type":"Pass","Output":{"a":"{% $states.input %}","u":"{% $uuid() %}",
                                   "s":"{% $shuffle([1,2,3,4,5,6,7,8]) %}"},"End":true}}})";
  Driven first(def, Json::object(), Json::object(), 42);
  Driven again(def, Json::object(), Json::object(), 42);
  Driven other(def, Json::object(), Json::object(), 43);
  ASSERT_EQ(first.ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(first.ex.output(), again.ex.output());
  EXPECT_NE(first.ex.output()["a"]["u"], first.ex.output()["u"]);  // the generator advances
  EXPECT_NE(first.ex.output()["a"]["u"], other.ex.output()["a"]["u"]);
  EXPECT_NE(first.ex.output()["a"]["r"], other.ex.output()["a"]["r"]);
}

TEST(ExecutorJsonata, FunctionResultIsAnUnsupportedType) {
  Driven run(R"({"QueryLanguage":"JSONata","StartAt":"S","States":{
      "S":{"Type":"Pass","Output":{"f":"{% function($x){$x} %}"},"End":true}}})",
             Json::object());
  ASSERT_EQ(run.ex.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(run.ex.error().error, "States.QueryEvaluationError");
  EXPECT_EQ(run.ex.error().cause,
            "An error occurred while executing the state 'S' (entered at the event id #2). The "
            "JSONata expression 'function($x){$x}' specified for the field 'Output/f' returned an "
            "unsupported result type.");
}

}  // namespace
}  // namespace sluice::engine
