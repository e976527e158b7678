// The definition loader, validator and compiler (asl/loader.h).
//
// The golden table pins the exact diagnostics ("POINTER: message" lines) for broken
// definitions; the conformance test checks that every definition AWS accepted compiles.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "asl/loader.h"

namespace sluice::asl {
namespace {

// Parses and compiles `text`; returns "OK", the parse error, or the formatted diagnostics.
std::string Diagnose(const std::string& text) {
  Result<Json> json = ParseDefinitionText(text);
  if (!json.ok()) return "parse error: " + json.error();
  auto compiled = Compile(*json);
  if (compiled.ok()) return "OK";
  return FormatDiagnostics(compiled.error());
}

std::shared_ptr<const StateMachine> MustCompile(const std::string& text) {
  Result<Json> json = ParseDefinitionText(text);
  EXPECT_TRUE(json.ok()) << json.error();
  if (!json.ok()) return nullptr;
  auto compiled = Compile(*json);
  EXPECT_TRUE(compiled.ok()) << FormatDiagnostics(compiled.error());
  if (!compiled.ok()) return nullptr;
  return *compiled;
}

// The pointers of the diagnostics for `text` (for problems whose wording belongs to another
// module: paths, payload templates, intrinsics, Choice rules).
std::vector<std::string> DiagnosticPointers(const std::string& text) {
  Result<Json> json = ParseDefinitionText(text);
  EXPECT_TRUE(json.ok());
  if (!json.ok()) return {};
  auto compiled = Compile(*json);
  std::vector<std::string> pointers;
  if (compiled.ok()) return pointers;
  for (const auto& diagnostic : compiled.error()) pointers.push_back(diagnostic.pointer);
  return pointers;
}

// Golden diagnostics -----------------------------------------------------------------------

struct GoldenCase {
  const char* name;
  const char* definition;
  const char* expected;
};

const GoldenCase kGoldenCases[] = {
    {"NotAnObject", R"([1, 2])", "(root): the definition must be a JSON object, got an array\n"},
    {"MissingStartAtAndStates", R"({"Comment": "x"})",
     "(root): missing required field 'StartAt'\n"
     "(root): missing required field 'States'\n"},
    {"StatesEmpty", R"({"StartAt": "A", "States": {}})",
     "/StartAt: names no state: 'A'\n"
     "/States: must contain at least one state\n"},
    {"StartAtNamesNoState", R"({"StartAt": "Begin", "States": {"A": {"Type": "Succeed"}}})",
     "/StartAt: names no state: 'Begin'\n"},
    {"NextNamesNoState",
     R"({"StartAt": "Check", "States": {"Check": {"Type": "Pass", "Next": "Chek"},
         "Check2": {"Type": "Succeed"}}})",
     "/States/Check/Next: names no state: 'Chek'\n"
     "/States/Check2: state is not reachable from StartAt\n"},
    {"DefaultNamesNoState",
     R"({"StartAt": "C", "States": {"C": {"Type": "Choice", "Default": "Nowhere",
         "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "S"}]},
         "S": {"Type": "Succeed"}}})",
     "/States/C/Default: names no state: 'Nowhere'\n"},
    {"CatchNextNamesNoState",
     R"({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "End": true,
         "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}]}}})",
     "/States/T/Catch/0/Next: names no state: 'Handler'\n"},
    {"UnreachableStates",
     R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true},
         "B": {"Type": "Pass", "Next": "C"}, "C": {"Type": "Succeed"}}})",
     "/States/B: state is not reachable from StartAt\n"
     "/States/C: state is not reachable from StartAt\n"},
    {"NeitherNextNorEnd", R"({"StartAt": "A", "States": {"A": {"Type": "Pass"}}})",
     "/States: no terminal state: at least one state must be a Succeed or Fail state or have "
     "'End': true\n"
     "/States/A: one of 'Next' or 'End': true is required\n"},
    {"EndFalseWithoutNext",
     R"({"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 1, "End": false},
         "B": {"Type": "Succeed"}}})",
     "/States/A: one of 'Next' or 'End': true is required\n"
     "/States/B: state is not reachable from StartAt\n"},
    {"BothNextAndEnd",
     R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B", "End": true},
         "B": {"Type": "Succeed"}}})",
     "/States/A: 'Next' and 'End' are mutually exclusive\n"},
    {"UnknownFields",
     R"({"StartAt": "A", "Extra": 1, "States": {"A": {"Type": "Pass", "End": true,
         "Resource": "r", "Bogus": true}}})",
     "/Extra: field 'Extra' is not supported in the state machine\n"
     "/States/A/Bogus: field 'Bogus' is not supported in a Pass state\n"
     "/States/A/Resource: field 'Resource' is not supported in a Pass state\n"},
    {"ResultOnlyOnPass",
     R"({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "End": true,
         "Result": {"a": 1}}}})",
     "/States/T/Result: field 'Result' is not supported in a Task state\n"},
    {"FailAllowsNoInputOutputPaths",
     R"({"StartAt": "F", "States": {"F": {"Type": "Fail", "InputPath": "$",
         "OutputPath": "$"}}})",
     "/States/F/InputPath: field 'InputPath' is not supported in a Fail state\n"
     "/States/F/OutputPath: field 'OutputPath' is not supported in a Fail state\n"},
    {"TransitionFieldsOnTerminalStates",
     R"({"StartAt": "C", "States": {"C": {"Type": "Choice", "End": true,
         "Choices": [{"Variable": "$.x", "IsNull": true, "Next": "S"}]},
         "S": {"Type": "Succeed", "Next": "C"}}})",
     "/States/C/End: field 'End' is not supported in a Choice state\n"
     "/States/S/Next: field 'Next' is not supported in a Succeed state\n"},
    {"WrongFieldTypes",
     R"({"StartAt": 1, "Comment": 2, "TimeoutSeconds": "10", "States": {"A": {"Type": "Pass",
         "Next": 3, "End": "yes", "Comment": ["c"]}}})",
     "/Comment: must be a string, got 2\n"
     "/StartAt: must be a string, got 1\n"
     "/States: no terminal state: at least one state must be a Succeed or Fail state or have "
     "'End': true\n"
     "/States/A/Comment: must be a string, got an array\n"
     "/States/A/End: must be a boolean, got \"yes\"\n"
     "/States/A/Next: must be a string, got 3\n"
     "/TimeoutSeconds: must be an integer >= 0, got \"10\"\n"},
    {"StateNotAnObject", R"({"StartAt": "A", "States": {"A": "Pass"}})",
     "/States/A: a state must be an object, got \"Pass\"\n"},
    {"MissingAndUnknownType",
     R"({"StartAt": "A", "States": {"A": {"Next": "B"}, "B": {"Type": "Sleep", "End": true}}})",
     "/States/A: missing required field 'Type'\n"
     "/States/B/Type: unknown state type \"Sleep\": expected Pass, Task, Choice, Wait, Succeed, "
     "Fail, Parallel or Map\n"},
    {"StateNameTooLong",
     R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next":
         "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"},
         "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB":
         {"Type": "Succeed"}}})",
     "/States/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB: "
     "state name is longer than 80 characters\n"},
    {"JsonPathFieldsInJsonataState",
     R"({"StartAt": "A", "States": {"A": {"Type": "Task", "QueryLanguage": "JSONata",
         "Resource": "r", "Parameters": {}, "ResultPath": "$.r", "InputPath": "$",
         "TimeoutSecondsPath": "$.t", "End": true}}})",
     "/States/A/InputPath: field 'InputPath' is not supported when QueryLanguage is JSONata\n"
     "/States/A/Parameters: field 'Parameters' is not supported when QueryLanguage is JSONata\n"
     "/States/A/ResultPath: field 'ResultPath' is not supported when QueryLanguage is JSONata\n"
     "/States/A/TimeoutSecondsPath: field 'TimeoutSecondsPath' is not supported when "
     "QueryLanguage is JSONata\n"},
    {"JsonataFieldsInJsonPathState",
     R"({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "r",
         "Arguments": {}, "Output": "{% $states.result %}", "End": true}}})",
     "/States/A/Arguments: field 'Arguments' requires QueryLanguage JSONata\n"
     "/States/A/Output: field 'Output' requires QueryLanguage JSONata\n"},
    {"QueryLanguageValues",
     R"({"StartAt": "A", "QueryLanguage": "JSONata", "States": {"A": {"Type": "Pass",
         "QueryLanguage": "JSONPath", "Next": "B"}, "B": {"Type": "Pass",
         "QueryLanguage": "XPath", "End": true}}})",
     "/States/A/QueryLanguage: cannot be 'JSONPath' in a state machine whose QueryLanguage is "
     "'JSONata'\n"
     "/States/B/QueryLanguage: must be 'JSONPath' or 'JSONata', got \"XPath\"\n"},
    {"ResultPathMustBeAReferencePath",
     R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "ResultPath": "$.items[*].x",
         "Next": "B"}, "B": {"Type": "Pass", "ResultPath": "$$.Execution", "End": true}}})",
     "/States/A/ResultPath: must be a reference path rooted at '$' (names and array indexes "
     "only), got '$.items[*].x'\n"
     "/States/B/ResultPath: must be a reference path rooted at '$' (names and array indexes "
     "only), got '$$.Execution'\n"},
    {"PathFieldTypes",
     R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": 5,
         "ResultPath": true, "OutputPath": {}, "End": true}}})",
     "/States/A/InputPath: must be a path string or null, got 5\n"
     "/States/A/OutputPath: must be a path string or null, got an object\n"
     "/States/A/ResultPath: must be a reference path string or null, got true\n"},
    {"TemplatesMustBeObjects",
     R"({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "r",
         "Parameters": "x", "ResultSelector": [1], "End": true}}})",
     "/States/A/Parameters: must be an object, got \"x\"\n"
     "/States/A/ResultSelector: must be an object, got an array\n"},
    {"StatesAllNotAloneAndNotLast",
     R"({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "End": true,
         "Retry": [{"ErrorEquals": ["States.ALL", "Custom"]}, {"ErrorEquals": ["X"]}],
         "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "S"},
                   {"ErrorEquals": ["Y"], "Next": "S"}]},
         "S": {"Type": "Succeed"}}})",
     "/States/T/Catch/0/ErrorEquals: 'States.ALL' must appear only in the last catcher\n"
     "/States/T/Retry/0/ErrorEquals: 'States.ALL' must appear alone in ErrorEquals\n"
     "/States/T/Retry/0/ErrorEquals: 'States.ALL' must appear only in the last retrier\n"},
    {"ReservedErrorNames",
     R"({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "End": true,
         "Retry": [{"ErrorEquals": ["States.Timeout", "States.Timout", 7]}]}}})",
     "/States/T/Retry/0/ErrorEquals/1: unknown error name 'States.Timout': names starting with "
     "'States.' are reserved for predefined errors\n"
     "/States/T/Retry/0/ErrorEquals/2: must be a string, got 7\n"},
    {"RetrierRanges",
     R"({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "End": true,
         "Retry": [{"ErrorEquals": [], "IntervalSeconds": 0, "MaxAttempts": -1,
                    "BackoffRate": 0.5, "MaxDelaySeconds": 31622402, "JitterStrategy": "HALF",
                    "Extra": 1}]}}})",
     "/States/T/Retry/0/BackoffRate: must be a number >= 1, got 0.5\n"
     "/States/T/Retry/0/ErrorEquals: must be a non-empty array of error names, got an array\n"
     "/States/T/Retry/0/Extra: field 'Extra' is not supported in a retrier\n"
     "/States/T/Retry/0/IntervalSeconds: must be an integer between 1 and 99999999, got 0\n"
     "/States/T/Retry/0/JitterStrategy: must be 'FULL' or 'NONE', got \"HALF\"\n"
     "/States/T/Retry/0/MaxAttempts: must be an integer between 0 and 99999999, got -1\n"
     "/States/T/Retry/0/MaxDelaySeconds: must be an integer between 1 and 31622401, got "
     "31622402\n"},
    {"CatcherShape",
     R"({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "End": true,
         "Catch": [{"Next": "T", "ResultPath": "$.a[0:1]"}, "oops"]}}})",
     "/States/T/Catch/0: missing required field 'ErrorEquals'\n"
     "/States/T/Catch/0/ResultPath: must be a reference path rooted at '$' (names and array "
     "indexes only), got '$.a[0:1]'\n"
     "/States/T/Catch/1: a catcher must be an object, got \"oops\"\n"},
    {"TaskTimeouts",
     R"({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "r", "Next": "B",
         "TimeoutSeconds": 10, "TimeoutSecondsPath": "$.t",
         "HeartbeatSeconds": 5, "HeartbeatSecondsPath": "$.h"},
         "B": {"Type": "Task", "Resource": "r", "End": true, "TimeoutSeconds": 10,
         "HeartbeatSeconds": 10},
         "C": {"Type": "Task", "End": true, "TimeoutSeconds": 0}}})",
     "/States/A: 'HeartbeatSeconds' and 'HeartbeatSecondsPath' are mutually exclusive\n"
     "/States/A: 'TimeoutSeconds' and 'TimeoutSecondsPath' are mutually exclusive\n"
     "/States/B/HeartbeatSeconds: must be smaller than TimeoutSeconds (10), got 10\n"
     "/States/C: missing required field 'Resource'\n"
     "/States/C: state is not reachable from StartAt\n"
     "/States/C/TimeoutSeconds: must be an integer between 1 and 99999999, got 0\n"},
    {"WaitNeedsExactlyOneDuration",
     R"({"StartAt": "A", "States": {"A": {"Type": "Wait", "Next": "B"},
         "B": {"Type": "Wait", "Seconds": 5, "TimestampPath": "$.t", "Next": "C"},
         "C": {"Type": "Wait", "Seconds": 1.5, "Next": "D"},
         "D": {"Type": "Wait", "Timestamp": "2016-03-14 01:59:00Z", "End": true}}})",
     "/States/A: one of 'Seconds', 'SecondsPath', 'Timestamp' or 'TimestampPath' is required\n"
     "/States/B: 'Seconds' and 'TimestampPath' are mutually exclusive\n"
     "/States/C/Seconds: must be an integer between 0 and 99999999, got 1.5\n"
     "/States/D/Timestamp: must be an RFC 3339 timestamp such as \"2024-01-31T12:00:00Z\", got "
     "\"2016-03-14 01:59:00Z\"\n"},
    {"FailErrorAndCauseExclusive",
     R"({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e",
         "Cause": "C", "CausePath": "$.c"}}})",
     "/States/F: 'Cause' and 'CausePath' are mutually exclusive\n"
     "/States/F: 'Error' and 'ErrorPath' are mutually exclusive\n"},
    {"ChoiceNeedsRules",
     R"({"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [], "Default": "S"},
         "D": {"Type": "Choice"}, "S": {"Type": "Succeed"}}})",
     "/States/C/Choices: must be a non-empty array of rules, got an array\n"
     "/States/D: missing required field 'Choices'\n"
     "/States/D: state is not reachable from StartAt\n"},
    {"ChoiceRuleNeedsNext",
     R"({"StartAt": "C", "States": {"C": {"Type": "Choice", "Default": "S",
         "Choices": [{"Variable": "$.x", "IsNull": true}, 5]}, "S": {"Type": "Succeed"}}})",
     "/States/C/Choices/0: missing required field 'Next'\n"
     "/States/C/Choices/1: a Choice rule must be an object, got 5\n"},
    {"JsonataChoiceRules",
     R"({"StartAt": "C", "QueryLanguage": "JSONata", "States": {"C": {"Type": "Choice",
         "Choices": [{"Condition": "$x > 1", "Next": "S"}, {"Next": "S"},
                     {"Variable": "$.x", "IsNull": true, "Condition": true, "Next": "S"}]},
         "S": {"Type": "Succeed"}}})",
     "/States/C/Choices/0/Condition: must be a JSONata expression \"{% ... %}\" or a boolean, "
     "got \"$x > 1\"\n"
     "/States/C/Choices/1: missing required field 'Condition'\n"
     "/States/C/Choices/2/IsNull: field 'IsNull' is not supported in a JSONata Choice rule\n"
     "/States/C/Choices/2/Variable: field 'Variable' is not supported in a JSONata Choice rule\n"},
    {"JsonataFieldsInJsonPathChoiceRule",
     R"({"StartAt": "C", "States": {"C": {"Type": "Choice",
         "Choices": [{"Condition": "{% true %}", "Next": "S"}]}, "S": {"Type": "Succeed"}}})",
     "/States/C/Choices/0/Condition: field 'Condition' requires QueryLanguage JSONata\n"},
    {"ParallelBranches",
     R"({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
         "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}}},
                      {"States": {}, "Version": "1.0"}, 7]},
         "Q": {"Type": "Parallel", "Branches": [], "End": true}}})",
     "/States/P/Branches/0/States: no terminal state: at least one state must be a Succeed or "
     "Fail state or have 'End': true\n"
     "/States/P/Branches/0/States/A/Next: names no state: 'Missing'\n"
     "/States/P/Branches/1: missing required field 'StartAt'\n"
     "/States/P/Branches/1/States: must contain at least one state\n"
     "/States/P/Branches/1/Version: field 'Version' is not supported in a Parallel branch\n"
     "/States/P/Branches/2: a branch must be an object, got 7\n"
     "/States/Q: state is not reachable from StartAt\n"
     "/States/Q/Branches: must be a non-empty array of branches, got an array\n"},
    {"TransitionsCannotCrossBranches",
     R"({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Next": "Inner",
         "Branches": [{"StartAt": "Inner", "States": {"Inner": {"Type": "Pass",
         "Next": "Done"}, "Last": {"Type": "Succeed"}}}]}, "Done": {"Type": "Succeed"}}})",
     "/States/Done: state is not reachable from StartAt\n"
     "/States/P/Branches/0/States/Inner/Next: names state 'Done' at /States/Done, which is in "
     "another scope: transitions cannot cross Parallel branch or Map item processor "
     "boundaries\n"
     "/States/P/Branches/0/States/Last: state is not reachable from StartAt\n"
     "/States/P/Next: names state 'Inner' at /States/P/Branches/0/States/Inner, which is in "
     "another scope: transitions cannot cross Parallel branch or Map item processor "
     "boundaries\n"},
    {"StateNamesUniqueAcrossScopes",
     R"({"StartAt": "M", "States": {"M": {"Type": "Map", "Next": "A",
         "ItemProcessor": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}},
         "A": {"Type": "Succeed"}}})",
     "/States/M/ItemProcessor/States/A: state name 'A' is already used at /States/A: state "
     "names must be unique in the whole state machine\n"},
    {"MapExclusiveFields",
     R"({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
         "ItemSelector": {}, "Parameters": {}, "MaxConcurrency": 2,
         "MaxConcurrencyPath": "$.m", "ToleratedFailureCount": 1,
         "ToleratedFailureCountPath": "$.c", "ToleratedFailurePercentage": 150,
         "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
         "Iterator": {"StartAt": "J", "States": {"J": {"Type": "Succeed"}}}}}})",
     "/States/M: 'ItemProcessor' and 'Iterator' are mutually exclusive\n"
     "/States/M: 'ItemSelector' and 'Parameters' are mutually exclusive\n"
     "/States/M: 'MaxConcurrency' and 'MaxConcurrencyPath' are mutually exclusive\n"
     "/States/M: 'ToleratedFailureCount' and 'ToleratedFailureCountPath' are mutually "
     "exclusive\n"
     "/States/M/ToleratedFailurePercentage: must be a number between 0 and 100, got 150\n"},
    {"MapNeedsProcessor",
     R"({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "MaxConcurrency": -1,
         "ItemsPath": 3}}})",
     "/States/M: one of 'ItemProcessor' or 'Iterator' is required\n"
     "/States/M/ItemsPath: must be a string, got 3\n"
     "/States/M/MaxConcurrency: must be an integer >= 0, got -1\n"},
    {"MapLabel",
     R"({"StartAt": "A", "States": {
         "A": {"Type": "Map", "Label": "", "Next": "B",
               "ItemProcessor": {"StartAt": "A1", "States": {"A1": {"Type": "Succeed"}}}},
         "B": {"Type": "Map", "Label": "label_{invalid_char}", "Next": "C",
               "ItemProcessor": {"StartAt": "B1", "States": {"B1": {"Type": "Succeed"}}}},
         "C": {"Type": "Map", "Label": "12345678901234567890123456789012345678901", "End": true,
               "ItemProcessor": {"StartAt": "C1", "States": {"C1": {"Type": "Succeed"}}}}}})",
     "/States/A/Label: must not be empty\n"
     "/States/B/Label: must not contain '{'\n"
     "/States/C/Label: must be at most 40 characters long\n"},
    {"MapProcessorConfig",
     R"({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemProcessor": {
         "ProcessorConfig": {"Mode": "FAST", "ExecutionType": "SLOW", "Other": 1},
         "QueryLanguage": "JSONata", "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}}})",
     "/States/M/ItemProcessor/ProcessorConfig/ExecutionType: must be 'STANDARD' or 'EXPRESS', "
     "got \"SLOW\"\n"
     "/States/M/ItemProcessor/ProcessorConfig/Mode: must be 'INLINE' or 'DISTRIBUTED', got "
     "\"FAST\"\n"
     "/States/M/ItemProcessor/ProcessorConfig/Other: field 'Other' is not supported in "
     "ProcessorConfig\n"
     "/States/M/ItemProcessor/QueryLanguage: field 'QueryLanguage' is not supported in a Map "
     "item processor\n"},
    {"NestedPointers",
     R"({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
         {"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "Iterator": {
           "StartAt": "W", "States": {"W": {"Type": "Wait", "End": true}}}}}}]}}})",
     "/States/P/Branches/0/States/M/Iterator/States/W: one of 'Seconds', 'SecondsPath', "
     "'Timestamp' or 'TimestampPath' is required\n"},
    {"NoTerminalState",
     R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
         "B": {"Type": "Pass", "Next": "A"}}})",
     "/States: no terminal state: at least one state must be a Succeed or Fail state or have "
     "'End': true\n"},
    {"JsonataValues",
     R"({"StartAt": "M", "QueryLanguage": "JSONata", "States": {"M": {"Type": "Map",
         "Items": "$.items", "MaxConcurrency": "{% 2 %}", "End": true,
         "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task",
         "Resource": "{% 'arn' %}", "TimeoutSeconds": "{% 10 %}", "HeartbeatSeconds": "5",
         "End": true}}}}}})",
     "/States/M/ItemProcessor/States/T/HeartbeatSeconds: must be an integer between 1 and "
     "99999999, got \"5\"\n"
     "/States/M/ItemProcessor/States/T/Resource: must be a constant string, not a JSONata "
     "expression\n"
     "/States/M/Items: must be an array or a JSONata expression, got \"$.items\"\n"},
    {"AssignMustBeAnObject",
     R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": [1], "End": true}}})",
     "/States/A/Assign: must be an object, got an array\n"},
    {"PointerEscaping", R"({"StartAt": "a/b", "States": {"a/b": {"Type": "Pass", "Next": "c~d"}}})",
     "/States: no terminal state: at least one state must be a Succeed or Fail state or have "
     "'End': true\n"
     "/States/a~1b/Next: names no state: 'c~d'\n"},
};

