// Pass: copies its input to its output, optionally injecting `Result`.
#include <nlohmann/json.hpp>

#include "asl/compile_internal.h"

namespace sluice::asl::internal {

namespace {

constexpr FieldSpec kFields[] = {
    {"Next", FieldMode::kBoth},           {"End", FieldMode::kBoth},
    {"Assign", FieldMode::kBoth},         {"InputPath", FieldMode::kJsonPath},
    {"OutputPath", FieldMode::kJsonPath}, {"Parameters", FieldMode::kJsonPath},
    {"ResultPath", FieldMode::kJsonPath}, {"Result", FieldMode::kJsonPath},
    {"Output", FieldMode::kJsonata},
};

}  // namespace

std::span<const FieldSpec> PassFields() { return kFields; }

void CompilePass(StateContext& ctx) {
  ctx.ReadTransition();
  ctx.ReadInputOutput();
  if (!ctx.jsonata()) {
    ctx.state().parameters = ctx.Template("Parameters");
    ctx.state().result = ctx.Raw("Result");
  }
  ctx.ReadResultPath();
  ctx.ReadAssignAndOutput();
}

}  // namespace sluice::asl::internal
