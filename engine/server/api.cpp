// StepFunctionsApi: see api.h.
#include "engine/server/api.h"

#include <uv.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>

#include "asl/loader.h"
#include "engine/executor.h"
#include "engine/run.h"
#include "engine/runtime.h"
#include "engine/server/task_broker.h"
#include "engine/server/test_state.h"
#include "engine/service.h"
#include "engine/store/store.h"

namespace sluice::engine::server {

namespace {

constexpr int64_t kDefaultPageSize = 100;
constexpr int64_t kMaxPageSize = 1000;

ApiError Error(std::string type, std::string message) {
  return ApiError{std::move(type), std::move(message), 400};
}

ApiError Internal(const std::string& message) { return ApiError{"InternalFailure", message, 500}; }

// AWS's JSON protocol sends timestamps as epoch seconds.
Json Seconds(int64_t nanos) { return static_cast<double>(nanos) / 1e9; }

// A request's members, type-checked: a wrong type is a ValidationException naming the member.
class Members {
 public:
  explicit Members(const Json& body) : body_(body) {}

  Result<std::optional<std::string>, ApiError> String(const char* name) const {
    auto it = body_.find(name);
    if (it == body_.end() || it->is_null()) return std::optional<std::string>();
    if (!it->is_string()) return Fail(Invalid(name, "must be a string"));
    return std::optional<std::string>(it->get<std::string>());
  }

  Result<std::string, ApiError> RequiredString(const char* name) const {
    auto value = String(name);
    if (!value.ok()) return Fail(value.error());
    if (!value.value()) {
      return Fail(Error("ValidationException", std::string("1 validation error detected: Value "
                                                           "null at '") +
                                                   name +
                                                   "' failed to satisfy constraint: "
                                                   "Member must not be null"));
    }
    return std::move(*value.value());
  }

  Result<bool, ApiError> Bool(const char* name, bool fallback) const {
    auto it = body_.find(name);
    if (it == body_.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) return Fail(Invalid(name, "must be a boolean"));
    return it->get<bool>();
  }

  // maxResults: 0 means the default, AWS's range is 0..1000.
  Result<int64_t, ApiError> PageSize() const {
    auto it = body_.find("maxResults");
    if (it == body_.end() || it->is_null()) return kDefaultPageSize;
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > kMaxPageSize) {
      return Fail(Invalid("maxResults", "must be an integer from 0 to 1000"));
    }
    int64_t n = it->get<int64_t>();
    return n == 0 ? kDefaultPageSize : n;
  }

 private:
  static ApiError Invalid(const char* name, const char* constraint) {
    return Error("ValidationException", std::string("1 validation error detected: Value at '") +
                                            name + "' failed to satisfy constraint: Member " +
                                            constraint);
  }
  const Json& body_;
};

// AWS's rule for state machine and execution names: 1–80 characters, none of whitespace,
// brackets, wildcards, the specials "#%\^|~`$&,;:/ or control characters.
bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 80) return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == ' ') return false;
    if (std::string_view("<>{}[]?*\"#%\\^|~`$&,;:/").find(static_cast<char>(c)) !=
        std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::string Quoted(const std::string& s) { return "'" + s + "'"; }

// The ARN of activity `name`: the region and account of the state machines.
std::string ActivityArn(const std::string& name) {
  std::string arn = StateMachineArn("");
  arn.resize(arn.size() - std::strlen("stateMachine:"));
  return arn + "activity:" + name;
}

// An activity ARN with a valid name (any region and account).
bool ValidActivityArn(const std::string& arn) {
  return IsActivityResource(arn) && ValidName(arn.substr(arn.rfind(':') + 1));
}

}  // namespace

struct StepFunctionsApi::Impl {
  // A GetActivityTask waiting for a task: answered by its timer, at once when a task comes
  // (the timer restarted at 0, so the answer leaves the broker's call stack) or empty after
  // ApiOptions::activity_poll_millis.
  struct Poll {
    uv_timer_t timer;
    Impl* impl = nullptr;
    uint64_t poller_id = 0;
    std::string worker;
    std::optional<ActivityTask> task;
    ApiReply reply;
  };

  Impl(Service& s, TaskBroker& b, ApiOptions o) : service(s), broker(b), options(o) {
    broker.set_activity_lookup([this](const std::string& arn) {
      auto found = store().GetActivity(arn);
      return !found.ok() || found.value().has_value();  // a read error: let the worker decide
    });
  }

  // Polls still waiting are dropped unanswered (the server is going away); their timers are
  // closed on the loop and freed there.
  ~Impl() {
    broker.set_activity_lookup(nullptr);
    for (Poll* poll : polls) {
      broker.RemovePoller(poll->poller_id);
      ClosePoll(poll);
    }
  }

  Service& service;
  TaskBroker& broker;
  ApiOptions options;
  std::map<std::string, std::shared_ptr<const asl::StateMachine>> compiled;  // by definition hash
  std::set<Poll*> polls;
  bool polls_ended = false;             // EndPolls: GetActivityTask answers without waiting
  std::unique_ptr<StateTester> tester;  // made at the first TestState

  Store& store() { return service.store(); }
  int64_t Now() { return service.runtime().clock().Now(); }

  using Answer = Result<Json, ApiError>;

  // ---- definitions and state machines ------------------------------------------------------

