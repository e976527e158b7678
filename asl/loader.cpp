// Definition text (JSON or YAML) → Json, and the Compile entry point (the compiler itself is in
// validator.cpp and compile_*.cpp).
#include "asl/loader.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "asl/compile_internal.h"

namespace sluice::asl {

namespace {

// Deeper YAML documents are refused: conversion is recursive, and a recursive alias
// (`&a [*a]`) would otherwise never end.
constexpr int kMaxYamlDepth = 512;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string LineColumn(int line, int column) {
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// JSON ------------------------------------------------------------------------------------

// Finds duplicate object keys while nlohmann parses (it would silently keep one value: a
// duplicated state would vanish). Tracks the pointer of the value being parsed.
class DuplicateKeyFinder {
 public:
  bool OnEvent(Json::parse_event_t event, const Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        frames_.push_back(Frame{.is_object = true});
        break;
      case Json::parse_event_t::array_start:
        frames_.push_back(Frame{.is_object = false});
        break;
      case Json::parse_event_t::key:
        OnKey(parsed.get<std::string>());
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        frames_.pop_back();
        ElementDone();
        break;
      case Json::parse_event_t::value:
        ElementDone();
        break;
    }
    return true;
  }

  const std::optional<std::string>& error() const { return error_; }

 private:
  struct Frame {
    bool is_object = false;
    std::set<std::string> keys = {};
    std::string key = {};  // objects: the key being parsed
    size_t index = 0;      // arrays: the index being parsed
  };

  void OnKey(std::string key) {
    Frame& frame = frames_.back();
    frame.key = std::move(key);
    if (!frame.keys.insert(frame.key).second && !error_) {
      error_ = "duplicate key '" + frame.key + "' at " + Pointer();
    }
  }

  void ElementDone() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().index;
  }

  std::string Pointer() const {
    std::string pointer;
    for (const Frame& frame : frames_) {
      pointer = JoinPointer(pointer, frame.is_object ? frame.key : std::to_string(frame.index));
    }
    return pointer;
  }

  std::vector<Frame> frames_;
  std::optional<std::string> error_;
};

Result<Json> ParseJson(std::string_view text) {
  DuplicateKeyFinder finder;
  Json::parser_callback_t callback = [&finder](int, Json::parse_event_t event, Json& parsed) {
    return finder.OnEvent(event, parsed);
  };
  try {
    Json json = Json::parse(text.begin(), text.end(), callback);
    if (finder.error()) return Fail("invalid JSON: " + *finder.error());
    return json;
  } catch (const Json::parse_error& e) {
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 2: …"
    std::string message = e.what();
    const std::string marker = "parse error at ";
    size_t at = message.find(marker);
    if (at != std::string::npos) message = message.substr(at + marker.size());
    return Fail("invalid JSON at " + message);
  }
}

// YAML ------------------------------------------------------------------------------------

bool IsDigits(std::string_view text, int base) {
  if (text.empty()) return false;
  for (char c : text) {
    bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                         : c >= '0' && c < static_cast<char>('0' + base);
    if (!ok) return false;
  }
  return true;
}

std::optional<Json> ParseYamlInteger(std::string_view text) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  int base = 10;
  if (!negative && text == digits && (digits.starts_with("0x") || digits.starts_with("0o"))) {
    base = digits[1] == 'x' ? 16 : 8;
    digits.remove_prefix(2);
  }
  if (!IsDigits(digits, base)) return std::nullopt;
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (ec == std::errc() && end == digits.data() + digits.size()) {
    const auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    if (!negative)
      return magnitude <= kMax ? Json(static_cast<int64_t>(magnitude)) : Json(magnitude);
    if (magnitude <= kMax + 1) return Json(static_cast<int64_t>(0 - magnitude));
  }
  if (base != 10) return std::nullopt;
  double value = 0;  // too large for 64 bits: a double, as JSON parsers do
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return Json(negative ? -value : value);
}

// YAML 1.2 core-schema float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
// (.inf and .nan have no JSON form and stay strings).
std::optional<Json> ParseYamlFloat(std::string_view text) {
  std::string_view body = text;
  bool negative = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  size_t i = 0;
  size_t int_digits = 0;
  size_t frac_digits = 0;
  while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++int_digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return std::nullopt;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '-' || body[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != body.size()) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ec != std::errc() || end != body.data() + body.size()) return std::nullopt;
  return Json(negative ? -value : value);
}

