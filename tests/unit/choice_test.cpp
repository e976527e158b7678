// Choice rules: AWS-recorded outcomes, runtime errors, compile diagnostics.
#include "asl/choice.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace sluice::asl {
namespace {

Json J(const std::string& text) { return Json::parse(text); }

ChoiceRule MustCompile(const Json& rule, bool top_level = true) {
  auto compiled = ChoiceRule::Compile(rule, "/States/C/Choices/0", top_level);
  if (!compiled.ok()) {
    std::string all;
    for (const auto& d : compiled.error()) all += d.pointer + ": " + d.message + "\n";
    ADD_FAILURE() << "unexpected diagnostics for " << rule.dump() << "\n" << all;
    return ChoiceRule();
  }
  return compiled.value();
}

Result<bool, AslError> Eval(const std::string& rule, const std::string& input,
                            const std::string& context = "{}", const Json* variables = nullptr) {
  const Json data = J(input);
  const Json ctx = J(context);
  EvalScope scope{data, ctx, variables, nullptr};
  return MustCompile(J(rule)).Evaluate(scope);
}

bool Matches(const std::string& rule, const std::string& input) {
  auto r = Eval(rule, input);
  EXPECT_TRUE(r.ok()) << rule << " on " << input << ": " << (r.ok() ? "" : r.error().cause);
  return r.ok() && r.value();
}

Diagnostics CompileErrors(const std::string& rule, bool top_level = true) {
  auto compiled = ChoiceRule::Compile(J(rule), "/States/C/Choices/0", top_level);
  if (compiled.ok()) return {};
  return compiled.error();
}

// ---- AWS-recorded outcomes ---------------------------------------------------------------------

// One Choice rule, the execution input, and whether AWS took the rule's branch. Extracted from
// the AWS-recorded conformance cases of category "choice" (operator x value-type matrices).
struct RecordedCase {
  const char* name;
  const char* rule;
  const char* input;
  bool matched;
};

const RecordedCase kRecorded[] = {
    {"boolean_equals_test_boolean_equals_exec1",
     R"json({"Variable": "$.Variable", "BooleanEquals": false})json",
     R"json({"Variable": null, "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_exec13",
     R"json({"Variable": "$.Variable", "BooleanEquals": false})json",
     R"json({"Variable": " ", "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_exec19",
     R"json({"Variable": "$.Variable", "BooleanEquals": false})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_exec2",
     R"json({"Variable": "$.Variable", "BooleanEquals": true})json",
     R"json({"Variable": 0, "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_exec20",
     R"json({"Variable": "$.Variable", "BooleanEquals": true})json",
     R"json({"Variable": "2012-10-09T19:00:55+01:00", "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_exec21",
     R"json({"Variable": "$.Variable", "BooleanEquals": false})json",
     R"json({"Variable": "2012-10-09T19:00:55+01:00", "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_exec22",
     R"json({"Variable": "$.Variable", "BooleanEquals": true})json",
     R"json({"Variable": "2023-02-24", "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_exec24",
     R"json({"Variable": "$.Variable", "BooleanEquals": true})json",
     R"json({"Variable": [], "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_exec28",
     R"json({"Variable": "$.Variable", "BooleanEquals": true})json",
     R"json({"Variable": {}, "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_exec29",
     R"json({"Variable": "$.Variable", "BooleanEquals": false})json",
     R"json({"Variable": {}, "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_exec3",
     R"json({"Variable": "$.Variable", "BooleanEquals": false})json",
     R"json({"Variable": 0, "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_exec30",
     R"json({"Variable": "$.Variable", "BooleanEquals": true})json",
     R"json({"Variable": {"A": 0}, "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_exec31",
     R"json({"Variable": "$.Variable", "BooleanEquals": false})json",
     R"json({"Variable": {"A": 0}, "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_exec33",
     R"json({"Variable": "$.Variable", "BooleanEquals": true})json",
     R"json({"Variable": false, "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_exec35",
     R"json({"Variable": "$.Variable", "BooleanEquals": false})json",
     R"json({"Variable": false, "Value": false})json", true},
    {"boolean_equals_test_boolean_equals_exec4",
     R"json({"Variable": "$.Variable", "BooleanEquals": true})json",
     R"json({"Variable": 0.0, "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_exec5",
     R"json({"Variable": "$.Variable", "BooleanEquals": false})json",
     R"json({"Variable": 0.0, "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_exec6",
     R"json({"Variable": "$.Variable", "BooleanEquals": true})json",
     R"json({"Variable": 1, "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_exec7",
     R"json({"Variable": "$.Variable", "BooleanEquals": false})json",
     R"json({"Variable": 1, "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_exec8",
     R"json({"Variable": "$.Variable", "BooleanEquals": true})json",
     R"json({"Variable": 1.1, "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_path_exec0",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": null, "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_path_exec1",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": null, "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_path_exec10",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": "", "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_path_exec11",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": "", "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_path_exec12",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": " ", "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_path_exec13",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": " ", "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_path_exec14",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": "HelloWorld", "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_path_exec17",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": "2012-10-09T19:00:55", "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_path_exec19",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_path_exec2",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": 0, "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_path_exec21",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": "2012-10-09T19:00:55+01:00", "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_path_exec22",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": "2023-02-24", "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_path_exec24",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": [], "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_path_exec25",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": [], "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_path_exec27",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": [""], "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_path_exec28",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": {}, "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_path_exec29",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": {}, "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_path_exec3",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": 0, "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_path_exec30",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": {"A": 0}, "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_path_exec32",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": true, "Value": true})json", true},
    {"boolean_equals_test_boolean_equals_path_exec4",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": 0.0, "Value": true})json", false},
    {"boolean_equals_test_boolean_equals_path_exec5",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": 0.0, "Value": false})json", false},
    {"boolean_equals_test_boolean_equals_path_exec6",
     R"json({"Variable": "$.Variable", "BooleanEqualsPath": "$.Value"})json",
     R"json({"Variable": 1, "Value": true})json", false},
    {"is_operators_test_is_boolean_exec0",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": null, "Value": true})json", false},
    {"is_operators_test_is_boolean_exec1",
     R"json({"Variable": "$.Variable", "IsBoolean": false})json",
     R"json({"Variable": null, "Value": false})json", true},
    {"is_operators_test_is_boolean_exec10",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": "", "Value": true})json", false},
    {"is_operators_test_is_boolean_exec11",
     R"json({"Variable": "$.Variable", "IsBoolean": false})json",
     R"json({"Variable": "", "Value": false})json", true},
    {"is_operators_test_is_boolean_exec13",
     R"json({"Variable": "$.Variable", "IsBoolean": false})json",
     R"json({"Variable": " ", "Value": false})json", true},
    {"is_operators_test_is_boolean_exec14",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": "HelloWorld", "Value": true})json", false},
    {"is_operators_test_is_boolean_exec15",
     R"json({"Variable": "$.Variable", "IsBoolean": false})json",
     R"json({"Variable": "HelloWorld", "Value": false})json", true},
    {"is_operators_test_is_boolean_exec16",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": "2012-10-09T19:00:55", "Value": true})json", false},
    {"is_operators_test_is_boolean_exec17",
     R"json({"Variable": "$.Variable", "IsBoolean": false})json",
     R"json({"Variable": "2012-10-09T19:00:55", "Value": false})json", true},
    {"is_operators_test_is_boolean_exec18",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": true})json", false},
    {"is_operators_test_is_boolean_exec19",
     R"json({"Variable": "$.Variable", "IsBoolean": false})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": false})json", true},
    {"is_operators_test_is_boolean_exec2",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": 0, "Value": true})json", false},
    {"is_operators_test_is_boolean_exec20",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": "2012-10-09T19:00:55+01:00", "Value": true})json", false},
    {"is_operators_test_is_boolean_exec22",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": "2023-02-24", "Value": true})json", false},
    {"is_operators_test_is_boolean_exec24",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": [], "Value": true})json", false},
    {"is_operators_test_is_boolean_exec26",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": [""], "Value": true})json", false},
    {"is_operators_test_is_boolean_exec27",
     R"json({"Variable": "$.Variable", "IsBoolean": false})json",
     R"json({"Variable": [""], "Value": false})json", true},
    {"is_operators_test_is_boolean_exec28",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": {}, "Value": true})json", false},
    {"is_operators_test_is_boolean_exec29",
     R"json({"Variable": "$.Variable", "IsBoolean": false})json",
     R"json({"Variable": {}, "Value": false})json", true},
    {"is_operators_test_is_boolean_exec30",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": {"A": 0}, "Value": true})json", false},
    {"is_operators_test_is_boolean_exec32",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": true, "Value": true})json", true},
    {"is_operators_test_is_boolean_exec33",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": false, "Value": true})json", true},
    {"is_operators_test_is_boolean_exec35",
     R"json({"Variable": "$.Variable", "IsBoolean": false})json",
     R"json({"Variable": false, "Value": false})json", false},
    {"is_operators_test_is_boolean_exec4",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": 0.0, "Value": true})json", false},
    {"is_operators_test_is_boolean_exec6",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": 1, "Value": true})json", false},
    {"is_operators_test_is_boolean_exec7",
     R"json({"Variable": "$.Variable", "IsBoolean": false})json",
     R"json({"Variable": 1, "Value": false})json", true},
    {"is_operators_test_is_boolean_exec8",
     R"json({"Variable": "$.Variable", "IsBoolean": true})json",
     R"json({"Variable": 1.1, "Value": true})json", false},
    {"is_operators_test_is_boolean_exec9",
     R"json({"Variable": "$.Variable", "IsBoolean": false})json",
     R"json({"Variable": 1.1, "Value": false})json", true},
    {"is_operators_test_is_null_exec0", R"json({"Variable": "$.Variable", "IsNull": true})json",
     R"json({"Variable": null, "Value": true})json", true},
    {"is_operators_test_is_null_exec11", R"json({"Variable": "$.Variable", "IsNull": false})json",
     R"json({"Variable": "", "Value": false})json", true},
    {"is_operators_test_is_null_exec12", R"json({"Variable": "$.Variable", "IsNull": true})json",
     R"json({"Variable": " ", "Value": true})json", false},
    {"is_operators_test_is_null_exec15", R"json({"Variable": "$.Variable", "IsNull": false})json",
     R"json({"Variable": "HelloWorld", "Value": false})json", true},
    {"is_operators_test_is_null_exec18", R"json({"Variable": "$.Variable", "IsNull": true})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": true})json", false},
    {"is_operators_test_is_null_exec20", R"json({"Variable": "$.Variable", "IsNull": true})json",
     R"json({"Variable": "2012-10-09T19:00:55+01:00", "Value": true})json", false},
    {"is_operators_test_is_null_exec21", R"json({"Variable": "$.Variable", "IsNull": false})json",
     R"json({"Variable": "2012-10-09T19:00:55+01:00", "Value": false})json", true},
    {"is_operators_test_is_null_exec23", R"json({"Variable": "$.Variable", "IsNull": false})json",
     R"json({"Variable": "2023-02-24", "Value": false})json", true},
    {"is_operators_test_is_null_exec24", R"json({"Variable": "$.Variable", "IsNull": true})json",
     R"json({"Variable": [], "Value": true})json", false},
    {"is_operators_test_is_null_exec25", R"json({"Variable": "$.Variable", "IsNull": false})json",
     R"json({"Variable": [], "Value": false})json", true},
    {"is_operators_test_is_null_exec28", R"json({"Variable": "$.Variable", "IsNull": true})json",
     R"json({"Variable": {}, "Value": true})json", false},
    {"is_operators_test_is_null_exec30", R"json({"Variable": "$.Variable", "IsNull": true})json",
     R"json({"Variable": {"A": 0}, "Value": true})json", false},
    {"is_operators_test_is_null_exec31", R"json({"Variable": "$.Variable", "IsNull": false})json",
     R"json({"Variable": {"A": 0}, "Value": false})json", true},
    {"is_operators_test_is_null_exec32", R"json({"Variable": "$.Variable", "IsNull": true})json",
     R"json({"Variable": true, "Value": true})json", false},
    {"is_operators_test_is_null_exec33", R"json({"Variable": "$.Variable", "IsNull": true})json",
     R"json({"Variable": false, "Value": true})json", false},
    {"is_operators_test_is_null_exec35", R"json({"Variable": "$.Variable", "IsNull": false})json",
     R"json({"Variable": false, "Value": false})json", true},
    {"is_operators_test_is_null_exec5", R"json({"Variable": "$.Variable", "IsNull": false})json",
     R"json({"Variable": 0.0, "Value": false})json", true},
    {"is_operators_test_is_null_exec6", R"json({"Variable": "$.Variable", "IsNull": true})json",
     R"json({"Variable": 1, "Value": true})json", false},
    {"is_operators_test_is_null_exec7", R"json({"Variable": "$.Variable", "IsNull": false})json",
     R"json({"Variable": 1, "Value": false})json", true},
    {"is_operators_test_is_null_exec8", R"json({"Variable": "$.Variable", "IsNull": true})json",
     R"json({"Variable": 1.1, "Value": true})json", false},
    {"is_operators_test_is_null_exec9", R"json({"Variable": "$.Variable", "IsNull": false})json",
     R"json({"Variable": 1.1, "Value": false})json", true},
    {"is_operators_test_is_numeric_exec0",
     R"json({"Variable": "$.Variable", "IsNumeric": true})json",
     R"json({"Variable": null, "Value": true})json", false},
    {"is_operators_test_is_numeric_exec1",
     R"json({"Variable": "$.Variable", "IsNumeric": false})json",
     R"json({"Variable": null, "Value": false})json", true},
    {"is_operators_test_is_numeric_exec10",
     R"json({"Variable": "$.Variable", "IsNumeric": true})json",
     R"json({"Variable": "", "Value": true})json", false},
    {"is_operators_test_is_numeric_exec11",
     R"json({"Variable": "$.Variable", "IsNumeric": false})json",
     R"json({"Variable": "", "Value": false})json", true},
    {"is_operators_test_is_numeric_exec12",
     R"json({"Variable": "$.Variable", "IsNumeric": true})json",
     R"json({"Variable": " ", "Value": true})json", false},
    {"is_operators_test_is_numeric_exec14",
     R"json({"Variable": "$.Variable", "IsNumeric": true})json",
     R"json({"Variable": "HelloWorld", "Value": true})json", false},
    {"is_operators_test_is_numeric_exec16",
     R"json({"Variable": "$.Variable", "IsNumeric": true})json",
     R"json({"Variable": "2012-10-09T19:00:55", "Value": true})json", false},
    {"is_operators_test_is_numeric_exec19",
     R"json({"Variable": "$.Variable", "IsNumeric": false})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": false})json", true},
    {"is_operators_test_is_numeric_exec20",
     R"json({"Variable": "$.Variable", "IsNumeric": true})json",
     R"json({"Variable": "2012-10-09T19:00:55+01:00", "Value": true})json", false},
    {"is_operators_test_is_numeric_exec21",
     R"json({"Variable": "$.Variable", "IsNumeric": false})json",
     R"json({"Variable": "2012-10-09T19:00:55+01:00", "Value": false})json", true},
    {"is_operators_test_is_numeric_exec22",
     R"json({"Variable": "$.Variable", "IsNumeric": true})json",
     R"json({"Variable": "2023-02-24", "Value": true})json", false},
    {"is_operators_test_is_numeric_exec25",
     R"json({"Variable": "$.Variable", "IsNumeric": false})json",
     R"json({"Variable": [], "Value": false})json", true},
    {"is_operators_test_is_numeric_exec27",
     R"json({"Variable": "$.Variable", "IsNumeric": false})json",
     R"json({"Variable": [""], "Value": false})json", true},
    {"is_operators_test_is_numeric_exec28",
     R"json({"Variable": "$.Variable", "IsNumeric": true})json",
     R"json({"Variable": {}, "Value": true})json", false},
    {"is_operators_test_is_numeric_exec30",
     R"json({"Variable": "$.Variable", "IsNumeric": true})json",
     R"json({"Variable": {"A": 0}, "Value": true})json", false},
    {"is_operators_test_is_numeric_exec31",
     R"json({"Variable": "$.Variable", "IsNumeric": false})json",
     R"json({"Variable": {"A": 0}, "Value": false})json", true},
    {"is_operators_test_is_numeric_exec33",
     R"json({"Variable": "$.Variable", "IsNumeric": true})json",
     R"json({"Variable": false, "Value": true})json", false},
    {"is_operators_test_is_numeric_exec35",
     R"json({"Variable": "$.Variable", "IsNumeric": false})json",
     R"json({"Variable": false, "Value": false})json", true},
    {"is_operators_test_is_numeric_exec4",
     R"json({"Variable": "$.Variable", "IsNumeric": true})json",
     R"json({"Variable": 0.0, "Value": true})json", true},
    {"is_operators_test_is_numeric_exec5",
     R"json({"Variable": "$.Variable", "IsNumeric": false})json",
     R"json({"Variable": 0.0, "Value": false})json", false},
    {"is_operators_test_is_numeric_exec6",
     R"json({"Variable": "$.Variable", "IsNumeric": true})json",
     R"json({"Variable": 1, "Value": true})json", true},
    {"is_operators_test_is_numeric_exec7",
     R"json({"Variable": "$.Variable", "IsNumeric": false})json",
     R"json({"Variable": 1, "Value": false})json", false},
    {"is_operators_test_is_numeric_exec8",
     R"json({"Variable": "$.Variable", "IsNumeric": true})json",
     R"json({"Variable": 1.1, "Value": true})json", true},
    {"is_operators_test_is_numeric_exec9",
     R"json({"Variable": "$.Variable", "IsNumeric": false})json",
     R"json({"Variable": 1.1, "Value": false})json", false},
    {"is_operators_test_is_present_exec0",
     R"json({"Variable": "$.Variable", "IsPresent": true})json",
     R"json({"Variable": null, "Value": true})json", true},
    {"is_operators_test_is_present_exec10",
     R"json({"Variable": "$.Variable", "IsPresent": true})json",
     R"json({"Variable": "", "Value": true})json", true},
    {"is_operators_test_is_present_exec13",
     R"json({"Variable": "$.Variable", "IsPresent": false})json",
     R"json({"Variable": " ", "Value": false})json", false},
    {"is_operators_test_is_present_exec14",
     R"json({"Variable": "$.Variable", "IsPresent": true})json",
     R"json({"Variable": "HelloWorld", "Value": true})json", true},
    {"is_operators_test_is_present_exec15",
     R"json({"Variable": "$.Variable", "IsPresent": false})json",
     R"json({"Variable": "HelloWorld", "Value": false})json", false},
    {"is_operators_test_is_present_exec18",
     R"json({"Variable": "$.Variable", "IsPresent": true})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": true})json", true},
    {"is_operators_test_is_present_exec19",
     R"json({"Variable": "$.Variable", "IsPresent": false})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": false})json", false},
    {"is_operators_test_is_present_exec2",
     R"json({"Variable": "$.Variable", "IsPresent": true})json",
     R"json({"Variable": 0, "Value": true})json", true},
    {"is_operators_test_is_present_exec22",
     R"json({"Variable": "$.Variable", "IsPresent": true})json",
     R"json({"Variable": "2023-02-24", "Value": true})json", true},
    {"is_operators_test_is_present_exec23",
     R"json({"Variable": "$.Variable", "IsPresent": false})json",
     R"json({"Variable": "2023-02-24", "Value": false})json", false},
    {"is_operators_test_is_present_exec26",
     R"json({"Variable": "$.Variable", "IsPresent": true})json",
     R"json({"Variable": [""], "Value": true})json", true},
    {"is_operators_test_is_present_exec28",
     R"json({"Variable": "$.Variable", "IsPresent": true})json",
     R"json({"Variable": {}, "Value": true})json", true},
    {"is_operators_test_is_present_exec29",
     R"json({"Variable": "$.Variable", "IsPresent": false})json",
     R"json({"Variable": {}, "Value": false})json", false},
    {"is_operators_test_is_present_exec3",
     R"json({"Variable": "$.Variable", "IsPresent": false})json",
     R"json({"Variable": 0, "Value": false})json", false},
    {"is_operators_test_is_present_exec31",
     R"json({"Variable": "$.Variable", "IsPresent": false})json",
     R"json({"Variable": {"A": 0}, "Value": false})json", false},
    {"is_operators_test_is_present_exec32",
     R"json({"Variable": "$.Variable", "IsPresent": true})json",
     R"json({"Variable": true, "Value": true})json", true},
    {"is_operators_test_is_present_exec35",
     R"json({"Variable": "$.Variable", "IsPresent": false})json",
     R"json({"Variable": false, "Value": false})json", false},
    {"is_operators_test_is_present_exec4",
     R"json({"Variable": "$.Variable", "IsPresent": true})json",
     R"json({"Variable": 0.0, "Value": true})json", true},
    {"is_operators_test_is_present_exec7",
     R"json({"Variable": "$.Variable", "IsPresent": false})json",
     R"json({"Variable": 1, "Value": false})json", false},
    {"is_operators_test_is_present_exec8",
     R"json({"Variable": "$.Variable", "IsPresent": true})json",
     R"json({"Variable": 1.1, "Value": true})json", true},
    {"is_operators_test_is_present_exec9",
     R"json({"Variable": "$.Variable", "IsPresent": false})json",
     R"json({"Variable": 1.1, "Value": false})json", false},
    {"is_operators_test_is_string_exec0", R"json({"Variable": "$.Variable", "IsString": true})json",
     R"json({"Variable": null, "Value": true})json", false},
    {"is_operators_test_is_string_exec1",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": null, "Value": false})json", true},
    {"is_operators_test_is_string_exec10",
     R"json({"Variable": "$.Variable", "IsString": true})json",
     R"json({"Variable": "", "Value": true})json", true},
    {"is_operators_test_is_string_exec11",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": "", "Value": false})json", false},
    {"is_operators_test_is_string_exec12",
     R"json({"Variable": "$.Variable", "IsString": true})json",
     R"json({"Variable": " ", "Value": true})json", true},
    {"is_operators_test_is_string_exec13",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": " ", "Value": false})json", false},
    {"is_operators_test_is_string_exec14",
     R"json({"Variable": "$.Variable", "IsString": true})json",
     R"json({"Variable": "HelloWorld", "Value": true})json", true},
    {"is_operators_test_is_string_exec15",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": "HelloWorld", "Value": false})json", false},
    {"is_operators_test_is_string_exec16",
     R"json({"Variable": "$.Variable", "IsString": true})json",
     R"json({"Variable": "2012-10-09T19:00:55", "Value": true})json", true},
    {"is_operators_test_is_string_exec17",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": "2012-10-09T19:00:55", "Value": false})json", false},
    {"is_operators_test_is_string_exec18",
     R"json({"Variable": "$.Variable", "IsString": true})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": true})json", true},
    {"is_operators_test_is_string_exec19",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": false})json", false},
    {"is_operators_test_is_string_exec2", R"json({"Variable": "$.Variable", "IsString": true})json",
     R"json({"Variable": 0, "Value": true})json", false},
    {"is_operators_test_is_string_exec20",
     R"json({"Variable": "$.Variable", "IsString": true})json",
     R"json({"Variable": "2012-10-09T19:00:55+01:00", "Value": true})json", true},
    {"is_operators_test_is_string_exec21",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": "2012-10-09T19:00:55+01:00", "Value": false})json", false},
    {"is_operators_test_is_string_exec22",
     R"json({"Variable": "$.Variable", "IsString": true})json",
     R"json({"Variable": "2023-02-24", "Value": true})json", true},
    {"is_operators_test_is_string_exec23",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": "2023-02-24", "Value": false})json", false},
    {"is_operators_test_is_string_exec24",
     R"json({"Variable": "$.Variable", "IsString": true})json",
     R"json({"Variable": [], "Value": true})json", false},
    {"is_operators_test_is_string_exec25",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": [], "Value": false})json", true},
    {"is_operators_test_is_string_exec27",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": [""], "Value": false})json", true},
    {"is_operators_test_is_string_exec28",
     R"json({"Variable": "$.Variable", "IsString": true})json",
     R"json({"Variable": {}, "Value": true})json", false},
    {"is_operators_test_is_string_exec29",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": {}, "Value": false})json", true},
    {"is_operators_test_is_string_exec31",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": {"A": 0}, "Value": false})json", true},
    {"is_operators_test_is_string_exec33",
     R"json({"Variable": "$.Variable", "IsString": true})json",
     R"json({"Variable": false, "Value": true})json", false},
    {"is_operators_test_is_string_exec35",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": false, "Value": false})json", true},
    {"is_operators_test_is_string_exec4", R"json({"Variable": "$.Variable", "IsString": true})json",
     R"json({"Variable": 0.0, "Value": true})json", false},
    {"is_operators_test_is_string_exec5",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": 0.0, "Value": false})json", true},
    {"is_operators_test_is_string_exec6", R"json({"Variable": "$.Variable", "IsString": true})json",
     R"json({"Variable": 1, "Value": true})json", false},
    {"is_operators_test_is_string_exec7",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": 1, "Value": false})json", true},
    {"is_operators_test_is_string_exec8", R"json({"Variable": "$.Variable", "IsString": true})json",
     R"json({"Variable": 1.1, "Value": true})json", false},
    {"is_operators_test_is_string_exec9",
     R"json({"Variable": "$.Variable", "IsString": false})json",
     R"json({"Variable": 1.1, "Value": false})json", true},
    {"numeric_test_numeric_equals_exec0",
     R"json({"Variable": "$.Variable", "NumericEquals": 0})json",
     R"json({"Variable": null, "Value": 0})json", false},
    {"numeric_test_numeric_equals_exec1",
     R"json({"Variable": "$.Variable", "NumericEquals": 0.0})json",
     R"json({"Variable": null, "Value": 0.0})json", false},
    {"numeric_test_numeric_equals_exec10",
     R"json({"Variable": "$.Variable", "NumericEquals": 1})json",
     R"json({"Variable": 0.0, "Value": 1})json", false},
    {"numeric_test_numeric_equals_exec11",
     R"json({"Variable": "$.Variable", "NumericEquals": 1.0})json",
     R"json({"Variable": 0.0, "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_exec12",
     R"json({"Variable": "$.Variable", "NumericEquals": 0})json",
     R"json({"Variable": 1, "Value": 0})json", false},
    {"numeric_test_numeric_equals_exec13",
     R"json({"Variable": "$.Variable", "NumericEquals": 0.0})json",
     R"json({"Variable": 1, "Value": 0.0})json", false},
    {"numeric_test_numeric_equals_exec14",
     R"json({"Variable": "$.Variable", "NumericEquals": 1})json",
     R"json({"Variable": 1, "Value": 1})json", true},
    {"numeric_test_numeric_equals_exec15",
     R"json({"Variable": "$.Variable", "NumericEquals": 1.0})json",
     R"json({"Variable": 1, "Value": 1.0})json", true},
    {"numeric_test_numeric_equals_exec16",
     R"json({"Variable": "$.Variable", "NumericEquals": 0})json",
     R"json({"Variable": 1.1, "Value": 0})json", false},
    {"numeric_test_numeric_equals_exec17",
     R"json({"Variable": "$.Variable", "NumericEquals": 0.0})json",
     R"json({"Variable": 1.1, "Value": 0.0})json", false},
    {"numeric_test_numeric_equals_exec18",
     R"json({"Variable": "$.Variable", "NumericEquals": 1})json",
     R"json({"Variable": 1.1, "Value": 1})json", false},
    {"numeric_test_numeric_equals_exec19",
     R"json({"Variable": "$.Variable", "NumericEquals": 1.0})json",
     R"json({"Variable": 1.1, "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_exec2",
     R"json({"Variable": "$.Variable", "NumericEquals": 1})json",
     R"json({"Variable": null, "Value": 1})json", false},
    {"numeric_test_numeric_equals_exec20",
     R"json({"Variable": "$.Variable", "NumericEquals": 0})json",
     R"json({"Variable": "", "Value": 0})json", false},
    {"numeric_test_numeric_equals_exec22",
     R"json({"Variable": "$.Variable", "NumericEquals": 1})json",
     R"json({"Variable": "", "Value": 1})json", false},
    {"numeric_test_numeric_equals_exec23",
     R"json({"Variable": "$.Variable", "NumericEquals": 1.0})json",
     R"json({"Variable": "", "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_exec24",
     R"json({"Variable": "$.Variable", "NumericEquals": 0})json",
     R"json({"Variable": " ", "Value": 0})json", false},
    {"numeric_test_numeric_equals_exec25",
     R"json({"Variable": "$.Variable", "NumericEquals": 0.0})json",
     R"json({"Variable": " ", "Value": 0.0})json", false},
    {"numeric_test_numeric_equals_exec27",
     R"json({"Variable": "$.Variable", "NumericEquals": 1.0})json",
     R"json({"Variable": " ", "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_exec28",
     R"json({"Variable": "$.Variable", "NumericEquals": 0})json",
     R"json({"Variable": [], "Value": 0})json", false},
    {"numeric_test_numeric_equals_exec29",
     R"json({"Variable": "$.Variable", "NumericEquals": 0.0})json",
     R"json({"Variable": [], "Value": 0.0})json", false},
    {"numeric_test_numeric_equals_exec3",
     R"json({"Variable": "$.Variable", "NumericEquals": 1.0})json",
     R"json({"Variable": null, "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_exec31",
     R"json({"Variable": "$.Variable", "NumericEquals": 1.0})json",
     R"json({"Variable": [], "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_exec34",
     R"json({"Variable": "$.Variable", "NumericEquals": 1})json",
     R"json({"Variable": [""], "Value": 1})json", false},
    {"numeric_test_numeric_equals_exec35",
     R"json({"Variable": "$.Variable", "NumericEquals": 1.0})json",
     R"json({"Variable": [""], "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_exec37",
     R"json({"Variable": "$.Variable", "NumericEquals": 0.0})json",
     R"json({"Variable": {}, "Value": 0.0})json", false},
    {"numeric_test_numeric_equals_exec38",
     R"json({"Variable": "$.Variable", "NumericEquals": 1})json",
     R"json({"Variable": {}, "Value": 1})json", false},
    {"numeric_test_numeric_equals_exec39",
     R"json({"Variable": "$.Variable", "NumericEquals": 1.0})json",
     R"json({"Variable": {}, "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_exec4",
     R"json({"Variable": "$.Variable", "NumericEquals": 0})json",
     R"json({"Variable": 0, "Value": 0})json", true},
    {"numeric_test_numeric_equals_exec40",
     R"json({"Variable": "$.Variable", "NumericEquals": 0})json",
     R"json({"Variable": {"A": 0}, "Value": 0})json", false},
    {"numeric_test_numeric_equals_exec42",
     R"json({"Variable": "$.Variable", "NumericEquals": 1})json",
     R"json({"Variable": {"A": 0}, "Value": 1})json", false},
    {"numeric_test_numeric_equals_exec45",
     R"json({"Variable": "$.Variable", "NumericEquals": 0.0})json",
     R"json({"Variable": false, "Value": 0.0})json", false},
    {"numeric_test_numeric_equals_exec46",
     R"json({"Variable": "$.Variable", "NumericEquals": 1})json",
     R"json({"Variable": false, "Value": 1})json", false},
    {"numeric_test_numeric_equals_exec47",
     R"json({"Variable": "$.Variable", "NumericEquals": 1.0})json",
     R"json({"Variable": false, "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_exec48",
     R"json({"Variable": "$.Variable", "NumericEquals": 0})json",
     R"json({"Variable": true, "Value": 0})json", false},
    {"numeric_test_numeric_equals_exec5",
     R"json({"Variable": "$.Variable", "NumericEquals": 0.0})json",
     R"json({"Variable": 0, "Value": 0.0})json", true},
    {"numeric_test_numeric_equals_exec51",
     R"json({"Variable": "$.Variable", "NumericEquals": 1.0})json",
     R"json({"Variable": true, "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_exec54",
     R"json({"Variable": "$.Variable", "NumericEquals": 2.22})json",
     R"json({"Variable": 2.22, "Value": 2.22})json", true},
    {"numeric_test_numeric_equals_exec7",
     R"json({"Variable": "$.Variable", "NumericEquals": 1.0})json",
     R"json({"Variable": 0, "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_exec9",
     R"json({"Variable": "$.Variable", "NumericEquals": 0.0})json",
     R"json({"Variable": 0.0, "Value": 0.0})json", true},
    {"numeric_test_numeric_equals_path_exec0",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": null, "Value": 0})json", false},
    {"numeric_test_numeric_equals_path_exec10",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": 0.0, "Value": 1})json", false},
    {"numeric_test_numeric_equals_path_exec11",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": 0.0, "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_path_exec12",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": 1, "Value": 0})json", false},
    {"numeric_test_numeric_equals_path_exec13",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": 1, "Value": 0.0})json", false},
    {"numeric_test_numeric_equals_path_exec16",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": 1.1, "Value": 0})json", false},
    {"numeric_test_numeric_equals_path_exec17",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": 1.1, "Value": 0.0})json", false},
    {"numeric_test_numeric_equals_path_exec18",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": 1.1, "Value": 1})json", false},
    {"numeric_test_numeric_equals_path_exec19",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": 1.1, "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_path_exec21",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": "", "Value": 0.0})json", false},
    {"numeric_test_numeric_equals_path_exec22",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": "", "Value": 1})json", false},
    {"numeric_test_numeric_equals_path_exec23",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": "", "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_path_exec24",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": " ", "Value": 0})json", false},
    {"numeric_test_numeric_equals_path_exec28",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": [], "Value": 0})json", false},
    {"numeric_test_numeric_equals_path_exec29",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": [], "Value": 0.0})json", false},
    {"numeric_test_numeric_equals_path_exec3",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": null, "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_path_exec30",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": [], "Value": 1})json", false},
    {"numeric_test_numeric_equals_path_exec32",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": [""], "Value": 0})json", false},
    {"numeric_test_numeric_equals_path_exec35",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": [""], "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_path_exec36",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": {}, "Value": 0})json", false},
    {"numeric_test_numeric_equals_path_exec37",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": {}, "Value": 0.0})json", false},
    {"numeric_test_numeric_equals_path_exec38",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": {}, "Value": 1})json", false},
    {"numeric_test_numeric_equals_path_exec39",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": {}, "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_path_exec4",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": 0, "Value": 0})json", true},
    {"numeric_test_numeric_equals_path_exec40",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": {"A": 0}, "Value": 0})json", false},
    {"numeric_test_numeric_equals_path_exec41",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": {"A": 0}, "Value": 0.0})json", false},
    {"numeric_test_numeric_equals_path_exec42",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": {"A": 0}, "Value": 1})json", false},
    {"numeric_test_numeric_equals_path_exec46",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": false, "Value": 1})json", false},
    {"numeric_test_numeric_equals_path_exec47",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": false, "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_path_exec48",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": true, "Value": 0})json", false},
    {"numeric_test_numeric_equals_path_exec5",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": 0, "Value": 0.0})json", true},
    {"numeric_test_numeric_equals_path_exec50",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": true, "Value": 1})json", false},
    {"numeric_test_numeric_equals_path_exec7",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": 0, "Value": 1.0})json", false},
    {"numeric_test_numeric_equals_path_exec8",
     R"json({"Variable": "$.Variable", "NumericEqualsPath": "$.Value"})json",
     R"json({"Variable": 0.0, "Value": 0})json", true},
    {"numeric_test_numeric_greater_than_exec0",
     R"json({"Variable": "$.Variable", "NumericGreaterThan": 0})json",
     R"json({"Variable": 0, "Value": 0})json", false},
    {"numeric_test_numeric_greater_than_exec3",
     R"json({"Variable": "$.Variable", "NumericGreaterThan": 1})json",
     R"json({"Variable": 1, "Value": 1})json", false},
    {"numeric_test_numeric_greater_than_exec4",
     R"json({"Variable": "$.Variable", "NumericGreaterThan": 0})json",
     R"json({"Variable": 1, "Value": 0})json", true},
    {"numeric_test_numeric_greater_than_equals_exec2",
     R"json({"Variable": "$.Variable", "NumericGreaterThanEquals": 1})json",
     R"json({"Variable": 0, "Value": 1})json", false},
    {"numeric_test_numeric_greater_than_equals_exec3",
     R"json({"Variable": "$.Variable", "NumericGreaterThanEquals": 1})json",
     R"json({"Variable": 1, "Value": 1})json", true},
    {"numeric_test_numeric_greater_than_equals_path_exec0",
     R"json({"Variable": "$.Variable", "NumericGreaterThanEqualsPath": "$.Value"})json",
     R"json({"Variable": 0, "Value": 0})json", true},
    {"numeric_test_numeric_greater_than_equals_path_exec1",
     R"json({"Variable": "$.Variable", "NumericGreaterThanEqualsPath": "$.Value"})json",
     R"json({"Variable": 0.0, "Value": 0})json", true},
    {"numeric_test_numeric_greater_than_equals_path_exec3",
     R"json({"Variable": "$.Variable", "NumericGreaterThanEqualsPath": "$.Value"})json",
     R"json({"Variable": 1, "Value": 1})json", true},
    {"numeric_test_numeric_greater_than_equals_path_exec4",
     R"json({"Variable": "$.Variable", "NumericGreaterThanEqualsPath": "$.Value"})json",
     R"json({"Variable": 1, "Value": 0})json", true},
    {"numeric_test_numeric_greater_than_path_exec0",
     R"json({"Variable": "$.Variable", "NumericGreaterThanPath": "$.Value"})json",
     R"json({"Variable": 0, "Value": 0})json", false},
    {"numeric_test_numeric_greater_than_path_exec1",
     R"json({"Variable": "$.Variable", "NumericGreaterThanPath": "$.Value"})json",
     R"json({"Variable": 0.0, "Value": 0})json", false},
    {"numeric_test_numeric_greater_than_path_exec3",
     R"json({"Variable": "$.Variable", "NumericGreaterThanPath": "$.Value"})json",
     R"json({"Variable": 1, "Value": 1})json", false},
    {"numeric_test_numeric_greater_than_path_exec4",
     R"json({"Variable": "$.Variable", "NumericGreaterThanPath": "$.Value"})json",
     R"json({"Variable": 1, "Value": 0})json", true},
    {"numeric_test_numeric_less_than_exec0",
     R"json({"Variable": "$.Variable", "NumericLessThan": 0})json",
     R"json({"Variable": 0, "Value": 0})json", false},
    {"numeric_test_numeric_less_than_exec2",
     R"json({"Variable": "$.Variable", "NumericLessThan": 1})json",
     R"json({"Variable": 0, "Value": 1})json", true},
    {"numeric_test_numeric_less_than_exec3",
     R"json({"Variable": "$.Variable", "NumericLessThan": 1})json",
     R"json({"Variable": 1, "Value": 1})json", false},
    {"numeric_test_numeric_less_than_equals_exec3",
     R"json({"Variable": "$.Variable", "NumericLessThanEquals": 1})json",
     R"json({"Variable": 1, "Value": 1})json", true},
    {"numeric_test_numeric_less_than_equals_exec4",
     R"json({"Variable": "$.Variable", "NumericLessThanEquals": 0})json",
     R"json({"Variable": 1, "Value": 0})json", false},
    {"numeric_test_numeric_less_than_equals_path_exec0",
     R"json({"Variable": "$.Variable", "NumericLessThanEqualsPath": "$.Value"})json",
     R"json({"Variable": 0, "Value": 0})json", true},
    {"numeric_test_numeric_less_than_equals_path_exec1",
     R"json({"Variable": "$.Variable", "NumericLessThanEqualsPath": "$.Value"})json",
     R"json({"Variable": 0.0, "Value": 0})json", true},
    {"numeric_test_numeric_less_than_equals_path_exec4",
     R"json({"Variable": "$.Variable", "NumericLessThanEqualsPath": "$.Value"})json",
     R"json({"Variable": 1, "Value": 0})json", false},
    {"numeric_test_numeric_less_than_path_exec1",
     R"json({"Variable": "$.Variable", "NumericLessThanPath": "$.Value"})json",
     R"json({"Variable": 0.0, "Value": 0})json", false},
    {"numeric_test_numeric_less_than_path_exec3",
     R"json({"Variable": "$.Variable", "NumericLessThanPath": "$.Value"})json",
     R"json({"Variable": 1, "Value": 1})json", false},
    {"string_operators_test_string_equals_exec0",
     R"json({"Variable": "$.Variable", "StringEquals": "HelloWorld"})json",
     R"json({"Variable": null, "Value": "HelloWorld"})json", false},
    {"string_operators_test_string_equals_exec11",
     R"json({"Variable": "$.Variable", "StringEquals": "HelloWorld"})json",
     R"json({"Variable": false, "Value": "HelloWorld"})json", false},
    {"string_operators_test_string_equals_exec12",
     R"json({"Variable": "$.Variable", "StringEquals": "HelloWorld"})json",
     R"json({"Variable": true, "Value": "HelloWorld"})json", false},
    {"string_operators_test_string_equals_exec13",
     R"json({"Variable": "$.Variable", "StringEquals": "     "})json",
     R"json({"Variable": " ", "Value": "     "})json", false},
    {"string_operators_test_string_equals_exec14",
     R"json({"Variable": "$.Variable", "StringEquals": "\t\r\n"})json",
     R"json({"Variable": "\t\n", "Value": "\t\r\n"})json", false},
    {"string_operators_test_string_equals_exec2",
     R"json({"Variable": "$.Variable", "StringEquals": "HelloWorld"})json",
     R"json({"Variable": 0.0, "Value": "HelloWorld"})json", false},
    {"string_operators_test_string_equals_exec5",
     R"json({"Variable": "$.Variable", "StringEquals": "HelloWorld"})json",
     R"json({"Variable": "", "Value": "HelloWorld"})json", false},
    {"string_operators_test_string_equals_exec6",
     R"json({"Variable": "$.Variable", "StringEquals": "HelloWorld"})json",
     R"json({"Variable": " ", "Value": "HelloWorld"})json", false},
    {"string_operators_test_string_equals_exec7",
     R"json({"Variable": "$.Variable", "StringEquals": "HelloWorld"})json",
     R"json({"Variable": [], "Value": "HelloWorld"})json", false},
    {"string_operators_test_string_equals_exec8",
     R"json({"Variable": "$.Variable", "StringEquals": "HelloWorld"})json",
     R"json({"Variable": [""], "Value": "HelloWorld"})json", false},
    {"string_operators_test_string_equals_path_exec1",
     R"json({"Variable": "$.Variable", "StringEqualsPath": "$.Value"})json",
     R"json({"Variable": "\t\n", "Value": "\t\r\n"})json", false},
    {"string_operators_test_string_equals_path_exec2",
     R"json({"Variable": "$.Variable", "StringEqualsPath": "$.Value"})json",
     R"json({"Variable": "Hello", "Value": "Hello"})json", true},
    {"string_operators_test_string_greater_than_exec3",
     R"json({"Variable": "$.Variable", "StringGreaterThan": "ABC"})json",
     R"json({"Variable": "AB", "Value": "ABC"})json", false},
    {"string_operators_test_string_greater_than_equals_exec2",
     R"json({"Variable": "$.Variable", "StringGreaterThanEquals": "A"})json",
     R"json({"Variable": "AB", "Value": "A"})json", true},
    {"string_operators_test_string_greater_than_equals_path_exec1",
     R"json({"Variable": "$.Variable", "StringGreaterThanEqualsPath": "$.Value"})json",
     R"json({"Variable": "A", "Value": "AB"})json", false},
    {"string_operators_test_string_greater_than_equals_path_exec2",
     R"json({"Variable": "$.Variable", "StringGreaterThanEqualsPath": "$.Value"})json",
     R"json({"Variable": "AB", "Value": "A"})json", true},
    {"string_operators_test_string_greater_than_path_exec0",
     R"json({"Variable": "$.Variable", "StringGreaterThanPath": "$.Value"})json",
     R"json({"Variable": "", "Value": ""})json", false},
    {"string_operators_test_string_greater_than_path_exec1",
     R"json({"Variable": "$.Variable", "StringGreaterThanPath": "$.Value"})json",
     R"json({"Variable": "A", "Value": "A "})json", false},
    {"string_operators_test_string_greater_than_path_exec2",
     R"json({"Variable": "$.Variable", "StringGreaterThanPath": "$.Value"})json",
     R"json({"Variable": "A", "Value": "A\t\n\r"})json", false},
    {"string_operators_test_string_greater_than_path_exec3",
     R"json({"Variable": "$.Variable", "StringGreaterThanPath": "$.Value"})json",
     R"json({"Variable": "AB", "Value": "ABC"})json", false},
    {"string_operators_test_string_less_than_exec0",
     R"json({"Variable": "$.Variable", "StringLessThan": ""})json",
     R"json({"Variable": "", "Value": ""})json", false},
    {"string_operators_test_string_less_than_exec1",
     R"json({"Variable": "$.Variable", "StringLessThan": "AB"})json",
     R"json({"Variable": "A", "Value": "AB"})json", true},
    {"string_operators_test_string_less_than_exec2",
     R"json({"Variable": "$.Variable", "StringLessThan": "A"})json",
     R"json({"Variable": "AB", "Value": "A"})json", false},
    {"string_operators_test_string_less_than_equals_exec0",
     R"json({"Variable": "$.Variable", "StringLessThanEquals": ""})json",
     R"json({"Variable": "", "Value": ""})json", true},
    {"string_operators_test_string_less_than_equals_exec1",
     R"json({"Variable": "$.Variable", "StringLessThanEquals": "AB"})json",
     R"json({"Variable": "A", "Value": "AB"})json", true},
    {"string_operators_test_string_less_than_equals_exec2",
     R"json({"Variable": "$.Variable", "StringLessThanEquals": "A"})json",
     R"json({"Variable": "AB", "Value": "A"})json", false},
    {"string_operators_test_string_less_than_equals_path_exec0",
     R"json({"Variable": "$.Variable", "StringLessThanEqualsPath": "$.Value"})json",
     R"json({"Variable": "", "Value": ""})json", true},
    {"string_operators_test_string_less_than_equals_path_exec1",
     R"json({"Variable": "$.Variable", "StringLessThanEqualsPath": "$.Value"})json",
     R"json({"Variable": "A", "Value": "AB"})json", true},
    {"string_operators_test_string_less_than_equals_path_exec2",
     R"json({"Variable": "$.Variable", "StringLessThanEqualsPath": "$.Value"})json",
     R"json({"Variable": "AB", "Value": "A"})json", false},
    {"string_operators_test_string_less_than_path_exec0",
     R"json({"Variable": "$.Variable", "StringLessThanPath": "$.Value"})json",
     R"json({"Variable": "", "Value": ""})json", false},
    {"string_operators_test_string_less_than_path_exec1",
     R"json({"Variable": "$.Variable", "StringLessThanPath": "$.Value"})json",
     R"json({"Variable": "A", "Value": "AB"})json", true},
    {"timestamp_operators_test_timestamp_equals_exec0",
     R"json({"Variable": "$.Variable", "TimestampEquals": "2012-10-09T19:00:55Z"})json",
     R"json({"Variable": null, "Value": "2012-10-09T19:00:55Z"})json", false},
    {"timestamp_operators_test_timestamp_equals_exec1",
     R"json({"Variable": "$.Variable", "TimestampEquals": "2012-10-09T19:00:55Z"})json",
     R"json({"Variable": 0, "Value": "2012-10-09T19:00:55Z"})json", false},
    {"timestamp_operators_test_timestamp_equals_exec10",
     R"json({"Variable": "$.Variable", "TimestampEquals": "2012-10-09T19:00:55Z"})json",
     R"json({"Variable": {}, "Value": "2012-10-09T19:00:55Z"})json", false},
    {"timestamp_operators_test_timestamp_equals_exec11",
     R"json({"Variable": "$.Variable", "TimestampEquals": "2012-10-09T19:00:55Z"})json",
     R"json({"Variable": {"A": 0}, "Value": "2012-10-09T19:00:55Z"})json", false},
    {"timestamp_operators_test_timestamp_equals_exec14",
     R"json({"Variable": "$.Variable", "TimestampEquals": "2012-10-09T19:00:55Z"})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:55Z"})json", true},
    {"timestamp_operators_test_timestamp_equals_exec15",
     R"json({"Variable": "$.Variable", "TimestampEquals": "2012-10-09T19:00:56Z"})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:56Z"})json", false},
    {"timestamp_operators_test_timestamp_equals_exec3",
     R"json({"Variable": "$.Variable", "TimestampEquals": "2012-10-09T19:00:55Z"})json",
     R"json({"Variable": 1, "Value": "2012-10-09T19:00:55Z"})json", false},
    {"timestamp_operators_test_timestamp_equals_exec4",
     R"json({"Variable": "$.Variable", "TimestampEquals": "2012-10-09T19:00:55Z"})json",
     R"json({"Variable": 1.1, "Value": "2012-10-09T19:00:55Z"})json", false},
    {"timestamp_operators_test_timestamp_equals_exec6",
     R"json({"Variable": "$.Variable", "TimestampEquals": "2012-10-09T19:00:55Z"})json",
     R"json({"Variable": " ", "Value": "2012-10-09T19:00:55Z"})json", false},
    {"timestamp_operators_test_timestamp_equals_exec7",
     R"json({"Variable": "$.Variable", "TimestampEquals": "2012-10-09T19:00:55Z"})json",
     R"json({"Variable": "2023-02-24 12:15:56.832957", "Value": "2012-10-09T19:00:55Z"})json",
     false},
    {"timestamp_operators_test_timestamp_equals_path_exec1",
     R"json({"Variable": "$.Variable", "TimestampEqualsPath": "$.Value"})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:56Z"})json", false},
    {"timestamp_operators_test_timestamp_equals_path_exec2",
     R"json({"Variable": "$.Variable", "TimestampEqualsPath": "$.Value"})json",
     R"json({"Variable": "2012-10-09T19:00:56Z", "Value": "2012-10-09T19:00:55Z"})json", false},
    {"timestamp_operators_test_timestamp_greater_than_exec0",
     R"json({"Variable": "$.Variable", "TimestampGreaterThan": "2012-10-09T19:00:55Z"})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:55Z"})json", false},
    {"timestamp_operators_test_timestamp_greater_than_equals_exec0",
     R"json({"Variable": "$.Variable", "TimestampGreaterThanEquals": "2012-10-09T19:00:55Z"})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:55Z"})json", true},
    {"timestamp_operators_test_timestamp_greater_than_equals_exec1",
     R"json({"Variable": "$.Variable", "TimestampGreaterThanEquals": "2012-10-09T19:00:56Z"})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:56Z"})json", false},
    {"timestamp_operators_test_timestamp_greater_than_equals_exec2",
     R"json({"Variable": "$.Variable", "TimestampGreaterThanEquals": "2012-10-09T19:00:55Z"})json",
     R"json({"Variable": "2012-10-09T19:00:56Z", "Value": "2012-10-09T19:00:55Z"})json", true},
    {"timestamp_operators_test_timestamp_less_than_exec2",
     R"json({"Variable": "$.Variable", "TimestampLessThan": "2012-10-09T19:00:55Z"})json",
     R"json({"Variable": "2012-10-09T19:00:56Z", "Value": "2012-10-09T19:00:55Z"})json", false},
    {"timestamp_operators_test_timestamp_less_than_equals_exec0",
     R"json({"Variable": "$.Variable", "TimestampLessThanEquals": "2012-10-09T19:00:55Z"})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:55Z"})json", true},
    {"timestamp_operators_test_timestamp_less_than_equals_exec1",
     R"json({"Variable": "$.Variable", "TimestampLessThanEquals": "2012-10-09T19:00:56Z"})json",
     R"json({"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:56Z"})json", true},
    {"timestamp_operators_test_timestamp_less_than_equals_exec2",
     R"json({"Variable": "$.Variable", "TimestampLessThanEquals": "2012-10-09T19:00:55Z"})json",
     R"json({"Variable": "2012-10-09T19:00:56Z", "Value": "2012-10-09T19:00:55Z"})json", false},
    {"timestamp_operators_test_timestamp_less_than_path",
     R"json({"Variable": "$.Variable", "TimestampLessThanPath": "$.Value"})json",
     R"json({"Variable": "2012-10-09T19:00:56Z", "Value": "2012-10-09T19:00:55Z"})json", false},
};

