// Benchmark state machines: see machines.h.
#include "bench/machines.h"

#include <nlohmann/json.hpp>

#include "asl/loader.h"
#include "bench/harness.h"

namespace sluice::bench {

namespace {

constexpr const char* kWorkArn = "arn:aws:lambda:us-east-1:123456789012:function:work";

Machine Compiled(const Json& definition, int states_per_execution) {
  Machine m;
  m.text = definition.dump();
  auto parsed = Check(asl::ParseDefinitionText(m.text), "benchmark definition");
  auto compiled = asl::Compile(parsed);
  if (!compiled.ok()) Die("benchmark definition: " + asl::FormatDiagnostics(compiled.error()));
  m.compiled = compiled.value();
  m.states_per_execution = states_per_execution;
  return m;
}

Json Next(Json state, const std::string& next) {
  state["Next"] = next;
  return state;
}

Json ChoiceOn(const std::string& variable, const std::string& next, const std::string& other) {
  return Json{
      {"Type", "Choice"},
      {"Choices",
       Json::array({Json{{"Variable", variable}, {"BooleanEquals", true}, {"Next", next}}})},
      {"Default", other}};
}

Json WorkTask(const std::string& next) {
  return Json{{"Type", "Task"}, {"Resource", kWorkArn}, {"ResultPath", "$.work"}, {"Next", next}};
}

}  // namespace

Machine PassChain(int n) {
  Json states = Json::object();
  for (int i = 0; i < n; ++i) {
    Json s = {{"Type", "Pass"}};
    if (i + 1 == n) {
      s["End"] = true;
    } else {
      s["Next"] = "S" + std::to_string(i + 1);
    }
    states["S" + std::to_string(i)] = s;
  }
  return Compiled(Json{{"StartAt", "S0"}, {"States", states}}, n);
}

Machine PassMap() {
  Json processor = {{"ProcessorConfig", {{"Mode", "INLINE"}}},
                    {"StartAt", "Item"},
                    {"States", {{"Item", {{"Type", "Pass"}, {"End", true}}}}}};
  Json fan = {
      {"Type", "Map"}, {"ItemsPath", "$.items"}, {"ItemProcessor", processor}, {"End", true}};
  return Compiled(Json{{"StartAt", "Fan"}, {"States", {{"Fan", fan}}}}, 1);
}

Json MapInput(int n) {
  Json items = Json::array();
  for (int i = 0; i < n; ++i) items.push_back(i);
  return Json{{"items", items}};
}

Machine TenStates() {
  Json pass = {{"Type", "Pass"}};
  Json wait0 = {{"Type", "Wait"}, {"Seconds", 0}};
  Json states = Json::object();
  states["Init"] = Next(pass, "Route");
  states["Route"] = ChoiceOn("$.go", "Pause", "Done");
  states["Pause"] = Next(wait0, "Work");
  states["Work"] = WorkTask("Shape");
  states["Shape"] = Next(pass, "Check");
  states["Check"] = ChoiceOn("$.work.ok", "Pause2", "Done");
  states["Pause2"] = Next(wait0, "Work2");
  states["Work2"] = WorkTask("Finish");
  states["Finish"] = Next(pass, "Done");
  states["Done"] = Json{{"Type", "Succeed"}};
  return Compiled(Json{{"StartAt", "Init"}, {"States", states}}, 10);
}

Json TenStateFunctions() { return Json{{"functions", {{"work", {{"return", {{"ok", true}}}}}}}}; }

Machine LongWait() {
  Json states = Json::object();
  states["Init"] = Json{{"Type", "Pass"}, {"Next", "Hold"}};
  states["Hold"] = Json{{"Type", "Wait"}, {"TimestampPath", "$.until"}, {"Next", "Done"}};
  states["Done"] = Json{{"Type", "Succeed"}};
  return Compiled(Json{{"StartAt", "Init"}, {"States", states}}, 3);
}

Machine OneState() {
  return Compiled(
      Json{{"StartAt", "Hello"}, {"States", {{"Hello", {{"Type", "Pass"}, {"End", true}}}}}}, 1);
}

std::string DefinitionText(const std::string& name) {
  if (name == "pass-chain") return PassChain(1000).text;
  if (name == "map") return PassMap().text;
  if (name == "ten-states") return TenStates().text;
  if (name == "long-wait") return LongWait().text;
  if (name == "one-state") return OneState().text;
  return "";
}

}  // namespace sluice::bench
