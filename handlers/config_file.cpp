#include "handlers/config_file.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace sluice::handlers {
namespace {

bool LooksLikeJson(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' || c == '[';
  }
  return false;
}

// nlohmann's messages start with "[json.exception.parse_error.101] "; the rest already names
// the line and column.
std::string WithoutExceptionId(std::string message) {
  if (!message.empty() && message[0] == '[') {
    size_t end = message.find("] ");
    if (end != std::string::npos) message.erase(0, end + 2);
  }
  return message;
}

Result<Json> ParseJson(std::string_view text, std::string_view label) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    return Fail(std::string(label) + ": " + WithoutExceptionId(e.what()));
  }
}

// YAML 1.2 core schema resolution of a plain (unquoted, untagged) scalar.
Json PlainScalar(const std::string& s) {
  static const std::regex kNull("^(~|null|Null|NULL|)$");
  static const std::regex kTrue("^(true|True|TRUE)$");
  static const std::regex kFalse("^(false|False|FALSE)$");
  static const std::regex kInt("^[-+]?[0-9]+$");
  static const std::regex kFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  if (std::regex_match(s, kNull)) return nullptr;
  if (std::regex_match(s, kTrue)) return true;
  if (std::regex_match(s, kFalse)) return false;
  if (std::regex_match(s, kInt)) {
    try {
      return std::stoll(s);  // base 10, so "007" is 7 as YAML 1.2 says
    } catch (const std::out_of_range&) {
      if (s[0] != '-') {
        try {
          return std::stoull(s);
        } catch (const std::out_of_range&) {
          // Beyond 64 bits: falls through to a double.
        }
      }
    }
  }
  if (std::regex_match(s, kFloat)) {
    try {
      return std::stod(s);
    } catch (const std::exception&) {
      // Out of range: keep the text.
    }
  }
  return s;
}

Json ScalarToJson(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  // "!" marks a quoted scalar; an explicit !!str tag also forces a string.
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return node.Scalar();
  return PlainScalar(node.Scalar());
}

Json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return ScalarToJson(node);
    case YAML::NodeType::Sequence: {
      Json array = Json::array();
      for (const auto& item : node) array.push_back(YamlToJson(item));
      return array;
    }
    case YAML::NodeType::Map: {
      Json object = Json::object();
      for (const auto& entry : node)
        object[entry.first.as<std::string>()] = YamlToJson(entry.second);
      return object;
    }
  }
  return nullptr;
}

Result<Json> ParseYaml(std::string_view text, std::string_view label) {
  try {
    return YamlToJson(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& e) {
    std::ostringstream out;
    out << label << ": line " << e.mark.line + 1 << ", column " << e.mark.column + 1 << ": "
        << e.msg;
    return Fail(out.str());
  }
}

}  // namespace

Result<Json> ParseJsonOrYaml(std::string_view text, std::string_view label) {
  return LooksLikeJson(text) ? ParseJson(text, label) : ParseYaml(text, label);
}

Result<Json> ReadJsonOrYamlFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(path + ": cannot read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return ParseJsonOrYaml(text.str(), path);
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace sluice::handlers
