// Internals of the definition compiler (loader.h's Compile): the shared compiler state, the
// typed field readers and the per-kind compile functions (one file per state kind,
// compile_<kind>.cpp).
//
// Compile is one pass over the definition. Each reader reports a problem at the JSON Pointer of
// the offending field and returns nullopt, so one bad field never hides another: every problem
// is reported. Checks that need the whole definition (transition targets, duplicate state names)
// are recorded during the pass and run at its end.
//
// Not thread-safe: one Compiler per Compile call.
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "asl/diagnostic.h"
#include "asl/json.h"
#include "asl/path.h"
#include "asl/payload_template.h"
#include "asl/result.h"
#include "asl/state_machine.h"

namespace sluice::asl::internal {

// AWS's usual upper bound for second counts and retry attempts.
inline constexpr int64_t kMaxSeconds = 99'999'999;
// Retrier MaxDelaySeconds: at most one year and a day (AWS's limit).
inline constexpr int64_t kMaxDelaySeconds = 31'622'401;
// State names longer than this are rejected by AWS.
inline constexpr size_t kMaxStateNameLength = 80;
inline constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

// Which query language a field belongs to.
enum class FieldMode {
  kBoth,      // allowed in JSONPath and JSONata states
  kJsonPath,  // InputPath, Parameters, ResultPath, *Path fields, …
  kJsonata,   // Arguments, Output, Items, Condition
};

struct FieldSpec {
  std::string_view name;
  FieldMode mode;
};

// A short rendering of a value for messages: `5`, `"abc"`, `an object`, `an array`.
std::string DescribeValue(const Json& value);

// Number of characters (Unicode code points) in UTF-8 text.
size_t Utf8Length(std::string_view text);

class Compiler;

// Reads the fields of one JSON object (a state, a retrier, a catcher, a Choice rule, …),
// reporting each problem at the field's pointer. A reader returns nullopt (or null) when the
// field is absent or invalid; invalid values have been reported.
class ObjectReader {
 public:
  ObjectReader(Compiler& compiler, const Json& object, std::string pointer);

  Compiler& compiler() const { return compiler_; }
  const Json& object() const { return object_; }
  const std::string& pointer() const { return pointer_; }

  const Json* Find(std::string_view field) const;
  bool Has(std::string_view field) const { return Find(field) != nullptr; }
  std::string FieldPointer(std::string_view field) const;

  void Error(std::string_view field, std::string message) const;  // at the field
  void ObjectError(std::string message) const;                    // at the object
  void Require(std::string_view field) const;  // reports "missing required field" if absent

  // Reports every field that is not in `specs`, or whose mode does not match `jsonata`.
  // `owner` names the object in messages, e.g. "a Pass state", "a retrier".
  void CheckFields(std::span<const FieldSpec> specs, bool jsonata, std::string_view owner) const;

  std::optional<std::string> String(std::string_view field) const;
  std::optional<bool> Bool(std::string_view field) const;
  std::optional<int64_t> Integer(std::string_view field, int64_t min, int64_t max) const;
  std::optional<double> Number(std::string_view field, double min, double max) const;
  // True when the field is a JSONata expression (accepted, compiled by a later pass).
  bool IsExpression(std::string_view field) const;
  // Any path: `$…`, `$$…` or `$variable…`.
  std::optional<Path> AnyPath(std::string_view field) const;
  // InputPath / OutputPath: a path, or null (the state uses {}).
  std::optional<SelectPathSpec> SelectPath(std::string_view field) const;
  // ResultPath: a reference path rooted at `$`, or null (the result is discarded).
  std::optional<ResultPathSpec> ResultPath(std::string_view field) const;
  // A JSONPath payload template (Parameters, ResultSelector, ItemSelector): a JSON object.
  std::optional<PayloadTemplate> Template(std::string_view field) const;
  // Any JSON value, kept as written.
  std::shared_ptr<const Json> Raw(std::string_view field) const;
  // A JSON object, kept as written.
  std::shared_ptr<const Json> RawObject(std::string_view field) const;
  // Assign: a payload template in JSONPath mode, a JSONata template in JSONata mode.
  Assignment Assign(bool jsonata) const;
  // Any JSON value compiled as a JSONata template (its "{% %}" strings parsed once); null when
  // absent or invalid.
  std::shared_ptr<const JsonataTemplate> Jsonata(std::string_view field) const;
  // Reports an error when more than one of `fields` is present, or none when `required`.
  // Returns false on error.
  bool Exclusive(std::initializer_list<std::string_view> fields, bool required) const;

