#include "handlers/mock_config.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "handlers/config_file.h"
#include "handlers/lambda.h"

namespace sluice::handlers {
namespace {

// An invocation key: "N" or "A-B" (inclusive), decimal digits only.
struct InvocationRange {
  uint64_t first = 0;
  uint64_t last = 0;
};

std::optional<uint64_t> ParseNumber(std::string_view text) {
  // Nine digits keep every value (and last + 1) far from overflow; no test case runs a state
  // a billion times.
  if (text.empty() || text.size() > 9) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

std::optional<InvocationRange> ParseInvocationKey(std::string_view key) {
  size_t dash = key.find('-');
  if (dash == std::string_view::npos) {
    auto n = ParseNumber(key);
    if (!n) return std::nullopt;
    return InvocationRange{*n, *n};
  }
  auto first = ParseNumber(key.substr(0, dash));
  auto last = ParseNumber(key.substr(dash + 1));
  if (!first || !last) return std::nullopt;
  return InvocationRange{*first, *last};
}

class Validator {
 public:
  explicit Validator(std::string_view label) : label_(label) {}

  void Error(const std::string& path, const std::string& message) {
    errors_.push_back(label_ + ": " + (path.empty() ? "" : path + ": ") + message);
  }
  const std::vector<std::string>& errors() const { return errors_; }

  void Document(const Json& doc, MockConfig& out) {
    if (!doc.is_object()) {
      return Error("", "must be an object with 'StateMachines' and 'MockedResponses'");
    }
    for (const auto& [key, value] : doc.items()) {
      if (key != "StateMachines" && key != "MockedResponses") {
        Error("", "unknown key '" + key + "'");
      }
    }
    bool complete = true;
    for (const char* key : {"StateMachines", "MockedResponses"}) {
      if (!doc.contains(key)) {
        Error("", "missing key '" + std::string(key) + "'");
        complete = false;
      }
    }
    if (!complete) return;
    Responses(doc["MockedResponses"], out);
    StateMachines(doc["StateMachines"], out);
  }

 private:
  void StateMachines(const Json& machines, MockConfig& out) {
    if (!machines.is_object()) {
      return Error("StateMachines",
                   "must be an object mapping state machine names to {\"TestCases\": {…}}");
    }
    for (const auto& [name, machine] : machines.items()) {
      std::string path = "StateMachines/" + name;
      if (!machine.is_object()) {
        Error(path, "must be an object with 'TestCases'");
        continue;
      }
      for (const auto& [key, value] : machine.items()) {
        if (key != "TestCases") Error(path, "unknown key '" + key + "'");
      }
      if (!machine.contains("TestCases")) {
        Error(path, "missing key 'TestCases'");
        continue;
      }
      TestCases(machine["TestCases"], path + "/TestCases", out.state_machines[name], out);
    }
  }

  void TestCases(const Json& cases, const std::string& path,
                 std::map<std::string, std::map<std::string, std::string>>& out,
                 const MockConfig& config) {
    if (!cases.is_object()) {
      return Error(path, "must be an object mapping test case names to their mocked states");
    }
    for (const auto& [name, states] : cases.items()) {
      std::string case_path = path + "/" + name;
      if (!states.is_object()) {
        Error(case_path, "must be an object mapping state names to mocked response names");
        continue;
      }
      auto& mocked = out[name];
      for (const auto& [state, response] : states.items()) {
        std::string state_path = case_path + "/" + state;
        if (!response.is_string()) {
          Error(state_path, "must be a string (the name of a mocked response)");
        } else if (!config.responses.count(response.get<std::string>()) &&
                   !declared_.count(response.get<std::string>())) {
          Error(state_path, "mocked response '" + response.get<std::string>() +
                                "' is not defined in MockedResponses");
        } else {
          mocked[state] = response.get<std::string>();
        }
      }
    }
  }

  void Responses(const Json& responses, MockConfig& out) {
    if (!responses.is_object()) {
      return Error("MockedResponses",
                   "must be an object mapping mocked response names to their invocations");
    }
    for (const auto& [name, invocations] : responses.items()) {
      declared_.insert(name);  // an invalid one is reported once, not at every use
      MockedResponses parsed;
      if (Invocations(invocations, "MockedResponses/" + name, parsed)) {
        out.responses[name] = std::move(parsed);
      }
    }
  }

  bool Invocations(const Json& invocations, const std::string& path, MockedResponses& out) {
    if (!invocations.is_object() || invocations.empty()) {
      Error(path,
            "must be a non-empty object mapping invocation numbers (\"0\", \"1-2\") to "
            "{\"Return\": …} or {\"Throw\": …}");
      return false;
    }
    size_t errors_before = errors_.size();
    std::vector<std::pair<std::string, MockedResponses::Range>> keyed;
    for (const auto& [key, response] : invocations.items()) {
      std::string key_path = path + "/" + key;
      auto range = ParseInvocationKey(key);
      if (!range) {
        Error(key_path, "not an invocation number or range (e.g. \"0\" or \"1-2\")");
        continue;
      }
      if (range->first > range->last) {
        Error(key_path, "the range starts after it ends");
        continue;
      }
      MockedResponses::Range entry{range->first, range->last, {}};
      if (Response(response, key_path, entry.response)) keyed.emplace_back(key, std::move(entry));
    }
    if (errors_.size() != errors_before) return false;
    return Coverage(std::move(keyed), path, out);
  }

  // The keys must number the invocations 0, 1, 2, … once each.
  bool Coverage(std::vector<std::pair<std::string, MockedResponses::Range>> keyed,
                const std::string& path, MockedResponses& out) {
    std::sort(keyed.begin(), keyed.end(),
              [](const auto& a, const auto& b) { return a.second.first < b.second.first; });
    uint64_t next = 0;
    std::string previous;
    for (auto& [key, range] : keyed) {
      if (range.first > next) {
        Error(path, "no response for invocation " + std::to_string(next) +
                        " (invocations are numbered 0, 1, 2, … and every one needs a response)");
        return false;
      }
      if (range.first < next) {
        Error(path, "'" + previous + "' and '" + key + "' overlap at invocation " +
                        std::to_string(range.first));
        return false;
      }
      next = range.last + 1;
      previous = key;
      out.ranges.push_back(std::move(range));
    }
    return true;
  }

  bool Response(const Json& response, const std::string& path, MockedResponse& out) {
    if (!response.is_object()) {
      Error(path, "must be an object with 'Return' or 'Throw'");
      return false;
    }
    size_t errors_before = errors_.size();
    for (const auto& [key, value] : response.items()) {
      if (key != "Return" && key != "Throw") Error(path, "unknown key '" + key + "'");
    }
    bool has_return = response.contains("Return");
    bool has_throw = response.contains("Throw");
    if (has_return && has_throw) Error(path, "has both 'Return' and 'Throw'; give exactly one");
    if (!has_return && !has_throw) Error(path, "needs 'Return' or 'Throw'");
    if (errors_.size() != errors_before) return false;
    if (has_return) {
      out.kind = MockedKind::kReturn;
      out.value = std::make_shared<const Json>(response["Return"]);
      return true;
    }
    return Throw(response["Throw"], path + "/Throw", out);
  }

  bool Throw(const Json& thrown, const std::string& path, MockedResponse& out) {
    out.kind = MockedKind::kThrow;
    if (!thrown.is_object()) {
      Error(path, "must be an object with string fields 'Error' and 'Cause'");
      return false;
    }
    size_t errors_before = errors_.size();
    for (const auto& [key, value] : thrown.items()) {
      if (key != "Error" && key != "Cause") Error(path, "unknown key '" + key + "'");
    }
    for (const char* key : {"Error", "Cause"}) {
      auto it = thrown.find(key);
      if (it == thrown.end()) {
        Error(path, "missing key '" + std::string(key) + "'");
      } else if (!it->is_string()) {
        Error(path + "/" + key, "must be a string");
      } else {
        (std::string_view(key) == "Error" ? out.error : out.cause) = it->get<std::string>();
      }
    }
    return errors_.size() == errors_before;
  }

  std::string label_;
  std::vector<std::string> errors_;
  std::set<std::string> declared_;
};

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

// The task result for a Return: the Lambda function ARN form passes on only the Invoke
// response's Payload, as the real integration does.
Json ReturnedResult(const std::string& resource, const Json& value) {
  if (lambda::ParseFunctionArn(resource) && value.is_object() && value.contains("Payload")) {
    return value["Payload"];
  }
  return value;
}

std::string Covered(uint64_t count) {
  if (count == 1) return "invocation 0";
  return "invocations 0-" + std::to_string(count - 1);
}

}  // namespace

const MockedResponse* MockedResponses::At(uint64_t invocation) const {
  for (const auto& range : ranges) {
    if (invocation >= range.first && invocation <= range.last) return &range.response;
  }
  return nullptr;
}

const std::string* MockConfig::Find(const std::string& state_machine, const std::string& test_case,
                                    const std::string& state) const {
  auto machine = state_machines.find(state_machine);
  if (machine == state_machines.end()) return nullptr;
  auto tc = machine->second.find(test_case);
  if (tc == machine->second.end()) return nullptr;
  auto mocked = tc->second.find(state);
  return mocked == tc->second.end() ? nullptr : &mocked->second;
}

Result<MockConfig> ParseMockConfig(const Json& document, std::string_view label) {
  Validator validator(label);
  MockConfig config;
  config.label = std::string(label);
  validator.Document(document, config);
  if (!validator.errors().empty()) return Fail(Join(validator.errors()));
  return config;
}

Result<MockConfig> LoadMockConfig(const std::string& path) {
  Result<Json> document = ReadJsonOrYamlFile(path);
  if (!document.ok()) return Fail(document.error());
  return ParseMockConfig(*document, path);
}

Status<> CheckTestCase(const MockConfig& config, const std::string& test_case) {
  for (const auto& [machine, cases] : config.state_machines) {
    if (cases.count(test_case)) return Ok{};
  }
  return Fail(config.label + ": test case '" + test_case +
              "' is not defined for any state machine under StateMachines");
}

Status<> CheckStateMachineTestCase(const MockConfig& config, const std::string& state_machine,
                                   const std::string& test_case) {
  auto machine = config.state_machines.find(state_machine);
  if (machine == config.state_machines.end() || machine->second.count(test_case)) return Ok{};
  return Fail(config.label + ": state machine '" + state_machine + "' has no test case '" +
              test_case + "' (StateMachines/" + state_machine + "/TestCases)");
}

MockHandler::MockHandler(uv_loop_t* loop, std::shared_ptr<const MockConfig> config,
                         std::string test_case)
    : config_(std::move(config)), test_case_(std::move(test_case)), deferred_(loop) {}

MockHandler::~MockHandler() = default;

bool MockHandler::Handles(const TaskRequest& request) const {
  return config_->Find(request.state_machine_name, test_case_, request.state_name) != nullptr;
}

void MockHandler::Start(const TaskRequest& request, TaskCallback done) {
  TaskOutcome outcome;
  const std::string* name =
      config_->Find(request.state_machine_name, test_case_, request.state_name);
  if (name == nullptr) {
    outcome.error =
        asl::AslError{std::string(asl::errors::kTaskFailed),
                      "State '" + request.state_name + "' is not mocked by test case '" +
                          test_case_ + "' of " + config_->label,
                      true};
    deferred_.Post(request.task_id, [done, outcome] { done(outcome); });
    return;
  }
  const MockedResponses& responses = config_->responses.at(*name);
  uint64_t invocation = invocations_[request.execution_arn][request.state_name]++;
  const MockedResponse* response = responses.At(invocation);
  if (response == nullptr) {
    outcome.error =
        asl::AslError{std::string(asl::errors::kRuntime),
                      "No mocked response for invocation " + std::to_string(invocation) +
                          " of state '" + request.state_name + "': mocked response '" + *name +
                          "' covers " + Covered(responses.count()) + " (test case '" + test_case_ +
                          "' in " + config_->label + ")",
                      true};
  } else if (response->kind == MockedKind::kThrow) {
    outcome.error = asl::AslError{response->error, response->cause, true};
  } else {
    outcome.ok = true;
    outcome.result =
        std::make_shared<const Json>(ReturnedResult(request.resource, *response->value));
  }
  deferred_.Post(request.task_id, [done, outcome] { done(outcome); });
}

void MockHandler::Cancel(uint64_t task_id) { deferred_.Cancel(task_id); }

void MockHandler::ForgetExecution(const std::string& execution_arn) {
  invocations_.erase(execution_arn);
}

}  // namespace sluice::handlers
