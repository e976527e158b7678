#include "handlers/pipeline/rules.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "asl/timestamp.h"
#include "handlers/pipeline/civil_time.h"
#include "handlers/pipeline/duration.h"

namespace sluice::pipeline {
namespace {

constexpr struct {
  Check check;
  std::string_view name;
} kChecks[] = {
    {Check::kExists, "exists"}, {Check::kEquals, "equals"}, {Check::kGt, "gt"},
    {Check::kGte, "gte"},       {Check::kLt, "lt"},         {Check::kLte, "lte"},
    {Check::kAgeLt, "age_lt"},  {Check::kAgeGt, "age_gt"},
};

// Epoch numbers below this are seconds, others milliseconds (1e12 ms is 2001-09-09; 1e12 s is
// the year 33658).
constexpr long double kEpochMillisThreshold = 1e12L;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// [+-] (digits [. digits*] / . digits) [(e/E) [+-] digits]; sets `integral` when there is no
// fraction and no exponent.
bool IsDecimalNumber(std::string_view text, bool* integral) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  size_t digits = 0;
  while (i < text.size() && IsDigit(text[i])) ++i, ++digits;
  *integral = true;
  if (i < text.size() && text[i] == '.') {
    *integral = false;
    ++i;
    while (i < text.size() && IsDigit(text[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    *integral = false;
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    size_t exponent_digits = 0;
    while (i < text.size() && IsDigit(text[i])) ++i, ++exponent_digits;
    if (exponent_digits == 0) return false;
  }
  return i == text.size();
}

static_assert(std::numeric_limits<long double>::digits >= 64,
              "ToNumber needs a long double that holds every int64 and uint64 exactly");

// Integers are read as integers (exact), everything else as a double, as JSON numbers are.
std::optional<long double> ParseNumericString(std::string_view text) {
  bool integral = false;
  if (!IsDecimalNumber(text, &integral)) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);  // from_chars takes no '+'
  const char* end = text.data() + text.size();
  if (integral) {
    int64_t value = 0;
    if (std::from_chars(text.data(), end, value).ec == std::errc()) return value;
    uint64_t big = 0;
    if (std::from_chars(text.data(), end, big).ec == std::errc()) return big;
  }
  double real = 0;
  auto [ptr, ec] = std::from_chars(text.data(), end, real);
  if (ec != std::errc() || ptr != end || !std::isfinite(real)) return std::nullopt;
  return real;
}

int Compare(long double a, long double b) { return (a > b) - (a < b); }

// How a value appears in a reason: strings bare (as Interlock prints them), the rest as JSON.
std::string Render(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

RuleResult Passed(const Rule& rule) { return {rule.key, rule.check, true, ""}; }
RuleResult Failed(const Rule& rule, std::string reason) {
  return {rule.key, rule.check, false, std::move(reason)};
}

bool ValuesEqual(const Json& actual, const Json& expected) {
  if (actual.is_number() || expected.is_number()) {
    std::optional<long double> a = ToNumber(actual);
    std::optional<long double> b = ToNumber(expected);
    return a && b && *a == *b;
  }
  if (actual.is_boolean() && expected.is_string()) {
    return expected.get<std::string>() == (actual.get<bool>() ? "true" : "false");
  }
  if (actual.is_string() && expected.is_boolean()) return ValuesEqual(expected, actual);
  return actual == expected;
}

// The comparison a numeric check asks for, given CompareNumbers(actual, threshold).
bool NumericCheckHolds(Check check, int comparison) {
  switch (check) {
    case Check::kGt:
      return comparison > 0;
    case Check::kGte:
      return comparison >= 0;
    case Check::kLt:
      return comparison < 0;
    case Check::kLte:
      return comparison <= 0;
    case Check::kExists:
    case Check::kEquals:
    case Check::kAgeLt:
    case Check::kAgeGt:
      break;
  }
  return false;
}

RuleResult CheckNumeric(const Rule& rule, const Json& actual) {
  std::optional<long double> a = ToNumber(actual);
  if (!a)
    return Failed(rule,
                  "field " + Quoted(rule.field) + " value " + Render(actual) + " is not numeric");
  std::optional<long double> threshold = ToNumber(rule.value);
  if (!threshold) return Failed(rule, "rule value " + Render(rule.value) + " is not numeric");
  if (NumericCheckHolds(rule.check, Compare(*a, *threshold))) return Passed(rule);
  return Failed(rule, Render(actual) + " " + std::string(CheckName(rule.check)) + " " +
                          Render(rule.value) + " is false");
}

RuleResult CheckAge(const Rule& rule, const Json& actual, int64_t now_ns) {
  std::optional<int64_t> timestamp = ToTimestamp(actual);
  if (!timestamp) {
    return Failed(rule, "field " + Quoted(rule.field) + " value " + actual.dump() +
                            " is not a timestamp (RFC 3339 or epoch seconds/milliseconds)");
  }
  if (!rule.value.is_string()) {
    return Failed(rule, "rule value " + rule.value.dump() +
                            " is not a duration string (such as \"30m\" or \"1d\")");
  }
  Result<int64_t> limit = ParseDuration(rule.value.get<std::string>());
  if (!limit.ok()) return Failed(rule, "rule value: " + limit.error());
  const __int128 age = static_cast<__int128>(now_ns) - *timestamp;
  const __int128 limit_ns = static_cast<__int128>(*limit) * kNanosPerSecond;
  const bool less = rule.check == Check::kAgeLt;
  if (less ? age < limit_ns : age > limit_ns) return Passed(rule);
  const auto age_seconds = static_cast<int64_t>(age / kNanosPerSecond);
  return Failed(rule, "age " + FormatDuration(age_seconds) + " is not " +
                          (less ? "less" : "greater") + " than " + FormatDuration(*limit));
}

}  // namespace

std::optional<Check> ParseCheck(std::string_view name) {
  for (const auto& entry : kChecks) {
    if (entry.name == name) return entry.check;
  }
  return std::nullopt;
}

std::string_view CheckName(Check check) {
  for (const auto& entry : kChecks) {
    if (entry.check == check) return entry.name;
  }
  return "?";
}

std::string_view CheckNames() { return "exists, equals, gt, gte, lt, lte, age_lt, age_gt"; }

std::optional<Combinator> ParseCombinator(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "ALL") return Combinator::kAll;
  if (upper == "ANY") return Combinator::kAny;
  return std::nullopt;
}

std::optional<long double> ToNumber(const Json& value) {
  switch (value.type()) {
    case Json::value_t::number_integer:
      return value.get<int64_t>();
    case Json::value_t::number_unsigned:
      return value.get<uint64_t>();
    case Json::value_t::number_float: {
      const double real = value.get<double>();
      if (!std::isfinite(real)) return std::nullopt;
      return real;
    }
    case Json::value_t::string:
      return ParseNumericString(value.get_ref<const std::string&>());
    default:
      return std::nullopt;
  }
}

std::optional<int64_t> ToTimestamp(const Json& value) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (std::optional<int64_t> parsed = asl::ParseTimestamp(text)) return parsed;
    bool integral = false;
    if (!IsDecimalNumber(text, &integral) || !integral) return std::nullopt;
  } else if (!value.is_number()) {
    return std::nullopt;
  }
  std::optional<long double> number = ToNumber(value);
  if (!number) return std::nullopt;
  const long double epoch = *number;
  const long double scale =
      std::fabs(epoch) < kEpochMillisThreshold ? kNanosPerSecond : kNanosPerSecond / 1000;
  const long double nanos = std::floor(epoch * scale);
  if (nanos >= 0x1p63L || nanos < -0x1p63L) return std::nullopt;
  return static_cast<int64_t>(nanos);
}

