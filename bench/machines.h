// The state machines and inputs the benchmark scenarios run, in one place, so that sluice_bench
// and the peer comparison (bench/compare-peer, via `sluice_bench definition NAME`) run exactly
// the same definitions.
#pragma once

#include <memory>
#include <string>

#include "asl/json.h"
#include "asl/state_machine.h"

namespace sluice::bench {

// A definition as text (what Service::Start stores) and compiled.
struct Machine {
  std::string text;
  std::shared_ptr<const asl::StateMachine> compiled;
  int states_per_execution = 0;  // states entered by one successful execution
};

// `n` Pass states S0 → S1 → … → S(n-1), the last one ending the execution.
Machine PassChain(int n);

// One Map state over `$.items`, each item processed by one Pass state (INLINE).
Machine PassMap();
// {"items": [0, 1, …, n-1]}
Json MapInput(int n);

// Ten states: Pass, Choice, Wait 0, Task, Pass, Choice, Wait 0, Task, Pass, Succeed. The two
// Tasks call the Lambda function "work", served by TenStateFunctions(). Input: {"go": true}.
Machine TenStates();
// A functions file whose function "work" returns {"ok": true} (no process is started).
Json TenStateFunctions();

// Pass → Wait until `$.until` (a timestamp) → Succeed: an execution that parks on a timer.
// Executions given the same `until` share one due time, so a virtual clock reaches them all
// with one jump (and the runtime fires them in one turn, with one commit).
Machine LongWait();

// One Pass state: the smallest execution.
Machine OneState();

// The definition named `name` (pass-chain, map, ten-states, long-wait, one-state) as text;
// empty for an unknown name.
std::string DefinitionText(const std::string& name);

}  // namespace sluice::bench
