// Choice: picks the next state with the first matching rule, else Default.
//
// JSONPath rules are compiled by ChoiceRule (choice.h); this file handles what only top-level
// rules carry (Next, Assign) and JSONata rules (Condition, Output).
#include <nlohmann/json.hpp>

#include "asl/choice.h"
#include "asl/compile_internal.h"

namespace sluice::asl::internal {

namespace {

constexpr FieldSpec kFields[] = {
    {"Choices", FieldMode::kBoth},        {"Default", FieldMode::kBoth},
    {"Assign", FieldMode::kBoth},         {"InputPath", FieldMode::kJsonPath},
    {"OutputPath", FieldMode::kJsonPath}, {"Output", FieldMode::kJsonata},
};

constexpr FieldSpec kJsonataRuleFields[] = {
    {"Condition", FieldMode::kJsonata}, {"Next", FieldMode::kBoth},    {"Assign", FieldMode::kBoth},
    {"Output", FieldMode::kJsonata},    {"Comment", FieldMode::kBoth},
};

void ReadJsonataCondition(const ObjectReader& rule, ChoiceBranch& branch) {
  rule.CheckFields(kJsonataRuleFields, true, "a JSONata Choice rule");
  rule.Require("Condition");
  const Json* condition = rule.Find("Condition");
  if (condition == nullptr) return;
  if (!condition->is_boolean() && !IsJsonataExpression(*condition)) {
    rule.Error("Condition", "must be a JSONata expression \"{% ... %}\" or a boolean, got " +
                                DescribeValue(*condition));
    return;
  }
  branch.condition = rule.Jsonata("Condition");
  branch.output = rule.Jsonata("Output");
}

// Compiles the JSONPath comparison of a top-level rule. JSONata-only fields are reported here
// (and the rule not compiled) so that ChoiceRule does not report them a second time.
void CompileJsonPathRule(const ObjectReader& rule, ChoiceBranch& branch) {
  bool jsonata_fields = false;
  for (const char* field : {"Condition", "Output"}) {
    if (rule.Has(field)) {
      rule.Error(field, "field '" + std::string(field) + "' requires QueryLanguage JSONata");
      jsonata_fields = true;
    }
  }
  if (jsonata_fields) return;
  auto compiled = ChoiceRule::Compile(rule.object(), rule.pointer(), /*top_level=*/true);
  if (!compiled.ok()) {
    rule.compiler().Add(std::move(compiled).error());
    return;
  }
  branch.rule = std::move(compiled).value();
}

void ReadRule(StateContext& ctx, const Json& body, const std::string& pointer) {
  if (!body.is_object()) {
    ctx.compiler().Error(pointer, "a Choice rule must be an object, got " + DescribeValue(body));
    return;
  }
  ObjectReader rule(ctx.compiler(), body, pointer);
  ChoiceBranch branch;
  if (ctx.jsonata()) {
    ReadJsonataCondition(rule, branch);
  } else {
    CompileJsonPathRule(rule, branch);
  }
  rule.Require("Next");
  if (auto next = rule.String("Next")) {
    branch.next = *next;
    ctx.Transition(rule.FieldPointer("Next"), *next);
  }
  branch.assign = rule.Assign(ctx.jsonata());
  ctx.state().choices.push_back(std::move(branch));
}

void ReadChoices(StateContext& ctx) {
  ctx.Require("Choices");
  const Json* choices = ctx.Find("Choices");
  if (choices == nullptr) return;
  if (!choices->is_array() || choices->empty()) {
    ctx.Error("Choices", "must be a non-empty array of rules, got " + DescribeValue(*choices));
    return;
  }
  for (size_t i = 0; i < choices->size(); ++i) {
    ReadRule(ctx, (*choices)[i], JoinPointer(ctx.FieldPointer("Choices"), std::to_string(i)));
  }
}

}  // namespace

std::span<const FieldSpec> ChoiceFields() { return kFields; }

void CompileChoice(StateContext& ctx) {
  ReadChoices(ctx);
  if (auto default_next = ctx.String("Default")) {
    ctx.state().default_next = *default_next;
    ctx.Transition(ctx.FieldPointer("Default"), *default_next);
  }
  ctx.ReadInputOutput();
  ctx.ReadAssignAndOutput();
}

}  // namespace sluice::asl::internal
