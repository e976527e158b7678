// Validation rules: each check at its boundaries, the coercions, and ALL/ANY combination.
// Interlock's engine tests (V1-V15) are included, adapted where Sluice fixes a defect.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "asl/timestamp.h"
#include "handlers/pipeline/rules.h"

namespace sluice::pipeline {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;

int64_t At(const char* rfc3339) { return *asl::ParseTimestamp(rfc3339); }

const int64_t kNow = At("2026-03-01T12:00:00Z");

Rule MakeRule(Check check, std::string field, Json value, std::string key = "s") {
  return Rule{std::move(key), check, std::move(field), std::move(value)};
}

// Evaluates one rule against sensor "s" holding {field: actual}.
RuleResult Eval(Check check, const Json& actual, const Json& value, int64_t now = kNow) {
  Json sensors = {{"s", {{"f", actual}}}};
  return EvaluateRule(MakeRule(check, "f", value), sensors, now);
}

bool Passes(Check check, const Json& actual, const Json& value) {
  return Eval(check, actual, value).passed;
}

std::string Reason(Check check, const Json& actual, const Json& value) {
  return Eval(check, actual, value).reason;
}

// Names --------------------------------------------------------------------------------------

TEST(PipelineRuleNamesTest, ChecksAndCombinators) {
  for (const char* name : {"exists", "equals", "gt", "gte", "lt", "lte", "age_lt", "age_gt"}) {
    std::optional<Check> check = ParseCheck(name);
    ASSERT_TRUE(check.has_value()) << name;
    EXPECT_EQ(CheckName(*check), name);
  }
  EXPECT_FALSE(ParseCheck("regex").has_value());
  EXPECT_FALSE(ParseCheck("GT").has_value());
  EXPECT_EQ(ParseCombinator("ALL"), Combinator::kAll);
  EXPECT_EQ(ParseCombinator("any"), Combinator::kAny);
  EXPECT_EQ(ParseCombinator("Any"), Combinator::kAny);
  EXPECT_FALSE(ParseCombinator("").has_value());
  EXPECT_FALSE(ParseCombinator("SOME").has_value());
}

// Preconditions and exists ------------------------------------------------------------------

TEST(PipelineExistsCheckTest, SensorPresence) {
  const Json sensors = {{"ready", {{"status", "x"}}}, {"empty", nullptr}, {"scalar", "up"}};
  EXPECT_TRUE(EvaluateRule(MakeRule(Check::kExists, "", nullptr, "ready"), sensors, kNow).passed);
  EXPECT_TRUE(EvaluateRule(MakeRule(Check::kExists, "", nullptr, "scalar"), sensors, kNow).passed);
  RuleResult missing = EvaluateRule(MakeRule(Check::kExists, "", nullptr, "gone"), sensors, kNow);
  EXPECT_FALSE(missing.passed);
  EXPECT_EQ(missing.reason, "sensor \"gone\" does not exist");
  EXPECT_FALSE(EvaluateRule(MakeRule(Check::kExists, "", nullptr, "empty"), sensors, kNow).passed);
  // Not an object: there are no sensors at all.
  EXPECT_FALSE(
      EvaluateRule(MakeRule(Check::kExists, "", nullptr, "ready"), Json::array(), kNow).passed);
}

TEST(PipelineExistsCheckTest, WithAFieldChecksTheField) {
  const Json sensors = {{"s", {{"status", nullptr}}}};
  EXPECT_TRUE(EvaluateRule(MakeRule(Check::kExists, "status", nullptr), sensors, kNow).passed);
  RuleResult missing = EvaluateRule(MakeRule(Check::kExists, "count", nullptr), sensors, kNow);
  EXPECT_FALSE(missing.passed);
  EXPECT_EQ(missing.reason, "field \"count\" not found in sensor data");
}

TEST(PipelineRulePreconditionsTest, MissingSensorOrField) {
  const Json sensors = {{"s", {{"a", {{"b", 1}}}, {"a.b", 2}}}};
  RuleResult no_sensor = EvaluateRule(MakeRule(Check::kGt, "a", 0, "t"), sensors, kNow);
  EXPECT_EQ(no_sensor.reason, "sensor \"t\" does not exist");
  RuleResult no_field = EvaluateRule(MakeRule(Check::kGt, "count", 0), sensors, kNow);
  EXPECT_FALSE(no_field.passed);
  EXPECT_EQ(no_field.reason, "field \"count\" not found in sensor data");
  // Field names are literal: "a.b" is the key "a.b", not a path into "a".
  EXPECT_TRUE(EvaluateRule(MakeRule(Check::kEquals, "a.b", 2), sensors, kNow).passed);
  EXPECT_FALSE(EvaluateRule(MakeRule(Check::kEquals, "a.b", 1), sensors, kNow).passed);
  // A null field is present (so the failure is about its value).
  EXPECT_EQ(Reason(Check::kGt, nullptr, 1), "field \"f\" value null is not numeric");
}

// equals --------------------------------------------------------------------------------------

TEST(PipelineEqualsCheckTest, StringsBooleansAndNumbers) {
  EXPECT_TRUE(Passes(Check::kEquals, "COMPLETE", "COMPLETE"));  // V1
  EXPECT_EQ(Eval(Check::kEquals, "COMPLETE", "COMPLETE").reason, "");
  EXPECT_EQ(Reason(Check::kEquals, "PENDING", "COMPLETE"),  // V2
            "expected \"COMPLETE\", got \"PENDING\"");
  EXPECT_TRUE(Passes(Check::kEquals, true, true));  // V3
  EXPECT_FALSE(Passes(Check::kEquals, false, true));
  EXPECT_TRUE(Passes(Check::kEquals, 42, 42));
  EXPECT_FALSE(Passes(Check::kEquals, "complete", "COMPLETE"));  // case matters
}

TEST(PipelineEqualsCheckTest, Coercions) {
  // A number against a numeric string compares numerically.
  EXPECT_TRUE(Passes(Check::kEquals, 42, "42"));
  EXPECT_TRUE(Passes(Check::kEquals, "42", 42));
  EXPECT_TRUE(Passes(Check::kEquals, 1000, "1000.0"));      // Interlock: not equal
  EXPECT_TRUE(Passes(Check::kEquals, 1000000, "1000000"));  // Interlock: not equal (1e+06)
  EXPECT_TRUE(Passes(Check::kEquals, 1e6, 1000000));
  EXPECT_TRUE(Passes(Check::kEquals, 0.1, "0.1"));
  EXPECT_TRUE(Passes(Check::kEquals, 7, "007"));
  EXPECT_FALSE(Passes(Check::kEquals, 42, "forty-two"));
  EXPECT_FALSE(Passes(Check::kEquals, 5, " 5 "));
  // Two strings compare as strings, even when both are numeric.
  EXPECT_FALSE(Passes(Check::kEquals, "007", "7"));
  EXPECT_TRUE(Passes(Check::kEquals, "007", "007"));
  // Booleans equal their string spelling, nothing else.
  EXPECT_TRUE(Passes(Check::kEquals, true, "true"));
  EXPECT_TRUE(Passes(Check::kEquals, "false", false));
  EXPECT_FALSE(Passes(Check::kEquals, true, "TRUE"));
  EXPECT_FALSE(Passes(Check::kEquals, true, 1));
  // null, objects and lists compare as JSON values.
  EXPECT_TRUE(Passes(Check::kEquals, nullptr, nullptr));
  EXPECT_FALSE(Passes(Check::kEquals, nullptr, "null"));
  EXPECT_EQ(Reason(Check::kEquals, nullptr, "x"), "expected \"x\", got null");
  EXPECT_TRUE(Passes(Check::kEquals, Json({{"a", 1}}), Json({{"a", 1}})));
  EXPECT_FALSE(Passes(Check::kEquals, Json::array({1, 2}), Json::array({2, 1})));
}

// gt gte lt lte ------------------------------------------------------------------------------

TEST(PipelineNumericCheckTest, Boundaries) {
  EXPECT_TRUE(Passes(Check::kGt, 101, 100));  // V5
  EXPECT_FALSE(Passes(Check::kGt, 100, 100));
  EXPECT_EQ(Reason(Check::kGt, 100, 100), "100 gt 100 is false");
  EXPECT_TRUE(Passes(Check::kGte, 150, 100));  // V4
  EXPECT_TRUE(Passes(Check::kGte, 100, 100));
  EXPECT_FALSE(Passes(Check::kGte, 50, 100));
  EXPECT_EQ(Reason(Check::kGte, 50, 100), "50 gte 100 is false");
  EXPECT_TRUE(Passes(Check::kLt, 200, 500));
  EXPECT_FALSE(Passes(Check::kLt, 500, 500));
  EXPECT_TRUE(Passes(Check::kLte, 500, 500));
  EXPECT_FALSE(Passes(Check::kLte, 501, 500));
  EXPECT_EQ(Reason(Check::kLte, 0.10, 0.05), "0.1 lte 0.05 is false");  // V6
  EXPECT_TRUE(Passes(Check::kLt, -0.5, 0));
  EXPECT_TRUE(Passes(Check::kGte, 0.0, -0.0));
}

TEST(PipelineNumericCheckTest, IntegersCompareExactly) {
  // Equal as doubles, different as integers.
  EXPECT_TRUE(Passes(Check::kGt, int64_t{9007199254740993}, int64_t{9007199254740992}));
  EXPECT_TRUE(Passes(Check::kGt, uint64_t{18446744073709551615u}, uint64_t{18446744073709551614u}));
  EXPECT_TRUE(Passes(Check::kGt, "9223372036854775807", int64_t{9223372036854775806}));
  EXPECT_TRUE(Passes(Check::kLt, int64_t{-9223372036854775807 - 1}, "-9223372036854775807"));
}

TEST(PipelineNumericCheckTest, NumericStrings) {
  EXPECT_TRUE(Passes(Check::kGte, "150", "100"));  // V7
  EXPECT_TRUE(Passes(Check::kGt, "10", 9));
  EXPECT_FALSE(Passes(Check::kLt, "10", 9));
  EXPECT_TRUE(Passes(Check::kGte, "1e3", 1000));
  EXPECT_TRUE(Passes(Check::kLte, "1e3", 1000));
  EXPECT_TRUE(Passes(Check::kGt, "1E-3", 0));
  EXPECT_TRUE(Passes(Check::kGt, "0.95", "0.9"));
  EXPECT_TRUE(Passes(Check::kGt, "+5", 4));
  EXPECT_TRUE(Passes(Check::kLt, "-5", 0));
  EXPECT_TRUE(Passes(Check::kGt, ".5", 0));
  EXPECT_TRUE(Passes(Check::kGt, "5.", 4));
  EXPECT_EQ(Reason(Check::kGt, "10", 90), "10 gt 90 is false");
}

TEST(PipelineNumericCheckTest, NonNumericValuesFail) {
  EXPECT_EQ(Reason(Check::kGte, "abc", 100), "field \"f\" value abc is not numeric");  // V7
  for (const Json& value :
       {Json(" 5 "), Json("5 "), Json(""), Json("0x10"), Json("NaN"), Json("Inf"), Json("infinity"),
        Json("1e400"), Json("1,000"), Json("1e"), Json("."), Json("--1"), Json(true), Json(false),
        Json(nullptr), Json::object(), Json::array({1})}) {
    RuleResult result = Eval(Check::kGt, value, 0);
    EXPECT_FALSE(result.passed) << value.dump();
    EXPECT_NE(result.reason.find("is not numeric"), std::string::npos) << value.dump();
  }
  EXPECT_EQ(Reason(Check::kGt, 5, "not-a-number"),  // V8
            "rule value not-a-number is not numeric");
  EXPECT_EQ(Reason(Check::kGt, 5, true), "rule value true is not numeric");
}

TEST(PipelineToNumberTest, Values) {
  EXPECT_EQ(ToNumber(42), 42.0L);
  EXPECT_EQ(ToNumber("1e3"), 1000.0L);
  EXPECT_EQ(ToNumber("-0.25"), -0.25L);
  EXPECT_FALSE(ToNumber(" 5 ").has_value());
  EXPECT_FALSE(ToNumber(true).has_value());
  EXPECT_FALSE(ToNumber(nullptr).has_value());
}

// age_lt age_gt --------------------------------------------------------------------------------

TEST(PipelineAgeCheckTest, AgeLtIsStrict) {
  EXPECT_TRUE(Passes(Check::kAgeLt, "2026-03-01T11:30:00Z", "1h"));  // V10
  RuleResult stale = Eval(Check::kAgeLt, "2026-03-01T10:00:00Z", "1h");
  EXPECT_FALSE(stale.passed);
  EXPECT_EQ(stale.reason, "age 2h is not less than 1h");
  EXPECT_FALSE(Passes(Check::kAgeLt, "2026-03-01T11:00:00Z", "1h"));  // exactly 1h
  EXPECT_TRUE(Passes(Check::kAgeLt, "2026-03-01T11:00:00.000000001Z", "1h"));
  EXPECT_TRUE(Passes(Check::kAgeLt, "2026-03-01T13:00:00Z", "1h"));  // future: negative age
}

TEST(PipelineAgeCheckTest, AgeGtIsImplementedAndStrict) {
  // Interlock documents age_gt but fails it as an unknown operator.
  EXPECT_TRUE(Passes(Check::kAgeGt, "2026-03-01T10:00:00Z", "1h"));
  EXPECT_FALSE(Passes(Check::kAgeGt, "2026-03-01T11:00:00Z", "1h"));  // exactly 1h
  EXPECT_TRUE(Passes(Check::kAgeGt, "2026-03-01T10:59:59.999999999Z", "1h"));
  EXPECT_EQ(Reason(Check::kAgeGt, "2026-03-01T11:30:00Z", "1h"), "age 30m is not greater than 1h");
  EXPECT_EQ(Reason(Check::kAgeGt, "2026-03-01T12:05:00Z", "1h"), "age -5m is not greater than 1h");
  EXPECT_TRUE(Passes(Check::kAgeGt, "2026-02-27T12:00:00Z", "1d12h"));
}

TEST(PipelineAgeCheckTest, TimestampForms) {
  // RFC 3339 with offsets and fractions.
  EXPECT_TRUE(Passes(Check::kAgeLt, "2026-03-01T17:00:00+05:30", "1h"));  // 11:30Z
  EXPECT_TRUE(Passes(Check::kAgeLt, "2026-03-01T11:30:00.123456+00:00", "1h"));
  // Epoch seconds and milliseconds (numbers or integer strings); below 1e12 means seconds.
  const int64_t half_hour_ago = (kNow - 30 * kMinute) / kSecond;
  EXPECT_TRUE(Passes(Check::kAgeLt, half_hour_ago, "1h"));
  EXPECT_TRUE(Passes(Check::kAgeLt, half_hour_ago * 1000, "1h"));
  EXPECT_TRUE(Passes(Check::kAgeLt, std::to_string(half_hour_ago), "1h"));
  EXPECT_TRUE(Passes(Check::kAgeGt, half_hour_ago, "29m"));
  EXPECT_FALSE(Passes(Check::kAgeGt, half_hour_ago, "30m"));
}

TEST(PipelineAgeCheckTest, BadTimestampsAndDurations) {
  for (const Json& value :
       {Json("2026-03-01"), Json("2026-03-01 11:00:00Z"), Json("2026-03-01T11:00:00"),
        Json("yesterday"), Json("1.7e9"), Json(true), Json(nullptr), Json::object()}) {
    EXPECT_EQ(Reason(Check::kAgeLt, value, "1h"),
              "field \"f\" value " + value.dump() +
                  " is not a timestamp (RFC 3339 or epoch seconds/milliseconds)");
  }
  EXPECT_EQ(Reason(Check::kAgeLt, "2026-03-01T11:00:00Z", 3600),  // V11
            "rule value 3600 is not a duration string (such as \"30m\" or \"1d\")");
  EXPECT_EQ(Reason(Check::kAgeLt, "2026-03-01T11:00:00Z", "1 hour"),
            "rule value: invalid duration \"1 hour\": unknown unit \" hour\" (use s, m, h or d)");
}

TEST(PipelineToTimestampTest, EpochUnits) {
  EXPECT_EQ(ToTimestamp(1700000000), 1700000000 * kSecond);
  EXPECT_EQ(ToTimestamp(int64_t{1700000000000}), 1700000000 * kSecond);
  EXPECT_EQ(ToTimestamp("1700000000"), 1700000000 * kSecond);
  EXPECT_EQ(ToTimestamp(1700000000.5), 1700000000 * kSecond + kSecond / 2);
  // 1e12 is the first millisecond value: 2001-09-09T01:46:40Z.
  EXPECT_EQ(ToTimestamp(int64_t{1000000000000}), At("2001-09-09T01:46:40Z"));
  EXPECT_EQ(ToTimestamp(int64_t{999999999999}), std::nullopt);  // seconds past year 2262
  EXPECT_EQ(ToTimestamp("2026-03-01T12:00:00Z"), kNow);
  EXPECT_EQ(ToTimestamp(-1), -kSecond);
}

// Combination ---------------------------------------------------------------------------------

const Json kSensors = {{"a", {{"n", 1}}}, {"b", {{"n", 2}}}};

std::vector<Rule> ThreeRules() {
  return {MakeRule(Check::kEquals, "n", 1, "a"), MakeRule(Check::kEquals, "n", 9, "b"),
          MakeRule(Check::kExists, "", nullptr, "c")};
}

TEST(PipelineEvaluateRulesTest, AllEvaluatesEveryRuleInOrder) {
  RulesOutcome outcome = EvaluateRules(Combinator::kAll, ThreeRules(), kSensors, kNow);  // V13
  EXPECT_FALSE(outcome.passed);
  ASSERT_EQ(outcome.results.size(), 3u);
  EXPECT_EQ(outcome.results[0].key, "a");
  EXPECT_TRUE(outcome.results[0].passed);
  EXPECT_EQ(outcome.results[1].key, "b");
  EXPECT_EQ(outcome.results[1].check, Check::kEquals);
  EXPECT_EQ(outcome.results[1].reason, "expected 9, got 2");
  EXPECT_EQ(outcome.results[2].key, "c");  // evaluated although an earlier rule failed
  EXPECT_EQ(outcome.results[2].reason, "sensor \"c\" does not exist");

  std::vector<Rule> passing = {ThreeRules()[0]};
  EXPECT_TRUE(EvaluateRules(Combinator::kAll, passing, kSensors, kNow).passed);
}

TEST(PipelineEvaluateRulesTest, AnyNeedsOnePass) {
  RulesOutcome one = EvaluateRules(Combinator::kAny, ThreeRules(), kSensors, kNow);  // V14
  EXPECT_TRUE(one.passed);
  EXPECT_EQ(one.results.size(), 3u);  // no short circuit after the first pass
  std::vector<Rule> failing = {ThreeRules()[1], ThreeRules()[2]};
  RulesOutcome none = EvaluateRules(Combinator::kAny, failing, kSensors, kNow);
  EXPECT_FALSE(none.passed);
  EXPECT_EQ(none.results.size(), 2u);
}

TEST(PipelineEvaluateRulesTest, EmptyRuleLists) {
  RulesOutcome all = EvaluateRules(Combinator::kAll, {}, kSensors, kNow);  // V15
  EXPECT_TRUE(all.passed);
  EXPECT_TRUE(all.results.empty());
  EXPECT_FALSE(EvaluateRules(Combinator::kAny, {}, kSensors, kNow).passed);
}

}  // namespace
}  // namespace sluice::pipeline
