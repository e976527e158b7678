// The definition compiler's driver: machines (the definition, Parallel branches, Map item
// processors), states and their kinds, and the checks that need a whole machine: transition
// targets, unique state names, reachability and terminal states.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

#include "asl/compile_internal.h"

namespace sluice::asl::internal {

namespace {

constexpr FieldSpec kTopLevelFields[] = {
    {"StartAt", FieldMode::kBoth},        {"States", FieldMode::kBoth},
    {"Comment", FieldMode::kBoth},        {"Version", FieldMode::kBoth},
    {"TimeoutSeconds", FieldMode::kBoth}, {"QueryLanguage", FieldMode::kBoth},
};

constexpr FieldSpec kBranchFields[] = {
    {"StartAt", FieldMode::kBoth},
    {"States", FieldMode::kBoth},
    {"Comment", FieldMode::kBoth},
};

// ProcessorConfig is read by the Map state that owns the processor.
constexpr FieldSpec kItemProcessorFields[] = {
    {"StartAt", FieldMode::kBoth},
    {"States", FieldMode::kBoth},
    {"Comment", FieldMode::kBoth},
    {"ProcessorConfig", FieldMode::kBoth},
};

constexpr FieldSpec kCommonStateFields[] = {
    {"Type", FieldMode::kBoth},
    {"Comment", FieldMode::kBoth},
    {"QueryLanguage", FieldMode::kBoth},
};

struct KindInfo {
  std::span<const FieldSpec> fields;
  void (*compile)(StateContext&);
  const char* owner;  // for messages: "a Pass state"
};

std::optional<StateType> ParseStateType(std::string_view name) {
  static constexpr StateType kTypes[] = {
      StateType::kPass,    StateType::kTask, StateType::kChoice,   StateType::kWait,
      StateType::kSucceed, StateType::kFail, StateType::kParallel, StateType::kMap,
  };
  for (StateType type : kTypes) {
    if (name == StateTypeName(type)) return type;
  }
  return std::nullopt;
}

KindInfo InfoFor(StateType type) {
  switch (type) {
    case StateType::kPass:
      return {PassFields(), CompilePass, "a Pass state"};
    case StateType::kTask:
      return {TaskFields(), CompileTask, "a Task state"};
    case StateType::kChoice:
      return {ChoiceFields(), CompileChoice, "a Choice state"};
    case StateType::kWait:
      return {WaitFields(), CompileWait, "a Wait state"};
    case StateType::kSucceed:
      return {SucceedFields(), CompileSucceed, "a Succeed state"};
    case StateType::kFail:
      return {FailFields(), CompileFail, "a Fail state"};
    case StateType::kParallel:
      return {ParallelFields(), CompileParallel, "a Parallel state"};
    case StateType::kMap:
      return {MapFields(), CompileMap, "a Map state"};
  }
  return {PassFields(), CompilePass, "a Pass state"};  // unreachable: the switch is total
}

// The fields allowed in a state of `kind`: the common ones, then the kind's own.
std::vector<FieldSpec> StateFields(const KindInfo& kind) {
  std::vector<FieldSpec> fields(std::begin(kCommonStateFields), std::end(kCommonStateFields));
  fields.insert(fields.end(), kind.fields.begin(), kind.fields.end());
  return fields;
}

std::optional<QueryLanguage> ParseQueryLanguage(const ObjectReader& reader) {
  std::optional<std::string> text = reader.String("QueryLanguage");
  if (!text) return std::nullopt;
  if (*text == "JSONPath") return QueryLanguage::kJsonPath;
  if (*text == "JSONata") return QueryLanguage::kJsonata;
  reader.Error("QueryLanguage", "must be 'JSONPath' or 'JSONata', got \"" + *text + "\"");
  return std::nullopt;
}

// The states a state may transition to, read from its raw body so that a state with an
// invalid field still counts its valid transitions (no cascade of "unreachable" reports).
std::vector<std::string> RawTargets(const Json& state) {
  std::vector<std::string> targets;
  if (!state.is_object()) return targets;
  for (const char* field : {"Next", "Default"}) {
    auto it = state.find(field);
    if (it != state.end() && it->is_string()) targets.push_back(it->get<std::string>());
  }
  for (const char* list : {"Choices", "Catch"}) {
    auto it = state.find(list);
    if (it == state.end() || !it->is_array()) continue;
    for (const Json& entry : *it) {
      if (!entry.is_object()) continue;
      auto next = entry.find("Next");
      if (next != entry.end() && next->is_string()) targets.push_back(next->get<std::string>());
    }
  }
  return targets;
}

}  // namespace

void Compiler::Error(std::string pointer, std::string message) {
  diagnostics_.push_back({std::move(pointer), std::move(message)});
}

void Compiler::Add(Diagnostics diagnostics) {
  for (auto& diagnostic : diagnostics) diagnostics_.push_back(std::move(diagnostic));
}

void Compiler::AddTransition(std::string pointer, std::string target, size_t scope) {
  transitions_.push_back({std::move(pointer), std::move(target), scope});
}

Result<std::shared_ptr<const StateMachine>, Diagnostics> Compiler::Run() {
  if (!definition_.is_object()) {
    Error("", "the definition must be a JSON object, got " + DescribeValue(definition_));
    return Fail(std::move(diagnostics_));
  }
  ReadTopLevelQueryLanguage();
  std::shared_ptr<StateMachine> machine = CompileMachine(definition_, "", MachineKind::kTop);
  CheckTransitions();
  CheckVariableReferences(*this, definition_, top_language_);
  if (!diagnostics_.empty()) {
    auto less = [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.pointer, a.message) < std::tie(b.pointer, b.message);
    };
    auto equal = [](const Diagnostic& a, const Diagnostic& b) {
      return a.pointer == b.pointer && a.message == b.message;
    };
    std::sort(diagnostics_.begin(), diagnostics_.end(), less);
    diagnostics_.erase(std::unique(diagnostics_.begin(), diagnostics_.end(), equal),
                       diagnostics_.end());
    return Fail(std::move(diagnostics_));
  }
  return std::shared_ptr<const StateMachine>(std::move(machine));
}

