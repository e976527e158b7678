// Tests for asl/payload_template.h: `Parameters` / `ResultSelector` / `ItemSelector` templates.
#include "asl/payload_template.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sluice::asl {
namespace {

Json J(const char* text) { return Json::parse(text); }

PayloadTemplate Compile(const Json& tmpl) {
  auto compiled = PayloadTemplate::Compile(tmpl, "/States/S/Parameters");
  EXPECT_TRUE(compiled.ok());
  if (!compiled.ok()) {
    for (const Diagnostic& d : compiled.error()) ADD_FAILURE() << d.pointer << ": " << d.message;
    return PayloadTemplate();
  }
  return compiled.value();
}

// Applies `tmpl` to `data`; "ERROR: <error> | <cause>" on failure, else the compact JSON.
std::string Apply(const Json& tmpl, const Json& data, const Json& context = Json::object(),
                  const Json* variables = nullptr) {
  EvalScope scope{data, context, variables};
  auto result = Compile(tmpl).Apply(scope);
  if (!result.ok()) return "ERROR: " + result.error().error + " | " + result.error().cause;
  return result.value().dump();
}

Diagnostics CompileErrors(const Json& tmpl) {
  auto compiled = PayloadTemplate::Compile(tmpl, "/States/S/Parameters");
  return compiled.ok() ? Diagnostics{} : compiled.error();
}

TEST(PayloadTemplateTest, LiteralValuesAreCopiedInOrder) {
  // Recorded on AWS (test_comment_in_parameters): "Comment" keys are plain data here.
  Json tmpl =
      J(R"({"Comment":"Comment text","comment":"comment text","constant":"constant text"})");
  EXPECT_EQ(Apply(tmpl, J("{}")), tmpl.dump());
  EXPECT_EQ(Apply(J(R"({"z":1,"a":{"y":[1,{"b":null}],"c":true}})"), J("{}")),
            R"({"z":1,"a":{"y":[1,{"b":null}],"c":true}})");
}

TEST(PayloadTemplateTest, DollarFieldSelectsPathAndDropsSuffix) {
  EXPECT_EQ(Apply(J(R"({"Arg1":"argument1","FromInput.$":"$"})"), J(R"({"InputValue":0})")),
            R"({"Arg1":"argument1","FromInput":{"InputValue":0}})");
  EXPECT_EQ(Apply(J(R"({"item.$":"$.items[0]"})"), J(R"({"items":[{"item_key":0},{"k":1}]})")),
            R"({"item":{"item_key":0}})");
}

TEST(PayloadTemplateTest, KeyOrderFollowsTheTemplate) {
  EXPECT_EQ(Apply(J(R"({"b.$":"$.x","a":1,"c.$":"$.y"})"), J(R"({"y":2,"x":1})")),
            R"({"b":1,"a":1,"c":2})");
}

TEST(PayloadTemplateTest, NestedObjectsAndArraysAreTemplates) {
  Json tmpl = J(R"({"outer":{"inner.$":"$.a","list":[{"v.$":"$.b"},"lit",[{"w.$":"$.a"}]]}})");
  EXPECT_EQ(Apply(tmpl, J(R"({"a":1,"b":[2]})")),
            R"({"outer":{"inner":1,"list":[{"v":[2]},"lit",[{"w":1}]]}})");
}

TEST(PayloadTemplateTest, ContextPathsReadTheContextObject) {
  Json context = J(R"({"Execution":{"Id":"arn:e"},"Map":{"Item":{"Index":2,"Value":{"x":1}}}})");
  EXPECT_EQ(Apply(J(R"({"id.$":"$$.Execution.Id","idx.$":"$$.Map.Item.Index",
                        "val.$":"$$.Map.Item.Value"})"),
                  J("{}"), context),
            R"({"id":"arn:e","idx":2,"val":{"x":1}})");
  EXPECT_EQ(Apply(J(R"({"all.$":"$$"})"), J("{}"), context), R"({"all":)" + context.dump() + "}");
}

TEST(PayloadTemplateTest, VariablePathsReadVariables) {
  Json variables = J(R"({"order":{"id":"o-1"},"count":3})");
  EXPECT_EQ(Apply(J(R"({"id.$":"$order.id","n.$":"$count"})"), J("{}"), J("{}"), &variables),
            R"({"id":"o-1","n":3})");
}

TEST(PayloadTemplateTest, IndefinitePathsGiveArrays) {
  Json data = J(R"({"users":[{"year":1997,"status":0},{"year":1998,"status":1}]})");
  // Recorded on AWS (test_state_pass_regex_json_path_base).
  EXPECT_EQ(Apply(J(R"({"FromInput.$":"$.users[?(@.status == 0)]"})"), data),
            R"({"FromInput":[{"year":1997,"status":0}]})");
  EXPECT_EQ(Apply(J(R"({"years.$":"$.users[*].year"})"), data), R"({"years":[1997,1998]})");
  // Recorded on AWS (test_json_path_array_wildcard_or_slice_with_no_input).
  EXPECT_EQ(Apply(J(R"({"item.$":"$.item.items[1:5]"})"), J("{}")), R"({"item":[]})");
  EXPECT_EQ(Apply(J(R"({"item.$":"$.items[*]"})"), J("{}")), R"({"item":[]})");
}

