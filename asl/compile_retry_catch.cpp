// Retry and Catch (Task, Parallel, Map): retriers, catchers and their ErrorEquals.
#include <nlohmann/json.hpp>

#include "asl/compile_internal.h"
#include "asl/errors.h"

namespace sluice::asl::internal {

namespace {

constexpr FieldSpec kRetrierFields[] = {
    {"ErrorEquals", FieldMode::kBoth},     {"IntervalSeconds", FieldMode::kBoth},
    {"MaxAttempts", FieldMode::kBoth},     {"BackoffRate", FieldMode::kBoth},
    {"MaxDelaySeconds", FieldMode::kBoth}, {"JitterStrategy", FieldMode::kBoth},
    {"Comment", FieldMode::kBoth},
};

constexpr FieldSpec kCatcherFields[] = {
    {"ErrorEquals", FieldMode::kBoth},    {"Next", FieldMode::kBoth},
    {"ResultPath", FieldMode::kJsonPath}, {"Output", FieldMode::kJsonata},
    {"Assign", FieldMode::kBoth},         {"Comment", FieldMode::kBoth},
};

// States.Http.Socket is raised by HTTP tasks; AWS lets Retry/Catch name it although it is not
// in the general catalogue.
constexpr std::string_view kHttpSocketError = "States.Http.Socket";

bool IsKnownStatesError(std::string_view name) {
  if (name == kHttpSocketError) return true;
  for (auto known : PredefinedErrorNames()) {
    if (known == name) return true;
  }
  return false;
}

// Reads ErrorEquals: a non-empty array of error names. Names starting with "States." are
// reserved for the predefined errors; States.ALL must be alone. `*has_all` tells the caller
// whether States.ALL is present (it must also be in the last retrier/catcher).
std::vector<std::string> ReadErrorEquals(const ObjectReader& reader, bool* has_all) {
  reader.Require("ErrorEquals");
  const Json* value = reader.Find("ErrorEquals");
  if (value == nullptr) return {};
  if (!value->is_array() || value->empty()) {
    reader.Error("ErrorEquals",
                 "must be a non-empty array of error names, got " + DescribeValue(*value));
    return {};
  }
  const std::string pointer = reader.FieldPointer("ErrorEquals");
  std::vector<std::string> names;
  for (size_t i = 0; i < value->size(); ++i) {
    const Json& name = (*value)[i];
    const std::string name_pointer = JoinPointer(pointer, std::to_string(i));
    if (!name.is_string()) {
      reader.compiler().Error(name_pointer, "must be a string, got " + DescribeValue(name));
      continue;
    }
    const auto& text = name.get_ref<const std::string&>();
    if (text.starts_with("States.") && !IsKnownStatesError(text)) {
      reader.compiler().Error(name_pointer, "unknown error name '" + text +
                                                "': names starting with 'States.' are reserved "
                                                "for predefined errors");
    }
    if (text == errors::kAll) *has_all = true;
    names.push_back(text);
  }
  if (*has_all && value->size() > 1) {
    reader.Error("ErrorEquals", "'States.ALL' must appear alone in ErrorEquals");
  }
  return names;
}

Retrier ReadRetrier(const ObjectReader& reader, bool last, bool jsonata) {
  reader.CheckFields(kRetrierFields, jsonata, "a retrier");
  Retrier retrier;
  bool has_all = false;
  retrier.error_equals = ReadErrorEquals(reader, &has_all);
  if (has_all && !last) {
    reader.Error("ErrorEquals", "'States.ALL' must appear only in the last retrier");
  }
  if (auto v = reader.Integer("IntervalSeconds", 1, kMaxSeconds)) retrier.interval_seconds = *v;
  if (auto v = reader.Integer("MaxAttempts", 0, kMaxSeconds)) retrier.max_attempts = *v;
  if (auto v = reader.Number("BackoffRate", 1.0, std::numeric_limits<double>::infinity())) {
    retrier.backoff_rate = *v;
  }
  if (auto v = reader.Integer("MaxDelaySeconds", 1, kMaxDelaySeconds)) {
    retrier.max_delay_seconds = *v;
  }
  if (auto v = reader.String("JitterStrategy")) {
    if (*v == "FULL" || *v == "NONE") {
      retrier.jitter_full = *v == "FULL";
    } else {
      reader.Error("JitterStrategy", "must be 'FULL' or 'NONE', got \"" + *v + "\"");
    }
  }
  return retrier;
}

}  // namespace

void StateContext::ReadRetry() {
  const Json* retry = Find("Retry");
  if (retry == nullptr) return;
  if (!retry->is_array()) {
    Error("Retry", "must be an array of retriers, got " + DescribeValue(*retry));
    return;
  }
  for (size_t i = 0; i < retry->size(); ++i) {
    const std::string pointer = JoinPointer(FieldPointer("Retry"), std::to_string(i));
    const Json& body = (*retry)[i];
    if (!body.is_object()) {
      compiler().Error(pointer, "a retrier must be an object, got " + DescribeValue(body));
      continue;
    }
    ObjectReader reader(compiler(), body, pointer);
    state().retry.push_back(ReadRetrier(reader, i + 1 == retry->size(), jsonata()));
  }
}

void StateContext::ReadCatch() {
  const Json* catchers = Find("Catch");
  if (catchers == nullptr) return;
  if (!catchers->is_array()) {
    Error("Catch", "must be an array of catchers, got " + DescribeValue(*catchers));
    return;
  }
  for (size_t i = 0; i < catchers->size(); ++i) {
    const std::string pointer = JoinPointer(FieldPointer("Catch"), std::to_string(i));
    const Json& body = (*catchers)[i];
    if (!body.is_object()) {
      compiler().Error(pointer, "a catcher must be an object, got " + DescribeValue(body));
      continue;
    }
    ObjectReader reader(compiler(), body, pointer);
    reader.CheckFields(kCatcherFields, jsonata(), "a catcher");
    Catcher catcher;
    bool has_all = false;
    catcher.error_equals = ReadErrorEquals(reader, &has_all);
    if (has_all && i + 1 != catchers->size()) {
      reader.Error("ErrorEquals", "'States.ALL' must appear only in the last catcher");
    }
    reader.Require("Next");
    if (auto next = reader.String("Next")) {
      catcher.next = *next;
      Transition(reader.FieldPointer("Next"), *next);
    }
    if (!jsonata()) {
      if (auto spec = reader.ResultPath("ResultPath")) catcher.result_path = std::move(*spec);
    }
    catcher.assign = reader.Assign(jsonata());
    if (jsonata()) catcher.output = reader.Jsonata("Output");
    state().catchers.push_back(std::move(catcher));
  }
}

}  // namespace sluice::asl::internal
