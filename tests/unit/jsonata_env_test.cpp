// Tests for the JSONata evaluation environment (the injected clock and random source), the
// function-result outcome, and AWS's sequence semantics for $range.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "asl/jsonata/jsonata.h"
#include "asl/random.h"

namespace sluice::asl::jsonata {
namespace {

// 2023-11-14T22:13:20.123Z
constexpr int64_t kNowMs = 1'700'000'000'123;

// Evaluates `expr` against an empty input; fails the test on a parse or evaluation error.
Json Evaluate(const std::string& expr, const Environment& env, Outcome expected = Outcome::kValue) {
  auto e = Expression::Parse(expr);
  EXPECT_TRUE(e.ok()) << expr;
  if (!e.ok()) return Json("<parse error>");
  Json input = Json::object();
  Json result;
  auto r = e->Run(&input, Json::object(), env, &result);
  EXPECT_TRUE(r.ok()) << expr << ": " << (r.ok() ? "" : r.error().message);
  if (!r.ok()) return Json("<eval error>");
  EXPECT_EQ(r.value(), expected) << expr;
  return result;
}

Json RunSeeded(const std::string& expr, uint64_t seed) {
  SeededRandom random(seed);
  return Evaluate(expr, Environment{kNowMs, &random});
}

const char* kDraws = "{'uuid': $uuid(), 'random': $random(), 'shuffle': $shuffle([1..20])}";

TEST(JsonataEnvTest, ClockFunctionsReportTheInjectedTime) {
  Environment env{kNowMs, nullptr};
  EXPECT_EQ(Evaluate("$millis()", env), Json(kNowMs));
  EXPECT_EQ(Evaluate("$now()", env), Json("2023-11-14T22:13:20.123Z"));
  EXPECT_EQ(Evaluate("$now('[Y0001]-[M01]-[D01]', '+0100')", env), Json("2023-11-14"));
  EXPECT_EQ(Evaluate("$now('[H01]:[m01]', '+0130')", env), Json("23:43"));
  EXPECT_EQ(Evaluate("$toMillis($now())", env), Json(kNowMs));
  // The time is fixed for the whole evaluation.
  EXPECT_EQ(Evaluate("[$millis(), $millis()]", env), Json::array({kNowMs, kNowMs}));
}

TEST(JsonataEnvTest, SameSeedDrawsTheSameValues) {
  Json first = RunSeeded(kDraws, 42);
  EXPECT_EQ(first, RunSeeded(kDraws, 42));
  Json other = RunSeeded(kDraws, 43);
  EXPECT_NE(first["uuid"], other["uuid"]);
  EXPECT_NE(first["random"], other["random"]);
  EXPECT_NE(first["shuffle"], other["shuffle"]);
}

TEST(JsonataEnvTest, SeededRandomIgnoresTheEnvironment) {
  Json a = RunSeeded("[$random(5), $random(5), $random(6)]", 1);
  EXPECT_EQ(a, RunSeeded("[$random(5), $random(5), $random(6)]", 2));
  EXPECT_EQ(a[0], a[1]);
  EXPECT_NE(a[0], a[2]);
  EXPECT_EQ(a, Evaluate("[$random(5), $random(5), $random(6)]", Environment()));
}

TEST(JsonataEnvTest, DrawsAdvanceTheInjectedGenerator) {
  SeededRandom random(7);
  Environment env{kNowMs, &random};
  Json a = Evaluate("$uuid()", env);
  Json b = Evaluate("$uuid()", env);
  EXPECT_NE(a, b);  // the second evaluation continues the sequence
  SeededRandom replay(7);
  Environment again{kNowMs, &replay};
  EXPECT_EQ(Evaluate("$uuid()", again), a);
  EXPECT_EQ(Evaluate("$uuid()", again), b);
}

TEST(JsonataEnvTest, DrawsHaveTheirDocumentedShape) {
  static const std::regex kUuidV4(
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (uint64_t seed = 0; seed < 50; ++seed) {
    Json draws = RunSeeded(kDraws, seed);
    EXPECT_TRUE(std::regex_match(draws["uuid"].get<std::string>(), kUuidV4)) << draws["uuid"];
    double r = draws["random"].get<double>();
    EXPECT_GE(r, 0.0);
    EXPECT_LT(r, 1.0);
    Json sorted = RunSeeded("$sort($shuffle([1..20]))", seed);
    EXPECT_EQ(sorted, Evaluate("[1..20]", Environment()));
  }
}

TEST(JsonataEnvTest, DefaultEnvironmentStillWorks) {
  static const std::regex kUuid(
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  Json u = Evaluate("$uuid()", Environment());
  EXPECT_TRUE(std::regex_match(u.get<std::string>(), kUuid)) << u;
  EXPECT_GT(Evaluate("$millis()", Environment()).get<int64_t>(), kNowMs);  // the real clock
}

TEST(JsonataEnvTest, FunctionResultIsReportedAsSuch) {
  Environment env;
  Evaluate("function($x){$x}", env, Outcome::kFunction);
  Evaluate("$fn := function($x){$x}", env, Outcome::kFunction);
  Evaluate("$uppercase", env, Outcome::kFunction);
  Evaluate("/ab/", env, Outcome::kFunction);
  Evaluate("$nothing", env, Outcome::kUndefined);
  // A function inside a structure is dropped, as JSON.stringify drops it.
  EXPECT_EQ(Evaluate("{'a': 1, 'f': function(){1}}", env), Json::parse(R"({"a":1})"));
  // The optional-JSON entry points see a function as undefined.
  auto e = Expression::Parse("function($x){$x}");
  ASSERT_TRUE(e.ok());
  auto r = e->Evaluate(Json::object(), Json::object());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(JsonataEnvTest, RangeIsASequence) {
  Environment env;
  EXPECT_EQ(Evaluate("$range(1, 9, 9)", env), Json(1));  // a singleton is unwrapped, as on AWS
  EXPECT_EQ(Evaluate("$range(1, 9, 2)", env), Json::parse("[1,3,5,7,9]"));
  EXPECT_EQ(Evaluate("$range(0, 10, 3)", env), Json::parse("[0,3,6,9]"));
  EXPECT_EQ(Evaluate("$range(3, 1, -1)", env), Json::parse("[3,2,1]"));
  EXPECT_EQ(Evaluate("$range(0, 1, 0.5)", env), Json::parse("[0,0.5,1]"));
  EXPECT_EQ(Evaluate("[$range(1, 9, 9)]", env), Json::parse("[1]"));
  EXPECT_EQ(Evaluate("$count($range(1, 9, 9))", env), Json(1));
  // $partition's result is an ordinary array: a single chunk stays nested.
  EXPECT_EQ(Evaluate("$partition([0], 1)", env), Json::parse("[[0]]"));
  EXPECT_EQ(Evaluate("$partition([0, 1], 4)", env), Json::parse("[[0,1]]"));
}

}  // namespace
}  // namespace sluice::asl::jsonata