// Names the case in gtest's failure output.
void PrintTo(const GoldenCase& golden, std::ostream* out) { *out << golden.name; }

class GoldenDiagnostics : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenDiagnostics, ReportsExactlyTheExpectedLines) {
  EXPECT_EQ(Diagnose(GetParam().definition), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Validator, GoldenDiagnostics, ::testing::ValuesIn(kGoldenCases),
                         [](const auto& info) { return std::string(info.param.name); });

// Problems reported by other modules, located by the compiler -----------------------------

TEST(ValidatorDelegation, InvalidPathsAreReportedAtTheirField) {
  EXPECT_EQ(DiagnosticPointers(R"({"StartAt": "A", "States": {"A": {"Type": "Pass",
              "InputPath": "$.[", "End": true}}})"),
            std::vector<std::string>{"/States/A/InputPath"});
  EXPECT_EQ(Diagnose(R"({"StartAt": "A", "States": {"A": {"Type": "Pass",
              "InputPath": "no-dollar", "End": true}}})")
                .rfind("/States/A/InputPath: invalid path 'no-dollar': ", 0),
            0u);
}

TEST(ValidatorDelegation, InvalidTemplatesAreReportedAtTheirFields) {
  EXPECT_EQ(DiagnosticPointers(R"j({"StartAt": "A", "States": {"A": {"Type": "Pass",
              "Parameters": {"a.$": "$.[", "nested": {"b.$": "States.Nope()"},
                             "c.$": "States.ArrayLength($.x, $.y)"}, "End": true}}})j"),
            (std::vector<std::string>{"/States/A/Parameters/a.$", "/States/A/Parameters/c.$",
                                      "/States/A/Parameters/nested/b.$"}));
}