  // Parses and compiles a definition; errors in the words of CreateStateMachine's
  // InvalidDefinition.
  Result<std::shared_ptr<const asl::StateMachine>, ApiError> Compile(const std::string& text) {
    const std::string hash = DefinitionHash(text);
    if (auto it = compiled.find(hash); it != compiled.end()) return it->second;
    auto parsed = asl::ParseDefinitionText(text);
    if (!parsed.ok()) {
      return Fail(
          Error("InvalidDefinition", "Invalid State Machine Definition: '" + parsed.error() + "'"));
    }
    auto machine = asl::Compile(parsed.value());
    if (!machine.ok()) {
      std::string problems;
      for (const auto& d : machine.error()) {
        if (!problems.empty()) problems += ", ";
        problems += "SCHEMA_VALIDATION_FAILED: " + d.message + " at " +
                    (d.pointer.empty() ? "/" : d.pointer);
      }
      return Fail(
          Error("InvalidDefinition", "Invalid State Machine Definition: '" + problems + "'"));
    }
    compiled[hash] = machine.value();
    return machine.value();
  }

  Result<StateMachineRecord, ApiError> Machine(const std::string& arn) {
    auto record = store().GetStateMachine(arn);
    if (!record.ok()) return Fail(Internal(record.error()));
    if (!record.value()) {
      return Fail(
          Error("StateMachineDoesNotExist", "State Machine Does Not Exist: " + Quoted(arn)));
    }
    return std::move(*record.value());
  }

  Result<std::string, ApiError> Definition(const std::string& hash) {
    auto text = store().GetDefinition(hash);
    if (!text.ok()) return Fail(Internal(text.error()));
    if (!text.value()) return Fail(Internal("definition " + hash + " is missing"));
    return std::move(*text.value());
  }

  Result<StateMachineType, ApiError> Type(const Members& m) {
    auto type = m.String("type");
    if (!type.ok()) return Fail(type.error());
    if (!type.value()) return StateMachineType::kStandard;
    auto parsed = ParseStateMachineType(*type.value());
    if (!parsed.ok()) {
      return Fail(Error("ValidationException",
                        "1 validation error detected: Value " + Quoted(*type.value()) +
                            " at 'type' failed to satisfy constraint: Member must satisfy enum "
                            "value set: [STANDARD, EXPRESS]"));
    }
    return parsed.value();
  }

  Status<ApiError> Commit(const WriteBatch& batch) {
    auto committed = store().Commit(batch);
    if (!committed.ok()) return Fail(Internal(committed.error()));
    return Ok{};
  }

  Answer CreateStateMachine(const Members& m) {
    auto name = m.RequiredString("name");
    if (!name.ok()) return Fail(name.error());
    auto definition = m.RequiredString("definition");
    if (!definition.ok()) return Fail(definition.error());
    auto role = m.String("roleArn");
    if (!role.ok()) return Fail(role.error());
    auto type = Type(m);
    if (!type.ok()) return Fail(type.error());
    if (!ValidName(*name)) return Fail(Error("InvalidName", "Invalid Name: " + Quoted(*name)));
    auto machine = Compile(*definition);
    if (!machine.ok()) return Fail(machine.error());

    StateMachineRecord record;
    record.arn = StateMachineArn(*name);
    record.name = *name;
    record.type = *type;
    record.definition_hash = DefinitionHash(*definition);
    record.role_arn = role.value().value_or("arn:aws:iam::123456789012:role/sluice");
    auto existing = store().GetStateMachine(record.arn);
    if (!existing.ok()) return Fail(Internal(existing.error()));
    if (existing.value()) {
      // Idempotent when nothing differs (AWS); otherwise the name is taken.
      const StateMachineRecord& e = *existing.value();
      if (e.definition_hash != record.definition_hash || e.role_arn != record.role_arn ||
          e.type != record.type) {
        return Fail(Error("StateMachineAlreadyExists",
                          "State Machine Already Exists: " + Quoted(record.arn)));
      }
      return Json{{"stateMachineArn", e.arn}, {"creationDate", Seconds(e.created_nanos)}};
    }
    record.created_nanos = record.updated_nanos = Now();
    WriteBatch batch;
    batch.PutDefinition(*definition);
    batch.PutStateMachine(record);
    auto committed = Commit(batch);
    if (!committed.ok()) return Fail(committed.error());
    return Json{{"stateMachineArn", record.arn}, {"creationDate", Seconds(record.created_nanos)}};
  }

  Answer DescribeStateMachine(const Members& m) {
    auto arn = m.RequiredString("stateMachineArn");
    if (!arn.ok()) return Fail(arn.error());
    auto record = Machine(*arn);
    if (!record.ok()) return Fail(record.error());
    auto text = Definition(record->definition_hash);
    if (!text.ok()) return Fail(text.error());
    return Json{{"stateMachineArn", record->arn},
                {"name", record->name},
                {"status", "ACTIVE"},
                {"definition", *text},
                {"roleArn", record->role_arn},
                {"type", StateMachineTypeName(record->type)},
                {"creationDate", Seconds(record->created_nanos)},
                {"loggingConfiguration", {{"level", "OFF"}, {"includeExecutionData", false}}},
                {"tracingConfiguration", {{"enabled", false}}}};
  }