class RecordedChoiceTest : public ::testing::TestWithParam<RecordedCase> {};

TEST_P(RecordedChoiceTest, TakesTheBranchAwsTook) {
  const RecordedCase& c = GetParam();
  auto r = Eval(c.rule, c.input);
  ASSERT_TRUE(r.ok()) << r.error().error << ": " << r.error().cause;
  EXPECT_EQ(r.value(), c.matched) << c.rule << " on " << c.input;
}

INSTANTIATE_TEST_SUITE_P(Aws, RecordedChoiceTest, ::testing::ValuesIn(kRecorded),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ChoiceRuleTest, UnsortedFieldsAndSeveralRulesPickTheFirstMatch) {
  // From the AWS scenario CHOICE_STATE_UNSORTED_CHOICE_PARAMETERS: Variable comes last.
  const std::string input = R"({"result": {"done": false}})";
  EXPECT_FALSE(
      Matches(R"({"BooleanEquals": true, "Next": "T", "Variable": "$.result.done"})", input));
  EXPECT_TRUE(
      Matches(R"({"BooleanEquals": false, "Next": "F", "Variable": "$.result.done"})", input));
}

TEST(ChoiceRuleTest, AwsDocsScenarioCombinators) {
  const std::string input = R"({"type": "Private", "value": 22})";
  EXPECT_FALSE(Matches(R"({"Not": {"Variable": "$.type", "StringEquals": "Private"}})", input));
  EXPECT_FALSE(Matches(R"({"Variable": "$.value", "NumericEquals": 0})", input));
  EXPECT_TRUE(Matches(R"({"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20},
                                  {"Variable": "$.value", "NumericLessThan": 30}]})",
                      input));
}

