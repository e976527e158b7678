// PayloadTemplate: a compiled `Parameters`, `ResultSelector`, `ItemSelector` (or a Map's legacy
// `Parameters`) value in JSONPath mode.
//
// Keys ending in ".$" are evaluated: a path (`$.x`, `$$.Execution.Id`, `$var`) or an
// intrinsic call (`States.Format(...)`); the ".$" is dropped from the output key. Other values
// are copied literally; nested objects and arrays are templates too (objects inside arrays
// included). Key order is preserved.
//
// Thread rule: immutable after Compile.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "asl/diagnostic.h"
#include "asl/errors.h"
#include "asl/json.h"
#include "asl/path.h"
#include "asl/result.h"

namespace sluice::asl {

class PayloadTemplate {
 public:
  // Compiles `tmpl` (any JSON value). Every invalid `.$` value (bad path, unknown intrinsic,
  // wrong arity, non-string value) is reported, located under `pointer`
  // (e.g. "/States/S/Parameters/value.$").
  static Result<PayloadTemplate, Diagnostics> Compile(const Json& tmpl, const std::string& pointer);

  // Builds the payload. A path that selects nothing fails with States.Runtime and AWS's cause:
  // "The JSONPath '$.x' specified for the field 'x.$' could not be found in the input '<input>'"
  // (the executor adds the "An error occurred while executing the state …" prefix).
  Result<Json, AslError> Apply(const EvalScope& scope) const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sluice::asl
