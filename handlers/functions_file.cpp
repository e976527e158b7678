#include "handlers/functions_file.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "handlers/config_file.h"
#include "handlers/lambda.h"

namespace sluice::handlers {
namespace {

constexpr std::string_view kArnHint =
    "expected arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]";

// ---------------------------------------------------------------------------------------------
// Validation. Each check appends "LABEL: PATH: message" lines to `errors`.

class Validator {
 public:
  Validator(std::string_view label, std::string base_dir)
      : label_(label), base_dir_(std::move(base_dir)) {}

  void Error(const std::string& path, const std::string& message) {
    errors_.push_back(label_ + ": " + (path.empty() ? "" : path + ": ") + message);
  }
  const std::vector<std::string>& errors() const { return errors_; }

  void Document(const Json& doc, FunctionsFile& out) {
    if (!doc.is_object()) return Error("", "must be an object with a 'functions' object");
    for (const auto& [key, value] : doc.items()) {
      if (key != "functions") Error("", "unknown key '" + key + "'");
    }
    auto it = doc.find("functions");
    if (it == doc.end()) return Error("", "missing key 'functions'");
    if (!it->is_object()) {
      return Error("functions", "must be an object mapping function names or ARNs to specs");
    }
    for (const auto& [name, spec] : it->items()) {
      std::string path = "functions/" + name;
      if (!FunctionKey(name, path)) continue;
      FunctionSpec parsed;
      if (Spec(spec, path, parsed)) out.functions.emplace_back(name, std::move(parsed));
    }
  }

 private:
  bool FunctionKey(const std::string& name, const std::string& path) {
    if (name.rfind("arn:", 0) == 0) {
      if (lambda::ParseFunctionArn(name)) return true;
      Error(path, "not a Lambda function ARN (" + std::string(kArnHint) + ")");
      return false;
    }
    if (lambda::ParseFunctionName(name)) return true;
    Error(path, "not a Lambda function name (letters, digits, '-' and '_') or function ARN (" +
                    std::string(kArnHint) + ")");
    return false;
  }

  bool Spec(const Json& spec, const std::string& path, FunctionSpec& out) {
    if (!spec.is_object()) {
      Error(path, "must be an object with one of 'command', 'return' or 'raise'");
      return false;
    }
    size_t errors_before = errors_.size();
    std::vector<std::string> kinds;
    for (const auto& [key, value] : spec.items()) {
      if (key == "command" || key == "return" || key == "raise") {
        kinds.push_back(key);
      } else if (key != "env" && key != "cwd") {
        Error(path, "unknown key '" + key + "'");
      }
    }
    if (kinds.empty()) {
      // A misspelt key ("comand") is the likely reason; say more only when there was none.
      if (errors_.size() == errors_before) {
        Error(path, "needs one of 'command', 'return' or 'raise'");
      }
      return false;
    }
    if (kinds.size() > 1) {
      Error(path, "give only one of 'command', 'return' or 'raise' (found '" + kinds[0] +
                      "' and '" + kinds[1] + "')");
      return false;
    }
    if (kinds[0] != "command") {
      for (const char* key : {"env", "cwd"}) {
        if (spec.contains(key))
          Error(path, "'" + std::string(key) + "' is only allowed with 'command'");
      }
    }
    if (kinds[0] == "command") Command(spec, path, out);
    if (kinds[0] == "return") {
      out.kind = FunctionKind::kReturn;
      out.value = std::make_shared<const Json>(spec["return"]);
    }
    if (kinds[0] == "raise") Raise(spec["raise"], path + "/raise", out);
    return errors_.size() == errors_before;
  }