TEST(ChoiceRuleTest, SingletonAnd) {
  EXPECT_TRUE(Matches(R"({"And": [{"Variable": "$.type", "StringEquals": "Public"}]})",
                      R"({"type": "Public"})"));
}

TEST(ChoiceRuleTest, OrAndNotCombine) {
  const std::string rule = R"({"Or": [{"Variable": "$.a", "NumericEquals": 1},
                                      {"Not": {"Variable": "$.b", "IsPresent": true}}]})";
  EXPECT_TRUE(Matches(rule, R"({"a": 1, "b": 0})"));
  EXPECT_TRUE(Matches(rule, R"({"a": 2})"));
  EXPECT_FALSE(Matches(rule, R"({"a": 2, "b": 0})"));
}

TEST(ChoiceRuleTest, AndStopsAtFirstFalseSoLaterMissingPathsDoNotFail) {
  const std::string rule = R"({"And": [{"Variable": "$.a", "IsPresent": true},
                                       {"Variable": "$.a", "NumericEquals": 1}]})";
  EXPECT_FALSE(Matches(rule, R"({})"));
  EXPECT_TRUE(Matches(rule, R"({"a": 1})"));
  EXPECT_TRUE(Matches(R"({"Or": [{"Variable": "$.x", "IsNull": false},
                                 {"Variable": "$.missing", "IsNull": true}]})",
                      R"({"x": 1})"));
}

