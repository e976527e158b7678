// Micro-benchmarks of the compiled language pieces and of the executor's transition rate.
// Build: cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_BENCH=ON
//        cmake --build build-bench --target sluice_microbench &&
//        build-bench/bench/sluice_microbench
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "asl/choice.h"
#include "asl/intrinsics.h"
#include "asl/loader.h"
#include "asl/path.h"
#include "asl/payload_template.h"
#include "asl/random.h"
#include "engine/executor.h"

namespace {

using sluice::Json;
namespace asl = sluice::asl;

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
BENCHMARK(BM_PathSelect);

void BM_PathFilter(benchmark::State& state) {
  auto path = asl::Path::Parse("$.order.items[?(@.qty > 1)].sku").value();
  Json ctx = Json::object();
  asl::EvalScope scope{Data(), ctx};
  for (auto _ : state) benchmark::DoNotOptimize(path.Select(scope));
}
BENCHMARK(BM_PathFilter);

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
BENCHMARK(BM_PayloadTemplate);

void BM_IntrinsicFormat(benchmark::State& state) {
  auto call = asl::IntrinsicCall::Parse(
                  "States.Format('order {} for {}', $.order.id, "
                  "$.customer.tier)")
                  .value();
  Json ctx = Json::object();
  asl::EvalScope scope{Data(), ctx};
  for (auto _ : state) benchmark::DoNotOptimize(call.Evaluate(scope, "x.$"));
}
BENCHMARK(BM_IntrinsicFormat);

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
BENCHMARK(BM_ChoiceRule);

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
BENCHMARK(BM_PassChain1000);

}  // namespace

BENCHMARK_MAIN();