TEST(ValidatorDelegation, InvalidChoiceRulesAreReportedAtTheirRule) {
  std::vector<std::string> pointers = DiagnosticPointers(R"({"StartAt": "C", "States": {
      "C": {"Type": "Choice", "Choices": [
        {"Variable": "$.x", "Next": "S"},
        {"Variable": "$.x", "NumericEquals": "one", "Next": "S"},
        {"And": [], "Next": "S"}]},
      "S": {"Type": "Succeed"}}})");
  ASSERT_EQ(pointers.size(), 3u);
  EXPECT_EQ(pointers[0].rfind("/States/C/Choices/0", 0), 0u);
  EXPECT_EQ(pointers[1].rfind("/States/C/Choices/1", 0), 0u);
  EXPECT_EQ(pointers[2].rfind("/States/C/Choices/2", 0), 0u);
}

// AWS accepts intrinsic calls in ErrorPath/CausePath. They are stored once State has
// `error_path_call`/`cause_path_call`; until then they are refused with a clear message rather
// than silently dropped.
template <typename S>
constexpr bool kStoresFailCalls = requires(S state) {
  state.error_path_call;
};

TEST(ValidatorDelegation, FailPathsMayBeIntrinsicCalls) {
  const std::string definition = R"j({"StartAt": "F", "States": {"F": {"Type": "Fail",
      "ErrorPath": "States.Format('{}', $.Error)",
      "CausePath": "States.Format('cause: {} {}', $.Error, $.Cause)"}}})j";
  if constexpr (kStoresFailCalls<State>) {
    EXPECT_EQ(Diagnose(definition), "OK");
  } else {
    EXPECT_EQ(Diagnose(definition),
              "/States/F/CausePath: intrinsic functions in CausePath are not supported yet; use "
              "a path\n"
              "/States/F/ErrorPath: intrinsic functions in ErrorPath are not supported yet; use "
              "a path\n");
  }
  EXPECT_EQ(DiagnosticPointers(R"j({"StartAt": "F", "States": {"F": {"Type": "Fail",
                "ErrorPath": "States.Nope($.x)"}}})j"),
            std::vector<std::string>{"/States/F/ErrorPath"});
}