  void Command(const Json& spec, const std::string& path, FunctionSpec& out) {
    out.kind = FunctionKind::kCommand;
    const Json& argv = spec["command"];
    if (!argv.is_array() || argv.empty()) {
      return Error(path + "/command",
                   "must be a non-empty array of strings (the argv, run without a shell), "
                   "e.g. [\"python3\", \"handler.py\"]");
    }
    for (size_t i = 0; i < argv.size(); ++i) {
      std::string item_path = path + "/command/" + std::to_string(i);
      if (!argv[i].is_string()) {
        Error(item_path, "must be a string");
      } else if (i == 0 && argv[i].get_ref<const std::string&>().empty()) {
        Error(item_path, "must be a non-empty string (the executable)");
      } else {
        out.command.push_back(argv[i].get<std::string>());
      }
    }
    if (!out.command.empty()) out.command[0] = Resolve(out.command[0], /*only_paths=*/true);
    if (spec.contains("cwd")) Cwd(spec["cwd"], path + "/cwd", out);
    if (spec.contains("env")) Env(spec["env"], path + "/env", out);
  }

  void Cwd(const Json& cwd, const std::string& path, FunctionSpec& out) {
    if (!cwd.is_string() || cwd.get_ref<const std::string&>().empty()) {
      return Error(path, "must be a non-empty string (a directory)");
    }
    out.cwd = Resolve(cwd.get<std::string>(), /*only_paths=*/false);
  }

  void Env(const Json& env, const std::string& path, FunctionSpec& out) {
    if (!env.is_object()) return Error(path, "must be an object of NAME: \"value\" strings");
    for (const auto& [name, value] : env.items()) {
      if (name.empty() || name.find('=') != std::string::npos) {
        Error(path + "/" + name, "not a valid environment variable name");
      } else if (!value.is_string()) {
        Error(path + "/" + name, "must be a string");
      } else {
        out.env.emplace_back(name, value.get<std::string>());
      }
    }
  }

  void Raise(const Json& raise, const std::string& path, FunctionSpec& out) {
    out.kind = FunctionKind::kRaise;
    if (!raise.is_object()) {
      return Error(path, "must be an object with 'errorType' and optional 'errorMessage'");
    }
    for (const auto& [key, value] : raise.items()) {
      if (key != "errorType" && key != "errorMessage") Error(path, "unknown key '" + key + "'");
    }
    auto type = raise.find("errorType");
    if (type == raise.end()) {
      Error(path, "missing key 'errorType'");
    } else if (!type->is_string() || type->get_ref<const std::string&>().empty()) {
      Error(path + "/errorType", "must be a non-empty string");
    } else {
      out.error_type = type->get<std::string>();
    }
    auto message = raise.find("errorMessage");
    if (message == raise.end()) return;
    if (!message->is_string()) return Error(path + "/errorMessage", "must be a string");
    out.error_message = message->get<std::string>();
  }

  // Relative paths in a functions file are relative to the file, wherever Sluice runs from.
  // A bare executable name ("python3") is left for PATH lookup.
  std::string Resolve(const std::string& path, bool only_paths) const {
    if (base_dir_.empty() || path.empty() || path[0] == '/') return path;
    if (only_paths && path.find('/') == std::string::npos) return path;
    return base_dir_ + "/" + path;
  }