// An untagged plain scalar, resolved by the YAML 1.2 core schema.
Json ResolvePlainScalar(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (auto integer = ParseYamlInteger(text)) return *integer;
  if (auto number = ParseYamlFloat(text)) return *number;
  return text;
}

Json ConvertScalar(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  // "!" marks quoted scalars (always strings); "?" plain ones (resolved by content).
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return node.Scalar();
  return ResolvePlainScalar(node.Scalar());
}

std::string YamlError(const YAML::Mark& mark, const std::string& message) {
  return "invalid YAML at " + LineColumn(mark.line + 1, mark.column + 1) + ": " + message;
}

Result<Json> ConvertYaml(const YAML::Node& node, int depth);

Result<Json> ConvertYamlMap(const YAML::Node& node, int depth) {
  Json object = Json::object();
  std::set<std::string> keys;
  for (const auto& entry : node) {
    // Copies: the iterator's pair is a temporary proxy.
    const YAML::Node key = entry.first;
    const YAML::Node value_node = entry.second;
    if (!key.IsScalar() && !key.IsNull()) {
      return Fail(YamlError(key.Mark(), "keys must be strings"));
    }
    std::string name = key.IsScalar() ? key.Scalar() : "";
    if (!keys.insert(name).second) {
      return Fail(YamlError(key.Mark(), "duplicate key '" + name + "'"));
    }
    Result<Json> value = ConvertYaml(value_node, depth + 1);
    if (!value.ok()) return value;
    object[name] = std::move(value).value();
  }
  return object;
}

Result<Json> ConvertYaml(const YAML::Node& node, int depth) {
  if (depth > kMaxYamlDepth) {
    return Fail(
        YamlError(node.Mark(), "nested deeper than " + std::to_string(kMaxYamlDepth) + " levels"));
  }
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return Json(nullptr);
    case YAML::NodeType::Scalar:
      return ConvertScalar(node);
    case YAML::NodeType::Sequence: {
      Json array = Json::array();
      for (const auto& element : node) {
        Result<Json> value = ConvertYaml(element, depth + 1);
        if (!value.ok()) return value;
        array.push_back(std::move(value).value());
      }
      return array;
    }
    case YAML::NodeType::Map:
      return ConvertYamlMap(node, depth);
  }
  return Json(nullptr);
}

Result<Json> ParseYaml(std::string_view text) {
  try {
    return ConvertYaml(YAML::Load(std::string(text)), 0);
  } catch (const YAML::Exception& e) {
    return Fail(YamlError(e.mark, e.msg));
  }
}

}  // namespace

Result<Json> ParseDefinitionText(std::string_view text) {
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return Fail(std::string("the definition is empty"));
  // Whole text in both cases, so that error lines and columns match the file.
  return text[start] == '{' ? ParseJson(text) : ParseYaml(text);
}

Result<Json> LoadDefinitionFile(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    return Fail("cannot read definition file '" + path + "': it is a directory");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return Fail("cannot read definition file '" + path + "': " + std::strerror(errno));
  }
  std::ostringstream content;
  content << file.rdbuf();
  if (file.bad()) {
    return Fail("cannot read definition file '" + path + "': " + std::strerror(errno));
  }
  Result<Json> json = ParseDefinitionText(content.str());
  if (!json.ok()) return Fail(path + ": " + json.error());
  return json;
}

Result<std::shared_ptr<const StateMachine>, Diagnostics> Compile(const Json& definition) {
  try {
    internal::Compiler compiler(definition);
    return compiler.Run();
  } catch (const std::exception& e) {
    // Library exceptions stop at the module edge; reaching here is a bug in the compiler.
    return Fail(Diagnostics{{"", std::string("internal error while compiling: ") + e.what()}});
  }
}

std::string FormatDiagnostics(const Diagnostics& diagnostics) {
  std::string out;
  for (const auto& diagnostic : diagnostics) {
    out += diagnostic.pointer.empty() ? "(root)" : diagnostic.pointer;
    out += ": ";
    out += diagnostic.message;
    out += '\n';
  }
  return out;
}

}  // namespace sluice::asl
