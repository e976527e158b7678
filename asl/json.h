// The JSON value type used across Sluice.
//
// Sluice uses nlohmann's ordered_json everywhere: AWS Step Functions preserves the key order of
// objects it builds (payload templates, States.JsonToString, merged results), and so must we.
// Headers include only this forward declaration; .cpp files include <nlohmann/json.hpp>.
#pragma once

#include <nlohmann/json_fwd.hpp>

namespace sluice {

using Json = nlohmann::ordered_json;

}  // namespace sluice
