// StateMachine: a validated, compiled ASL definition.
//
// Produced by Compile() (loader.h) and immutable afterwards: one StateMachine is shared by every
// execution of the definition; everything that changes during a run lives in the engine's
// execution state. Paths, payload templates, intrinsic calls and Choice rules are compiled once
// here and never re-parsed per transition.
//
// Parallel branches and Map item processors are nested StateMachines.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asl/choice.h"
#include "asl/intrinsics.h"
#include "asl/json.h"
#include "asl/jsonata_template.h"
#include "asl/path.h"
#include "asl/payload_template.h"

namespace sluice::asl {

enum class StateType {
  kPass,      // copies input to output, optionally injecting Result
  kTask,      // runs a resource (a local function, a mocked Lambda, a built-in handler)
  kChoice,    // picks the next state by rules
  kWait,      // delays for a duration or until a timestamp
  kSucceed,   // ends the execution (or branch/iteration) successfully
  kFail,      // ends the execution (or branch/iteration) with an error
  kParallel,  // runs branches concurrently; output is the array of branch outputs
  kMap,       // runs an item processor for each item of an array
};

const char* StateTypeName(StateType type);  // "Pass", "Task", …

enum class QueryLanguage {
  kJsonPath,  // default
  kJsonata,   // {% … %} expressions
};

struct Retrier {
  std::vector<std::string> error_equals;
  int64_t interval_seconds = 1;
  int64_t max_attempts = 3;  // 0: never retry
  double backoff_rate = 2.0;
  std::optional<int64_t> max_delay_seconds;
  bool jitter_full = false;  // JitterStrategy FULL
};

// Where a result goes (ResultPath): into the input at `path`, or discarded (ResultPath: null,
// the output is the input unchanged).
struct ResultPathSpec {
  bool discard = false;
  Path path;  // "$" by default: the result replaces the input
};

// InputPath / OutputPath: select with `path`, or, when the field is JSON null, use {}.
struct SelectPathSpec {
  bool null_object = false;
  Path path;  // "$" by default
};

// An `Assign` block: workflow variables set when a state (or Catch rule, or Choice rule) is
// left. JSONPath states write it in payload-template syntax ("x.$": "$.y"), JSONata states as a
// JSONata template; at most one of the two is set.
struct Assignment {
  std::optional<PayloadTemplate> jsonpath;
  std::shared_ptr<const JsonataTemplate> jsonata;
  bool present() const { return jsonpath.has_value() || jsonata != nullptr; }
};

struct Catcher {
  std::vector<std::string> error_equals;
  std::string next;
  ResultPathSpec result_path;  // defaults to "$": the error output replaces the input
  Assignment assign;
  std::shared_ptr<const JsonataTemplate> output;  // JSONata Output, or null
};

struct StateMachine;

// An integer field given literally or by a path (TimeoutSeconds / TimeoutSecondsPath, …).
struct IntOrPath {
  std::optional<int64_t> value;
  std::optional<Path> path;
  bool present() const { return value.has_value() || path.has_value(); }
};

struct NumberOrPath {
  std::optional<double> value;
  std::optional<Path> path;
  bool present() const { return value.has_value() || path.has_value(); }
};

struct ChoiceBranch {
  ChoiceRule rule;                                   // JSONPath rules
  std::shared_ptr<const JsonataTemplate> condition;  // JSONata rules: Condition
  std::string next;
  Assignment assign;
  std::shared_ptr<const JsonataTemplate> output;  // JSONata Output, or null
};

struct State {
  std::string name;
  StateType type = StateType::kPass;
  QueryLanguage query_language = QueryLanguage::kJsonPath;
  std::string comment;

  // Transition (Pass, Task, Wait, Parallel, Map): exactly one of next / end.
  std::string next;
  bool end = false;

  // Input/output processing (JSONPath mode); each unused field keeps its default.
  SelectPathSpec input_path;
  SelectPathSpec output_path;
  std::optional<PayloadTemplate> parameters;       // Task, Pass, Parallel; Map legacy Parameters
  std::optional<PayloadTemplate> result_selector;  // Task, Parallel, Map
  ResultPathSpec result_path;                      // Pass, Task, Parallel, Map
  std::shared_ptr<const Json> result;              // Pass `Result`, or null

  // JSONata-mode input/output processing: Arguments (Task, Parallel) and Output; null when
  // absent.
  std::shared_ptr<const JsonataTemplate> arguments;
  std::shared_ptr<const JsonataTemplate> output;
  // Other fields written as JSONata expressions in JSONata states, by field name: "Items",
  // "ItemSelector", "Seconds", "Timestamp", "TimeoutSeconds", "HeartbeatSeconds",
  // "MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage", "Error", "Cause".
  std::map<std::string, std::shared_ptr<const JsonataTemplate>, std::less<>> expressions;
  const JsonataTemplate* Expression(std::string_view field) const {
    auto it = expressions.find(field);
    return it == expressions.end() ? nullptr : it->second.get();
  }
  // Assign (both query languages).
  Assignment assign;

  // Errors (Task, Parallel, Map).
  std::vector<Retrier> retry;
  std::vector<Catcher> catchers;

  // Task.
  std::string resource;
  IntOrPath timeout_seconds;                // absent: AWS's default of 99,999,999 s
  IntOrPath heartbeat_seconds;              // absent: none
  std::shared_ptr<const Json> credentials;  // raw, or null

  // Choice.
  std::vector<ChoiceBranch> choices;
  std::string default_next;  // "" when absent

  // Wait: exactly one of the four.
  std::optional<int64_t> seconds;
  std::optional<Path> seconds_path;
  std::optional<std::string> timestamp;  // validated RFC 3339 text
  std::optional<Path> timestamp_path;

  // Fail.
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::optional<Path> error_path;
  std::optional<Path> cause_path;
  // ErrorPath / CausePath may also hold an intrinsic call, e.g. States.Format(...).
  std::optional<IntrinsicCall> error_path_call;
  std::optional<IntrinsicCall> cause_path_call;

  // Parallel.
  std::vector<std::shared_ptr<const StateMachine>> branches;

  // Map.
  std::shared_ptr<const StateMachine> item_processor;  // ItemProcessor or legacy Iterator
  Path items_path;                                     // "$" by default
  std::optional<PayloadTemplate> item_selector;        // ItemSelector or legacy Parameters
  IntOrPath max_concurrency;                           // absent or 0: unlimited
  IntOrPath tolerated_failure_count;
  NumberOrPath tolerated_failure_percentage;
  std::string label;
  std::shared_ptr<const Json> item_reader;    // raw (distributed mode), or null
  std::shared_ptr<const Json> item_batcher;   // raw, or null
  std::shared_ptr<const Json> result_writer;  // raw, or null
  bool distributed = false;                   // ProcessorConfig.Mode == DISTRIBUTED
};

struct StateMachine {
  std::string start_at;
  std::string comment;
  std::optional<int64_t> timeout_seconds;  // machine-level TimeoutSeconds
  QueryLanguage query_language = QueryLanguage::kJsonPath;
  // States in definition order; `index` maps a name to its position.
  std::vector<State> states;
  std::map<std::string, size_t, std::less<>> index;

  // The state named `name`, or null.
  const State* Find(std::string_view name) const {
    auto it = index.find(name);
    return it == index.end() ? nullptr : &states[it->second];
  }
};

}  // namespace sluice::asl