  std::string label_;
  std::string base_dir_;
  std::vector<std::string> errors_;
};

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Helpers for running a call.

std::string_view Trim(std::string_view text) {
  const char* kSpace = " \t\r\n";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

std::string_view LastLine(std::string_view text) {
  text = Trim(text);
  size_t newline = text.rfind('\n');
  return newline == std::string_view::npos ? text : Trim(text.substr(newline + 1));
}

// A Lambda-style error object ({"errorType": "…", "errorMessage": …}) and its text, when
// `text` (or its last line, after log lines) is one.
struct LambdaError {
  std::string text;
  Json object;
};

std::optional<LambdaError> FindLambdaError(std::string_view output) {
  for (std::string_view candidate : {Trim(output), LastLine(output)}) {
    if (candidate.empty() || candidate[0] != '{') continue;
    Json parsed = Json::parse(candidate.begin(), candidate.end(), nullptr, false);
    if (parsed.is_object() && parsed.contains("errorType") && parsed["errorType"].is_string() &&
        !parsed["errorType"].get_ref<const std::string&>().empty()) {
      return LambdaError{std::string(candidate), std::move(parsed)};
    }
  }
  return std::nullopt;
}

std::string Excerpt(std::string_view text) {
  constexpr size_t kMax = 200;
  return text.size() <= kMax ? std::string(text) : std::string(text.substr(0, kMax)) + "…";
}

TaskOutcome Succeeded(Json result) {
  return TaskOutcome{true, std::make_shared<const Json>(std::move(result)), {}};
}

TaskOutcome Failed(std::string error, std::string cause) {
  return TaskOutcome{false, nullptr, asl::AslError{std::move(error), std::move(cause), true}};
}

}  // namespace

// ---------------------------------------------------------------------------------------------

const FunctionSpec* FunctionsFile::Find(std::string_view key) const {
  for (const auto& [name, spec] : functions) {
    if (name == key) return &spec;
  }
  return nullptr;
}

Result<FunctionsFile> ParseFunctionsFile(const Json& document, std::string_view label,
                                         const std::string& base_dir) {
  Validator validator(label, base_dir);
  FunctionsFile file;
  file.label = std::string(label);
  validator.Document(document, file);
  if (!validator.errors().empty()) return Fail(Join(validator.errors()));
  return file;
}

Result<FunctionsFile> LoadFunctionsFile(const std::string& path) {
  Result<Json> document = ReadJsonOrYamlFile(path);
  if (!document.ok()) return Fail(document.error());
  return ParseFunctionsFile(*document, path, DirectoryOf(path));
}

Result<Json> TaskMocksToFunctionsFile(const Json& task_mocks) {
  if (!task_mocks.is_object()) return Fail(std::string("task_mocks: must be an object"));
  Json functions = Json::object();
  for (const auto& [name, mock] : task_mocks.items()) {
    std::string kind = mock.is_object() ? mock.value("kind", "") : "";
    if (kind == "identity") {
      functions[name] = {{"command", Json::array({"cat"})}};
    } else if (kind == "constant" && mock.contains("result")) {
      functions[name] = {{"return", mock["result"]}};
    } else if (kind == "raise" && mock.contains("error") && mock["error"].is_string()) {
      Json raise = {{"errorType", mock["error"]},
                    {"errorMessage", mock.value("errorMessage", std::string())}};
      functions[name] = {{"raise", std::move(raise)}};
    } else {
      return Fail("task_mocks/" + name + ": unsupported mock " + mock.dump());
    }
  }
  return Json{{"functions", std::move(functions)}};
}

// ---------------------------------------------------------------------------------------------
// FunctionsHandler

// One invocation, resolved: which form, which function, and what it receives.
struct FunctionsHandler::Call {
  lambda::InvokeForm form = lambda::InvokeForm::kFunctionArn;
  std::string given;  // the function ARN or FunctionName as the state gave it
  lambda::FunctionRef ref;
  const FunctionSpec* spec = nullptr;  // null: not in the file
  Json event;
  std::string request_id;
};

namespace {

// The keys to try, most specific first.
std::vector<std::string> LookupKeys(const std::string& given, const lambda::FunctionRef& ref) {
  std::vector<std::string> keys = {given};
  if (!ref.qualifier.empty()) {
    if (!ref.region.empty()) {
      keys.push_back("arn:" + ref.partition + ":lambda:" + ref.region + ":" + ref.account +
                     ":function:" + ref.name);
    }
    keys.push_back(ref.name + ":" + ref.qualifier);
  }
  keys.push_back(ref.name);
  return keys;
}

const FunctionSpec* Lookup(const FunctionsFile& file, const std::string& given,
                           const lambda::FunctionRef& ref) {
  for (const auto& key : LookupKeys(given, ref)) {
    if (const FunctionSpec* spec = file.Find(key)) return spec;
  }
  return nullptr;
}

const Json& PayloadOf(const TaskRequest& request) {
  static const Json kNull;
  return request.payload ? *request.payload : kNull;
}

// Resolves the request into a Call, or the error AWS would raise before invoking anything.
Result<FunctionsHandler::Call, asl::AslError> Prepare(const TaskRequest& request,
                                                      const FunctionsFile& file) {
  FunctionsHandler::Call call;
  const Json& payload = PayloadOf(request);
  if (auto ref = lambda::ParseFunctionArn(request.resource)) {
    call.form = lambda::InvokeForm::kFunctionArn;
    call.given = request.resource;
    call.ref = *ref;
    call.event = lambda::EventFromPayload(payload);
  } else {
    call.form = lambda::InvokeForm::kLambdaInvoke;
    const Json* name = payload.is_object() && payload.contains("FunctionName")
                           ? &payload["FunctionName"]
                           : nullptr;
    if (name == nullptr || !name->is_string()) {
      return Fail(asl::AslError{
          std::string(asl::errors::kTaskFailed),
          "The parameters of '" + request.resource + "' need a string field 'FunctionName'", true});
    }
    call.given = name->get<std::string>();
    auto parsed = lambda::ParseFunctionName(call.given);
    if (!parsed) {
      return Fail(asl::AslError{"Lambda.InvalidParameterValueException",
                                "Invalid FunctionName '" + call.given +
                                    "': expected a function name, NAME:QUALIFIER, or a "
                                    "function ARN",
                                true});
    }
    call.ref = *parsed;
    if (call.ref.qualifier.empty() && payload.contains("Qualifier") &&
        payload["Qualifier"].is_string()) {
      call.ref.qualifier = payload["Qualifier"].get<std::string>();
    }
    call.event = lambda::EventFromPayload(payload.value("Payload", Json()));
  }
  call.spec = Lookup(file, call.given, call.ref);
  return call;
}

}  // namespace

FunctionsHandler::FunctionsHandler(uv_loop_t* loop, std::shared_ptr<const FunctionsFile> functions)
    : FunctionsHandler(loop, std::move(functions), FunctionsHandlerOptions{}) {}

FunctionsHandler::FunctionsHandler(uv_loop_t* loop, std::shared_ptr<const FunctionsFile> functions,
                                   FunctionsHandlerOptions options)
    : functions_(std::move(functions)),
      options_(std::move(options)),
      deferred_(loop),
      runner_(loop, options_.runner) {
  if (!options_.new_request_id) options_.new_request_id = &lambda::NewRequestId;
  if (!options_.now) options_.now = [] { return std::chrono::system_clock::now(); };
}

FunctionsHandler::~FunctionsHandler() = default;

bool FunctionsHandler::Handles(const TaskRequest& request) const {
  return lambda::ParseFunctionArn(request.resource).has_value() ||
         lambda::IsLambdaInvokeResource(request.resource);
}

namespace {

// The task result for a function's output, in the call's form.
Json Shape(const FunctionsHandler::Call& call, Json output,
           std::chrono::system_clock::time_point now) {
  switch (call.form) {
    case lambda::InvokeForm::kFunctionArn:
      return output;
    case lambda::InvokeForm::kLambdaInvoke:
      return lambda::InvokeResponse(
          output, lambda::ExecutedVersion(call.ref.qualifier),
          lambda::InvokeMetadata{call.request_id, now, lambda::NewTraceId(now)});
  }
  return output;
}

TaskOutcome FromLambdaError(const FunctionsHandler::Call& call, const LambdaError& error) {
  std::string type = error.object["errorType"].get<std::string>();
  // The legacy form reports Lambda's payload text as the function wrote it; lambda:invoke
  // re-serialises the parsed payload compactly.
  switch (call.form) {
    case lambda::InvokeForm::kFunctionArn:
      return Failed(type, error.text);
    case lambda::InvokeForm::kLambdaInvoke:
      return Failed(type, error.object.dump());
  }
  return Failed(type, error.text);
}

std::string CommandName(const FunctionSpec& spec) { return spec.command.front(); }

TaskOutcome FromCommand(const FunctionsHandler::Call& call, const CommandResult& result,
                        std::chrono::system_clock::time_point now) {
  const std::string who =
      "Function '" + call.given + "' (command '" + CommandName(*call.spec) + "')";
  if (!result.succeeded()) {
    if (auto error = FindLambdaError(result.stdout_data)) return FromLambdaError(call, *error);
    if (auto error = FindLambdaError(result.stderr_data)) return FromLambdaError(call, *error);
    std::string_view stderr_text = Trim(result.stderr_data);
    if (!stderr_text.empty())
      return Failed(std::string(asl::errors::kTaskFailed), std::string(stderr_text));
    return Failed(std::string(asl::errors::kTaskFailed), who + " " + result.Describe());
  }
  if (result.stdout_truncated) {
    return Failed(std::string(asl::errors::kTaskFailed),
                  who + " printed more output than a task result may hold");
  }
  std::string_view text = Trim(result.stdout_data);
  if (text.empty()) return Succeeded(Shape(call, nullptr, now));
  try {
    return Succeeded(Shape(call, Json::parse(text.begin(), text.end()), now));
  } catch (const nlohmann::json::parse_error& e) {
    return Failed(std::string(asl::errors::kTaskFailed),
                  who + " printed output that is not JSON (" + e.what() + "): " + Excerpt(text));
  }
}

TaskOutcome Immediate(const FunctionsHandler::Call& call, const lambda::RegionAccount& defaults,
                      std::chrono::system_clock::time_point now) {
  if (call.spec == nullptr) {
    return Failed(
        std::string(lambda::kResourceNotFound),
        lambda::FunctionNotFoundCause(lambda::QualifiedArn(call.ref, defaults), call.request_id));
  }
  switch (call.spec->kind) {
    case FunctionKind::kReturn:
      return Succeeded(Shape(call, *call.spec->value, now));
    case FunctionKind::kRaise:
      return Failed(call.spec->error_type,
                    lambda::ErrorCause(call.form, lambda::ErrorPayload(call.spec->error_type,
                                                                       call.spec->error_message,
                                                                       call.request_id)));
    case FunctionKind::kCommand:
      break;  // not immediate
  }
  return Failed(std::string(asl::errors::kTaskFailed),
                "internal: a command has no immediate result");
}

}  // namespace

void FunctionsHandler::Start(const TaskRequest& request, TaskCallback done) {
  Result<Call, asl::AslError> prepared = Prepare(request, *functions_);
  if (!prepared.ok()) {
    TaskOutcome outcome{false, nullptr, prepared.error()};
    deferred_.Post(request.task_id, [done, outcome] { done(outcome); });
    return;
  }
  auto call = std::make_shared<Call>(std::move(prepared).value());
  call->request_id = options_.new_request_id();
  if (call->spec != nullptr && call->spec->kind == FunctionKind::kCommand) {
    return RunCommand(request, std::move(call), std::move(done));
  }
  lambda::RegionAccount defaults = lambda::RegionAccountOf(request.execution_arn);
  if (defaults.region.empty()) defaults.region = options_.default_region;
  if (defaults.account.empty()) defaults.account = options_.default_account;
  TaskOutcome outcome = Immediate(*call, defaults, options_.now());
  deferred_.Post(request.task_id, [done, outcome] { done(outcome); });
}

void FunctionsHandler::RunCommand(const TaskRequest& request, std::shared_ptr<Call> call,
                                  TaskCallback done) {
  CommandSpec command;
  command.argv = call->spec->command;
  command.cwd = call->spec->cwd;
  command.stdin_data = call->event.dump() + "\n";
  command.env = call->spec->env;
  command.env.emplace_back("SLUICE_IDEMPOTENCY_KEY", request.idempotency_key);
  command.env.emplace_back("SLUICE_EXECUTION_ARN", request.execution_arn);
  command.env.emplace_back("SLUICE_STATE_NAME", request.state_name);
  command.env.emplace_back("SLUICE_FUNCTION_NAME", call->ref.name);

  uint64_t task_id = request.task_id;
  Result<uint64_t> run = runner_.Start(command, [this, task_id, call, done](CommandResult result) {
    running_.erase(task_id);
    done(FromCommand(*call, result, options_.now()));
  });
  if (!run.ok()) {
    TaskOutcome outcome = Failed(std::string(asl::errors::kTaskFailed),
                                 "Function '" + call->given + "': " + run.error());
    deferred_.Post(task_id, [done, outcome] { done(outcome); });
    return;
  }
  running_[task_id] = *run;
}

void FunctionsHandler::Cancel(uint64_t task_id) {
  deferred_.Cancel(task_id);
  auto it = running_.find(task_id);
  if (it == running_.end()) return;
  runner_.Cancel(it->second);
  running_.erase(it);
}

}  // namespace sluice::handlers