TEST(PayloadTemplateTest, MissingPathFailsWithAwsCause) {
  // Recorded on AWS (test_invalid_jsonpath, INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH).
  EXPECT_EQ(Apply(J(R"({"value.$":"$.no_such_jsonpath"})"), J(R"({"int-literal":0})")),
            "ERROR: States.Runtime | The JSONPath '$.no_such_jsonpath' specified for the field "
            "'value.$' could not be found in the input '{\"int-literal\":0}'");
  EXPECT_EQ(Apply(J(R"({"missing.$":"$.nope.deep"})"), J(R"({"other":1})")),
            "ERROR: States.Runtime | The JSONPath '$.nope.deep' specified for the field "
            "'missing.$' could not be found in the input '{\"other\":1}'");
}

TEST(PayloadTemplateTest, MissingPathInNestedFieldNamesThatField) {
  EXPECT_EQ(Apply(J(R"({"a":{"b":[{"c.$":"$.x"}]}})"), J("{}")),
            "ERROR: States.Runtime | The JSONPath '$.x' specified for the field 'c.$' could not "
            "be found in the input '{}'");
}

TEST(PayloadTemplateTest, MissingContextPathShowsTheContextObject) {
  Json context = J(R"({"State":{"Name":"S"}})");
  EXPECT_EQ(Apply(J(R"({"v.$":"$$.Nope"})"), J(R"({"a":1})"), context),
            "ERROR: States.Runtime | The JSONPath '$$.Nope' specified for the field 'v.$' could "
            "not be found in the input '{\"State\":{\"Name\":\"S\"}}'");
}

TEST(PayloadTemplateTest, NonObjectTemplatesAreAllowed) {
  EXPECT_EQ(Apply(J(R"("text")"), J("{}")), R"("text")");
  EXPECT_EQ(Apply(J("null"), J("{}")), "null");
  EXPECT_EQ(Apply(J(R"([1,{"a.$":"$.x"}])"), J(R"({"x":5})")), R"([1,{"a":5}])");
}

TEST(PayloadTemplateTest, IntrinsicCallsAreEvaluated) {
  EXPECT_EQ(
      Apply(J(R"j({"greeting.$":"States.Format('Hello {}', $.name)"})j"), J(R"({"name":"World"})")),
      R"({"greeting":"Hello World"})");
  EXPECT_EQ(Apply(J(R"j({"arr.$":"States.Array($.a, $$.n)"})j"), J(R"({"a":1})"), J(R"({"n":2})")),
            R"({"arr":[1,2]})");
}

TEST(PayloadTemplateTest, DollarValueMustBeAString) {
  Diagnostics errors = CompileErrors(J(R"({"a.$":5,"b":{"c.$":null}})"));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].pointer, "/States/S/Parameters/a.$");
  EXPECT_EQ(errors[0].message,
            "The value for the field 'a.$' must be a valid JSONPath or a valid intrinsic "
            "function call");
  EXPECT_EQ(errors[1].pointer, "/States/S/Parameters/b/c.$");
  EXPECT_EQ(errors[1].message,
            "The value for the field 'c.$' must be a valid JSONPath or a valid intrinsic "
            "function call");
}

TEST(PayloadTemplateTest, InvalidPathIsReportedWithItsLocation) {
  Diagnostics errors = CompileErrors(J(R"({"list":[{"x.$":"$.a["}],"y.$":"no-dollar"})"));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].pointer, "/States/S/Parameters/list/0/x.$");
  EXPECT_EQ(errors[0].message,
            "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic "
            "function call: invalid path '$.a[': unbalanced '[' at position 3");
  EXPECT_EQ(errors[1].pointer, "/States/S/Parameters/y.$");
  EXPECT_EQ(errors[1].message,
            "The value for the field 'y.$' must be a valid JSONPath or a valid intrinsic "
            "function call: invalid path 'no-dollar': path must start with '$'");
}

TEST(PayloadTemplateTest, InvalidIntrinsicIsReported) {
  Diagnostics errors = CompileErrors(J(R"j({"x.$":"States.NoSuchFunction($.a)"})j"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/States/S/Parameters/x.$");
  EXPECT_EQ(errors[0].message.rfind("The value for the field 'x.$' must be a valid JSONPath or a "
                                    "valid intrinsic function call: ",
                                    0),
            0u)
      << errors[0].message;
}

TEST(PayloadTemplateTest, PointerTokensAreEscaped) {
  Diagnostics errors = CompileErrors(J(R"({"a/b":{"c~d.$":1}})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/States/S/Parameters/a~1b/c~0d.$");
}

TEST(PayloadTemplateTest, TemplateIsReusableAcrossInputs) {
  PayloadTemplate tmpl = Compile(J(R"({"v.$":"$.v"})"));
  EXPECT_EQ(tmpl.Apply(EvalScope{J(R"({"v":1})"), J("{}")}).value().dump(), R"({"v":1})");
  EXPECT_EQ(tmpl.Apply(EvalScope{J(R"({"v":"two"})"), J("{}")}).value().dump(), R"({"v":"two"})");
}

}  // namespace
}  // namespace sluice::asl