  Answer UpdateStateMachine(const Members& m) {
    auto arn = m.RequiredString("stateMachineArn");
    if (!arn.ok()) return Fail(arn.error());
    auto definition = m.String("definition");
    if (!definition.ok()) return Fail(definition.error());
    auto role = m.String("roleArn");
    if (!role.ok()) return Fail(role.error());
    auto record = Machine(*arn);
    if (!record.ok()) return Fail(record.error());
    if (!definition.value() && !role.value()) {
      return Fail(Error("MissingRequiredParameter",
                        "Either the definition or the roleArn must be specified"));
    }
    WriteBatch batch;
    if (definition.value()) {
      auto machine = Compile(*definition.value());
      if (!machine.ok()) return Fail(machine.error());
      record->definition_hash = batch.PutDefinition(*definition.value());
    }
    if (role.value()) record->role_arn = *role.value();
    record->updated_nanos = Now();
    batch.PutStateMachine(*record);
    auto committed = Commit(batch);
    if (!committed.ok()) return Fail(committed.error());
    return Json{{"updateDate", Seconds(record->updated_nanos)}};
  }

  Answer DeleteStateMachine(const Members& m) {
    auto arn = m.RequiredString("stateMachineArn");
    if (!arn.ok()) return Fail(arn.error());
    // Deleting one that does not exist succeeds (AWS); running executions go on.
    WriteBatch batch;
    batch.DeleteStateMachine(*arn);
    auto committed = Commit(batch);
    if (!committed.ok()) return Fail(committed.error());
    return Json::object();
  }

