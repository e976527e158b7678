// Variable references that can be known to fail: a JSONPath state reading `$name` (in a path, a
// `.$` template value or an intrinsic call's arguments) when no state of the definition assigns
// `name` anywhere. Such a read can only ever fail at run time, so `validate` reports it.
//
// JSONata expressions are not checked: AWS accepts a definition reading an unassigned variable in
// JSONata and fails the state at run time (States.QueryEvaluationError), and so does Sluice.
#include <nlohmann/json.hpp>
#include <set>

#include "asl/compile_internal.h"

namespace sluice::asl::internal {

namespace {

using Names = std::set<std::string, std::less<>>;

constexpr std::string_view kPathFields[] = {
    "InputPath",
    "OutputPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
    "ErrorPath",
    "CausePath",
};

bool IdentifierStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IdentifierPart(char c) { return IdentifierStart(c) || (c >= '0' && c <= '9'); }

// Every `$name` in a path or intrinsic call, skipping `$$…`, `$.…` and quoted string literals.
std::vector<std::string> VariableNames(std::string_view text) {
  std::vector<std::string> names;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '\'') {
        quoted = false;
      }
      continue;
    }
    if (c == '\'') {
      quoted = true;
    } else if (c == '$') {
      if (i + 1 < text.size() && text[i + 1] == '$') {
        ++i;
      } else if (i + 1 < text.size() && IdentifierStart(text[i + 1])) {
        size_t end = i + 1;
        while (end < text.size() && IdentifierPart(text[end])) ++end;
        names.emplace_back(text.substr(i + 1, end - i - 1));
        i = end - 1;
      }
    }
  }
  return names;
}

void CollectAssigned(const Json& value, Names& names) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (it.key() == "Assign" && it.value().is_object()) {
        for (auto a = it.value().begin(); a != it.value().end(); ++a) {
          std::string name = a.key();
          if (name.ends_with(".$")) name.resize(name.size() - 2);
          names.insert(name);
        }
      }
      CollectAssigned(it.value(), names);
    }
  } else if (value.is_array()) {
    for (const auto& element : value) CollectAssigned(element, names);
  }
}

class Checker {
 public:
  Checker(Compiler& compiler, Names assigned)
      : compiler_(compiler), assigned_(std::move(assigned)) {}

  void Machine(const Json& machine, const std::string& pointer, QueryLanguage inherited) {
    const Json* states =
        machine.is_object() && machine.contains("States") ? &machine["States"] : nullptr;
    if (states == nullptr || !states->is_object()) return;
    for (auto it = states->begin(); it != states->end(); ++it) {
      State(it.value(), JoinPointer(JoinPointer(pointer, "States"), it.key()), inherited);
    }
  }

 private:
  void State(const Json& state, const std::string& pointer, QueryLanguage inherited) {
    if (!state.is_object()) return;
    QueryLanguage language = inherited;
    if (auto ql = state.find("QueryLanguage"); ql != state.end() && ql->is_string()) {
      language = *ql == "JSONata" ? QueryLanguage::kJsonata : QueryLanguage::kJsonPath;
    }
    if (language == QueryLanguage::kJsonPath) {
      for (auto field : kPathFields) {
        if (auto v = state.find(field); v != state.end()) {
          Text(*v, JoinPointer(pointer, std::string(field)));
        }
      }
      for (const char* field :
           {"Parameters", "ResultSelector", "ItemSelector", "Assign", "Credentials"}) {
        if (auto v = state.find(field); v != state.end()) {
          Template(*v, JoinPointer(pointer, field));
        }
      }
      if (auto choices = state.find("Choices"); choices != state.end() && choices->is_array()) {
        for (size_t i = 0; i < choices->size(); ++i) {
          Rule((*choices)[i], JoinPointer(JoinPointer(pointer, "Choices"), std::to_string(i)));
        }
      }
      if (auto catchers = state.find("Catch"); catchers != state.end() && catchers->is_array()) {
        for (size_t i = 0; i < catchers->size(); ++i) {
          const Json& c = (*catchers)[i];
          if (c.is_object() && c.contains("Assign")) {
            Template(c["Assign"],
                     JoinPointer(JoinPointer(JoinPointer(pointer, "Catch"), std::to_string(i)),
                                 "Assign"));
          }
        }
      }
    }
    // Nested machines inherit the definition's language, not the state's.
    if (auto branches = state.find("Branches"); branches != state.end() && branches->is_array()) {
      for (size_t i = 0; i < branches->size(); ++i) {
        Machine((*branches)[i], JoinPointer(JoinPointer(pointer, "Branches"), std::to_string(i)),
                inherited);
      }
    }
    for (const char* field : {"ItemProcessor", "Iterator"}) {
      if (auto p = state.find(field); p != state.end()) {
        Machine(*p, JoinPointer(pointer, field), inherited);
      }
    }
  }

  void Rule(const Json& rule, const std::string& pointer) {
    if (!rule.is_object()) return;
    for (auto it = rule.begin(); it != rule.end(); ++it) {
      const std::string& key = it.key();
      const std::string at = JoinPointer(pointer, key);
      if (key == "Variable" || (key.ends_with("Path") && it.value().is_string())) {
        Text(it.value(), at);
      } else if (key == "Assign") {
        Template(it.value(), at);
      } else if (key == "And" || key == "Or") {
        if (!it.value().is_array()) continue;
        for (size_t i = 0; i < it.value().size(); ++i) {
          Rule(it.value()[i], JoinPointer(at, std::to_string(i)));
        }
      } else if (key == "Not") {
        Rule(it.value(), at);
      }
    }
  }

  void Template(const Json& value, const std::string& pointer) {
    if (value.is_object()) {
      for (auto it = value.begin(); it != value.end(); ++it) {
        const std::string at = JoinPointer(pointer, it.key());
        if (it.key().ends_with(".$")) {
          Text(it.value(), at);
        } else {
          Template(it.value(), at);
        }
      }
    } else if (value.is_array()) {
      for (size_t i = 0; i < value.size(); ++i) {
        Template(value[i], JoinPointer(pointer, std::to_string(i)));
      }
    }
  }

  void Text(const Json& value, const std::string& pointer) {
    if (!value.is_string()) return;
    for (const auto& name : VariableNames(value.get_ref<const std::string&>())) {
      if (assigned_.count(name) == 0) {
        compiler_.Error(pointer, "reads the variable '$" + name + "', which no state assigns");
      }
    }
  }

  Compiler& compiler_;
  Names assigned_;
};

}  // namespace

void CheckVariableReferences(Compiler& compiler, const Json& definition, QueryLanguage top) {
  Names assigned;
  CollectAssigned(definition, assigned);
  Checker(compiler, std::move(assigned)).Machine(definition, "", top);
}

}  // namespace sluice::asl::internal
