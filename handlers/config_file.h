// Reading the handlers' configuration files (functions files, mock configs) as JSON.
//
// Parsed by asl::ParseDefinitionText: JSON when the text starts with '{', else YAML, read
// with the YAML 1.2 core schema (plain `true`, `null`, `12`, `1.5` are typed; quoted scalars are
// always strings). Errors name the file and, for syntax errors, the line and column.
#pragma once

#include <string>
#include <string_view>

#include "asl/json.h"
#include "asl/result.h"

namespace sluice::handlers {

// Parses `text`; `label` (usually the file name) starts every error message.
Result<Json> ParseJsonOrYaml(std::string_view text, std::string_view label);

// Reads and parses the file at `path`; errors start with `path`.
Result<Json> ReadJsonOrYamlFile(const std::string& path);

// The directory holding `path` ("." for a bare file name), for resolving relative paths that a
// configuration file contains.
std::string DirectoryOf(const std::string& path);

}  // namespace sluice::handlers
