// Task: runs a resource, with timeouts, heartbeats, Retry and Catch.
#include <nlohmann/json.hpp>

#include "asl/compile_internal.h"

namespace sluice::asl::internal {

namespace {

constexpr FieldSpec kFields[] = {
    {"Next", FieldMode::kBoth},
    {"End", FieldMode::kBoth},
    {"Resource", FieldMode::kBoth},
    {"Retry", FieldMode::kBoth},
    {"Catch", FieldMode::kBoth},
    {"TimeoutSeconds", FieldMode::kBoth},
    {"HeartbeatSeconds", FieldMode::kBoth},
    {"Credentials", FieldMode::kBoth},
    {"Assign", FieldMode::kBoth},
    {"InputPath", FieldMode::kJsonPath},
    {"OutputPath", FieldMode::kJsonPath},
    {"Parameters", FieldMode::kJsonPath},
    {"ResultSelector", FieldMode::kJsonPath},
    {"ResultPath", FieldMode::kJsonPath},
    {"TimeoutSecondsPath", FieldMode::kJsonPath},
    {"HeartbeatSecondsPath", FieldMode::kJsonPath},
    {"Arguments", FieldMode::kJsonata},
    {"Output", FieldMode::kJsonata},
};

void ReadResource(StateContext& ctx) {
  ctx.Require("Resource");
  std::optional<std::string> resource = ctx.String("Resource");
  if (!resource) return;
  if (resource->empty()) {
    ctx.Error("Resource", "must not be empty");
  } else if (ctx.jsonata() && ctx.IsExpression("Resource")) {
    ctx.Error("Resource", "must be a constant string, not a JSONata expression");
  }
  ctx.state().resource = *resource;
}

// TimeoutSeconds / HeartbeatSeconds and their *Path forms; the heartbeat must be shorter than
// the timeout.
void ReadTimeouts(StateContext& ctx) {
  State& state = ctx.state();
  ctx.Exclusive({"TimeoutSeconds", "TimeoutSecondsPath"}, false);
  ctx.Exclusive({"HeartbeatSeconds", "HeartbeatSecondsPath"}, false);
  state.timeout_seconds.value = ctx.IntegerField("TimeoutSeconds", 1, kMaxSeconds);
  state.heartbeat_seconds.value = ctx.IntegerField("HeartbeatSeconds", 1, kMaxSeconds);
  if (!ctx.jsonata()) {
    state.timeout_seconds.path = ctx.AnyPath("TimeoutSecondsPath");
    state.heartbeat_seconds.path = ctx.AnyPath("HeartbeatSecondsPath");
  }
  const auto& timeout = state.timeout_seconds.value;
  const auto& heartbeat = state.heartbeat_seconds.value;
  if (timeout && heartbeat && *heartbeat >= *timeout) {
    ctx.Error("HeartbeatSeconds", "must be smaller than TimeoutSeconds (" +
                                      std::to_string(*timeout) + "), got " +
                                      std::to_string(*heartbeat));
  }
}

// Credentials: kept raw for the task handler; in JSONPath states its `.$` fields (e.g.
// "RoleArn.$") are validated like a payload template.
void ReadCredentials(StateContext& ctx) {
  ctx.state().credentials = ctx.RawObject("Credentials");
  if (ctx.state().credentials && !ctx.jsonata()) ctx.Template("Credentials");
}

}  // namespace

std::span<const FieldSpec> TaskFields() { return kFields; }

void CompileTask(StateContext& ctx) {
  ReadResource(ctx);
  ctx.ReadTransition();
  ctx.ReadInputOutput();
  ctx.ReadParametersOrArguments();
  ctx.ReadResultSelector();
  ctx.ReadResultPath();
  ReadTimeouts(ctx);
  ReadCredentials(ctx);
  ctx.ReadRetry();
  ctx.ReadCatch();
  ctx.ReadAssignAndOutput();
}

}  // namespace sluice::asl::internal
