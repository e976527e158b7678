// Succeed: ends the execution (or the branch / iteration) successfully.
#include <nlohmann/json.hpp>

#include "asl/compile_internal.h"

namespace sluice::asl::internal {

namespace {

// AWS documents no Assign on Succeed, but accepts it; so do we.
constexpr FieldSpec kFields[] = {
    {"Assign", FieldMode::kBoth},
    {"InputPath", FieldMode::kJsonPath},
    {"OutputPath", FieldMode::kJsonPath},
    {"Output", FieldMode::kJsonata},
};

}  // namespace

std::span<const FieldSpec> SucceedFields() { return kFields; }

void CompileSucceed(StateContext& ctx) {
  ctx.ReadInputOutput();
  ctx.ReadAssignAndOutput();
}

}  // namespace sluice::asl::internal