TEST(ValidatorDiagnostics, AreSortedAndDeduplicated) {
  Result<Json> json = ParseDefinitionText(R"({"StartAt": "Z", "States": {
      "B": {"Type": "Pass", "Next": "Nope"}, "A": {"Type": "Pass", "Next": "Nope"}}})");
  ASSERT_TRUE(json.ok());
  auto compiled = Compile(*json);
  ASSERT_FALSE(compiled.ok());
  const Diagnostics& diagnostics = compiled.error();
  for (size_t i = 1; i < diagnostics.size(); ++i) {
    EXPECT_LT(std::tie(diagnostics[i - 1].pointer, diagnostics[i - 1].message),
              std::tie(diagnostics[i].pointer, diagnostics[i].message));
  }
  EXPECT_EQ(FormatDiagnostics(diagnostics),
            "/StartAt: names no state: 'Z'\n"
            "/States: no terminal state: at least one state must be a Succeed or Fail state or "
            "have 'End': true\n"
            "/States/A/Next: names no state: 'Nope'\n"
            "/States/B/Next: names no state: 'Nope'\n");
}

TEST(ValidatorDiagnostics, FormatsOneLinePerDiagnostic) {
  EXPECT_EQ(FormatDiagnostics({{"", "whole"}, {"/States/A", "one"}}),
            "(root): whole\n/States/A: one\n");
  EXPECT_EQ(FormatDiagnostics({}), "");
}