TEST(ChoiceRuleTest, ContextObjectVariable) {
  // AWS scenario CONTEXT_OBJECT_VARIABLE: $$.Execution.Input.input-value <= 0.
  auto r = Eval(R"({"Variable": "$$.Execution.Input.input-value", "NumericLessThanEquals": 0})",
                "{}", R"({"Execution": {"Input": {"input-value": 0}}})");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value());
}

TEST(ChoiceRuleTest, WorkflowVariable) {
  const Json vars = J(R"({"status": "READY"})");
  auto r = Eval(R"({"Variable": "$status", "StringEquals": "READY"})", "{}", "{}", &vars);
  ASSERT_TRUE(r.ok()) << r.error().cause;
  EXPECT_TRUE(r.value());
}

// ---- missing values ----------------------------------------------------------------------------

TEST(ChoiceRuleTest, IsPresentOnMissingFieldIsFalseNotAnError) {
  EXPECT_FALSE(Matches(R"({"Variable": "$.nope", "IsPresent": true})", R"({"a": 1})"));
  EXPECT_TRUE(Matches(R"({"Variable": "$.nope", "IsPresent": false})", R"({"a": 1})"));
  EXPECT_FALSE(Matches(R"({"Variable": "$.a.b.c", "IsPresent": true})", R"({"a": 1})"));
  EXPECT_TRUE(Matches(R"({"Variable": "$.a", "IsPresent": true})", R"({"a": null})"));
}

