// The state machines Sluice ships (statemachines/*.asl.json: the pipeline lifecycle and the SLA
// alert), compiled into the binary at build time (cmake/embed_statemachines.cmake), so every
// command finds them wherever the binary runs, with no path to the source tree.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace sluice::engine {

inline constexpr std::string_view kLifecycleMachine = "pipeline-lifecycle";
inline constexpr std::string_view kSlaAlertMachine = "sla-alert";

struct ShippedMachine {
  std::string_view name;        // the file name without .asl.json, e.g. "pipeline-lifecycle"
  std::string_view definition;  // the file's text, byte for byte
};

// Every shipped machine, by file name (generated source).
const std::vector<ShippedMachine>& ShippedMachines();

// The definition text of the shipped machine `name`, or nullopt.
inline std::optional<std::string_view> ShippedDefinition(std::string_view name) {
  for (const auto& m : ShippedMachines()) {
    if (m.name == name) return m.definition;
  }
  return std::nullopt;
}

}  // namespace sluice::engine