void Compiler::ReadTopLevelQueryLanguage() {
  ObjectReader reader(*this, definition_, "");
  top_language_ = ParseQueryLanguage(reader).value_or(QueryLanguage::kJsonPath);
}

std::shared_ptr<StateMachine> Compiler::CompileMachine(const Json& body, const std::string& pointer,
                                                       MachineKind kind) {
  auto machine = std::make_shared<StateMachine>();
  machine->query_language = top_language_;
  ObjectReader reader(*this, body, pointer);
  switch (kind) {
    case MachineKind::kTop:
      reader.CheckFields(kTopLevelFields, false, "the state machine");
      reader.String("Version");
      machine->timeout_seconds = reader.Integer("TimeoutSeconds", 0, kNoLimit);
      break;
    case MachineKind::kBranch:
      reader.CheckFields(kBranchFields, false, "a Parallel branch");
      break;
    case MachineKind::kItemProcessor:
      reader.CheckFields(kItemProcessorFields, false, "a Map item processor");
      break;
  }
  machine->comment = reader.String("Comment").value_or("");

  const size_t scope = scopes_.size();
  scopes_.emplace_back();
  reader.Require("StartAt");
  std::optional<std::string> start_at = reader.String("StartAt");
  if (start_at) {
    machine->start_at = *start_at;
    AddTransition(reader.FieldPointer("StartAt"), *start_at, scope);
  }

  reader.Require("States");
  const Json* states = reader.Find("States");
  if (states == nullptr) return machine;
  if (!states->is_object()) {
    reader.Error("States",
                 "must be an object mapping state names to states, got " + DescribeValue(*states));
    return machine;
  }
  if (states->empty()) reader.Error("States", "must contain at least one state");
  const std::string states_pointer = reader.FieldPointer("States");
  // Names first, so that a nested state reusing an outer name is the one reported.
  for (auto it = states->begin(); it != states->end(); ++it) {
    scopes_[scope].insert(it.key());
    RegisterStateName(it.key(), JoinPointer(states_pointer, it.key()));
  }
  for (auto it = states->begin(); it != states->end(); ++it) {
    machine->index[it.key()] = machine->states.size();
    machine->states.push_back(
        CompileState(it.key(), it.value(), JoinPointer(states_pointer, it.key()), scope));
  }
  if (start_at && states->contains(*start_at)) {
    CheckReachability(*states, states_pointer, *start_at);
  }
  CheckTerminalState(*states, states_pointer);
  return machine;
}

