// Wait: delays for a number of seconds or until a timestamp, given literally or by a path.
#include <nlohmann/json.hpp>

#include "asl/compile_internal.h"
#include "asl/timestamp.h"

namespace sluice::asl::internal {

namespace {

constexpr FieldSpec kFields[] = {
    {"Next", FieldMode::kBoth},
    {"End", FieldMode::kBoth},
    {"Seconds", FieldMode::kBoth},
    {"Timestamp", FieldMode::kBoth},
    {"Assign", FieldMode::kBoth},
    {"SecondsPath", FieldMode::kJsonPath},
    {"TimestampPath", FieldMode::kJsonPath},
    {"InputPath", FieldMode::kJsonPath},
    {"OutputPath", FieldMode::kJsonPath},
    {"Output", FieldMode::kJsonata},
};

void ReadTimestamp(StateContext& ctx) {
  if (ctx.ExpressionField("Timestamp")) return;
  std::optional<std::string> text = ctx.String("Timestamp");
  if (!text) return;
  if (!ParseTimestamp(*text)) {
    ctx.Error(
        "Timestamp",
        "must be an RFC 3339 timestamp such as \"2024-01-31T12:00:00Z\", got \"" + *text + "\"");
    return;
  }
  ctx.state().timestamp = *text;
}

}  // namespace

std::span<const FieldSpec> WaitFields() { return kFields; }

void CompileWait(StateContext& ctx) {
  State& state = ctx.state();
  ctx.ReadTransition();
  if (ctx.jsonata()) {
    ctx.Exclusive({"Seconds", "Timestamp"}, true);
  } else {
    ctx.Exclusive({"Seconds", "SecondsPath", "Timestamp", "TimestampPath"}, true);
    state.seconds_path = ctx.AnyPath("SecondsPath");
    state.timestamp_path = ctx.AnyPath("TimestampPath");
  }
  state.seconds = ctx.IntegerField("Seconds", 0, kMaxSeconds);
  ReadTimestamp(ctx);
  ctx.ReadInputOutput();
  ctx.ReadAssignAndOutput();
}

}  // namespace sluice::asl::internal