TEST(ChoiceRuleTest, MissingVariableFailsWithStatesRuntime) {
  for (const char* op :
       {R"("NumericEquals": 42)", R"("StringEquals": "x")", R"("BooleanEquals": true)",
        R"("IsNull": true)", R"("IsString": false)", R"("TimestampEquals": "2016-03-14T01:59:00Z")",
        R"("StringMatches": "*")"}) {
    auto r = Eval(std::string(R"({"Variable": "$.value", )") + op + "}", R"({"other": 1})");
    ASSERT_FALSE(r.ok()) << op;
    EXPECT_EQ(r.error().error, "States.Runtime");
    EXPECT_EQ(r.error().cause,
              "Invalid path '$.value': The choice state's condition path references an invalid "
              "value.");
  }
}

TEST(ChoiceRuleTest, MissingPathOperandFailsWithStatesRuntime) {
  auto r = Eval(R"({"Variable": "$.left", "NumericEqualsPath": "$.right"})", R"({"left": 8})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error, "States.Runtime");
  EXPECT_EQ(r.error().cause,
            "Invalid path '$.right': The choice state's condition path references an invalid "
            "value.");
}

TEST(ChoiceRuleTest, MissingVariableIsReportedBeforeMissingOperand) {
  auto r = Eval(R"({"Variable": "$.left", "StringEqualsPath": "$.right"})", "{}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().cause,
            "Invalid path '$.left': The choice state's condition path references an invalid "
            "value.");
}

TEST(ChoiceRuleTest, MissingVariableInsideNotStillFails) {
  auto r = Eval(R"({"Not": {"Variable": "$.x", "StringEquals": "a"}})", "{}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error, "States.Runtime");
}

TEST(ChoiceRuleTest, WildcardVariableSelectsAnArrayOfMatches) {
  const std::string input = R"({"items": [{"x": 1}, {"x": 2}]})";
  EXPECT_TRUE(Matches(R"({"Variable": "$.items[*].x", "IsPresent": true})", input));
  EXPECT_FALSE(Matches(R"({"Variable": "$.items[*].x", "NumericEquals": 1})", input));
  EXPECT_FALSE(Matches(R"({"Variable": "$.items[*].x", "IsNumeric": true})", input));
  EXPECT_TRUE(Matches(R"({"Variable": "$.items[0].x", "NumericEquals": 1})", input));
}

// ---- operators -----------------------------------------------------------------------------

TEST(ChoiceRuleTest, PathOperandOfTheWrongTypeIsFalse) {
  EXPECT_FALSE(
      Matches(R"({"Variable": "$.a", "NumericEqualsPath": "$.b"})", R"({"a": 1, "b": "1"})"));
  EXPECT_FALSE(
      Matches(R"({"Variable": "$.a", "StringEqualsPath": "$.b"})", R"({"a": "1", "b": 1})"));
  EXPECT_FALSE(
      Matches(R"({"Variable": "$.a", "BooleanEqualsPath": "$.b"})", R"({"a": true, "b": 1})"));
  EXPECT_FALSE(Matches(R"({"Variable": "$.a", "TimestampEqualsPath": "$.b"})",
                       R"({"a": "2016-03-14T01:59:00Z", "b": "2016-03-14"})"));
}

TEST(ChoiceRuleTest, NumericComparesIntegersAndDecimalsByValue) {
  EXPECT_TRUE(Matches(R"({"Variable": "$.v", "NumericEquals": 1.0})", R"({"v": 1})"));
  EXPECT_TRUE(Matches(R"({"Variable": "$.v", "NumericEquals": -0})", R"({"v": 0.0})"));
  EXPECT_TRUE(Matches(R"({"Variable": "$.v", "NumericLessThan": 1.5})", R"({"v": 1})"));
  EXPECT_TRUE(Matches(R"({"Variable": "$.v", "NumericGreaterThan": -1})", R"({"v": 0})"));
  EXPECT_TRUE(Matches(R"({"Variable": "$.v", "NumericGreaterThan": 9223372036854775807})",
                      R"({"v": 18446744073709551615})"));
  EXPECT_FALSE(Matches(R"({"Variable": "$.v", "NumericEquals": 9007199254740992})",
                       R"({"v": 9007199254740993})"));
  EXPECT_TRUE(Matches(R"({"Variable": "$.v", "NumericLessThanEquals": -5})", R"({"v": -7})"));
  EXPECT_FALSE(Matches(R"({"Variable": "$.v", "NumericGreaterThanEquals": 2})", R"({"v": 1.99})"));
}

TEST(ChoiceRuleTest, StringOrderingIsJavaUtf16Order) {
  EXPECT_TRUE(Matches(R"({"Variable": "$.v", "StringLessThan": "b"})", R"({"v": "abc"})"));
  EXPECT_TRUE(Matches(R"({"Variable": "$.v", "StringLessThan": "a"})", R"({"v": "B"})"));
  EXPECT_TRUE(Matches(R"({"Variable": "$.v", "StringLessThan": "é"})", R"({"v": "z"})"));
  // U+1F600 is the surrogate pair D83D DE00, which sorts below U+FFFD in UTF-16 (not in code
  // point order).
  EXPECT_TRUE(
      Matches(R"({"Variable": "$.v", "StringLessThan": "\uFFFD"})", R"({"v": "\uD83D\uDE00"})"));
  EXPECT_TRUE(Matches(R"({"Variable": "$.v", "StringGreaterThanEquals": "\uD83D\uDE00"})",
                      R"({"v": "\uFFFD"})"));
}

TEST(ChoiceRuleTest, StringMatchesWildcards) {
  const auto m = [](const std::string& pattern, const std::string& value) {
    return Matches(Json{{"Variable", "$.v"}, {"StringMatches", pattern}}.dump(),
                   Json{{"v", value}}.dump());
  };
  EXPECT_TRUE(m("log-*.txt", "log-2024.txt"));
  EXPECT_TRUE(m("log-*.txt", "log-.txt"));
  EXPECT_FALSE(m("log-*.txt", "log-2024.txt.gz"));
  EXPECT_TRUE(m("*", ""));
  EXPECT_TRUE(m("**", "anything"));
  EXPECT_TRUE(m("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(m("a*b*c", "acb"));
  EXPECT_TRUE(m("*.csv", "data.csv"));
  EXPECT_FALSE(m("abc", "abcd"));
  EXPECT_TRUE(m("abc", "abc"));
  EXPECT_FALSE(m("ab*ab", "ab"));
  EXPECT_TRUE(m("ab*ab", "abab"));
  EXPECT_TRUE(m(R"(a\*b)", "a*b"));
  EXPECT_FALSE(m(R"(a\*b)", "aXb"));
  EXPECT_TRUE(m(R"(a\\*)", R"(a\anything)"));
  EXPECT_FALSE(m(R"(a\\*)", "ab"));
  EXPECT_TRUE(m(R"(a\b)", R"(a\b)"));
  EXPECT_TRUE(m("h?llo", "h?llo"));  // '?' is not a wildcard
  EXPECT_FALSE(m("h?llo", "hello"));
  EXPECT_TRUE(m("*ü*", "grün"));
  EXPECT_FALSE(Matches(R"({"Variable": "$.v", "StringMatches": "*"})", R"({"v": 1})"));
}

TEST(ChoiceRuleTest, TimestampsCompareAsInstants) {
  EXPECT_TRUE(Matches(R"({"Variable": "$.t", "TimestampEquals": "2012-10-09T18:00:55Z"})",
                      R"({"t": "2012-10-09T19:00:55+01:00"})"));
  EXPECT_TRUE(Matches(R"({"Variable": "$.t", "TimestampEquals": "2012-10-09T19:00:55Z"})",
                      R"({"t": "2012-10-09T19:00:55.000Z"})"));
  EXPECT_TRUE(Matches(R"({"Variable": "$.t", "TimestampGreaterThan": "2012-10-09T19:00:55Z"})",
                      R"({"t": "2012-10-09T19:00:55.000000001Z"})"));
  EXPECT_TRUE(Matches(R"({"Variable": "$.t", "TimestampLessThan": "2012-10-09T19:00:55Z"})",
                      R"({"t": "2012-10-09T20:00:54+01:00"})"));
  EXPECT_TRUE(Matches(R"({"Variable": "$.t", "TimestampGreaterThanEqualsPath": "$.u"})",
                      R"({"t": "2012-10-09T19:00:56Z", "u": "2012-10-09T19:00:55Z"})"));
  EXPECT_FALSE(Matches(R"({"Variable": "$.t", "TimestampLessThanEqualsPath": "$.u"})",
                       R"({"t": "2012-10-09T19:00:56Z", "u": "2012-10-09T19:00:55Z"})"));
  EXPECT_FALSE(Matches(R"({"Variable": "$.t", "TimestampLessThan": "2012-10-09T19:00:55Z"})",
                       R"({"t": "2012-10-09 19:00:54Z"})"));
}

TEST(ChoiceRuleTest, IsTimestampAcceptsOnlyOffsetDateTimes) {
  const auto is_ts = [](const Json& v) {
    return Matches(R"({"Variable": "$.v", "IsTimestamp": true})", Json{{"v", v}}.dump());
  };
  EXPECT_TRUE(is_ts("2016-03-14T01:59:00Z"));
  EXPECT_TRUE(is_ts("2016-03-14T01:59:00.123456789+05:30"));
  EXPECT_TRUE(is_ts("2016-03-14T01:59Z"));
  EXPECT_FALSE(is_ts("2016-03-14T01:59:00"));
  EXPECT_FALSE(is_ts("2016-03-14"));
  EXPECT_FALSE(is_ts("2016-03-14 01:59:00Z"));
  EXPECT_FALSE(is_ts("2016-02-30T01:59:00Z"));
  EXPECT_FALSE(is_ts("date"));
  EXPECT_FALSE(is_ts(""));
  EXPECT_FALSE(is_ts(1457920740));
  EXPECT_FALSE(is_ts(nullptr));
  EXPECT_TRUE(Matches(R"({"Variable": "$.v", "IsTimestamp": false})", R"({"v": "2023-02-24"})"));
}

// ---- compile diagnostics -------------------------------------------------------------------

void ExpectDiagnostic(const Diagnostics& diags, const std::string& pointer,
                      const std::string& message) {
  for (const auto& d : diags) {
    if (d.pointer == pointer && d.message == message) return;
  }
  std::string all;
  for (const auto& d : diags) all += "  " + d.pointer + ": " + d.message + "\n";
  ADD_FAILURE() << "no diagnostic " << pointer << ": " << message << "\ngot:\n" << all;
}

TEST(ChoiceCompileTest, AcceptsTopLevelNextAssignAndComment) {
  EXPECT_TRUE(CompileErrors(R"({"Variable": "$.a", "IsNull": true, "Next": "X",
                                "Assign": {"v": 1}, "Comment": "why"})")
                  .empty());
}

TEST(ChoiceCompileTest, RuleWithoutOperator) {
  const auto d = CompileErrors(R"({"Variable": "$.a", "Next": "X"})");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].pointer, "/States/C/Choices/0");
  EXPECT_EQ(d[0].message,
            "a Choice rule needs one operator: And, Or, Not, or a comparison such as "
            "StringEquals with a Variable");
}

TEST(ChoiceCompileTest, RuleWithTwoOperators) {
  const auto d = CompileErrors(R"({"Variable": "$.a", "StringEquals": "x", "IsNull": true})");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].pointer, "/States/C/Choices/0");
  EXPECT_EQ(d[0].message,
            "a Choice rule has exactly one operator, found 2: 'StringEquals', 'IsNull'");
}