// Every definition AWS accepted ------------------------------------------------------------

TEST(ValidatorConformance, AcceptsEveryRecordedDefinition) {
  const std::filesystem::path cases = SLUICE_SOURCE_DIR "/../shared/conformance/cases";
  ASSERT_TRUE(std::filesystem::is_directory(cases)) << cases;
  int compiled = 0;
  std::string failures;
  for (const auto& entry : std::filesystem::directory_iterator(cases)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream file(entry.path());
    Json test_case = Json::parse(file);
    auto machine = Compile(test_case.at("definition"));
    if (machine.ok()) {
      ++compiled;
    } else {
      failures += entry.path().filename().string() + " [" +
                  test_case.value("category", std::string()) + "]\n" +
                  FormatDiagnostics(machine.error());
    }
  }
  EXPECT_EQ(failures, "");
  EXPECT_GT(compiled, 500);
}

// Definition text -------------------------------------------------------------------------

TEST(DefinitionText, JsonSyntaxErrorsNameLineAndColumn) {
  Result<Json> json = ParseDefinitionText("{\"StartAt\": \"A\",\n \"States\": {,}}");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error(),
            "invalid JSON at line 2, column 13: syntax error while parsing object key - "
            "unexpected ','; expected string literal");
}

TEST(DefinitionText, JsonDuplicateKeysAreRejected) {
  Result<Json> json = ParseDefinitionText(
      R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}, "A": {}}})");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error(), "invalid JSON: duplicate key 'A' at /States/A");
  json = ParseDefinitionText(R"({"a": [{"x": 1}, {"x": 1, "x": 2}]})");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error(), "invalid JSON: duplicate key 'x' at /a/1/x");
}

TEST(DefinitionText, JsonKeepsKeyOrder) {
  Result<Json> json = ParseDefinitionText(R"({"z": 1, "a": 2, "m": 3})");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->dump(), R"({"z":1,"a":2,"m":3})");
}

TEST(DefinitionText, YamlScalarsAreTypedAndKeyOrderKept) {
  Result<Json> json = ParseDefinitionText(
      "z: 1\n"
      "neg: -7\n"
      "float: 1.5\n"
      "exp: 1e3\n"
      "yes: true\n"
      "nul: null\n"
      "tilde: ~\n"
      "empty:\n"
      "quoted: \"1\"\n"
      "single: 'true'\n"
      "hex: 0x1F\n"
      "big: 12345678901234567890\n"
      "text: hello world\n"
      "date: 2024-01-01\n"
      "path: $.a\n"
      "tagged: !!str 12\n"
      "list: [a, 2, {b: c}]\n"
      "block: |\n"
      "  line\n");
  ASSERT_TRUE(json.ok()) << json.error();
  EXPECT_EQ(json->dump(),
            R"({"z":1,"neg":-7,"float":1.5,"exp":1000.0,"yes":true,"nul":null,"tilde":null,)"
            R"("empty":null,"quoted":"1","single":"true","hex":31,"big":12345678901234567890,)"
            R"("text":"hello world","date":"2024-01-01","path":"$.a","tagged":"12",)"
            R"("list":["a",2,{"b":"c"}],"block":"line\n"})");
  EXPECT_TRUE((*json)["z"].is_number_integer());
  EXPECT_TRUE((*json)["float"].is_number_float());
}

