// A native JSONata engine following jsonata-js 2.0.6 (the version AWS Step Functions pins):
// lexer, Pratt parser and evaluator over Json. $eval is deliberately absent, as on AWS.
//
// Determinism: the only inputs an evaluation observes besides its input and bindings are the
// Environment's clock and random source. An evaluation given an Environment with both set
// ($now, $millis, $random, $shuffle and $uuid read nothing else) is a pure function of them, so
// the executor replays it exactly. Without them (the default) the engine reads the system clock
// and a nondeterministic generator, as jsonata-js does.
//
// Thread rule: an Expression is immutable after Parse; evaluate it from any thread. The
// Environment's `random` is used by one evaluation at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "asl/json.h"
#include "asl/random.h"
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

// What an evaluation may observe of the world.
struct Environment {
  // $now and $millis: milliseconds since the Unix epoch. Unset (the default): the system clock,
  // read once per evaluation.
  std::optional<int64_t> now_ms;
  // $random, $shuffle and $uuid draw from it; not owned, must outlive the evaluation. Null (the
  // default): a generator seeded from std::random_device.
  Random* random = nullptr;
};

// What an expression produced. jsonata-js returns functions as values, but they have no JSON
// form, so a function (or regex) result is reported as such instead of as JSON.
enum class Outcome {
  kValue,      // a JSON result
  kUndefined,  // no result (jsonata-js's undefined)
  kFunction,   // a function or regex
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
  // `$name`. Returns nullopt when the result is undefined (or a function), and reads the system
  // clock and a nondeterministic generator (the reference suite's harness uses these).
  Result<std::optional<Json>, Error> Evaluate(const Json& input, const Json& bindings) const;
  Result<std::optional<Json>, Error> Evaluate(const Json& input, const Json& bindings,
                                              const Limits& limits) const;
  // Same, with an undefined input (no context).
  Result<std::optional<Json>, Error> EvaluateUndefined(const Json& bindings) const;
  Result<std::optional<Json>, Error> EvaluateUndefined(const Json& bindings,
                                                       const Limits& limits) const;
  // The general form behind the others: `input` null means undefined, and `env` supplies the
  // clock and random source. On Outcome::kValue, `*result` holds the result; otherwise it is
  // left alone.
  Result<Outcome, Error> Run(const Json* input, const Json& bindings, const Environment& env,
                             Json* result, const Limits& limits = Limits()) const;
  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sluice::asl::jsonata
