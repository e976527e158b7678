// Map: runs an item processor (a nested state machine) for each item of an array.
//
// The item processor is `ItemProcessor` (with ProcessorConfig) or the legacy `Iterator`; the
// item template is `ItemSelector` or the legacy `Parameters`. Distributed-mode fields
// (ItemReader, ItemBatcher, ResultWriter) are kept raw.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "asl/compile_internal.h"

namespace sluice::asl::internal {

namespace {

constexpr FieldSpec kFields[] = {
    {"Next", FieldMode::kBoth},
    {"End", FieldMode::kBoth},
    {"ItemProcessor", FieldMode::kBoth},
    {"Iterator", FieldMode::kBoth},
    {"ItemSelector", FieldMode::kBoth},
    {"MaxConcurrency", FieldMode::kBoth},
    {"Retry", FieldMode::kBoth},
    {"Catch", FieldMode::kBoth},
    {"Assign", FieldMode::kBoth},
    {"ItemReader", FieldMode::kBoth},
    {"ItemBatcher", FieldMode::kBoth},
    {"ResultWriter", FieldMode::kBoth},
    {"ToleratedFailureCount", FieldMode::kBoth},
    {"ToleratedFailurePercentage", FieldMode::kBoth},
    {"Label", FieldMode::kBoth},
    {"InputPath", FieldMode::kJsonPath},
    {"OutputPath", FieldMode::kJsonPath},
    {"ItemsPath", FieldMode::kJsonPath},
    {"Parameters", FieldMode::kJsonPath},
    {"ResultSelector", FieldMode::kJsonPath},
    {"ResultPath", FieldMode::kJsonPath},
    {"MaxConcurrencyPath", FieldMode::kJsonPath},
    {"ToleratedFailureCountPath", FieldMode::kJsonPath},
    {"ToleratedFailurePercentagePath", FieldMode::kJsonPath},
    {"Items", FieldMode::kJsonata},
    {"Output", FieldMode::kJsonata},
};

// AWS's limit on Map Run labels.
constexpr size_t kMaxLabelLength = 40;

// "\u0007": how a control character is named in messages.
std::string EscapedCodePoint(unsigned code_point) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\u%04X", code_point);
  return buffer;
}

constexpr FieldSpec kProcessorConfigFields[] = {
    {"Mode", FieldMode::kBoth},
    {"ExecutionType", FieldMode::kBoth},
};

void ReadProcessorConfig(StateContext& ctx, const Json& processor, const std::string& pointer) {
  auto config = processor.find("ProcessorConfig");
  if (config == processor.end()) return;
  const std::string config_pointer = JoinPointer(pointer, "ProcessorConfig");
  if (!config->is_object()) {
    ctx.compiler().Error(config_pointer, "must be an object, got " + DescribeValue(*config));
    return;
  }
  ObjectReader reader(ctx.compiler(), *config, config_pointer);
  reader.CheckFields(kProcessorConfigFields, ctx.jsonata(), "ProcessorConfig");
  if (auto mode = reader.String("Mode")) {
    if (*mode == "DISTRIBUTED") {
      ctx.state().distributed = true;
    } else if (*mode != "INLINE") {
      reader.Error("Mode", "must be 'INLINE' or 'DISTRIBUTED', got \"" + *mode + "\"");
    }
  }
  if (auto type = reader.String("ExecutionType")) {
    if (*type != "STANDARD" && *type != "EXPRESS") {
      reader.Error("ExecutionType", "must be 'STANDARD' or 'EXPRESS', got \"" + *type + "\"");
    }
  }
}

void ReadItemProcessor(StateContext& ctx) {
  ctx.Exclusive({"ItemProcessor", "Iterator"}, true);
  for (const char* field : {"ItemProcessor", "Iterator"}) {
    const Json* processor = ctx.Find(field);
    if (processor == nullptr) continue;
    const std::string pointer = ctx.FieldPointer(field);
    if (!processor->is_object()) {
      ctx.Error(field, "must be an object, got " + DescribeValue(*processor));
      continue;
    }
    ctx.state().item_processor =
        ctx.compiler().CompileMachine(*processor, pointer, Compiler::MachineKind::kItemProcessor);
    ReadProcessorConfig(ctx, *processor, pointer);
  }
}

// Items (JSONata): an array (whose elements may be expressions) or an expression; ItemSelector:
// any value, evaluated per item.
void ReadJsonataItems(StateContext& ctx) {
  State& state = ctx.state();
  const Json* items = ctx.Find("Items");
  if (items != nullptr && !items->is_array() && !IsJsonataExpression(*items)) {
    ctx.Error("Items", "must be an array or a JSONata expression, got " + DescribeValue(*items));
  } else if (auto compiled = ctx.Jsonata("Items")) {
    state.expressions["Items"] = std::move(compiled);
  }
  if (auto compiled = ctx.Jsonata("ItemSelector")) {
    state.expressions["ItemSelector"] = std::move(compiled);
  }
}

void ReadItems(StateContext& ctx) {
  State& state = ctx.state();
  if (ctx.jsonata()) {
    ReadJsonataItems(ctx);
    return;
  }
  if (auto path = ctx.AnyPath("ItemsPath")) state.items_path = std::move(*path);
  // ItemSelector replaced the legacy Parameters; both build each item's input.
  if (ctx.Exclusive({"ItemSelector", "Parameters"}, false)) {
    state.item_selector =
        ctx.Has("ItemSelector") ? ctx.Template("ItemSelector") : ctx.Template("Parameters");
  }
}

void ReadLimits(StateContext& ctx) {
  State& state = ctx.state();
  const double kPercent = 100;
  ctx.Exclusive({"MaxConcurrency", "MaxConcurrencyPath"}, false);
  ctx.Exclusive({"ToleratedFailureCount", "ToleratedFailureCountPath"}, false);
  ctx.Exclusive({"ToleratedFailurePercentage", "ToleratedFailurePercentagePath"}, false);
  state.max_concurrency.value = ctx.IntegerField("MaxConcurrency", 0, kNoLimit);
  state.tolerated_failure_count.value = ctx.IntegerField("ToleratedFailureCount", 0, kNoLimit);
  state.tolerated_failure_percentage.value =
      ctx.NumberField("ToleratedFailurePercentage", 0, kPercent);
  if (!ctx.jsonata()) {
    state.max_concurrency.path = ctx.AnyPath("MaxConcurrencyPath");
    state.tolerated_failure_count.path = ctx.AnyPath("ToleratedFailureCountPath");
    state.tolerated_failure_percentage.path = ctx.AnyPath("ToleratedFailurePercentagePath");
  }
}

// The first character of `label` that AWS refuses in a Map Label, or "" when there is none:
// whitespace, ?*<>{}[]:;,\|^~$#%&`" and control characters (C0, DEL and C1).
std::string ForbiddenLabelCharacter(std::string_view label) {
  constexpr std::string_view kForbidden = " ?*<>{}[]:;,\\|^~$#%&`\"";
  for (size_t i = 0; i < label.size(); ++i) {
    const auto c = static_cast<unsigned char>(label[i]);
    if (kForbidden.find(label[i]) != std::string_view::npos) return std::string(1, label[i]);
    if (c < 0x20 || c == 0x7F) return EscapedCodePoint(c);
    // C1 controls U+0080..U+009F are 0xC2 0x80..0x9F in UTF-8.
    if (c == 0xC2 && i + 1 < label.size()) {
      const auto next = static_cast<unsigned char>(label[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return EscapedCodePoint(next);
    }
  }
  return "";
}

// Label names the Map Run: 1 to 40 characters, none forbidden.
void ReadLabel(StateContext& ctx) {
  std::optional<std::string> label = ctx.String("Label");
  if (!label) return;
  if (label->empty()) {
    ctx.Error("Label", "must not be empty");
  } else if (Utf8Length(*label) > kMaxLabelLength) {
    ctx.Error("Label", "must be at most " + std::to_string(kMaxLabelLength) + " characters long");
  } else if (std::string bad = ForbiddenLabelCharacter(*label); !bad.empty()) {
    ctx.Error("Label", "must not contain '" + bad + "'");
  } else {
    ctx.state().label = *label;
  }
}

void ReadDistributedFields(StateContext& ctx) {
  State& state = ctx.state();
  ReadLabel(ctx);
  state.item_reader = ctx.RawObject("ItemReader");
  state.item_batcher = ctx.RawObject("ItemBatcher");
  state.result_writer = ctx.RawObject("ResultWriter");
}

}  // namespace

std::span<const FieldSpec> MapFields() { return kFields; }

void CompileMap(StateContext& ctx) {
  ReadItemProcessor(ctx);
  ctx.ReadTransition();
  ctx.ReadInputOutput();
  ReadItems(ctx);
  ReadLimits(ctx);
  ReadDistributedFields(ctx);
  ctx.ReadResultSelector();
  ctx.ReadResultPath();
  ctx.ReadRetry();
  ctx.ReadCatch();
  ctx.ReadAssignAndOutput();
}

}  // namespace sluice::asl::internal