TEST(ChoiceCompileTest, WrongOperandTypes) {
  const auto d = CompileErrors(R"({"And": [
      {"Variable": "$.a", "NumericEquals": "x"},
      {"Variable": "$.a", "StringEquals": 1},
      {"Variable": "$.a", "BooleanEquals": "true"},
      {"Variable": "$.a", "IsPresent": 1},
      {"Variable": "$.a", "StringMatches": null},
      {"Variable": "$.a", "TimestampEquals": "2016-13-05T21:29:29Z"},
      {"Variable": "$.a", "NumericLessThanPath": 3}]})");
  const std::string base = "/States/C/Choices/0/And/";
  ExpectDiagnostic(d, base + "0/NumericEquals", "must be a number");
  ExpectDiagnostic(d, base + "1/StringEquals", "must be a string");
  ExpectDiagnostic(d, base + "2/BooleanEquals", "must be a boolean");
  ExpectDiagnostic(d, base + "3/IsPresent", "must be a boolean");
  ExpectDiagnostic(d, base + "4/StringMatches", "must be a string");
  ExpectDiagnostic(d, base + "5/TimestampEquals",
                   "must be a timestamp string such as \"2016-03-14T01:59:00Z\" (RFC 3339 with "
                   "'T' and an offset)");
  ExpectDiagnostic(d, base + "6/NumericLessThanPath",
                   "must be a string holding a JSONPath, e.g. \"$.field\"");
  EXPECT_EQ(d.size(), 7u);
}