TEST(DefinitionText, YamlDefinitionCompiles) {
  auto machine = MustCompile(
      "Comment: YAML machine\n"
      "StartAt: Hello\n"
      "States:\n"
      "  Hello:\n"
      "    Type: Pass\n"
      "    Result: {greeting: hi}\n"
      "    Next: Done\n"
      "  Done:\n"
      "    Type: Succeed\n");
  ASSERT_NE(machine, nullptr);
  EXPECT_EQ(machine->comment, "YAML machine");
  ASSERT_EQ(machine->states.size(), 2u);
  EXPECT_EQ(machine->states[0].result->dump(), R"({"greeting":"hi"})");
}

TEST(DefinitionText, YamlErrorsNameLineAndColumn) {
  Result<Json> json = ParseDefinitionText("StartAt: A\nStates: [1, 2\nX: 3\n");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().rfind("invalid YAML at line ", 0), 0u) << json.error();
  json = ParseDefinitionText("StartAt: A\nStates:\n  A: {}\n  A: {}\n");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error(), "invalid YAML at line 4, column 3: duplicate key 'A'");
}

TEST(DefinitionText, EmptyTextIsAnError) {
  Result<Json> json = ParseDefinitionText(" \n\t ");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error(), "the definition is empty");
}

TEST(DefinitionText, FileErrorsNameTheFile) {
  const std::string missing = ::testing::TempDir() + "/sluice_no_such_definition.json";
  Result<Json> json = LoadDefinitionFile(missing);
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error(),
            "cannot read definition file '" + missing + "': No such file or directory");

  json = LoadDefinitionFile(::testing::TempDir());
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error(),
            "cannot read definition file '" + ::testing::TempDir() + "': it is a directory");

  const std::string broken = ::testing::TempDir() + "/sluice_broken_definition.json";
  std::ofstream(broken) << "{\"StartAt\": }";
  json = LoadDefinitionFile(broken);
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().rfind(broken + ": invalid JSON at line 1, column 13: ", 0), 0u)
      << json.error();

  const std::string good = ::testing::TempDir() + "/sluice_good_definition.yaml";
  std::ofstream(good) << "StartAt: A\nStates:\n  A: {Type: Succeed}\n";
  json = LoadDefinitionFile(good);
  ASSERT_TRUE(json.ok()) << json.error();
  EXPECT_EQ(json->dump(), R"({"StartAt":"A","States":{"A":{"Type":"Succeed"}}})");
}

// The compiled model ------------------------------------------------------------------------

TEST(CompiledModel, DefaultsApplyWhenFieldsAreAbsent) {
  auto machine = MustCompile(R"({"StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "r", "Next": "M",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "M"}]},
      "M": {"Type": "Map", "End": true,
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}}})");
  ASSERT_NE(machine, nullptr);
  EXPECT_EQ(machine->query_language, QueryLanguage::kJsonPath);
  EXPECT_FALSE(machine->timeout_seconds.has_value());
  const State& task = *machine->Find("T");
  EXPECT_EQ(task.input_path.path.text(), "$");
  EXPECT_FALSE(task.input_path.null_object);
  EXPECT_EQ(task.output_path.path.text(), "$");
  EXPECT_EQ(task.result_path.path.text(), "$");
  EXPECT_FALSE(task.result_path.discard);
  EXPECT_FALSE(task.parameters.has_value());
  EXPECT_FALSE(task.timeout_seconds.present());
  EXPECT_FALSE(task.heartbeat_seconds.present());
  ASSERT_EQ(task.catchers.size(), 1u);
  EXPECT_EQ(task.catchers[0].result_path.path.text(), "$");
  EXPECT_FALSE(task.catchers[0].result_path.discard);
  const State& map = *machine->Find("M");
  EXPECT_EQ(map.items_path.text(), "$");
  EXPECT_FALSE(map.item_selector.has_value());
  EXPECT_FALSE(map.max_concurrency.present());
  EXPECT_FALSE(map.distributed);
}

TEST(CompiledModel, NullPathsSelectEmptyObjectOrDiscard) {
  auto machine = MustCompile(R"({"StartAt": "A", "States": {"A": {"Type": "Pass",
      "InputPath": null, "OutputPath": null, "ResultPath": null, "End": true}}})");
  ASSERT_NE(machine, nullptr);
  const State& state = machine->states[0];
  EXPECT_TRUE(state.input_path.null_object);
  EXPECT_TRUE(state.output_path.null_object);
  EXPECT_TRUE(state.result_path.discard);
}

TEST(CompiledModel, StatesKeepDefinitionOrderAndIndex) {
  auto machine = MustCompile(R"({"StartAt": "Z", "Comment": "c", "TimeoutSeconds": 60,
      "Version": "1.0", "States": {"Z": {"Type": "Pass", "Next": "A", "Comment": "first"},
      "A": {"Type": "Pass", "Result": "x", "ResultPath": "$.r", "End": true}}})");
  ASSERT_NE(machine, nullptr);
  EXPECT_EQ(machine->start_at, "Z");
  EXPECT_EQ(machine->comment, "c");
  EXPECT_EQ(machine->timeout_seconds, 60);
  ASSERT_EQ(machine->states.size(), 2u);
  EXPECT_EQ(machine->states[0].name, "Z");
  EXPECT_EQ(machine->states[0].type, StateType::kPass);
  EXPECT_EQ(machine->states[0].next, "A");
  EXPECT_FALSE(machine->states[0].end);
  EXPECT_EQ(machine->states[0].comment, "first");
  EXPECT_EQ(machine->states[1].name, "A");
  EXPECT_TRUE(machine->states[1].end);
  EXPECT_EQ(*machine->states[1].result, Json("x"));
  EXPECT_EQ(machine->states[1].result_path.path.text(), "$.r");
  EXPECT_EQ(machine->Find("A"), &machine->states[1]);
  EXPECT_EQ(machine->Find("Nope"), nullptr);
}