State Compiler::CompileState(const std::string& name, const Json& body, const std::string& pointer,
                             size_t scope) {
  State state;
  state.name = name;
  state.query_language = top_language_;
  if (!body.is_object()) {
    Error(pointer, "a state must be an object, got " + DescribeValue(body));
    return state;
  }
  ObjectReader reader(*this, body, pointer);
  if (std::optional<QueryLanguage> language = ParseQueryLanguage(reader)) {
    // A JSONata machine cannot contain JSONPath states; the reverse is allowed.
    if (*language == QueryLanguage::kJsonPath && top_language_ == QueryLanguage::kJsonata) {
      reader.Error("QueryLanguage",
                   "cannot be 'JSONPath' in a state machine whose QueryLanguage is 'JSONata'");
    } else {
      state.query_language = *language;
    }
  }
  reader.Require("Type");
  std::optional<std::string> type_name = reader.String("Type");
  if (!type_name) return state;
  std::optional<StateType> type = ParseStateType(*type_name);
  if (!type) {
    reader.Error("Type", "unknown state type \"" + *type_name +
                             "\": expected Pass, Task, Choice, Wait, Succeed, Fail, Parallel or "
                             "Map");
    return state;
  }
  state.type = *type;
  const KindInfo kind = InfoFor(*type);
  StateContext context(*this, body, pointer, state, scope);
  context.CheckFields(StateFields(kind), context.jsonata(), kind.owner);
  state.comment = context.String("Comment").value_or("");
  kind.compile(context);
  return state;
}

void Compiler::RegisterStateName(const std::string& name, const std::string& pointer) {
  if (name.empty()) {
    Error(pointer, "a state name must not be empty");
  } else if (Utf8Length(name) > kMaxStateNameLength) {
    Error(pointer,
          "state name is longer than " + std::to_string(kMaxStateNameLength) + " characters");
  }
  auto [it, inserted] = all_names_.emplace(name, pointer);
  if (!inserted) {
    Error(pointer, "state name '" + name + "' is already used at " + it->second +
                       ": state names must be unique in the whole state machine");
  }
}

void Compiler::CheckReachability(const Json& states, const std::string& states_pointer,
                                 const std::string& start_at) {
  std::set<std::string, std::less<>> reached;
  std::vector<std::string> pending = {start_at};
  while (!pending.empty()) {
    std::string name = std::move(pending.back());
    pending.pop_back();
    auto it = states.find(name);
    if (it == states.end() || !reached.insert(name).second) continue;
    for (auto& target : RawTargets(*it)) pending.push_back(std::move(target));
  }
  for (auto it = states.begin(); it != states.end(); ++it) {
    if (!reached.contains(it.key())) {
      Error(JoinPointer(states_pointer, it.key()), "state is not reachable from StartAt");
    }
  }
}

void Compiler::CheckTerminalState(const Json& states, const std::string& states_pointer) {
  for (auto it = states.begin(); it != states.end(); ++it) {
    const Json& state = it.value();
    if (!state.is_object()) return;
    auto type = state.find("Type");
    if (type == state.end() || !type->is_string()) return;  // already reported
    const auto& type_name = type->get_ref<const std::string&>();
    if (!ParseStateType(type_name)) return;  // already reported
    if (type_name == "Succeed" || type_name == "Fail") return;
    auto end = state.find("End");
    if (end != state.end() && end->is_boolean() && end->get<bool>()) return;
  }
  if (states.empty()) return;
  Error(states_pointer,
        "no terminal state: at least one state must be a Succeed or Fail state or have "
        "'End': true");
}

void Compiler::CheckTransitions() {
  for (const auto& transition : transitions_) {
    if (scopes_[transition.scope].contains(transition.target)) continue;
    auto elsewhere = all_names_.find(transition.target);
    if (elsewhere != all_names_.end()) {
      Error(transition.pointer, "names state '" + transition.target + "' at " + elsewhere->second +
                                    ", which is in another scope: transitions cannot cross "
                                    "Parallel branch or Map item processor boundaries");
    } else {
      Error(transition.pointer, "names no state: '" + transition.target + "'");
    }
  }
}

}  // namespace sluice::asl::internal
