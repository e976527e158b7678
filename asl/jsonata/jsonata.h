// A native JSONata engine following jsonata-js 2.0.6 (the version AWS Step Functions pins):
// lexer, Pratt parser and evaluator over Json. $eval is deliberately absent, as on AWS.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "asl/json.h"
#include "asl/result.h"

namespace sluice::asl::jsonata {

// Evaluation bounds. jsonata-js has none, so a hostile expression (unbounded recursion, an
// infinite tail-recursive loop) would hang or exhaust memory; here it fails with U1001, as in
// the reference test harness. Evaluation also stops with U1001 before the machine stack runs
// out, whatever `max_depth` says. The range operator's 1e7 limit (D2014) is part of JSONata.
inline constexpr int kDefaultMaxDepth = 5000;         // nested evaluation steps
inline constexpr int64_t kDefaultTimeLimitMs = 5000;  // wall-clock budget per evaluation
inline constexpr double kMaxRangeSize = 1e7;          // items made by `..` (D2014)

struct Limits {
  int max_depth = kDefaultMaxDepth;
  int64_t time_limit_ms = kDefaultTimeLimitMs;
};

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
  Result<std::optional<Json>, Error> Evaluate(const Json& input, const Json& bindings,
                                              const Limits& limits) const;
  // Same, with an undefined input (no context).
  Result<std::optional<Json>, Error> EvaluateUndefined(const Json& bindings) const;
  Result<std::optional<Json>, Error> EvaluateUndefined(const Json& bindings,
                                                       const Limits& limits) const;
  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sluice::asl::jsonata