TEST(CompiledModel, TaskFields) {
  auto machine = MustCompile(R"({"StartAt": "T", "States": {"T": {"Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"x.$": "$.y"},
      "ResultSelector": {"p.$": "$.Payload"}, "ResultPath": "$.out", "OutputPath": "$.out",
      "TimeoutSecondsPath": "$.timeout", "HeartbeatSeconds": 30,
      "Credentials": {"RoleArn.$": "$.role"},
      "Retry": [{"ErrorEquals": ["Lambda.ServiceException", "States.Timeout"],
                 "IntervalSeconds": 2, "MaxAttempts": 0, "BackoffRate": 1.5,
                 "MaxDelaySeconds": 10, "JitterStrategy": "FULL", "Comment": "c"},
                {"ErrorEquals": ["States.ALL"]}],
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle", "ResultPath": null,
                 "Assign": {"failed": true}}],
      "Next": "Handle"}, "Handle": {"Type": "Succeed"}}})");
  ASSERT_NE(machine, nullptr);
  const State& task = *machine->Find("T");
  EXPECT_EQ(task.type, StateType::kTask);
  EXPECT_EQ(task.resource, "arn:aws:states:::lambda:invoke");
  EXPECT_TRUE(task.parameters.has_value());
  EXPECT_TRUE(task.result_selector.has_value());
  EXPECT_EQ(task.result_path.path.text(), "$.out");
  EXPECT_EQ(task.output_path.path.text(), "$.out");
  ASSERT_TRUE(task.timeout_seconds.path.has_value());
  EXPECT_EQ(task.timeout_seconds.path->text(), "$.timeout");
  EXPECT_FALSE(task.timeout_seconds.value.has_value());
  EXPECT_EQ(task.heartbeat_seconds.value, 30);
  EXPECT_EQ(task.credentials->dump(), R"({"RoleArn.$":"$.role"})");
  ASSERT_EQ(task.retry.size(), 2u);
  EXPECT_EQ(task.retry[0].error_equals,
            (std::vector<std::string>{"Lambda.ServiceException", "States.Timeout"}));
  EXPECT_EQ(task.retry[0].interval_seconds, 2);
  EXPECT_EQ(task.retry[0].max_attempts, 0);
  EXPECT_DOUBLE_EQ(task.retry[0].backoff_rate, 1.5);
  EXPECT_EQ(task.retry[0].max_delay_seconds, 10);
  EXPECT_TRUE(task.retry[0].jitter_full);
  EXPECT_EQ(task.retry[1].interval_seconds, 1);
  EXPECT_EQ(task.retry[1].max_attempts, 3);
  EXPECT_DOUBLE_EQ(task.retry[1].backoff_rate, 2.0);
  EXPECT_FALSE(task.retry[1].max_delay_seconds.has_value());
  EXPECT_FALSE(task.retry[1].jitter_full);
  ASSERT_EQ(task.catchers.size(), 1u);
  EXPECT_EQ(task.catchers[0].next, "Handle");
  EXPECT_TRUE(task.catchers[0].result_path.discard);
  EXPECT_TRUE(task.catchers[0].assign.jsonpath.has_value());
  EXPECT_EQ(task.catchers[0].assign.jsonata, nullptr);
}

TEST(CompiledModel, ChoiceWaitAndFailFields) {
  auto machine = MustCompile(R"({"StartAt": "C", "States": {
      "C": {"Type": "Choice", "Default": "F", "Assign": {"v": 1}, "Choices": [
        {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "W1", "Assign": {"big": true}},
        {"Not": {"Variable": "$.s", "StringEquals": "x"}, "Next": "W2"}]},
      "W1": {"Type": "Wait", "Seconds": 0, "Next": "W3"},
      "W2": {"Type": "Wait", "Timestamp": "2016-03-05T21:29:29.243167252Z", "Next": "W3"},
      "W3": {"Type": "Wait", "SecondsPath": "$.s", "Next": "W4"},
      "W4": {"Type": "Wait", "TimestampPath": "$.t", "Next": "F"},
      "F": {"Type": "Fail", "ErrorPath": "$$.State.Name", "Cause": "because"}}})");
  ASSERT_NE(machine, nullptr);
  const State& choice = *machine->Find("C");
  ASSERT_EQ(choice.choices.size(), 2u);
  EXPECT_EQ(choice.choices[0].next, "W1");
  EXPECT_TRUE(choice.choices[0].assign.present());
  EXPECT_EQ(choice.choices[1].next, "W2");
  EXPECT_FALSE(choice.choices[1].assign.present());
  EXPECT_EQ(choice.default_next, "F");
  EXPECT_TRUE(choice.assign.jsonpath.has_value());
  EXPECT_EQ(machine->Find("W1")->seconds, 0);
  EXPECT_EQ(machine->Find("W2")->timestamp, "2016-03-05T21:29:29.243167252Z");
  EXPECT_EQ(machine->Find("W3")->seconds_path->text(), "$.s");
  EXPECT_EQ(machine->Find("W4")->timestamp_path->text(), "$.t");
  const State& fail = *machine->Find("F");
  EXPECT_EQ(fail.error_path->text(), "$$.State.Name");
  EXPECT_EQ(fail.cause, "because");
  EXPECT_FALSE(fail.error.has_value());
  EXPECT_FALSE(fail.cause_path.has_value());
}

TEST(CompiledModel, ParallelBranchesAreNestedMachines) {
  auto machine = MustCompile(R"({"StartAt": "P", "States": {"P": {"Type": "Parallel",
      "Parameters": {"a.$": "$.a"}, "ResultSelector": {"r.$": "$[0]"}, "End": true,
      "Branches": [
        {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": true}}},
        {"StartAt": "B2", "Comment": "second", "States": {"B2": {"Type": "Pass", "Next": "B3"},
                                                        "B3": {"Type": "Succeed"}}}]}}})");
  ASSERT_NE(machine, nullptr);
  const State& parallel = machine->states[0];
  EXPECT_TRUE(parallel.parameters.has_value());
  EXPECT_TRUE(parallel.result_selector.has_value());
  ASSERT_EQ(parallel.branches.size(), 2u);
  EXPECT_EQ(parallel.branches[0]->start_at, "B1");
  EXPECT_EQ(parallel.branches[1]->comment, "second");
  ASSERT_EQ(parallel.branches[1]->states.size(), 2u);
  EXPECT_EQ(parallel.branches[1]->Find("B2")->next, "B3");
}