 private:
  Compiler& compiler_;
  const Json& object_;
  std::string pointer_;
};

// Reading one state: its fields, plus the state being filled and its scope.
class StateContext : public ObjectReader {
 public:
  StateContext(Compiler& compiler, const Json& body, std::string pointer, State& state,
               size_t scope);

  State& state() { return state_; }
  bool jsonata() const { return state_.query_language == QueryLanguage::kJsonata; }

  // An integer (or number) field that, in JSONata states, may also be a JSONata expression
  // (then compiled into state().expressions and nullopt returned).
  std::optional<int64_t> IntegerField(std::string_view field, int64_t min, int64_t max) const;
  std::optional<double> NumberField(std::string_view field, double min, double max) const;
  // In a JSONata state, compiles `field` into state().expressions when it is an expression;
  // returns true if it was one.
  bool ExpressionField(std::string_view field) const;

  // Next / End: exactly one of `Next` or `End: true`.
  void ReadTransition();
  // InputPath and OutputPath (JSONPath mode).
  void ReadInputOutput();
  // ResultPath (JSONPath mode).
  void ReadResultPath();
  // Parameters (JSONPath) into state.parameters; Arguments (JSONata) into state.arguments.
  void ReadParametersOrArguments();
  // ResultSelector (JSONPath).
  void ReadResultSelector();
  // Assign (both modes) and Output (JSONata).
  void ReadAssignAndOutput();
  // Retry and Catch.
  void ReadRetry();
  void ReadCatch();
  // Records a transition from the field at `pointer` to the state `target`, checked at the end.
  void Transition(const std::string& pointer, const std::string& target);

 private:
  State& state_;
  size_t scope_;
};

class Compiler {
 public:
  explicit Compiler(const Json& definition) : definition_(definition) {}

  Result<std::shared_ptr<const StateMachine>, Diagnostics> Run();

  void Error(std::string pointer, std::string message);
  void Add(Diagnostics diagnostics);

  enum class MachineKind {
    kTop,            // the definition itself
    kBranch,         // a Parallel branch
    kItemProcessor,  // a Map ItemProcessor or Iterator
  };
  // Compiles a machine object (the definition, a branch, an item processor) at `pointer`.
  std::shared_ptr<StateMachine> CompileMachine(const Json& body, const std::string& pointer,
                                               MachineKind kind);

  // Records a transition, checked once every scope is known.
  void AddTransition(std::string pointer, std::string target, size_t scope);

 private:
  struct PendingTransition {
    std::string pointer;
    std::string target;
    size_t scope;
  };

  void ReadTopLevelQueryLanguage();
  State CompileState(const std::string& name, const Json& body, const std::string& pointer,
                     size_t scope);
  void RegisterStateName(const std::string& name, const std::string& pointer);
  void CheckReachability(const Json& states, const std::string& states_pointer,
                         const std::string& start_at);
  void CheckTerminalState(const Json& states, const std::string& states_pointer);
  void CheckTransitions();

  const Json& definition_;
  Diagnostics diagnostics_;
  // The definition's QueryLanguage. A state without its own QueryLanguage uses this one, also
  // inside Parallel branches and Map item processors (which cannot declare one).
  QueryLanguage top_language_ = QueryLanguage::kJsonPath;
  // The state names of each machine (scope), by scope index.
  std::deque<std::set<std::string, std::less<>>> scopes_;
  // Every state name, with the pointer of its first definition.
  std::map<std::string, std::string, std::less<>> all_names_;
  std::vector<PendingTransition> transitions_;
};

// One function per state kind (compile_<kind>.cpp): the fields it allows and its compiler.
std::span<const FieldSpec> PassFields();
std::span<const FieldSpec> TaskFields();
std::span<const FieldSpec> ChoiceFields();
std::span<const FieldSpec> WaitFields();
std::span<const FieldSpec> SucceedFields();
std::span<const FieldSpec> FailFields();
std::span<const FieldSpec> ParallelFields();
std::span<const FieldSpec> MapFields();

// Reports JSONPath reads of variables (`$name`) that no state of the definition assigns.
void CheckVariableReferences(Compiler& compiler, const Json& definition, QueryLanguage top);

void CompilePass(StateContext& ctx);
void CompileTask(StateContext& ctx);
void CompileChoice(StateContext& ctx);
void CompileWait(StateContext& ctx);
void CompileSucceed(StateContext& ctx);
void CompileFail(StateContext& ctx);
void CompileParallel(StateContext& ctx);
void CompileMap(StateContext& ctx);

}  // namespace sluice::asl::internal
