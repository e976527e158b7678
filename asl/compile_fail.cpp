// Fail: ends the execution (or the branch / iteration) with an error and a cause, given
// literally (Error, Cause; JSONata expressions in JSONata states) or by a path (ErrorPath,
// CausePath; JSONPath states).
#include <nlohmann/json.hpp>

#include "asl/compile_internal.h"
#include "asl/intrinsics.h"

namespace sluice::asl::internal {

namespace {

// Fail allows only Type and Comment (and QueryLanguage) of the common fields.
constexpr FieldSpec kFields[] = {
    {"Error", FieldMode::kBoth},
    {"Cause", FieldMode::kBoth},
    {"ErrorPath", FieldMode::kJsonPath},
    {"CausePath", FieldMode::kJsonPath},
};

// Stores an ErrorPath / CausePath intrinsic call. The compiled State holds such calls in
// `error_path_call` / `cause_path_call` (std::optional<IntrinsicCall>), added to
// state_machine.h by its owner; until those members exist the definition is refused with a clear
// message instead of silently losing the field. Returns false when it could not be stored.
template <typename S>
bool StoreCall(S& state, std::string_view field, IntrinsicCall call) {
  if constexpr (requires {
                  state.error_path_call = call;
                  state.cause_path_call = call;
                }) {
    (field == "ErrorPath" ? state.error_path_call : state.cause_path_call) = std::move(call);
    return true;
  } else {
    return false;
  }
}

// ErrorPath / CausePath: a path, or (AWS allows it) an intrinsic function call returning a
// string, e.g. "States.Format('{}', $.Error)".
std::optional<Path> ReadFailPath(StateContext& ctx, std::string_view field) {
  const Json* value = ctx.Find(field);
  if (value == nullptr || ctx.jsonata()) return std::nullopt;
  if (!value->is_string() || !IntrinsicCall::LooksLikeCall(value->get_ref<const std::string&>())) {
    return ctx.AnyPath(field);
  }
  const auto& text = value->get_ref<const std::string&>();
  Result<IntrinsicCall> call = IntrinsicCall::Parse(text);
  if (!call.ok()) {
    ctx.Error(field, "invalid intrinsic function call '" + text + "': " + call.error());
  } else if (!StoreCall(ctx.state(), field, std::move(call).value())) {
    ctx.Error(field, "intrinsic functions in " + std::string(field) +
                         " are not supported yet; use a path");
  }
  return std::nullopt;
}

}  // namespace

std::span<const FieldSpec> FailFields() { return kFields; }

void CompileFail(StateContext& ctx) {
  State& state = ctx.state();
  ctx.Exclusive({"Error", "ErrorPath"}, false);
  ctx.Exclusive({"Cause", "CausePath"}, false);
  // In JSONata states Error and Cause may be expressions, evaluated when the state runs.
  if (!ctx.ExpressionField("Error")) state.error = ctx.String("Error");
  if (!ctx.ExpressionField("Cause")) state.cause = ctx.String("Cause");
  state.error_path = ReadFailPath(ctx, "ErrorPath");
  state.cause_path = ReadFailPath(ctx, "CausePath");
}

}  // namespace sluice::asl::internal
