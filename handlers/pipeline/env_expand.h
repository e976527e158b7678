// Environment-variable expansion for configs (job configs, the alerts file): `$NAME` and
// `${NAME}`. Only names with the documented prefix (SLUICE_) expand to their value; other names
// expand to "", so a config cannot read arbitrary secrets of the process. A `$` not followed by a
// name (or an unclosed `${`) stays as written. docs/pipelines.md and docs/alerts.md describe it.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace sluice::pipeline {

inline constexpr std::string_view kEnvPrefix = "SLUICE_";

// The value of an environment variable ("" when unset).
using Getenv = std::function<std::string(const std::string& name)>;

// The process's own environment.
Getenv ProcessGetenv();

std::string ExpandEnv(std::string_view text, const Getenv& getenv);

}  // namespace sluice::pipeline