  // nextToken for list actions that page in memory: the offset of the next item.
  static Result<size_t, ApiError> Offset(const Members& m) {
    auto token = m.String("nextToken");
    if (!token.ok()) return Fail(token.error());
    if (!token.value()) return size_t{0};
    const std::string& t = *token.value();
    if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos || t.size() > 12) {
      return Fail(Error("InvalidToken", "Invalid Token: " + Quoted(t)));
    }
    return static_cast<size_t>(std::stoull(t));
  }

  Answer ListStateMachines(const Members& m) {
    auto size = m.PageSize();
    if (!size.ok()) return Fail(size.error());
    auto offset = Offset(m);
    if (!offset.ok()) return Fail(offset.error());
    auto all = store().ListStateMachines();
    if (!all.ok()) return Fail(Internal(all.error()));
    Json items = Json::array();
    size_t end = std::min(all->size(), *offset + static_cast<size_t>(*size));
    for (size_t i = *offset; i < end; ++i) {
      const auto& r = (*all)[i];
      items.push_back({{"stateMachineArn", r.arn},
                       {"name", r.name},
                       {"type", StateMachineTypeName(r.type)},
                       {"creationDate", Seconds(r.created_nanos)}});
    }
    Json out{{"stateMachines", std::move(items)}};
    if (end < all->size()) out["nextToken"] = std::to_string(end);
    return out;
  }

  // ---- executions --------------------------------------------------------------------------

  Result<ExecutionRecord, ApiError> Execution(const std::string& arn) {
    auto record = store().GetExecution(arn);
    if (!record.ok()) return Fail(Internal(record.error()));
    if (!record.value()) {
      return Fail(Error("ExecutionDoesNotExist", "Execution Does Not Exist: " + Quoted(arn)));
    }
    return std::move(*record.value());
  }

  struct Starting {
    StateMachineRecord machine;
    StartRequest request;
  };

  // What StartExecution and StartSyncExecution share: the machine, the name, the input.
  Result<Starting, ApiError> PrepareStart(const Members& m) {
    auto arn = m.RequiredString("stateMachineArn");
    if (!arn.ok()) return Fail(arn.error());
    auto name = m.String("name");
    if (!name.ok()) return Fail(name.error());
    auto input = m.String("input");
    if (!input.ok()) return Fail(input.error());
    auto record = Machine(*arn);
    if (!record.ok()) return Fail(record.error());
    if (name.value() && !ValidName(*name.value())) {
      return Fail(Error("InvalidName", "Invalid Name: " + Quoted(*name.value())));
    }
    const std::string text = input.value().value_or("{}");
    if (text.size() > options.max_input_bytes) {
      return Fail(Error("InvalidExecutionInput",
                        "Invalid State Machine Execution Input: 'the input is " +
                            std::to_string(text.size()) + " bytes, over the limit of " +
                            std::to_string(options.max_input_bytes) + "'"));
    }
    Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
      return Fail(
          Error("InvalidExecutionInput", "Invalid State Machine Execution Input: 'not JSON'"));
    }
    auto definition = Definition(record->definition_hash);
    if (!definition.ok()) return Fail(definition.error());
    auto machine = Compile(*definition);
    if (!machine.ok()) return Fail(Internal(record->arn + ": " + machine.error().message));
    Starting s{std::move(record).value(), StartRequest{}};
    s.request.definition_text = std::move(definition).value();
    s.request.machine = machine.value();
    s.request.machine_name = s.machine.name;
    s.request.execution_name = name.value().value_or(NewUuid());
    s.request.input = std::make_shared<const Json>(std::move(parsed));
    s.request.handlers.builtins = true;
    s.request.handlers.machine_name = s.machine.name;
    s.request.express = s.machine.type == StateMachineType::kExpress;
    s.request.record_state_machine = false;
    return s;
  }

  // StartExecution with a name already used: the same call again is answered with the running
  // execution (AWS's idempotency); anything else is ExecutionAlreadyExists.
  Result<std::optional<Json>, ApiError> AlreadyStarted(const Starting& s) {
    const std::string arn = ExecutionArn(s.machine.name, s.request.execution_name);
    if (const Executor* live = service.Running(arn)) {  // started and not yet committed
      if (live->input() == *s.request.input) {
        return std::optional<Json>(
            Json{{"executionArn", arn}, {"startDate", Seconds(live->start_time())}});
      }
      return Fail(Error("ExecutionAlreadyExists", "Execution Already Exists: " + Quoted(arn)));
    }
    auto existing = store().GetExecution(arn);
    if (!existing.ok()) return Fail(Internal(existing.error()));
    if (!existing.value()) return std::optional<Json>();
    const ExecutionRecord& e = *existing.value();
    Json stored = Json::parse(e.input, nullptr, false);
    if (e.status == ExecutionStatus::kRunning && stored == *s.request.input) {
      return std::optional<Json>(
          Json{{"executionArn", e.arn}, {"startDate", Seconds(e.start_nanos)}});
    }
    return Fail(Error("ExecutionAlreadyExists", "Execution Already Exists: " + Quoted(arn)));
  }

  Answer StartExecution(const Members& m) {
    auto s = PrepareStart(m);
    if (!s.ok()) return Fail(s.error());
    auto again = AlreadyStarted(*s);
    if (!again.ok()) return Fail(again.error());
    if (again.value()) return std::move(*again.value());
    auto started = service.Start(s->request);
    if (!started.ok()) return Fail(Internal(started.error()));
    const Executor* ex = service.Running(*started);
    int64_t start = ex ? ex->start_time() : Now();
    auto committed = service.CommitNow();  // answered only once it is durable
    if (!committed.ok()) return Fail(Internal(committed.error()));
    return Json{{"executionArn", *started}, {"startDate", Seconds(start)}};
  }

  void StartSyncExecution(const Members& m, ApiReply reply) {
    auto s = PrepareStart(m);
    if (!s.ok()) return reply(Failed(s.error()));
    if (s->machine.type != StateMachineType::kExpress) {
      return reply(Failed(Error("StateMachineTypeNotSupported",
                                "This operation is not supported by this type of state machine")));
    }
    auto again = AlreadyStarted(*s);
    if (!again.ok()) return reply(Failed(again.error()));
    if (again.value()) {
      return reply(Failed(Error("ExecutionAlreadyExists",
                                "Execution Already Exists: " +
                                    Quoted((*again.value())["executionArn"].get<std::string>()))));
    }
    std::string input_text = s->request.input->dump();
    std::string machine_arn = s->machine.arn;
    auto started = service.Start(s->request, [reply, input_text, machine_arn](const Executor& ex) {
      const ExecutionOptions& o = ex.options();
      Json out{{"executionArn", o.execution_arn},
               {"stateMachineArn", machine_arn},
               {"name", o.execution_name},
               {"startDate", Seconds(ex.start_time())},
               {"stopDate", Seconds(ex.history().empty() ? ex.start_time()
                                                         : ex.history().back().timestamp_nanos)},
               {"status", ExecutionStatusName(ex.status())},
               {"input", input_text},
               {"inputDetails", {{"included", true}}}};
      if (ex.status() == ExecutionStatus::kSucceeded) {
        out["output"] = ex.output().dump();
        out["outputDetails"] = {{"included", true}};
      } else {
        if (!ex.error().error.empty()) out["error"] = ex.error().error;
        if (ex.error().has_cause) out["cause"] = ex.error().cause;
      }
      reply(ApiAnswer{true, out.dump(), {}});
    });
    if (!started.ok()) reply(Failed(Internal(started.error())));
  }

  static Json ExecutionItem(const ExecutionRecord& e) {
    Json item{{"executionArn", e.arn},
              {"stateMachineArn", e.state_machine_arn},
              {"name", e.name},
              {"status", ExecutionStatusName(e.status)},
              {"startDate", Seconds(e.start_nanos)}};
    if (e.stop_nanos) item["stopDate"] = Seconds(*e.stop_nanos);
    if (e.redrive_count > 0) item["redriveCount"] = e.redrive_count;
    if (e.redrive_nanos) item["redriveDate"] = Seconds(*e.redrive_nanos);
    return item;
  }

  Answer DescribeExecution(const Members& m) {
    auto arn = m.RequiredString("executionArn");
    if (!arn.ok()) return Fail(arn.error());
    auto e = Execution(*arn);
    if (!e.ok()) return Fail(e.error());
    Json out = ExecutionItem(*e);
    out["input"] = e->input;
    out["inputDetails"] = {{"included", true}};
    if (e->output) {
      out["output"] = *e->output;
      out["outputDetails"] = {{"included", true}};
    }
    if (e->error) out["error"] = *e->error;
    if (e->cause) out["cause"] = *e->cause;
    out["redriveCount"] = e->redrive_count;
    const std::string reason = RedriveStatusReason(*e);
    out["redriveStatus"] = reason.empty() ? "REDRIVABLE" : "NOT_REDRIVABLE";
    if (!reason.empty()) out["redriveStatusReason"] = reason;
    return out;
  }

  Answer DescribeStateMachineForExecution(const Members& m) {
    auto arn = m.RequiredString("executionArn");
    if (!arn.ok()) return Fail(arn.error());
    auto e = Execution(*arn);
    if (!e.ok()) return Fail(e.error());
    auto text = Definition(e->definition_hash);
    if (!text.ok()) return Fail(text.error());
    auto options = DecodeExecutionOptions(*e);
    if (!options.ok()) return Fail(Internal(options.error()));
    auto machine = store().GetStateMachine(e->state_machine_arn);
    if (!machine.ok()) return Fail(Internal(machine.error()));
    int64_t updated = machine.value() ? machine.value()->updated_nanos : e->start_nanos;
    return Json{{"stateMachineArn", e->state_machine_arn},
                {"name", options->state_machine_name},
                {"definition", *text},
                {"roleArn", options->role_arn},
                {"updateDate", Seconds(updated)}};
  }

  Answer ListExecutions(const Members& m) {
    auto arn = m.RequiredString("stateMachineArn");
    if (!arn.ok()) return Fail(arn.error());
    auto size = m.PageSize();
    if (!size.ok()) return Fail(size.error());
    auto status = m.String("statusFilter");
    if (!status.ok()) return Fail(status.error());
    auto token = m.String("nextToken");
    if (!token.ok()) return Fail(token.error());
    auto machine = Machine(*arn);
    if (!machine.ok()) return Fail(machine.error());
    ExecutionFilter filter;
    filter.state_machine_arn = *arn;
    filter.limit = static_cast<int>(*size);
    filter.page_token = token.value().value_or("");
    if (status.value()) {
      auto parsed = ParseExecutionStatus(*status.value());
      if (!parsed.ok() && *status.value() != "PENDING_REDRIVE") {
        return Fail(Error("ValidationException",
                          "1 validation error detected: Value " + Quoted(*status.value()) +
                              " at 'statusFilter' failed to satisfy constraint: Member must "
                              "satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, "
                              "ABORTED, FAILED, RUNNING]"));
      }
      if (!parsed.ok()) return Json{{"executions", Json::array()}};  // never pending here
      filter.status = parsed.value();
    }
    auto page = store().ListExecutions(filter);
    if (!page.ok()) {
      if (!filter.page_token.empty()) {
        return Fail(Error("InvalidToken", "Invalid Token: " + Quoted(filter.page_token)));
      }
      return Fail(Internal(page.error()));
    }
    Json items = Json::array();
    for (const auto& e : page->executions) items.push_back(ExecutionItem(e));
    Json out{{"executions", std::move(items)}};
    if (!page->next_page_token.empty()) out["nextToken"] = page->next_page_token;
    return out;
  }

  // One history event as GetExecutionHistory sends it; without the execution data (inputs,
  // outputs, results) when include_data is false.
  static Json HistoryItem(const HistoryEvent& event, bool include_data) {
    Json j = HistoryEventToJson(event);
    j["timestamp"] = Seconds(event.timestamp_nanos);
    if (include_data) return j;
    for (auto& [key, value] : j.items()) {
      if (!value.is_object()) continue;
      for (const char* data : {"input", "output", "result", "parameters"}) value.erase(data);
    }
    return j;
  }

  Answer GetExecutionHistory(const Members& m) {
    auto arn = m.RequiredString("executionArn");
    if (!arn.ok()) return Fail(arn.error());
    auto size = m.PageSize();
    if (!size.ok()) return Fail(size.error());
    auto reverse = m.Bool("reverseOrder", false);
    if (!reverse.ok()) return Fail(reverse.error());
    auto include = m.Bool("includeExecutionData", true);
    if (!include.ok()) return Fail(include.error());
    auto token = m.String("nextToken");
    if (!token.ok()) return Fail(token.error());
    auto e = Execution(*arn);
    if (!e.ok()) return Fail(e.error());
    HistoryQuery query;
    query.reverse = *reverse;
    query.limit = *size + 1;  // one more: is there a next page?
    if (token.value()) {
      const std::string& t = *token.value();
      if (t.empty() || t.size() > 18 || t.find_first_not_of("0123456789") != std::string::npos) {
        return Fail(Error("InvalidToken", "Invalid Token: " + Quoted(t)));
      }
      query.start_event_id = std::stoll(t);
    } else {
      query.start_event_id = *reverse ? 0 : 1;
    }
    auto events = store().GetHistory(*arn, query);
    if (!events.ok()) return Fail(Internal(events.error()));
    Json items = Json::array();
    for (size_t i = 0; i < events->size() && i < static_cast<size_t>(*size); ++i) {
      items.push_back(HistoryItem((*events)[i], *include));
    }
    Json out{{"events", std::move(items)}};
    if (events->size() > static_cast<size_t>(*size)) {
      out["nextToken"] = std::to_string(events->back().id);
    }
    return out;
  }

  Answer StopExecution(const Members& m) {
    auto arn = m.RequiredString("executionArn");
    if (!arn.ok()) return Fail(arn.error());
    auto error = m.String("error");
    if (!error.ok()) return Fail(error.error());
    auto cause = m.String("cause");
    if (!cause.ok()) return Fail(cause.error());
    auto e = Execution(*arn);
    if (!e.ok()) return Fail(e.error());
    if (e->status != ExecutionStatus::kRunning) {
      return Json{{"stopDate", Seconds(e->stop_nanos.value_or(e->start_nanos))}};
    }
    const std::string err = error.value().value_or("");
    const std::string why = cause.value().value_or("");
    if (service.Running(*arn)) {
      auto stopped = service.StopRunning(*arn, err, why);
      if (!stopped.ok()) return Fail(Internal(stopped.error()));
      auto committed = service.CommitNow();
      if (!committed.ok()) return Fail(Internal(committed.error()));
      return Json{{"stopDate", Seconds(Now())}};
    }
    auto stopped = service.StopRecorded(*arn, err, why);
    if (!stopped.ok()) return Fail(Internal(stopped.error()));
    return Json{{"stopDate", Seconds(stopped->stop_nanos.value_or(Now()))}};
  }

  Answer RedriveExecution(const Members& m) {
    auto arn = m.RequiredString("executionArn");
    if (!arn.ok()) return Fail(arn.error());
    auto e = Execution(*arn);
    if (!e.ok()) return Fail(e.error());
    RedriveRequest request;
    request.reference = *arn;
    auto redriven = service.Redrive(request);
    if (!redriven.ok()) {
      const std::string& message = redriven.error();
      const std::string prefix = "ExecutionNotRedrivable: ";
      if (message.rfind(prefix, 0) == 0) {
        return Fail(Error("ExecutionNotRedrivable", message.substr(prefix.size())));
      }
      return Fail(Internal(message));
    }
    const Executor* ex = service.Running(*redriven);
    int64_t date = ex ? ex->redrive_time() : Now();
    auto committed = service.CommitNow();
    if (!committed.ok()) return Fail(Internal(committed.error()));
    return Json{{"redriveDate", Seconds(date)}};
  }

  // ---- task tokens -------------------------------------------------------------------------

  static Result<Json, ApiError> TokenAnswer(const Status<TokenError>& status) {
    if (!status.ok()) return Fail(Error(status.error().type, status.error().message));
    return Json::object();
  }

  Answer SendTaskSuccess(const Members& m) {
    auto token = m.RequiredString("taskToken");
    if (!token.ok()) return Fail(token.error());
    auto output = m.RequiredString("output");
    if (!output.ok()) return Fail(output.error());
    if (output->size() > options.max_input_bytes) {
      return Fail(Error("InvalidOutput", "Invalid Output: the output is " +
                                             std::to_string(output->size()) +
                                             " bytes, over the limit of " +
                                             std::to_string(options.max_input_bytes)));
    }
    Json parsed = Json::parse(*output, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return Fail(Error("InvalidOutput", "Invalid Output: not JSON"));
    return TokenAnswer(broker.SendSuccess(*token, std::make_shared<const Json>(std::move(parsed))));
  }

  Answer SendTaskFailure(const Members& m) {
    auto token = m.RequiredString("taskToken");
    if (!token.ok()) return Fail(token.error());
    auto error = m.String("error");
    if (!error.ok()) return Fail(error.error());
    auto cause = m.String("cause");
    if (!cause.ok()) return Fail(cause.error());
    asl::AslError e{error.value().value_or(""), cause.value().value_or(""),
                    cause.value().has_value()};
    return TokenAnswer(broker.SendFailure(*token, std::move(e)));
  }

  Answer SendTaskHeartbeat(const Members& m) {
    auto token = m.RequiredString("taskToken");
    if (!token.ok()) return Fail(token.error());
    return TokenAnswer(broker.SendHeartbeat(*token));
  }

  // ---- activities --------------------------------------------------------------------------

  Result<std::string, ApiError> ActivityArnMember(const Members& m) {
    auto arn = m.RequiredString("activityArn");
    if (!arn.ok()) return Fail(arn.error());
    if (!ValidActivityArn(*arn)) return Fail(Error("InvalidArn", "Invalid Arn: " + Quoted(*arn)));
    return std::move(arn).value();
  }

  Result<ActivityRecord, ApiError> Activity(const std::string& arn) {
    auto record = store().GetActivity(arn);
    if (!record.ok()) return Fail(Internal(record.error()));
    if (!record.value()) {
      return Fail(Error("ActivityDoesNotExist", "Activity Does Not Exist: " + Quoted(arn)));
    }
    return std::move(*record.value());
  }

  static Json ActivityItem(const ActivityRecord& a) {
    return Json{
        {"activityArn", a.arn}, {"name", a.name}, {"creationDate", Seconds(a.created_nanos)}};
  }

  Answer CreateActivity(const Members& m) {
    auto name = m.RequiredString("name");
    if (!name.ok()) return Fail(name.error());
    if (!ValidName(*name)) return Fail(Error("InvalidName", "Invalid Name: " + Quoted(*name)));
    ActivityRecord record{ActivityArn(*name), *name, Now()};
    auto existing = store().GetActivity(record.arn);
    if (!existing.ok()) return Fail(Internal(existing.error()));
    if (existing.value()) record = *existing.value();  // idempotent (AWS)
    WriteBatch batch;
    batch.PutActivity(record);
    auto committed = Commit(batch);
    if (!committed.ok()) return Fail(committed.error());
    return Json{{"activityArn", record.arn}, {"creationDate", Seconds(record.created_nanos)}};
  }

  Answer DescribeActivity(const Members& m) {
    auto arn = ActivityArnMember(m);
    if (!arn.ok()) return Fail(arn.error());
    auto record = Activity(*arn);
    if (!record.ok()) return Fail(record.error());
    return ActivityItem(*record);
  }

  Answer ListActivities(const Members& m) {
    auto size = m.PageSize();
    if (!size.ok()) return Fail(size.error());
    auto offset = Offset(m);
    if (!offset.ok()) return Fail(offset.error());
    auto all = store().ListActivities();
    if (!all.ok()) return Fail(Internal(all.error()));
    Json items = Json::array();
    size_t end = std::min(all->size(), *offset + static_cast<size_t>(*size));
    for (size_t i = *offset; i < end; ++i) items.push_back(ActivityItem((*all)[i]));
    Json out{{"activities", std::move(items)}};
    if (end < all->size()) out["nextToken"] = std::to_string(end);
    return out;
  }

  Answer DeleteActivity(const Members& m) {
    auto arn = ActivityArnMember(m);
    if (!arn.ok()) return Fail(arn.error());
    // Deleting one that does not exist succeeds; tasks already scheduled stay obtainable.
    WriteBatch batch;
    batch.DeleteActivity(*arn);
    auto committed = Commit(batch);
    if (!committed.ok()) return Fail(committed.error());
    return Json::object();
  }

  // GetActivityTask: a task queued for the activity now, else a long poll.
  void GetActivityTask(const Members& m, ApiReply reply) {
    auto arn = ActivityArnMember(m);
    if (!arn.ok()) return reply(Failed(arn.error()));
    auto worker = m.String("workerName");
    if (!worker.ok()) return reply(Failed(worker.error()));
    auto record = Activity(*arn);
    if (!record.ok()) return reply(Failed(record.error()));
    const std::string worker_name = worker.value().value_or("");
    if (auto task = broker.TakeActivityTask(*arn)) {
      return reply(HandOut(*task, worker_name));
    }
    if (polls_ended) return reply(ApiAnswer{true, "{}", {}});
    auto* poll = new Poll;
    poll->impl = this;
    poll->worker = worker_name;
    poll->reply = std::move(reply);
    uv_timer_init(service.runtime().loop(), &poll->timer);
    poll->timer.data = poll;
    polls.insert(poll);
    poll->poller_id = broker.AddPoller(*arn, [poll](ActivityTask task) {
      poll->task = std::move(task);
      uv_timer_start(&poll->timer, &Impl::OnPollTimer, 0, 0);
    });
    uv_timer_start(&poll->timer, &Impl::OnPollTimer, options.activity_poll_millis, 0);
  }

  static void OnPollTimer(uv_timer_t* timer) {
    auto* poll = static_cast<Poll*>(timer->data);
    Impl& impl = *poll->impl;
    impl.polls.erase(poll);
    ApiReply reply = std::move(poll->reply);
    std::optional<ActivityTask> task = std::move(poll->task);
    if (!task) impl.broker.RemovePoller(poll->poller_id);
    const std::string worker = poll->worker;
    ClosePoll(poll);
    // No task within the wait: AWS answers without taskToken and input.
    reply(task ? impl.HandOut(*task, worker) : ApiAnswer{true, "{}", {}});
  }

  static void ClosePoll(Poll* poll) {
    uv_timer_stop(&poll->timer);
    uv_close(reinterpret_cast<uv_handle_t*>(&poll->timer),
             [](uv_handle_t* h) { delete static_cast<Poll*>(h->data); });
  }

  // Gives `task` to a worker: ActivityStarted is recorded (durably) before the answer.
  ApiAnswer HandOut(const ActivityTask& task, const std::string& worker) {
    service.runtime().TaskStarted(task.task_id, worker);
    auto committed = service.CommitNow();
    if (!committed.ok()) return Failed(Internal(committed.error()));
    Json out{{"taskToken", task.token}, {"input", task.input ? task.input->dump() : "{}"}};
    return ApiAnswer{true, out.dump(), {}};
  }

  // ---- TestState ---------------------------------------------------------------------------

  void TestState(const Members& m, ApiReply reply) {
    auto definition = m.RequiredString("definition");
    if (!definition.ok()) return reply(Failed(definition.error()));
    auto role = m.String("roleArn");
    if (!role.ok()) return reply(Failed(role.error()));
    auto input = m.String("input");
    if (!input.ok()) return reply(Failed(input.error()));
    auto level = m.String("inspectionLevel");
    if (!level.ok()) return reply(Failed(level.error()));
    auto reveal = m.Bool("revealSecrets", false);  // only HTTP Tasks have secrets to reveal
    if (!reveal.ok()) return reply(Failed(reveal.error()));
    auto variables = m.String("variables");
    if (!variables.ok()) return reply(Failed(variables.error()));
    TestStateRequest request;
    request.definition = *definition;
    request.role_arn = role.value().value_or("");
    request.inspection_level = level.value().value_or("INFO");
    if (request.inspection_level != "INFO" && request.inspection_level != "DEBUG" &&
        request.inspection_level != "TRACE") {
      return reply(
          Failed(Error("ValidationException",
                       "1 validation error detected: Value " + Quoted(request.inspection_level) +
                           " at 'inspectionLevel' failed to satisfy constraint: Member "
                           "must satisfy enum value set: [INFO, DEBUG, TRACE]")));
    }
    const std::string text = input.value().value_or("{}");
    request.input = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (request.input.is_discarded()) {
      return reply(Failed(Error("InvalidExecutionInput", "Invalid input: 'not JSON'")));
    }
    if (variables.value()) {
      Json vars = Json::parse(*variables.value(), nullptr, /*allow_exceptions=*/false);
      if (vars.is_discarded() || !vars.is_object()) {
        return reply(
            Failed(Error("ValidationException", "variables must be a JSON object (as a string)")));
      }
      request.variables = std::move(vars);
    }
    if (!tester) {
      tester = std::make_unique<StateTester>(service.runtime().loop(), service.runtime().clock(),
                                             service.builtin_handler());
    }
    tester->Run(request, [reply](Result<Json, TestStateError> answer) {
      if (!answer.ok()) {
        const TestStateError& e = answer.error();
        return reply(
            Failed(e.type == "InternalFailure" ? Internal(e.message) : Error(e.type, e.message)));
      }
      reply(ApiAnswer{true, answer.value().dump(), {}});
    });
  }

  // ---- validation --------------------------------------------------------------------------

  Answer ValidateStateMachineDefinition(const Members& m) {
    auto definition = m.RequiredString("definition");
    if (!definition.ok()) return Fail(definition.error());
    auto type = Type(m);
    if (!type.ok()) return Fail(type.error());
    Json diagnostics = Json::array();
    auto parsed = asl::ParseDefinitionText(*definition);
    if (!parsed.ok()) {
      diagnostics.push_back({{"severity", "ERROR"},
                             {"code", "INVALID_JSON_DESCRIPTION"},
                             {"message", parsed.error()}});
    } else if (auto machine = asl::Compile(parsed.value()); !machine.ok()) {
      for (const auto& d : machine.error()) {
        diagnostics.push_back({{"severity", "ERROR"},
                               {"code", "SCHEMA_VALIDATION_FAILED"},
                               {"message", d.message},
                               {"location", d.pointer.empty() ? "/" : d.pointer}});
      }
    }
    return Json{{"result", diagnostics.empty() ? "OK" : "FAIL"},
                {"diagnostics", std::move(diagnostics)},
                {"truncated", false}};
  }

  static ApiAnswer Failed(ApiError error) { return ApiAnswer{false, "", std::move(error)}; }

  using Action = Answer (Impl::*)(const Members&);

  static const std::map<std::string_view, Action>& Actions() {
    static const std::map<std::string_view, Action> actions{
        {"CreateStateMachine", &Impl::CreateStateMachine},
        {"DescribeStateMachine", &Impl::DescribeStateMachine},
        {"UpdateStateMachine", &Impl::UpdateStateMachine},
        {"DeleteStateMachine", &Impl::DeleteStateMachine},
        {"ListStateMachines", &Impl::ListStateMachines},
        {"StartExecution", &Impl::StartExecution},
        {"DescribeExecution", &Impl::DescribeExecution},
        {"DescribeStateMachineForExecution", &Impl::DescribeStateMachineForExecution},
        {"ListExecutions", &Impl::ListExecutions},
        {"GetExecutionHistory", &Impl::GetExecutionHistory},
        {"StopExecution", &Impl::StopExecution},
        {"RedriveExecution", &Impl::RedriveExecution},
        {"SendTaskSuccess", &Impl::SendTaskSuccess},
        {"SendTaskFailure", &Impl::SendTaskFailure},
        {"SendTaskHeartbeat", &Impl::SendTaskHeartbeat},
        {"ValidateStateMachineDefinition", &Impl::ValidateStateMachineDefinition},
        {"CreateActivity", &Impl::CreateActivity},
        {"DescribeActivity", &Impl::DescribeActivity},
        {"ListActivities", &Impl::ListActivities},
        {"DeleteActivity", &Impl::DeleteActivity},
    };
    return actions;
  }
};

