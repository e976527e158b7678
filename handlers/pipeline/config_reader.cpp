// The generic half of config validation: locating problems and reading typed members.
#include <algorithm>
#include <climits>
#include <tuple>

#include "asl/diagnostic.h"
#include "asl/loader.h"
#include "handlers/pipeline/config_internal.h"
#include "handlers/pipeline/duration.h"

namespace sluice::pipeline::config_internal {
namespace {

// Configs are shallow; anything deeper is not worth locating (and bounds recursion through
// aliases).
constexpr int kMaxMarkDepth = 64;

void Collect(const YAML::Node& node, const std::string& pointer, int depth, SourceMarks* marks) {
  // An empty value ("key:" and nothing) is placed at the next token; its key is the better spot.
  const bool implicit_null = node.IsNull() && node.Scalar().empty();
  if (!implicit_null) marks->values.emplace(pointer, node.Mark());
  if (depth >= kMaxMarkDepth) return;
  if (node.IsMap()) {
    for (const auto& entry : node) {
      const YAML::Node key = entry.first;  // copies: the iterator's pair is a proxy
      const YAML::Node value = entry.second;
      if (!key.IsScalar()) continue;
      const std::string child = asl::JoinPointer(pointer, key.Scalar());
      marks->keys.emplace(child, key.Mark());
      Collect(value, child, depth + 1, marks);
    }
  } else if (node.IsSequence()) {
    size_t index = 0;
    for (const auto& element : node) {
      Collect(element, asl::JoinPointer(pointer, std::to_string(index++)), depth + 1, marks);
    }
  }
}

bool IsKnownMark(const YAML::Mark& mark) { return mark.line >= 0 && mark.column >= 0; }

std::string Parent(const std::string& pointer) {
  const size_t slash = pointer.rfind('/');
  return slash == std::string::npos ? "" : pointer.substr(0, slash);
}

std::string Join(std::initializer_list<std::string_view> names) {
  std::string text;
  for (std::string_view name : names) text += (text.empty() ? "" : ", ") + std::string(name);
  return text;
}

}  // namespace

Failure<ConfigDiagnostics> OneProblem(int line, int column, std::string message) {
  return Fail(ConfigDiagnostics{{"", line, column, std::move(message)}});
}

Result<SourceDocument, ConfigDiagnostics> ReadSourceDocument(std::string_view text,
                                                             std::string_view empty_message) {
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return OneProblem(0, 0, std::string(empty_message));
  const bool is_json = text[start] == '{';
  std::optional<YAML::Node> yaml;
  try {
    yaml = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    if (!is_json) return OneProblem(e.mark.line + 1, e.mark.column + 1, "invalid YAML: " + e.msg);
  }
  Result<Json> document = asl::ParseDefinitionText(text);
  if (!document.ok()) return OneProblem(0, 0, document.error());
  SourceDocument out{std::move(document).value(), {}};
  if (yaml) out.marks = CollectMarks(*yaml);
  return out;
}

SourceMarks CollectMarks(const YAML::Node& root) {
  SourceMarks marks;
  Collect(root, "", 0, &marks);
  return marks;
}

void Problems::AtValue(const std::string& pointer, std::string message) {
  Add(pointer, std::move(message), false);
}

void Problems::AtKey(const std::string& pointer, std::string message) {
  Add(pointer, std::move(message), true);
}

// Locates at the key or the value as asked, falling back to the other, then to the parent
// (an empty YAML value has no position of its own).
void Problems::Add(const std::string& pointer, std::string message, bool at_key) {
  ConfigDiagnostic diagnostic{pointer, 0, 0, std::move(message)};
  if (marks_ != nullptr) {
    const std::map<std::string, YAML::Mark>* order[] = {&marks_->values, &marks_->keys};
    if (at_key) std::swap(order[0], order[1]);
    for (std::string at = pointer; diagnostic.line == 0; at = Parent(at)) {
      for (const auto* marks : order) {
        auto found = marks->find(at);
        if (found != marks->end() && IsKnownMark(found->second) && diagnostic.line == 0) {
          diagnostic.line = found->second.line + 1;
          diagnostic.column = found->second.column + 1;
        }
      }
      if (at.empty()) break;
    }
  }
  list_.push_back(std::move(diagnostic));
}

ConfigDiagnostics Problems::Take() {
  const auto position = [](const ConfigDiagnostic& d) {
    return std::make_tuple(d.line == 0 ? INT_MAX : d.line, d.column, d.pointer);
  };
  std::stable_sort(list_.begin(), list_.end(),
                   [&](const auto& a, const auto& b) { return position(a) < position(b); });
  return std::move(list_);
}

std::string Describe(const Json& value) {
  switch (value.type()) {
    case Json::value_t::string:
      return "the string " + value.dump();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "the number " + value.dump();
    case Json::value_t::boolean:
      return "the boolean " + value.dump();
    case Json::value_t::array:
      return "a list";
    case Json::value_t::object:
      return "a map";
    default:
      return "null";
  }
}

MapReader::MapReader(Problems& problems, const Json& value, std::string pointer,
                     std::initializer_list<std::string_view> known_keys)
    : problems_(problems), pointer_(std::move(pointer)) {
  if (!value.is_object()) {
    problems_.AtValue(pointer_, "expected a map, got " + Describe(value));
    return;
  }
  object_ = &value;
  for (const auto& [key, member] : value.items()) {
    if (std::find(known_keys.begin(), known_keys.end(), key) == known_keys.end()) {
      problems_.AtKey(PointerOf(key),
                      "unknown key '" + key + "' (expected one of: " + Join(known_keys) + ")");
    }
  }
}

std::string MapReader::PointerOf(std::string_view key) const {
  return asl::JoinPointer(pointer_, std::string(key));
}

const Json* MapReader::Get(std::string_view key) const {
  if (object_ == nullptr) return nullptr;
  auto found = object_->find(std::string(key));
  return found == object_->end() ? nullptr : &*found;
}

void MapReader::ReportMissing(std::string_view key) const {
  problems_.AtValue(pointer_, "missing required key '" + std::string(key) + "'");
}

const Json* MapReader::Typed(std::string_view key, bool (*is_type)(const Json&), const char* what,
                             bool required) const {
  const Json* member = Get(key);
  if (member == nullptr) {
    if (required && valid()) ReportMissing(key);
    return nullptr;
  }
  if (!is_type(*member)) {
    problems_.AtValue(PointerOf(key),
                      std::string("expected ") + what + ", got " + Describe(*member));
    return nullptr;
  }
  return member;
}

std::optional<std::string> MapReader::String(std::string_view key, bool required) const {
  const Json* member = Typed(
      key, [](const Json& v) { return v.is_string(); }, "a string", required);
  if (member == nullptr) return std::nullopt;
  if (required && member->get_ref<const std::string&>().empty()) {
    problems_.AtValue(PointerOf(key), "must not be empty");
    return std::nullopt;
  }
  return member->get<std::string>();
}

std::optional<bool> MapReader::Bool(std::string_view key) const {
  const Json* member = Typed(
      key, [](const Json& v) { return v.is_boolean(); }, "a boolean (true or false)", false);
  if (member == nullptr) return std::nullopt;
  return member->get<bool>();
}

std::optional<int64_t> MapReader::Integer(std::string_view key, int64_t min, int64_t max) const {
  const Json* member = Typed(
      key, [](const Json& v) { return v.is_number_integer(); }, "an integer", false);
  if (member == nullptr) return std::nullopt;
  const bool fits = !member->is_number_unsigned() || member->get<uint64_t>() <= INT64_MAX;
  const int64_t value = fits ? member->get<int64_t>() : 0;
  if (!fits || value < min || value > max) {
    problems_.AtValue(PointerOf(key), member->dump() + " is out of range " + std::to_string(min) +
                                          "-" + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<double> MapReader::Number(std::string_view key) const {
  const Json* member = Typed(
      key, [](const Json& v) { return v.is_number(); }, "a number", false);
  if (member == nullptr) return std::nullopt;
  return member->get<double>();
}

std::optional<int64_t> MapReader::Duration(std::string_view key, int64_t min_seconds) const {
  const Json* member = Typed(
      key, [](const Json& v) { return v.is_string(); },
      "a duration string such as \"90s\", \"5m\", \"1h30m\" or \"1d\"", false);
  if (member == nullptr) return std::nullopt;
  Result<int64_t> seconds = ParseDuration(member->get<std::string>());
  if (!seconds.ok()) {
    problems_.AtValue(PointerOf(key), seconds.error());
    return std::nullopt;
  }
  if (*seconds < min_seconds) {
    problems_.AtValue(PointerOf(key), "must be at least " + FormatDuration(min_seconds));
    return std::nullopt;
  }
  return *seconds;
}

const Json* MapReader::Map(std::string_view key, bool required) const {
  return Typed(
      key, [](const Json& v) { return v.is_object(); }, "a map", required);
}

const Json* MapReader::List(std::string_view key) const {
  return Typed(
      key, [](const Json& v) { return v.is_array(); }, "a list", false);
}

}  // namespace sluice::pipeline::config_internal
