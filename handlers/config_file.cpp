#include "handlers/config_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "asl/loader.h"

namespace sluice::handlers {

// One JSON/YAML reader serves definitions and configuration files alike: asl's, which keeps key
// order, types YAML scalars and rejects duplicate keys with their line and column.
Result<Json> ParseJsonOrYaml(std::string_view text, std::string_view label) {
  auto parsed = asl::ParseDefinitionText(text);
  if (!parsed.ok()) return Fail(std::string(label) + ": " + parsed.error());
  return std::move(parsed).value();
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