StepFunctionsApi::StepFunctionsApi(Service& service, TaskBroker& broker, ApiOptions options)
    : impl_(std::make_unique<Impl>(service, broker, options)) {}

StepFunctionsApi::~StepFunctionsApi() = default;

void StepFunctionsApi::EndPolls() {
  impl_->polls_ended = true;
  for (Impl::Poll* poll : impl_->polls) uv_timer_start(&poll->timer, &Impl::OnPollTimer, 0, 0);
}

void StepFunctionsApi::Handle(std::string_view action, std::string_view body, ApiReply reply) {
  Json request = body.empty() ? Json::object() : Json::parse(body, nullptr, false);
  if (request.is_discarded() || !request.is_object()) {
    return reply(
        Impl::Failed(Error("SerializationException", "the request body is not a JSON object")));
  }
  Members members(request);
  if (action == "StartSyncExecution") return impl_->StartSyncExecution(members, std::move(reply));
  if (action == "GetActivityTask") return impl_->GetActivityTask(members, std::move(reply));
  if (action == "TestState") return impl_->TestState(members, std::move(reply));
  const auto& actions = Impl::Actions();
  auto it = actions.find(action);
  if (it == actions.end()) {
    return reply(Impl::Failed(
        Error("UnknownOperationException", "Unknown operation: '" + std::string(action) + "'")));
  }
  auto answer = (impl_.get()->*(it->second))(members);
  if (!answer.ok()) return reply(Impl::Failed(std::move(answer).error()));
  reply(ApiAnswer{true, answer.value().dump(), {}});
}

std::string StepFunctionsApi::ErrorBody(const ApiError& error) {
  return Json{{"__type", error.type}, {"message", error.message}}.dump();
}

}  // namespace sluice::engine::server
