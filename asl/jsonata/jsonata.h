// A native JSONata (v2.0.6 subset) engine: lexer, Pratt parser and evaluator over Json.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "asl/json.h"
#include "asl/result.h"

namespace sluice::asl::jsonata {

struct Error {
  std::string code;
  std::string message;
  int64_t position = -1;
};

class Expression {
 public:
  // Parses once; immutable and shareable afterwards.
  static Result<Expression, Error> Parse(std::string_view text);
  // Evaluates with `input` bound to `$` and each member of `bindings` (an object) bound to
  // `$name`. Returns nullopt when the result is undefined.
  Result<std::optional<Json>, Error> Evaluate(const Json& input, const Json& bindings) const;
  // Same, with an undefined input (no context).
  Result<std::optional<Json>, Error> EvaluateUndefined(const Json& bindings) const;
  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sluice::asl::jsonata
