// Typed field readers shared by every state kind (see compile_internal.h).
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "asl/compile_internal.h"

namespace sluice::asl::internal {

namespace {

constexpr size_t kMaxDescribedLength = 60;

// "5", "1.5": integral doubles print without a fraction.
std::string FormatNumber(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

std::string IntegerRangeMessage(int64_t min, int64_t max) {
  if (max == kNoLimit) return "must be an integer >= " + std::to_string(min);
  return "must be an integer between " + std::to_string(min) + " and " + std::to_string(max);
}

std::string NumberRangeMessage(double min, double max) {
  if (std::isinf(max)) return "must be a number >= " + FormatNumber(min);
  return "must be a number between " + FormatNumber(min) + " and " + FormatNumber(max);
}

// "'A', 'B' and 'C'" (or "or").
std::string JoinNames(const std::vector<std::string_view>& names, std::string_view last_joiner) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0 && i + 1 < names.size()) out.append(", ");
    if (i > 0 && i + 1 == names.size()) out.append(" ").append(last_joiner).append(" ");
    out.append("'").append(names[i]).append("'");
  }
  return out;
}

std::optional<int64_t> AsInt64(const Json& value) {
  if (!value.is_number_integer()) return std::nullopt;
  if (value.is_number_unsigned()) {
    uint64_t u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  return value.get<int64_t>();
}

}  // namespace

std::string DescribeValue(const Json& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  std::string text = value.dump();
  if (text.size() > kMaxDescribedLength) text = text.substr(0, kMaxDescribedLength) + "...";
  return text;
}

size_t Utf8Length(std::string_view text) {
  size_t count = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++count;
  }
  return count;
}

// ObjectReader ----------------------------------------------------------------------------

ObjectReader::ObjectReader(Compiler& compiler, const Json& object, std::string pointer)
    : compiler_(compiler), object_(object), pointer_(std::move(pointer)) {}

const Json* ObjectReader::Find(std::string_view field) const {
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(field);
  return it == object_.end() ? nullptr : &*it;
}

std::string ObjectReader::FieldPointer(std::string_view field) const {
  return JoinPointer(pointer_, std::string(field));
}

void ObjectReader::Error(std::string_view field, std::string message) const {
  compiler_.Error(FieldPointer(field), std::move(message));
}

void ObjectReader::ObjectError(std::string message) const {
  compiler_.Error(pointer_, std::move(message));
}

void ObjectReader::Require(std::string_view field) const {
  if (!Has(field)) ObjectError("missing required field '" + std::string(field) + "'");
}

void ObjectReader::CheckFields(std::span<const FieldSpec> specs, bool jsonata,
                               std::string_view owner) const {
  if (!object_.is_object()) return;
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    const std::string& name = it.key();
    const FieldSpec* spec = nullptr;
    for (const auto& candidate : specs) {
      if (candidate.name == name) spec = &candidate;
    }
    if (spec == nullptr) {
      Error(name, "field '" + name + "' is not supported in " + std::string(owner));
    } else if (spec->mode == FieldMode::kJsonPath && jsonata) {
      Error(name, "field '" + name + "' is not supported when QueryLanguage is JSONata");
    } else if (spec->mode == FieldMode::kJsonata && !jsonata) {
      Error(name, "field '" + name + "' requires QueryLanguage JSONata");
    }
  }
}

std::optional<std::string> ObjectReader::String(std::string_view field) const {
  const Json* value = Find(field);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    Error(field, "must be a string, got " + DescribeValue(*value));
    return std::nullopt;
  }
  return value->get<std::string>();
}

std::optional<bool> ObjectReader::Bool(std::string_view field) const {
  const Json* value = Find(field);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    Error(field, "must be a boolean, got " + DescribeValue(*value));
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<int64_t> ObjectReader::Integer(std::string_view field, int64_t min,
                                             int64_t max) const {
  const Json* value = Find(field);
  if (value == nullptr) return std::nullopt;
  std::optional<int64_t> number = AsInt64(*value);
  if (!number || *number < min || *number > max) {
    Error(field, IntegerRangeMessage(min, max) + ", got " + DescribeValue(*value));
    return std::nullopt;
  }
  return number;
}

std::optional<double> ObjectReader::Number(std::string_view field, double min, double max) const {
  const Json* value = Find(field);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number() || value->get<double>() < min || value->get<double>() > max) {
    Error(field, NumberRangeMessage(min, max) + ", got " + DescribeValue(*value));
    return std::nullopt;
  }
  return value->get<double>();
}

bool ObjectReader::IsExpression(std::string_view field) const {
  const Json* value = Find(field);
  return value != nullptr && IsJsonataExpression(*value);
}

std::optional<Path> ObjectReader::AnyPath(std::string_view field) const {
  std::optional<std::string> text = String(field);
  if (!text) return std::nullopt;
  Result<Path> path = Path::Parse(*text);
  if (!path.ok()) {
    Error(field, "invalid path '" + *text + "': " + path.error());
    return std::nullopt;
  }
  return std::move(path).value();
}

std::optional<SelectPathSpec> ObjectReader::SelectPath(std::string_view field) const {
  const Json* value = Find(field);
  if (value == nullptr) return std::nullopt;
  SelectPathSpec spec;
  if (value->is_null()) {
    spec.null_object = true;
    return spec;
  }
  if (!value->is_string()) {
    Error(field, "must be a path string or null, got " + DescribeValue(*value));
    return std::nullopt;
  }
  std::optional<Path> path = AnyPath(field);
  if (!path) return std::nullopt;
  spec.path = std::move(*path);
  return spec;
}