TEST(ChoiceCompileTest, InvalidPaths) {
  const auto d = CompileErrors(R"({"Variable": "a.b", "StringEqualsPath": "$.x["})");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].pointer, "/States/C/Choices/0/Variable");
  EXPECT_TRUE(d[0].message.starts_with("invalid path 'a.b': ")) << d[0].message;
  EXPECT_EQ(d[1].pointer, "/States/C/Choices/0/StringEqualsPath");
  EXPECT_TRUE(d[1].message.starts_with("invalid path '$.x[': ")) << d[1].message;
}

TEST(ChoiceCompileTest, ComparisonWithoutVariable) {
  const auto d = CompileErrors(R"({"StringEquals": "x", "Next": "X"})");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].pointer, "/States/C/Choices/0");
  EXPECT_EQ(d[0].message, "a Choice rule with StringEquals needs a Variable");
}

TEST(ChoiceCompileTest, VariableWithCombinator) {
  const auto d = CompileErrors(R"({"Variable": "$.a", "Not": {"Variable": "$.a",
                                                               "IsNull": true}})");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].pointer, "/States/C/Choices/0/Variable");
  EXPECT_EQ(d[0].message, "Variable is not allowed with Not");
}

TEST(ChoiceCompileTest, AndOrMustBeNonEmptyArrays) {
  ExpectDiagnostic(CompileErrors(R"({"And": []})"), "/States/C/Choices/0/And",
                   "And must be a non-empty array of Choice rules");
  ExpectDiagnostic(CompileErrors(R"({"Or": {"Variable": "$.a", "IsNull": true}})"),
                   "/States/C/Choices/0/Or", "Or must be a non-empty array of Choice rules");
  ExpectDiagnostic(CompileErrors(R"({"Not": [{"Variable": "$.a", "IsNull": true}]})"),
                   "/States/C/Choices/0/Not", "Not must be a Choice rule (a JSON object)");
  ExpectDiagnostic(CompileErrors(R"({"And": [1]})"), "/States/C/Choices/0/And/0",
                   "a Choice rule must be a JSON object");
}