TEST(CompiledModel, MapLegacyFieldsAndLimits) {
  auto machine = MustCompile(R"({"StartAt": "M", "States": {"M": {"Type": "Map",
      "ItemsPath": "$.items", "Parameters": {"item.$": "$$.Map.Item.Value"},
      "MaxConcurrencyPath": "$.limit", "ToleratedFailurePercentage": 12.5,
      "ToleratedFailureCount": 3, "Label": "L", "ItemReader": {"Resource": "r"},
      "ItemBatcher": {"MaxItemsPerBatch": 2}, "ResultWriter": {"Resource": "w"},
      "Iterator": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                   "StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}},
      "ResultPath": "$.results", "End": true}}})");
  ASSERT_NE(machine, nullptr);
  const State& map = machine->states[0];
  EXPECT_EQ(map.items_path.text(), "$.items");
  EXPECT_TRUE(map.item_selector.has_value());
  EXPECT_FALSE(map.parameters.has_value());  // legacy Parameters is the item selector
  EXPECT_EQ(map.max_concurrency.path->text(), "$.limit");
  EXPECT_DOUBLE_EQ(*map.tolerated_failure_percentage.value, 12.5);
  EXPECT_EQ(map.tolerated_failure_count.value, 3);
  EXPECT_EQ(map.label, "L");
  EXPECT_EQ(map.item_reader->dump(), R"({"Resource":"r"})");
  EXPECT_EQ(map.item_batcher->dump(), R"({"MaxItemsPerBatch":2})");
  EXPECT_EQ(map.result_writer->dump(), R"({"Resource":"w"})");
  EXPECT_TRUE(map.distributed);
  ASSERT_NE(map.item_processor, nullptr);
  EXPECT_EQ(map.item_processor->start_at, "I");
  EXPECT_EQ(map.result_path.path.text(), "$.results");
}

TEST(CompiledModel, JsonataFieldsAreCompiled) {
  auto machine = MustCompile(R"({"StartAt": "T", "QueryLanguage": "JSONata", "States": {
      "T": {"Type": "Task", "Resource": "r", "Arguments": {"x": "{% $states.input.x %}"},
            "Output": "{% $states.result %}", "Assign": {"v": "{% 1 %}"},
            "TimeoutSeconds": "{% 5 %}", "Next": "F",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F",
                       "Output": "{% $states.errorOutput %}"}]},
      "F": {"Type": "Fail", "Error": "{% 'E' %}", "Cause": "plain"}}})");
  ASSERT_NE(machine, nullptr);
  EXPECT_EQ(machine->query_language, QueryLanguage::kJsonata);
  const State& task = *machine->Find("T");
  EXPECT_EQ(task.query_language, QueryLanguage::kJsonata);
  ASSERT_NE(task.arguments, nullptr);
  EXPECT_FALSE(task.arguments->is_expression());  // an object holding an expression
  ASSERT_NE(task.output, nullptr);
  EXPECT_TRUE(task.output->is_expression());
  EXPECT_EQ(task.output->expression_text(), "$states.result");
  EXPECT_NE(task.assign.jsonata, nullptr);
  EXPECT_FALSE(task.timeout_seconds.value.has_value());  // an expression, compiled below
  ASSERT_NE(task.Expression("TimeoutSeconds"), nullptr);
  EXPECT_EQ(task.Expression("TimeoutSeconds")->expression_text(), "5");
  EXPECT_FALSE(task.parameters.has_value());
  ASSERT_NE(task.catchers[0].output, nullptr);
  EXPECT_FALSE(machine->Find("F")->error.has_value());
  ASSERT_NE(machine->Find("F")->Expression("Error"), nullptr);
  EXPECT_EQ(machine->Find("F")->cause, "plain");
}

TEST(CompiledModel, JsonataSyntaxErrorsAreReportedAtTheField) {
  auto r = Compile(Json::parse(R"({"StartAt": "P", "QueryLanguage": "JSONata", "States": {
      "P": {"Type": "Pass", "Output": {"a": "{% $states.input. %}"}, "End": true}}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().size(), 1u);
  EXPECT_EQ(r.error()[0].pointer, "/States/P/Output");
  EXPECT_NE(r.error()[0].message.find("invalid JSONata expression '$states.input.'"),
            std::string::npos);
}

TEST(CompiledModel, StateLevelQueryLanguageOverridesTheDefault) {
  auto machine = MustCompile(R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"a": 1}, "Next": "B"},
      "B": {"Type": "Pass", "Parameters": {"b.$": "$.a"}, "End": true}}})");
  ASSERT_NE(machine, nullptr);
  EXPECT_EQ(machine->Find("A")->query_language, QueryLanguage::kJsonata);
  EXPECT_NE(machine->Find("A")->output, nullptr);
  EXPECT_EQ(machine->Find("B")->query_language, QueryLanguage::kJsonPath);
  EXPECT_TRUE(machine->Find("B")->parameters.has_value());
}

}  // namespace
}  // namespace sluice::asl

namespace sluice::asl {
namespace {

TEST(VariableReferences, JsonPathReadOfAVariableNoStateAssignsIsReported) {
  auto r = Compile(Json::parse(R"json({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Assign": {"known": 1}, "Next": "B"},
      "B": {"Type": "Pass", "Parameters": {"k.$": "$known", "u.$": "$unknown.field",
            "f.$": "States.Format('{} $notAVar', $alsoUnknown)", "c.$": "$$.Execution.Id"},
            "Next": "C"},
      "C": {"Type": "Choice", "Choices": [{"Variable": "$missing", "IsPresent": true,
            "Next": "D"}], "Default": "D"},
      "D": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $neverAssigned %}",
            "End": true}}})json"));
  ASSERT_FALSE(r.ok());
  std::vector<std::string> lines;
  for (const auto& d : r.error()) lines.push_back(d.pointer + ": " + d.message);
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "/States/B/Parameters/f.$: reads the variable '$alsoUnknown', which no "
                       "state assigns",
                       "/States/B/Parameters/u.$: reads the variable '$unknown', which no state "
                       "assigns",
                       "/States/C/Choices/0/Variable: reads the variable '$missing', which no "
                       "state assigns"}));
}

TEST(VariableReferences, VariablesAssignedInAnyScopeAreAccepted) {
  auto r = Compile(Json::parse(R"({"StartAt": "M", "States": {
      "M": {"Type": "Map", "ItemProcessor": {"StartAt": "I", "States": {
              "I": {"Type": "Pass", "Assign": {"inner.$": "$"}, "Next": "J"},
              "J": {"Type": "Pass", "InputPath": "$inner", "End": true}}},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"err.$": "$.Error"}, "Next": "E"}],
            "End": true},
      "E": {"Type": "Pass", "OutputPath": "$err", "End": true}}})"));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : FormatDiagnostics(r.error()));
}

}  // namespace
}  // namespace sluice::asl