std::optional<ResultPathSpec> ObjectReader::ResultPath(std::string_view field) const {
  const Json* value = Find(field);
  if (value == nullptr) return std::nullopt;
  ResultPathSpec spec;
  if (value->is_null()) {
    spec.discard = true;
    return spec;
  }
  if (!value->is_string()) {
    Error(field, "must be a reference path string or null, got " + DescribeValue(*value));
    return std::nullopt;
  }
  std::optional<Path> path = AnyPath(field);
  if (!path) return std::nullopt;
  if (path->root() != PathRoot::kData || !path->IsReferencePath()) {
    Error(field, "must be a reference path rooted at '$' (names and array indexes only), got '" +
                     path->text() + "'");
    return std::nullopt;
  }
  spec.path = std::move(*path);
  return spec;
}

std::optional<PayloadTemplate> ObjectReader::Template(std::string_view field) const {
  const Json* value = Find(field);
  if (value == nullptr) return std::nullopt;
  if (!value->is_object()) {
    Error(field, "must be an object, got " + DescribeValue(*value));
    return std::nullopt;
  }
  auto compiled = PayloadTemplate::Compile(*value, FieldPointer(field));
  if (!compiled.ok()) {
    compiler_.Add(std::move(compiled).error());
    return std::nullopt;
  }
  return std::move(compiled).value();
}

std::shared_ptr<const Json> ObjectReader::Raw(std::string_view field) const {
  const Json* value = Find(field);
  if (value == nullptr) return nullptr;
  return std::make_shared<const Json>(*value);
}

std::shared_ptr<const Json> ObjectReader::RawObject(std::string_view field) const {
  const Json* value = Find(field);
  if (value == nullptr) return nullptr;
  if (!value->is_object()) {
    Error(field, "must be an object, got " + DescribeValue(*value));
    return nullptr;
  }
  return std::make_shared<const Json>(*value);
}

Assignment ObjectReader::Assign(bool jsonata) const {
  Assignment assign;
  const Json* value = Find("Assign");
  if (value == nullptr) return assign;
  if (!value->is_object()) {
    Error("Assign", "must be an object, got " + DescribeValue(*value));
    return assign;
  }
  if (jsonata) {
    assign.jsonata = Jsonata("Assign");
  } else {
    assign.jsonpath = Template("Assign");
  }
  return assign;
}

std::shared_ptr<const JsonataTemplate> ObjectReader::Jsonata(std::string_view field) const {
  const Json* value = Find(field);
  if (value == nullptr) return nullptr;
  auto compiled = JsonataTemplate::Compile(*value);
  if (!compiled.ok()) {
    Error(field, compiled.error());
    return nullptr;
  }
  return std::make_shared<const JsonataTemplate>(std::move(compiled).value());
}

bool ObjectReader::Exclusive(std::initializer_list<std::string_view> fields, bool required) const {
  std::vector<std::string_view> present;
  for (auto field : fields) {
    if (Has(field)) present.push_back(field);
  }
  if (present.size() > 1) {
    ObjectError(JoinNames(present, "and") + " are mutually exclusive");
    return false;
  }
  if (present.empty() && required) {
    ObjectError("one of " + JoinNames(std::vector<std::string_view>(fields), "or") +
                " is required");
    return false;
  }
  return true;
}

// StateContext ----------------------------------------------------------------------------

StateContext::StateContext(Compiler& compiler, const Json& body, std::string pointer, State& state,
                           size_t scope)
    : ObjectReader(compiler, body, std::move(pointer)), state_(state), scope_(scope) {}

bool StateContext::ExpressionField(std::string_view field) const {
  if (!jsonata() || !IsExpression(field)) return false;
  if (auto compiled = Jsonata(field)) state_.expressions[std::string(field)] = std::move(compiled);
  return true;
}

std::optional<int64_t> StateContext::IntegerField(std::string_view field, int64_t min,
                                                  int64_t max) const {
  if (ExpressionField(field)) return std::nullopt;
  return Integer(field, min, max);
}

std::optional<double> StateContext::NumberField(std::string_view field, double min,
                                                double max) const {
  if (ExpressionField(field)) return std::nullopt;
  return Number(field, min, max);
}

void StateContext::ReadTransition() {
  const Json* next_value = Find("Next");
  const Json* end_value = Find("End");
  std::optional<std::string> next = String("Next");
  bool end = Bool("End").value_or(false);
  if (next_value != nullptr && end) {
    ObjectError("'Next' and 'End' are mutually exclusive");
  } else if (next_value == nullptr && !end && (end_value == nullptr || end_value->is_boolean())) {
    ObjectError("one of 'Next' or 'End': true is required");
  }
  if (next) {
    state_.next = *next;
    Transition(FieldPointer("Next"), *next);
  }
  state_.end = end && next_value == nullptr;
}

void StateContext::ReadInputOutput() {
  if (jsonata()) return;
  if (auto spec = SelectPath("InputPath")) state_.input_path = std::move(*spec);
  if (auto spec = SelectPath("OutputPath")) state_.output_path = std::move(*spec);
}

void StateContext::ReadResultPath() {
  if (jsonata()) return;
  if (auto spec = ResultPath("ResultPath")) state_.result_path = std::move(*spec);
}

void StateContext::ReadParametersOrArguments() {
  if (jsonata()) {
    state_.arguments = Jsonata("Arguments");
  } else {
    state_.parameters = Template("Parameters");
  }
}

void StateContext::ReadResultSelector() {
  if (!jsonata()) state_.result_selector = Template("ResultSelector");
}

void StateContext::ReadAssignAndOutput() {
  state_.assign = Assign(jsonata());
  if (jsonata()) state_.output = Jsonata("Output");
}

void StateContext::Transition(const std::string& pointer, const std::string& target) {
  compiler().AddTransition(pointer, target, scope_);
}

}  // namespace sluice::asl::internal
