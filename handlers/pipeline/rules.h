// Validation rules: the declarative checks that decide whether a pipeline may run
// (validation.rules, schedule.trigger) and whether its output is sound (postRun.rules).
//
// A rule {key, check, field, value} looks up the sensor named `key` in a sensor map (key ->
// the sensor's data object) and checks its top-level `field` against `value`. Field names are
// literal: "a.b" names the key "a.b", it does not descend into "a" (Interlock has no nested paths).
//
// Checks (docs/pipelines.md has the full table):
//   exists        the sensor exists (and, when `field` is given, has that field)
//   equals        field == value (numbers numerically, see below)
//   gt gte lt lte field <op> value, both numeric
//   age_lt age_gt now - timestamp(field) < / > duration(value), strictly
//
// Preconditions of every check but `exists`: the sensor exists (non-null) and has `field`
// (a field whose value is null is present). A failed rule has a reason; a passed rule has none.
//
// Coercions:
//  - numeric: a JSON number, or a string that is entirely a decimal number
//    ([+-]digits[.digits][e[+-]digits], also ".5" and "5."); finite values only. Not numeric:
//    " 5 " (no trimming), "abc", "", "0x10", "NaN", "Inf", booleans, null, objects, lists.
//    Integers compare exactly (no rounding through double).
//  - equals: numeric when at least one side is a JSON number and the other is numeric
//    (42 == "42", 1000 == "1000.0", 1e6 == "1000000"); a boolean equals the same boolean or the
//    string "true"/"false" (Interlock compares Go renderings, so true == "true"); strings,
//    null, objects and lists compare as JSON values ("007" != "7", null == null).
//  - timestamps (age_*): an RFC 3339 string with an offset ("2026-03-01T12:00:00Z",
//    "...+05:30", fractional seconds), or epoch time as a JSON number or an integer string:
//    below 1e12 it is seconds, otherwise milliseconds (Interlock's rule for `updatedAt`).
//    A future timestamp has a negative age: age_lt passes, age_gt fails.
//  - durations (age_* values): duration.h text ("30m", "1d"); a bare number is an error.
//
// Combination: every rule is evaluated (no short circuit) and reported in order. ALL passes
// when every rule passes (an empty list passes); ANY when at least one does (an empty list
// fails).
//
// Thread rule: pure functions; safe everywhere.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>  // Rule holds a Json value
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asl/json.h"

namespace sluice::pipeline {

enum class Check {
  kExists,  // the sensor exists (and has `field`, if given)
  kEquals,  // field equals value
  kGt,      // field > value
  kGte,     // field >= value
  kLt,      // field < value
  kLte,     // field <= value
  kAgeLt,   // now - field < value (a duration)
  kAgeGt,   // now - field > value (a duration)
};

// "exists", "equals", "gt", "gte", "lt", "lte", "age_lt", "age_gt" (exact, lower case).
std::optional<Check> ParseCheck(std::string_view name);
std::string_view CheckName(Check check);
// The accepted names, comma-separated, for messages.
std::string_view CheckNames();

enum class Combinator {
  kAll,  // every rule passes
  kAny,  // at least one rule passes
};

// "ALL" or "ANY", case-insensitive.
std::optional<Combinator> ParseCombinator(std::string_view name);

struct Rule {
  std::string key;
  Check check = Check::kExists;
  std::string field;  // may be empty for kExists
  Json value;         // unused by kExists
};

struct RuleResult {
  std::string key;
  Check check = Check::kExists;
  bool passed = false;
  std::string reason;  // empty when passed
};

struct RulesOutcome {
  bool passed = false;
  std::vector<RuleResult> results;  // one per rule, in rule order
};

// `sensors` is an object of sensor key -> data (anything else counts as no sensors).
RuleResult EvaluateRule(const Rule& rule, const Json& sensors, int64_t now_ns);
RulesOutcome EvaluateRules(Combinator combinator, const std::vector<Rule>& rules,
                           const Json& sensors, int64_t now_ns);

// The coercions above, for other users of sensor data (config validation, drift detection).
// A long double holds every int64, uint64 and double exactly (a static_assert checks), so
// integers compare without rounding and 0.1 (JSON) equals "0.1" (string).
std::optional<long double> ToNumber(const Json& value);
// Nanoseconds since the epoch.
std::optional<int64_t> ToTimestamp(const Json& value);

}  // namespace sluice::pipeline