TEST(ChoiceCompileTest, NextAndAssignInNestedRules) {
  const auto d = CompileErrors(R"({"And": [{"Variable": "$.a", "IsNull": true, "Next": "X"}],
                                   "Next": "Y"})");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].pointer, "/States/C/Choices/0/And/0/Next");
  EXPECT_EQ(d[0].message, "Next is only allowed in a top-level Choice rule");
  ExpectDiagnostic(CompileErrors(R"({"Not": {"Variable": "$.a", "IsNull": true, "Assign": {}}})"),
                   "/States/C/Choices/0/Not/Assign",
                   "Assign is only allowed in a top-level Choice rule");
  ExpectDiagnostic(CompileErrors(R"({"Variable": "$.a", "IsNull": true, "Next": "X"})", false),
                   "/States/C/Choices/0/Next", "Next is only allowed in a top-level Choice rule");
}

TEST(ChoiceCompileTest, UnknownFields) {
  const auto d = CompileErrors(R"({"Variable": "$.a", "stringEquals": "x", "Foo/Bar": 1,
                                   "IsNull": true})");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].pointer, "/States/C/Choices/0/stringEquals");
  EXPECT_EQ(d[0].message,
            "unknown field 'stringEquals' in a Choice rule (did you mean 'StringEquals'?)");
  EXPECT_EQ(d[1].pointer, "/States/C/Choices/0/Foo~1Bar");
  EXPECT_EQ(d[1].message, "unknown field 'Foo/Bar' in a Choice rule");
}

TEST(ChoiceCompileTest, ReportsEveryProblemInNestedRules) {
  const auto d = CompileErrors(R"({"Or": [{"Variable": "$.a"},
                                          {"Not": {"Variable": "$.b", "NumericEquals": true}},
                                          {"Variable": "$.c", "IsString": true, "Extra": 1}]})");
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].pointer, "/States/C/Choices/0/Or/0");
  EXPECT_EQ(d[1].pointer, "/States/C/Choices/0/Or/1/Not/NumericEquals");
  EXPECT_EQ(d[2].pointer, "/States/C/Choices/0/Or/2/Extra");
}

TEST(ChoiceCompileTest, NotAnObject) {
  const auto d = CompileErrors(R"("$.a")");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].pointer, "/States/C/Choices/0");
  EXPECT_EQ(d[0].message, "a Choice rule must be a JSON object");
}

// ---- Describe ------------------------------------------------------------------------------

TEST(ChoiceDescribeTest, RendersRulesReadably) {
  EXPECT_EQ(MustCompile(J(R"({"Variable": "$.x", "NumericGreaterThan": 3})")).Describe(),
            "$.x NumericGreaterThan 3");
  EXPECT_EQ(MustCompile(J(R"({"Variable": "$.s", "StringEqualsPath": "$.t"})")).Describe(),
            "$.s StringEqualsPath $.t");
  EXPECT_EQ(MustCompile(J(R"({"And": [{"Variable": "$.a", "StringEquals": "x"},
                                      {"Not": {"Variable": "$.b", "IsPresent": true}}]})"))
                .Describe(),
            R"(($.a StringEquals "x" And Not ($.b IsPresent true)))");
  EXPECT_EQ(ChoiceRule().Describe(), "");
}

}  // namespace
}  // namespace sluice::asl