RuleResult EvaluateRule(const Rule& rule, const Json& sensors, int64_t now_ns) {
  const Json* sensor = nullptr;
  if (sensors.is_object()) {
    auto found = sensors.find(rule.key);
    if (found != sensors.end() && !found->is_null()) sensor = &*found;
  }
  if (sensor == nullptr) return Failed(rule, "sensor " + Quoted(rule.key) + " does not exist");
  const Json* field = nullptr;
  if (sensor->is_object()) {
    auto found = sensor->find(rule.field);
    if (found != sensor->end()) field = &*found;
  }
  if (field == nullptr && (rule.check != Check::kExists || !rule.field.empty())) {
    return Failed(rule, "field " + Quoted(rule.field) + " not found in sensor data");
  }
  switch (rule.check) {
    case Check::kExists:
      return Passed(rule);
    case Check::kEquals:
      if (ValuesEqual(*field, rule.value)) return Passed(rule);
      return Failed(rule, "expected " + rule.value.dump() + ", got " + field->dump());
    case Check::kGt:
    case Check::kGte:
    case Check::kLt:
    case Check::kLte:
      return CheckNumeric(rule, *field);
    case Check::kAgeLt:
    case Check::kAgeGt:
      return CheckAge(rule, *field, now_ns);
  }
  return Failed(rule, "unknown check");
}

RulesOutcome EvaluateRules(Combinator combinator, const std::vector<Rule>& rules,
                           const Json& sensors, int64_t now_ns) {
  RulesOutcome outcome;
  size_t passed = 0;
  for (const Rule& rule : rules) {
    outcome.results.push_back(EvaluateRule(rule, sensors, now_ns));
    if (outcome.results.back().passed) ++passed;
  }
  switch (combinator) {
    case Combinator::kAll:
      outcome.passed = passed == rules.size();
      break;
    case Combinator::kAny:
      outcome.passed = passed > 0;
      break;
  }
  return outcome;
}

}  // namespace sluice::pipeline
