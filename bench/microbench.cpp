// Micro-benchmarks of the compiled language pieces (JSONPath, payload templates, intrinsics,
// Choice rules, JSONata) and of the executor's transition rate. Each benchmark also reports the
// min and max of its repetitions (--benchmark_repetitions=N), next to Google Benchmark's
// median. bench/run.sh builds and runs them; by hand:
//   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_BENCH=ON
//   cmake --build build-bench --target sluice_microbench
//   build-bench/bench/sluice_microbench --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "asl/choice.h"
#include "asl/intrinsics.h"
#include "asl/jsonata/jsonata.h"
#include "asl/loader.h"
#include "asl/path.h"
#include "asl/payload_template.h"
#include "asl/random.h"
#include "engine/executor.h"

namespace {

using sluice::Json;
namespace asl = sluice::asl;

double MinOf(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
double MaxOf(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }

// Registers a benchmark with min and max statistics over its repetitions.
#define SLUICE_BENCHMARK(fn) \
  BENCHMARK(fn)->ComputeStatistics("min", MinOf)->ComputeStatistics("max", MaxOf)

const Json& Data() {
  static const Json data = Json::parse(R"({"order":{"id":"o-1","items":[
      {"sku":"a","qty":2,"price":9.5},{"sku":"b","qty":1,"price":20}]},"customer":{"tier":"gold"}})");
  return data;
}

void BM_PathSelect(benchmark::State& state) {
  auto path = asl::Path::Parse("$.order.items[1].price").value();
  Json ctx = Json::object();
  asl::EvalScope scope{Data(), ctx};
  for (auto _ : state) benchmark::DoNotOptimize(path.Select(scope));
}
SLUICE_BENCHMARK(BM_PathSelect);

void BM_PathFilter(benchmark::State& state) {
  auto path = asl::Path::Parse("$.order.items[?(@.qty > 1)].sku").value();
  Json ctx = Json::object();
  asl::EvalScope scope{Data(), ctx};
  for (auto _ : state) benchmark::DoNotOptimize(path.Select(scope));
}
SLUICE_BENCHMARK(BM_PathFilter);

void BM_PayloadTemplate(benchmark::State& state) {
  auto tmpl =
      asl::PayloadTemplate::Compile(Json::parse(R"({"id.$":"$.order.id","tier.$":"$.customer.tier",
                                  "fixed":{"a":1},"skus.$":"$.order.items[*].sku"})"),
                                    "")
          .value();
  Json ctx = Json::object();
  asl::EvalScope scope{Data(), ctx};
  for (auto _ : state) benchmark::DoNotOptimize(tmpl.Apply(scope));
}
SLUICE_BENCHMARK(BM_PayloadTemplate);

void BM_IntrinsicFormat(benchmark::State& state) {
  auto call = asl::IntrinsicCall::Parse(
                  "States.Format('order {} for {}', $.order.id, "
                  "$.customer.tier)")
                  .value();
  Json ctx = Json::object();
  asl::EvalScope scope{Data(), ctx};
  for (auto _ : state) benchmark::DoNotOptimize(call.Evaluate(scope, "x.$"));
}
SLUICE_BENCHMARK(BM_IntrinsicFormat);

void BM_ChoiceRule(benchmark::State& state) {
  auto rule = asl::ChoiceRule::Compile(
                  Json::parse(R"({"And":[{"Variable":"$.customer.tier","StringEquals":"gold"},
                      {"Variable":"$.order.items[0].qty","NumericGreaterThan":1}],"Next":"X"})"),
                  "", true)
                  .value();
  Json ctx = Json::object();
  asl::EvalScope scope{Data(), ctx};
  for (auto _ : state) benchmark::DoNotOptimize(rule.Evaluate(scope));
}
SLUICE_BENCHMARK(BM_ChoiceRule);

// JSONata: each expression parsed once, evaluated many times.
void JsonataBench(benchmark::State& state, const char* text, const Json& input) {
  auto expr = asl::jsonata::Expression::Parse(text);
  if (!expr.ok()) {
    state.SkipWithError(expr.error().message.c_str());
    return;
  }
  const Json bindings = Json::object();
  for (auto _ : state) {
    auto r = expr.value().Evaluate(input, bindings);
    if (!r.ok() || !r.value()) {
      state.SkipWithError("the expression failed or returned nothing");
      return;
    }
    benchmark::DoNotOptimize(r);
  }
}

const Json& ThousandItems() {
  static const Json data = [] {
    Json items = Json::array();
    for (int i = 0; i < 1000; ++i) items.push_back(Json{{"sku", i}, {"price", i * 0.5}});
    return Json{{"items", items}};
  }();
  return data;
}

void BM_JsonataPath(benchmark::State& state) {
  JsonataBench(state, "order.items[1].price", Data());
}
SLUICE_BENCHMARK(BM_JsonataPath);

void BM_JsonataFilter(benchmark::State& state) {
  JsonataBench(state, "order.items[qty > 1].sku", Data());
}
SLUICE_BENCHMARK(BM_JsonataFilter);

void BM_JsonataSum1000(benchmark::State& state) {
  JsonataBench(state, "$sum(items.price)", ThousandItems());
}
SLUICE_BENCHMARK(BM_JsonataSum1000);

void BM_JsonataStringTemplate(benchmark::State& state) {
  JsonataBench(state,
               "'Order ' & order.id & ' for a ' & customer.tier & ' customer: ' & "
               "$string($count(order.items)) & ' items'",
               Data());
}
SLUICE_BENCHMARK(BM_JsonataStringTemplate);

// 1,000 chained Pass states in one execution, in memory: items processed = transitions.
void BM_PassChain1000(benchmark::State& state) {
  Json def = Json::object();
  def["StartAt"] = "S0";
  Json states = Json::object();
  for (int i = 0; i < 1000; ++i) {
    Json s = {{"Type", "Pass"}};
    if (i == 999) {
      s["End"] = true;
    } else {
      s["Next"] = "S" + std::to_string(i + 1);
    }
    states["S" + std::to_string(i)] = s;
  }
  def["States"] = states;
  auto machine = asl::Compile(def).value();
  for (auto _ : state) {
    sluice::engine::Executor ex(machine, sluice::engine::ExecutionOptions{});
    ex.Start(Json{{"n", 1}}, 0);
    benchmark::DoNotOptimize(ex.output());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
SLUICE_BENCHMARK(BM_PassChain1000);

}  // namespace

BENCHMARK_MAIN();
