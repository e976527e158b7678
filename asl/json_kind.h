// JsonKindName: how messages name the kind of a JSON value ("an object", "a number", …), so
// every "expected X, got Y" message in Sluice words it the same way.
#pragma once

#include "asl/json.h"

namespace sluice::asl {

// "null", "an object", "an array", "a string", "a boolean", "a number"; "an unsupported value"
// for the kinds no JSON text produces (binary, discarded).
const char* JsonKindName(const Json& value);

}  // namespace sluice::asl
