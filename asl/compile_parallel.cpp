// Parallel: runs each branch (a nested state machine) on a copy of the input.
#include <nlohmann/json.hpp>

#include "asl/compile_internal.h"

namespace sluice::asl::internal {

namespace {

constexpr FieldSpec kFields[] = {
    {"Next", FieldMode::kBoth},           {"End", FieldMode::kBoth},
    {"Branches", FieldMode::kBoth},       {"Retry", FieldMode::kBoth},
    {"Catch", FieldMode::kBoth},          {"Assign", FieldMode::kBoth},
    {"InputPath", FieldMode::kJsonPath},  {"OutputPath", FieldMode::kJsonPath},
    {"Parameters", FieldMode::kJsonPath}, {"ResultSelector", FieldMode::kJsonPath},
    {"ResultPath", FieldMode::kJsonPath}, {"Arguments", FieldMode::kJsonata},
    {"Output", FieldMode::kJsonata},
};

void ReadBranches(StateContext& ctx) {
  ctx.Require("Branches");
  const Json* branches = ctx.Find("Branches");
  if (branches == nullptr) return;
  if (!branches->is_array() || branches->empty()) {
    ctx.Error("Branches", "must be a non-empty array of branches, got " + DescribeValue(*branches));
    return;
  }
  for (size_t i = 0; i < branches->size(); ++i) {
    const std::string pointer = JoinPointer(ctx.FieldPointer("Branches"), std::to_string(i));
    const Json& branch = (*branches)[i];
    if (!branch.is_object()) {
      ctx.compiler().Error(pointer, "a branch must be an object, got " + DescribeValue(branch));
      continue;
    }
    ctx.state().branches.push_back(
        ctx.compiler().CompileMachine(branch, pointer, Compiler::MachineKind::kBranch));
  }
}

}  // namespace

std::span<const FieldSpec> ParallelFields() { return kFields; }

void CompileParallel(StateContext& ctx) {
  ReadBranches(ctx);
  ctx.ReadTransition();
  ctx.ReadInputOutput();
  ctx.ReadParametersOrArguments();
  ctx.ReadResultSelector();
  ctx.ReadResultPath();
  ctx.ReadRetry();
  ctx.ReadCatch();
  ctx.ReadAssignAndOutput();
}

}  // namespace sluice::asl::internal
