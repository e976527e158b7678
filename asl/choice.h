// ChoiceRule: a compiled Choice state rule in JSONPath mode.
//
// A rule is either a comparison (`Variable` plus exactly one operator: String*/Numeric*/
// Boolean*/Timestamp* comparisons and their `*Path` variants, StringMatches, IsNull, IsPresent,
// IsNumeric, IsString, IsBoolean, IsTimestamp) or a combinator (`And`/`Or` over a non-empty
// array of rules, `Not` over one rule). Only top-level rules carry `Next` (and `Assign`); the
// caller (the definition compiler) handles those fields.
//
// Semantics follow AWS: comparisons against a value of the wrong type are false, not errors;
// IsPresent is the only operator that tolerates a missing Variable (a missing Variable otherwise
// fails with States.Runtime); timestamps are RFC 3339 strings compared as instants;
// StringMatches supports `*` wildcards with `\*` and `\\` escapes.
//
// Thread rule: immutable after Compile.
#pragma once

#include <memory>
#include <string>

#include "asl/diagnostic.h"
#include "asl/errors.h"
#include "asl/json.h"
#include "asl/path.h"
#include "asl/result.h"

namespace sluice::asl {

class ChoiceRule {
 public:
  // Compiles one rule located at `pointer` (e.g. "/States/C/Choices/0"). `top_level` rules may
  // (and must, the validator checks) carry `Next`; nested rules must not. Reports every
  // problem: unknown or missing operator, more than one operator, wrong operand type,
  // invalid path, empty And/Or, Next inside a nested rule.
  static Result<ChoiceRule, Diagnostics> Compile(const Json& rule, const std::string& pointer,
                                                 bool top_level);

  // Evaluates the rule against `scope.data` (the Choice state's effective input).
  Result<bool, AslError> Evaluate(const EvalScope& scope) const;

  // A short human-readable rendering, e.g. `$.x NumericGreaterThan 3`, for replay output.
  std::string Describe() const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sluice::asl
