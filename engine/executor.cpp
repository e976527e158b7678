// The executor: see executor.h for the contract.
//
// Structure. Every thread of control is a Frame: the root, each Parallel branch and each Map
// iteration. A frame runs its states with Advance() until it blocks (a task, a timer, children)
// or ends. Blocking frames resume when OnTaskSucceeded/OnTaskFailed/OnTimer deliver their
// event. A Map or Parallel frame "pumps" its children: it launches as many as its concurrency
// allows, running each inline until it blocks, and finishes when all have ended.
//
// Invariants:
//  1. History ids are contiguous from 1; each frame's events chain through previousEventId.
//  2. A frame waits on at most one task or one state timer (plus one task-timeout timer).
//  3. A stale task or timer id (its frame was aborted or moved on) is ignored.
//  4. Nothing here reads a clock or a random source except the injected `now` and the seeded
//     generator, so equal inputs give equal histories.
#include "engine/executor.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "asl/json_text.h"
#include "asl/random.h"
#include "asl/timestamp.h"

namespace sluice::engine {

using asl::AslError;
using asl::StateType;
namespace errors = asl::errors;

namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kDefaultTaskTimeoutSeconds = 99'999'999;
// AWS: the workflow variables of an execution hold at most 10 MiB.
constexpr size_t kMaxVariablesBytes = 10 * 1024 * 1024;

enum class FrameKind { kRoot, kBranch, kIteration };

enum class Phase {
  kRunning,   // being advanced
  kTask,      // waiting for task_id
  kWait,      // Wait state timer
  kBackoff,   // retry interval timer
  kChildren,  // Map / Parallel children running
  kDone,      // finished (succeeded, failed or aborted)
};

// Size in bytes of `s` serialised as a JSON string, quotes included.
size_t SerializedStringSize(const std::string& s) {
  size_t n = 2 + s.size();
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      n += 1;
    } else if (c < 0x20) {
      n += 5;
    }
  }
  return n;
}

size_t DecimalDigits(uint64_t n) {
  size_t digits = 1;
  for (; n >= 10; n /= 10) ++digits;
  return digits;
}

// Size in bytes of `value` serialised compactly, without building the string.
size_t SerializedSize(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: {
      size_t n = 2;
      bool first = true;
      for (const auto& [k, v] : value.items()) {
        n += (first ? 0 : 1) + SerializedStringSize(k) + 1 + SerializedSize(v);
        first = false;
      }
      return n;
    }
    case Json::value_t::array: {
      size_t n = 2;
      bool first = true;
      for (const auto& v : value) {
        n += (first ? 0 : 1) + SerializedSize(v);
        first = false;
      }
      return n;
    }
    case Json::value_t::string:
      return SerializedStringSize(value.get_ref<const std::string&>());
    case Json::value_t::number_integer: {
      const auto n = value.get<int64_t>();
      // The magnitude as unsigned: -INT64_MIN does not fit an int64_t.
      return (n < 0 ? 1 : 0) +
             DecimalDigits(n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n));
    }
    case Json::value_t::number_unsigned:
      return DecimalDigits(value.get<uint64_t>());
    case Json::value_t::boolean:
      return value.get<bool>() ? 4 : 5;
    case Json::value_t::null:
      return 4;
    default:  // floats
      return value.dump().size();
  }
}

std::string ResourceType(const std::string& resource) {
  // arn:aws:states:::lambda:invoke -> "lambda"; arn:aws:lambda:...:function:x -> "lambda".
  static const std::string kServicePrefix = "arn:aws:states:::";
  if (resource.rfind(kServicePrefix, 0) == 0) {
    auto rest = resource.substr(kServicePrefix.size());
    return rest.substr(0, rest.find(':'));
  }
  auto parts_start = resource.find(':', 4);  // after "arn:"
  if (resource.rfind("arn:", 0) == 0 && parts_start != std::string::npos) {
    auto end = resource.find(':', parts_start + 1);
    return resource.substr(parts_start + 1, end - parts_start - 1);
  }
  return "local";
}

std::string ResourceName(const std::string& resource) {
  static const std::string kServicePrefix = "arn:aws:states:::";
  if (resource.rfind(kServicePrefix, 0) == 0) {
    auto rest = resource.substr(kServicePrefix.size());
    auto colon = rest.find(':');
    return colon == std::string::npos ? rest : rest.substr(colon + 1);
  }
  return resource;
}

// {"resourceType": …, "resource": …}: the start of a Task event's details.
asl::JsonObjectWriter ResourceDetails(const std::string& resource) {
  asl::JsonObjectWriter details;
  details.String("resourceType", ResourceType(resource)).String("resource", ResourceName(resource));
  return details;
}

bool IsLegacyLambda(const std::string& resource) {
  return resource.rfind("arn:aws:lambda:", 0) == 0;
}

// Which family of history events a Task state's resource records.
enum class TaskEvents {
  kTask,      // TaskScheduled, TaskStarted, TaskSucceeded / TaskFailed / TaskTimedOut
  kLambda,    // LambdaFunctionScheduled, … (legacy Lambda ARNs)
  kActivity,  // ActivityScheduled, ActivityStarted (a worker took it), ActivitySucceeded, …
};

TaskEvents TaskEventsOf(const std::string& resource) {
  if (IsLegacyLambda(resource)) return TaskEvents::kLambda;
  return IsActivityResource(resource) ? TaskEvents::kActivity : TaskEvents::kTask;
}

bool IsCallback(const std::string& resource) {
  return resource.size() > 17 &&
         resource.compare(resource.size() - 17, 17, ".waitForTaskToken") == 0;
}

// "PassStateEntered" / "PassStateExited", … : built once, not per transition.
const char* StateEventType(StateType type, bool entered) {
  static const auto names = [] {
    std::vector<std::string> v;
    for (int t = 0; t <= static_cast<int>(StateType::kMap); ++t) {
      const std::string name = asl::StateTypeName(static_cast<StateType>(t));
      v.push_back(name + "StateEntered");
      v.push_back(name + "StateExited");
    }
    return v;
  }();
  return names[static_cast<size_t>(type) * 2 + (entered ? 0 : 1)].c_str();
}

// The `inputDetails` / `outputDetails` of an event: payloads are never truncated here.
constexpr std::string_view kNotTruncated = R"({"truncated":false})";

// Adds `error` and `cause` to the details of a failure event; `error` is left out when empty
// unless `always_error`, `cause` when the error has none.
void AddError(asl::JsonObjectWriter& details, const AslError& e, bool always_error) {
  if (always_error || !e.error.empty()) details.String("error", e.error);
  if (e.has_cause) details.String("cause", e.cause);
}

Json ErrorOutput(const AslError& e) {
  Json out = Json::object();
  out["Error"] = e.error;
  if (e.has_cause) out["Cause"] = e.cause;
  return out;
}

}  // namespace

struct Frame {
  uint32_t id = 0;
  int64_t parent = -1;
  FrameKind kind = FrameKind::kRoot;
  const asl::StateMachine* machine = nullptr;
  const asl::State* state = nullptr;
  Phase phase = Phase::kRunning;

  Json input;      // the current state's raw input
  Json effective;  // after InputPath (and Parameters for Parallel/Map)
  std::shared_ptr<const Json> task_payload;
  int64_t entered_event_id = 0;
  int64_t entered_time = 0;
  int64_t last_event_id = 0;
  std::vector<int64_t> retry_attempts;  // per retrier of the current state
  int64_t retry_count = 0;              // $$.State.RetryCount

  uint64_t task_id = 0;
  uint64_t timer_id = 0;
  uint64_t timeout_timer_id = 0;
  uint64_t heartbeat_timer_id = 0;  // callback and activity tasks only
  int64_t heartbeat_nanos = 0;      // HeartbeatSeconds of the running callback/activity task
  bool activity_started = false;    // the running activity task was taken by a worker
  int64_t scheduled_event_id = 0;

  int64_t index = -1;  // branch or iteration index within the parent

  // Workflow variables visible to this frame (a JSON object), or null when none are set. Shared
  // copy-on-write: a child frame starts with its parent's, and assigning replaces the pointer, so
  // an inner scope never changes an outer one.
  std::shared_ptr<const Json> vars;

  // Map / Parallel children.
  std::vector<uint32_t> children;
  std::vector<Json> results;
  Json items;  // Map items
  size_t next_child = 0;
  size_t running = 0;
  size_t finished = 0;
  size_t failed = 0;
  int64_t max_concurrency = 0;
  int64_t tolerated_count = -1;        // -1: none
  double tolerated_percentage = -1.0;  // -1: none
  bool pumping = false;
  bool child_failed = false;
  AslError child_error;
  // The current Map or Parallel state has launched its children and not concluded with their
  // results: a redrive keeps the children that succeeded and redrives the others.
  bool launched = false;
  // While a redrive pumps: child i's frame from the earlier attempt, or -1 (never launched).
  std::vector<int64_t> prior;

  // Outcome.
  bool ok = false;
  Json output;
  AslError error;
};

struct Executor::State {
  std::shared_ptr<const asl::StateMachine> machine;
  ExecutionOptions options;
  asl::SeededRandom random{0};
  ExecutionStatus status = ExecutionStatus::kRunning;
  Json execution_input;
  Json output;
  AslError error;
  int64_t start_time = 0;
  int64_t now = 0;
  std::vector<HistoryEvent> history;
  std::vector<std::unique_ptr<Frame>> frames;
  std::unordered_map<uint64_t, uint32_t> tasks;   // task id -> frame
  std::unordered_map<uint64_t, uint32_t> timers;  // timer id -> frame
  uint64_t next_task_id = 1;
  uint64_t next_timer_id = 1;
  uint64_t execution_timer_id = 0;
  int64_t redrive_count = 0;  // $$.Execution.RedriveCount
  int64_t redrive_time = 0;   // of the last redrive; 0: never redriven
  Json context_base;          // $$.Execution and $$.StateMachine
  Commands* out = nullptr;
  std::function<void(const TraceEvent&)> tracer;  // optional (set_tracer)
  const Frame* token_frame = nullptr;  // building this frame's callback payload ($$.Task.Token)

  // ---- history --------------------------------------------------------------------------

  // Appends an event; `details` is its details' JSON text ("": none).
  int64_t Emit(Frame* f, const char* type, std::string details = {}) {
    HistoryEvent& e = history.emplace_back();
    e.id = static_cast<int64_t>(history.size());
    e.previous_event_id = f ? f->last_event_id : e.id - 1;
    e.timestamp_nanos = now;
    e.type = type;
    e.details = std::move(details);
    if (f) f->last_event_id = e.id;
    return e.id;
  }

  // {"index": …, "name": …} of a Map iteration event.
  static std::string IterationDetails(int64_t index, const std::string& map_state) {
    return asl::JsonObjectWriter().Int("index", index).String("name", map_state).Finish();
  }

  // ---- context object -------------------------------------------------------------------

  // The token of the callback task scheduled by event `scheduled_event_id`: stable across
  // restarts (the task broker matches SendTaskSuccess to it).
  std::string TaskToken(int64_t scheduled_event_id) const {
    return options.execution_arn + "#" + std::to_string(scheduled_event_id);
  }

  Json Context(const Frame& f, const Json* map_index = nullptr, const Json* map_value = nullptr) {
    Json ctx = context_base;
    Json st = Json::object();
    st["Name"] = f.state ? f.state->name : "";
    st["EnteredTime"] = asl::FormatTimestamp(f.entered_time);
    if (f.state && !f.state->retry.empty()) st["RetryCount"] = f.retry_count;
    ctx["State"] = std::move(st);
    if (map_index) {
      ctx["Map"] = Json{{"Item", Json{{"Index", *map_index}, {"Value", *map_value}}}};
    }
    if (token_frame == &f) {
      ctx["Task"] = Json{{"Token", TaskToken(static_cast<int64_t>(history.size()) + 1)}};
    }
    return ctx;
  }

  std::string StatePrefix(const Frame& f) const {
    return "An error occurred while executing the state '" + f.state->name +
           "' (entered at the event id #" + std::to_string(f.entered_event_id) + "). ";
  }

  AslError RuntimeError(const Frame& f, const std::string& message) const {
    return AslError{std::string(errors::kRuntime), StatePrefix(f) + message};
  }

  AslError QueryError(const Frame& f, const std::string& message) const {
    return AslError{std::string(errors::kQueryEvaluationError), StatePrefix(f) + message};
  }

  // Errors raised while processing a state's data get the "An error occurred while executing
  // the state" prefix, as AWS does for interpreter-raised States.Runtime and
  // States.QueryEvaluationError failures.
  AslError Located(const Frame& f, AslError e) const {
    const bool interpreter =
        e.error == errors::kRuntime || e.error == errors::kQueryEvaluationError;
    if (interpreter && e.cause.rfind("An error occurred", 0) != 0) {
      e.cause = StatePrefix(f) + e.cause;
    }
    return e;
  }

  // ---- input / output processing -------------------------------------------------------

  Result<Json, AslError> SelectInput(const Frame& f, const asl::SelectPathSpec& spec,
                                     const Json& data) {
    if (spec.null_object) return Json::object();
    if (spec.path.IsRoot()) return data;
    Json ctx = Context(f);
    asl::EvalScope scope{data, ctx, f.vars.get(), &random};
    auto r = spec.path.Select(scope);
    if (!r.ok()) return Fail(RuntimeError(f, asl::InvalidPathCause(spec.path, r.error())));
    return std::move(r).value();
  }

  // SelectInput of a value the caller no longer needs: the default path "$" moves it.
  Result<Json, AslError> SelectOwned(const Frame& f, const asl::SelectPathSpec& spec, Json data) {
    if (!spec.null_object && spec.path.IsRoot()) return data;
    return SelectInput(f, spec, data);
  }

  Result<Json, AslError> ApplyTemplate(const Frame& f, const asl::PayloadTemplate& tmpl,
                                       const Json& data) {
    Json ctx = Context(f);
    asl::EvalScope scope{data, ctx, f.vars.get(), &random};
    auto r = tmpl.Apply(scope);
    if (!r.ok()) return Fail(Located(f, r.error()));
    return std::move(r).value();
  }

  Result<Json, AslError> ApplyResultPath(const asl::ResultPathSpec& spec, Json input, Json result) {
    if (spec.discard) return input;
    auto r = spec.path.Assign(std::move(input), std::move(result));
    if (!r.ok()) {
      return Fail(AslError{std::string(errors::kResultPathMatchFailure), r.error().message});
    }
    return std::move(r).value();
  }

  // ---- JSONata and variables -----------------------------------------------------------

  static bool Jsonata(const Frame& f) {
    return f.state->query_language == asl::QueryLanguage::kJsonata;
  }

  // The bindings of a JSONata expression: the workflow variables and `$states`.
  Json Bindings(const Frame& f, const Json* result = nullptr, const Json* error_output = nullptr,
                const Json* map_index = nullptr, const Json* map_value = nullptr) {
    Json b = f.vars ? *f.vars : Json::object();
    Json states = Json::object();
    states["input"] = f.input;
    if (result) states["result"] = *result;
    if (error_output) states["errorOutput"] = *error_output;
    states["context"] = Context(f, map_index, map_value);
    b["states"] = std::move(states);
    return b;
  }

  // $now/$millis see the event time and $random/$shuffle/$uuid draw from the seeded generator,
  // so a replay evaluates every expression exactly as the original run did.
  Result<Json, AslError> Evaluate(const Frame& f, const asl::JsonataTemplate& tmpl,
                                  const Json& bindings, std::string_view field) {
    asl::jsonata::Environment env{now / 1'000'000, &random};
    auto r = tmpl.Evaluate(f.input, bindings, field, env);
    if (!r.ok()) return Fail(Located(f, r.error()));
    return r;
  }

  // "… returned an unexpected result type. Expected 'array', but was 'boolean' for value: true"
  AslError UnexpectedType(const Frame& f, const asl::JsonataTemplate& tmpl, std::string_view field,
                          std::string_view expected, const Json& value) {
    std::string what = tmpl.is_expression()
                           ? "The JSONata expression '" + tmpl.expression_text() + "'"
                           : "The value";
    return QueryError(f, what + " specified for the field '" + std::string(field) +
                             "' returned an unexpected result type. Expected '" +
                             std::string(expected) + "', but was '" + asl::JsonTypeName(value) +
                             "' for value: " + value.dump());
  }

  // An integer field written as a JSONata expression (TimeoutSeconds, MaxConcurrency, …).
  Result<std::optional<int64_t>, AslError> ExpressionInt(const Frame& f, std::string_view field,
                                                         const Json& bindings, int64_t min) {
    const asl::JsonataTemplate* tmpl = f.state->Expression(field);
    if (tmpl == nullptr) return std::optional<int64_t>();
    auto v = Evaluate(f, *tmpl, bindings, field);
    if (!v.ok()) return Fail(v.error());
    const Json& j = v.value();
    bool integral = j.is_number_integer() ||
                    (j.is_number_float() && std::floor(j.get<double>()) == j.get<double>());
    if (!integral || j.get<double>() < static_cast<double>(min)) {
      return Fail(UnexpectedType(f, *tmpl, field, "integer", j));
    }
    return std::optional<int64_t>(j.is_number_float() ? static_cast<int64_t>(j.get<double>())
                                                      : j.get<int64_t>());
  }

  // Evaluates an Assign block against `data` (JSONPath: `$`) or `bindings` (JSONata). The
  // variables are not yet changed: every expression of a state sees the values it entered with.
  Result<Json, AslError> EvaluateAssign(const Frame& f, const asl::Assignment& assign,
                                        const Json& data, const Json* bindings) {
    if (assign.jsonata) return Evaluate(f, *assign.jsonata, *bindings, "Assign");
    Json ctx = Context(f);
    asl::EvalScope scope{data, ctx, f.vars.get(), &random};
    auto r = assign.jsonpath->Apply(scope);
    if (!r.ok()) return Fail(Located(f, r.error()));
    return r;
  }

  // Sets the assigned variables, within AWS's quotas: one variable and one Assign block at most
  // the payload limit (256 KiB), all variables of an execution at most 10 MiB.
  Status<AslError> ApplyAssign(Frame& f, const Json& assigned) {
    if (!assigned.is_object() || assigned.empty()) return Ok{};
    size_t block = 0;
    for (const auto& [name, value] : assigned.items()) {
      size_t size = SerializedSize(value);
      if (size > options.max_payload_bytes) {
        return Fail(AslError{std::string(errors::kDataLimitExceeded),
                             "The variable '" + name + "' assigned by the state '" + f.state->name +
                                 "' exceeds the maximum size of " +
                                 std::to_string(options.max_payload_bytes) + " bytes."});
      }
      block += size;
    }
    if (block > options.max_payload_bytes) {
      return Fail(AslError{std::string(errors::kDataLimitExceeded),
                           "The variables assigned by the state '" + f.state->name +
                               "' exceed the maximum combined size of " +
                               std::to_string(options.max_payload_bytes) + " bytes."});
    }
    auto vars = f.vars ? std::make_shared<Json>(*f.vars) : std::make_shared<Json>(Json::object());
    for (const auto& [name, value] : assigned.items()) (*vars)[name] = value;
    if (SerializedSize(*vars) > kMaxVariablesBytes) {
      return Fail(AslError{std::string(errors::kDataLimitExceeded),
                           "The workflow variables exceed the maximum total size of " +
                               std::to_string(kMaxVariablesBytes) + " bytes."});
    }
    f.vars = std::move(vars);
    return Ok{};
  }

  // Leaves the state for `next` ("" ends the frame): evaluates Assign and the output, then
  // assigns the variables. JSONPath states pass their finished `output` and the `data` their
  // Assign reads as `$`; JSONata states pass `bindings` and Output's template (null: `output`
  // is the default). A failure goes to `on_error` (Retry/Catch, or the frame).
  template <typename OnError>
  void Conclude(Frame& f, const asl::Assignment& assign, const Json& data, const Json* bindings,
                const asl::JsonataTemplate* output_tmpl, Json output, const std::string& next,
                OnError on_error) {
    Json assigned;
    if (assign.present()) {
      auto a = EvaluateAssign(f, assign, data, bindings);
      if (!a.ok()) return on_error(a.error());
      assigned = std::move(a).value();
    }
    if (output_tmpl != nullptr) {
      auto o = Evaluate(f, *output_tmpl, *bindings, "Output");
      if (!o.ok()) return on_error(o.error());
      output = std::move(o).value();
    }
    auto applied = ApplyAssign(f, assigned);
    if (!applied.ok()) return on_error(applied.error());
    ExitState(f, std::move(output), next, assigned.is_object() ? &assigned : nullptr);
  }

  std::string NextOf(const Frame& f) const { return f.state->end ? std::string() : f.state->next; }

  // Leaves a Pass, Task, Parallel or Map state with its result (after ResultSelector).
  void ConcludeWithResult(Frame& f, Json result) {
    const auto& st = *f.state;
    auto on_error = [&](const AslError& e) { FailState(f, e); };
    if (Jsonata(f)) {
      Json bindings = Bindings(f, &result);
      return Conclude(f, st.assign, result, &bindings, st.output.get(), result, NextOf(f),
                      on_error);
    }
    // ResultPath "$" (the default) replaces the input: nothing to merge or copy. `result` is
    // moved only when no Assign reads it below.
    const bool replaces =
        !st.result_path.discard && st.result_path.path.IsRoot() && !st.assign.present();
    auto merged = replaces ? Result<Json, AslError>(std::move(result))
                           : ApplyResultPath(st.result_path, f.input, result);
    if (!merged.ok()) return on_error(merged.error());
    auto out_value = SelectOwned(f, st.output_path, std::move(merged).value());
    if (!out_value.ok()) return on_error(out_value.error());
    Conclude(f, st.assign, result, nullptr, nullptr, std::move(out_value).value(), NextOf(f),
             on_error);
  }

  // Leaves a Choice, Wait or Succeed state: its output is its (effective) input.
  void ConcludeWithInput(Frame& f, const Json& effective, const asl::Assignment& assign,
                         const asl::JsonataTemplate* output_tmpl, const std::string& next) {
    const auto& st = *f.state;
    auto on_error = [&](const AslError& e) { FailFrame(f, e); };
    if (Jsonata(f)) {
      Json bindings = Bindings(f);
      return Conclude(f, assign, f.input, &bindings, output_tmpl, f.input, next, on_error);
    }
    auto out_value = SelectInput(f, st.output_path, effective);
    if (!out_value.ok()) return on_error(out_value.error());
    Conclude(f, assign, effective, nullptr, nullptr, std::move(out_value).value(), next, on_error);
  }

  // ---- frames ---------------------------------------------------------------------------

  Frame& NewFrame(FrameKind kind, int64_t parent, const asl::StateMachine* m, Json input) {
    auto f = std::make_unique<Frame>();
    f->id = static_cast<uint32_t>(frames.size());
    f->parent = parent;
    f->kind = kind;
    f->machine = m;
    f->input = std::move(input);
    f->state = m->Find(m->start_at);
    if (parent >= 0) {
      f->last_event_id = frames[parent]->last_event_id;
      f->vars = frames[parent]->vars;
    }
    frames.push_back(std::move(f));
    return *frames.back();
  }

  uint64_t StartTimer(Frame& f, int64_t due) {
    uint64_t id = next_timer_id++;
    timers[id] = f.id;
    Command c;
    c.kind = Command::Kind::kStartTimer;
    c.timer_id = id;
    c.due_nanos = due;
    out->push_back(std::move(c));
    return id;
  }

  void CancelTimer(uint64_t& id) {
    if (id == 0) return;
    timers.erase(id);
    Command c;
    c.kind = Command::Kind::kCancelTimer;
    c.timer_id = id;
    out->push_back(std::move(c));
    id = 0;
  }

  void CancelTask(Frame& f) {
    if (f.task_id == 0) return;
    tasks.erase(f.task_id);
    Command c;
    c.kind = Command::Kind::kCancelTask;
    c.task_id = f.task_id;
    out->push_back(std::move(c));
    f.task_id = 0;
  }

  // Enters f.state with f.input and runs until the frame blocks or ends.
  void Advance(Frame& f) {
    while (f.phase == Phase::kRunning && status == ExecutionStatus::kRunning) {
      if (HistoryLimitReached()) return;
      EnterState(f);
    }
  }

  // Fails the execution once its history has reached the quota. Checked before each state is
  // entered and after each external event, so a run never loops unboundedly.
  bool HistoryLimitReached() {
    const int64_t max = options.max_history_events;
    if (max <= 0 || static_cast<int64_t>(history.size()) < max - 1) return false;
    if (status == ExecutionStatus::kRunning) {
      Terminate(ExecutionStatus::kFailed, "ExecutionFailed",
                AslError{std::string(errors::kRuntime),
                         "The execution reached the maximum number of history events (" +
                             std::to_string(max) + ")."});
    }
    return true;
  }

  // <Type>StateEntered for f.state with f.input; the state's retry counters start afresh.
  void EmitEntered(Frame& f) {
    const auto& st = *f.state;
    f.entered_time = now;
    f.retry_attempts.assign(st.retry.size(), 0);
    f.retry_count = 0;
    f.entered_event_id = Emit(&f, StateEventType(st.type, true),
                              asl::JsonObjectWriter()
                                  .String("name", st.name)
                                  .Dumped("input", f.input)
                                  .Raw("inputDetails", kNotTruncated)
                                  .Finish());
  }

  void EnterState(Frame& f) {
    const auto& st = *f.state;
    f.launched = false;
    EmitEntered(f);
    switch (st.type) {
      case StateType::kPass:
        return RunPass(f);
      case StateType::kTask:
        return RunTask(f);
      case StateType::kChoice:
        return RunChoice(f);
      case StateType::kWait:
        return RunWait(f);
      case StateType::kSucceed:
        return RunSucceed(f);
      case StateType::kFail:
        return RunFail(f);
      case StateType::kParallel:
        return RunParallel(f);
      case StateType::kMap:
        return RunMap(f);
    }
  }

  // Leaves the current state with `output`: StateExited, then the next state or frame end.
  void ExitState(Frame& f, Json output, const std::string& next, const Json* assigned = nullptr) {
    const auto& st = *f.state;
    if (SerializedSize(output) > options.max_payload_bytes) {
      FailState(f, AslError{std::string(errors::kDataLimitExceeded),
                            "The state/task '" + st.name +
                                "' returned a result with a size exceeding the maximum number "
                                "of bytes service limit."});
      return;
    }
    asl::JsonObjectWriter details;
    details.String("name", st.name).Dumped("output", output).Raw("outputDetails", kNotTruncated);
    if (assigned && !assigned->empty()) {
      asl::JsonObjectWriter vars;
      for (const auto& [name, value] : assigned->items()) vars.Dumped(name, value);
      details.Raw("assignedVariables", vars.Finish());
      details.Raw("assignedVariablesDetails", kNotTruncated);
    }
    Emit(&f, StateEventType(st.type, false), details.Finish());
    if (next.empty()) {
      FinishFrame(f, true, std::move(output), {});
      return;
    }
    f.state = f.machine->Find(next);
    f.input = std::move(output);
    f.phase = Phase::kRunning;
  }

  // ---- Pass, Choice, Wait, Succeed, Fail ---------------------------------------------------

  void RunPass(Frame& f) {
    const auto& st = *f.state;
    if (Jsonata(f)) {  // no result: Output defaults to the input
      Json bindings = Bindings(f);
      return Conclude(f, st.assign, f.input, &bindings, st.output.get(), f.input, NextOf(f),
                      [&](const AslError& e) { FailFrame(f, e); });
    }
    auto eff = SelectInput(f, st.input_path, f.input);
    if (!eff.ok()) return FailState(f, eff.error());
    Json result;
    if (st.parameters) {
      auto p = ApplyTemplate(f, *st.parameters, eff.value());
      if (!p.ok()) return FailState(f, p.error());
      result = std::move(p).value();
    } else if (st.result) {
      result = *st.result;
    } else {
      result = std::move(eff).value();
    }
    ConcludeWithResult(f, std::move(result));
  }

  // The first Choice rule that matches, or null.
  Result<const asl::ChoiceBranch*, AslError> MatchChoice(Frame& f, const Json& effective) {
    const auto& st = *f.state;
    if (Jsonata(f)) {
      Json bindings = Bindings(f);
      for (size_t i = 0; i < st.choices.size(); ++i) {
        const auto& branch = st.choices[i];
        if (!branch.condition) continue;
        std::string field = "Choices[" + std::to_string(i) + "]/Condition";
        auto c = Evaluate(f, *branch.condition, bindings, field);
        if (!c.ok()) return Fail(c.error());
        if (!c.value().is_boolean()) {
          return Fail(UnexpectedType(f, *branch.condition, field, "boolean", c.value()));
        }
        if (c.value().get<bool>()) return &branch;
      }
      return static_cast<const asl::ChoiceBranch*>(nullptr);
    }
    Json ctx = Context(f);
    asl::EvalScope scope{effective, ctx, f.vars.get(), &random};
    for (const auto& branch : st.choices) {
      auto m = branch.rule.Evaluate(scope);
      if (!m.ok()) return Fail(Located(f, m.error()));
      if (m.value()) return &branch;
    }
    return static_cast<const asl::ChoiceBranch*>(nullptr);
  }

  void RunChoice(Frame& f) {
    const auto& st = *f.state;
    auto eff = SelectInput(f, st.input_path, f.input);
    if (!eff.ok()) return FailState(f, eff.error());
    auto matched = MatchChoice(f, eff.value());
    if (!matched.ok()) return FailState(f, matched.error());
    const asl::ChoiceBranch* branch = matched.value();
    if (branch == nullptr && st.default_next.empty()) {
      return FailState(f, AslError{std::string(errors::kNoChoiceMatched), "No Matches!"});
    }
    if (tracer) {
      tracer(TraceEvent{&st, f.entered_event_id, branch ? branch - st.choices.data() : -1});
    }
    // A matching rule brings its own Assign and Output; Default uses the state's.
    if (branch != nullptr) {
      ConcludeWithInput(f, eff.value(), branch->assign, branch->output.get(), branch->next);
    } else {
      ConcludeWithInput(f, eff.value(), st.assign, st.output.get(), st.default_next);
    }
  }

  // Reads an integer field given literally or by path; `field` names it in causes.
  Result<int64_t, AslError> ResolveInt(const Frame& f, const asl::IntOrPath& v, const Json& data,
                                       const std::string& field) {
    if (v.value) return *v.value;
    Json ctx = Context(f);
    asl::EvalScope scope{data, ctx, f.vars.get(), &random};
    auto r = v.path->Select(scope);
    if (!r.ok()) {
      return Fail(RuntimeError(
          f, "The " + field + " field references a path that does not exist: " + v.path->text()));
    }
    const Json& j = r.value();
    if (j.is_number_integer() || j.is_number_unsigned()) return j.get<int64_t>();
    if (j.is_number_float() && std::floor(j.get<double>()) == j.get<double>()) {
      return static_cast<int64_t>(j.get<double>());
    }
    return Fail(RuntimeError(f, "The " + field + " field refers to value \"" +
                                    (j.is_string() ? j.get<std::string>() : j.dump()) +
                                    "\" which is not a valid integer: " + v.path->text()));
  }

  void RunWait(Frame& f) {
    const auto& st = *f.state;
    auto eff = SelectInput(f, st.input_path, f.input);
    if (!eff.ok()) return FailState(f, eff.error());
    f.effective = std::move(eff).value();
    int64_t due = now;
    if (Jsonata(f) && (st.Expression("Seconds") || st.Expression("Timestamp"))) {
      auto d = JsonataWaitDue(f);
      if (!d.ok()) return FailState(f, d.error());
      due = d.value();
    } else if (st.seconds) {
      due = now + *st.seconds * kNanosPerSecond;
    } else if (st.timestamp) {
      due = asl::ParseTimestamp(*st.timestamp).value_or(now);
    } else {
      Json ctx = Context(f);
      asl::EvalScope scope{f.effective, ctx, f.vars.get(), &random};
      const auto& path = st.seconds_path ? *st.seconds_path : *st.timestamp_path;
      const char* field = st.seconds_path ? "SecondsPath" : "TimestampPath";
      auto r = path.Select(scope);
      if (!r.ok()) {
        return FailState(
            f, RuntimeError(f, std::string("The ") + field +
                                   " parameter does not reference an input value: " + path.text()));
      }
      const Json& v = r.value();
      std::string shown = v.is_string() ? v.get<std::string>() : v.dump();
      if (st.seconds_path) {
        if (!v.is_number_integer() && !v.is_number_unsigned()) {
          return FailState(f, RuntimeError(f,
                                           "The SecondsPath parameter cannot be parsed as a "
                                           "long value: " +
                                               path.text() + " == " + shown));
        }
        int64_t secs = v.get<int64_t>();
        if (secs < 0) {
          return FailState(f, RuntimeError(f,
                                           "The SecondsPath parameter references a negative "
                                           "value: " +
                                               path.text() + " == " + shown));
        }
        due = now + secs * kNanosPerSecond;
      } else {
        auto t = v.is_string() ? asl::ParseTimestamp(v.get<std::string>()) : std::nullopt;
        if (!t) {
          return FailState(f, RuntimeError(f,
                                           "The TimestampPath parameter does not reference a "
                                           "valid ISO-8601 extended offset date-time format "
                                           "string: " +
                                               path.text() + " == " + shown));
        }
        due = *t;
      }
    }
    f.phase = Phase::kWait;
    f.timer_id = StartTimer(f, std::max(due, now));
  }

  // The due time of a JSONata Wait whose Seconds or Timestamp is an expression.
  Result<int64_t, AslError> JsonataWaitDue(const Frame& f) {
    Json bindings = Bindings(f);
    if (f.state->Expression("Seconds")) {
      auto secs = ExpressionInt(f, "Seconds", bindings, 0);
      if (!secs.ok()) return Fail(secs.error());
      return now + *secs.value() * kNanosPerSecond;
    }
    const asl::JsonataTemplate& tmpl = *f.state->Expression("Timestamp");
    auto v = Evaluate(f, tmpl, bindings, "Timestamp");
    if (!v.ok()) return Fail(v.error());
    if (!v.value().is_string())
      return Fail(UnexpectedType(f, tmpl, "Timestamp", "string", v.value()));
    const auto& text = v.value().get_ref<const std::string&>();
    auto t = asl::ParseTimestamp(text);
    if (!t) {
      return Fail(QueryError(f,
                             "The Timestamp field cannot be parsed as an ISO-8601 extended "
                             "offset date-time format string: " +
                                 text));
    }
    return *t;
  }

  void OnWaitTimer(Frame& f) {
    f.phase = Phase::kRunning;
    ConcludeWithInput(f, f.effective, f.state->assign, f.state->output.get(), NextOf(f));
  }

  void RunSucceed(Frame& f) {
    const auto& st = *f.state;
    auto eff = SelectInput(f, st.input_path, f.input);
    if (!eff.ok()) return FailState(f, eff.error());
    ConcludeWithInput(f, eff.value(), st.assign, st.output.get(), "");
  }

  Result<std::optional<std::string>, AslError> FailField(
      const Frame& f, const std::optional<std::string>& lit, const std::optional<asl::Path>& path,
      const std::optional<asl::IntrinsicCall>& call, const char* field) {
    if (lit) return std::optional<std::string>(*lit);
    Json ctx = Context(f);
    asl::EvalScope scope{f.input, ctx, f.vars.get(), &random};
    if (call) {
      auto v = call->Evaluate(scope, field);
      if (!v.ok()) return Fail(Located(f, v.error()));
      const Json& j = v.value();
      return std::optional<std::string>(j.is_string() ? j.get<std::string>() : j.dump());
    }
    if (!path) return std::optional<std::string>();
    auto r = path->Select(scope);
    if (!r.ok()) {
      return Fail(RuntimeError(f, "The JSONPath '" + path->text() + "' specified for the field '" +
                                      field + "' could not be found in the input '" +
                                      f.input.dump() + "'"));
    }
    const Json& v = r.value();
    return std::optional<std::string>(v.is_string() ? v.get<std::string>() : v.dump());
  }

  // Error / Cause written as JSONata expressions; nullopt when the field is not one.
  Result<std::optional<std::string>, AslError> JsonataFailField(const Frame& f,
                                                                std::string_view field) {
    const asl::JsonataTemplate* tmpl = f.state->Expression(field);
    if (tmpl == nullptr) return std::optional<std::string>();
    Json bindings = Bindings(f);
    auto v = Evaluate(f, *tmpl, bindings, field);
    if (!v.ok()) return Fail(v.error());
    if (!v.value().is_string()) return Fail(UnexpectedType(f, *tmpl, field, "string", v.value()));
    return std::optional<std::string>(v.value().get<std::string>());
  }

  void RunFail(Frame& f) {
    const auto& st = *f.state;
    if (Jsonata(f) && (st.Expression("Error") || st.Expression("Cause"))) {
      auto err = JsonataFailField(f, "Error");
      if (!err.ok()) return FailFrame(f, err.error());
      auto cause = JsonataFailField(f, "Cause");
      if (!cause.ok()) return FailFrame(f, cause.error());
      AslError e;
      e.error = err.value().value_or(st.error.value_or(""));
      e.has_cause = cause.value().has_value() || st.cause.has_value();
      e.cause = cause.value().value_or(st.cause.value_or(""));
      return FailFrame(f, std::move(e));
    }
    auto err = FailField(f, st.error, st.error_path, st.error_path_call, "ErrorPath");
    if (!err.ok()) return FailFrame(f, err.error());
    auto cause = FailField(f, st.cause, st.cause_path, st.cause_path_call, "CausePath");
    if (!cause.ok()) return FailFrame(f, cause.error());
    AslError e;
    e.error = err.value().value_or("");
    e.has_cause = cause.value().has_value();
    e.cause = cause.value().value_or("");
    FailFrame(f, std::move(e));
  }

  // ---- Task ----------------------------------------------------------------------------

  // Arguments (JSONata) of a Task or Parallel: the state input when absent.
  Result<Json, AslError> Arguments(const Frame& f) {
    if (!f.state->arguments) return f.input;
    Json bindings = Bindings(f);
    return Evaluate(f, *f.state->arguments, bindings, "Arguments");
  }

  void RunTask(Frame& f) {
    const auto& st = *f.state;
    // $$.Task.Token while a callback task's payload is built (the next event is its
    // TaskScheduled, whose id the token names).
    struct TokenScope {
      const Frame** slot;
      ~TokenScope() { *slot = nullptr; }
    } token_scope{&token_frame};
    if (IsCallback(st.resource)) token_frame = &f;
    if (Jsonata(f)) {
      auto args = Arguments(f);
      if (!args.ok()) return HandleError(f, args.error());
      f.task_payload = std::make_shared<const Json>(std::move(args).value());
      return ScheduleTask(f);
    }
    auto eff = SelectInput(f, st.input_path, f.input);
    if (!eff.ok()) return FailState(f, eff.error());
    Json payload;
    if (st.parameters) {
      auto p = ApplyTemplate(f, *st.parameters, eff.value());
      if (!p.ok()) return HandleError(f, p.error());
      payload = std::move(p).value();
    } else {
      payload = std::move(eff).value();
    }
    f.task_payload = std::make_shared<const Json>(std::move(payload));
    ScheduleTask(f);
  }

  // TimeoutSeconds / HeartbeatSeconds: literal, by path (JSONPath) or by expression (JSONata).
  Result<std::optional<int64_t>, AslError> TaskSeconds(const Frame& f, const asl::IntOrPath& spec,
                                                       std::string_view field) {
    if (Jsonata(f) && f.state->Expression(field)) {
      Json bindings = Bindings(f);
      return ExpressionInt(f, field, bindings, 1);
    }
    if (!spec.present()) return std::optional<int64_t>();
    auto v = ResolveInt(f, spec, f.input, std::string(field) + "Path");
    if (!v.ok()) return Fail(v.error());
    return std::optional<int64_t>(v.value());
  }

  void ScheduleTask(Frame& f) {
    const auto& st = *f.state;
    auto timeout_spec = TaskSeconds(f, st.timeout_seconds, "TimeoutSeconds");
    if (!timeout_spec.ok()) return FailState(f, timeout_spec.error());
    auto heartbeat_spec = TaskSeconds(f, st.heartbeat_seconds, "HeartbeatSeconds");
    if (!heartbeat_spec.ok()) return FailState(f, heartbeat_spec.error());
    const bool has_timeout = timeout_spec.value().has_value();
    Result<int64_t, AslError> timeout(timeout_spec.value().value_or(kDefaultTaskTimeoutSeconds));
    std::optional<int64_t> heartbeat = heartbeat_spec.value();
    const TaskEvents events = TaskEventsOf(st.resource);
    f.activity_started = false;
    if (events == TaskEvents::kActivity) {
      asl::JsonObjectWriter details;
      details.String("resource", st.resource)
          .Dumped("input", *f.task_payload)
          .Raw("inputDetails", kNotTruncated);
      if (has_timeout) details.Int("timeoutInSeconds", timeout.value());
      if (heartbeat) details.Int("heartbeatInSeconds", *heartbeat);
      // ActivityStarted comes when a worker takes the task (OnTaskStarted).
      f.scheduled_event_id = Emit(&f, "ActivityScheduled", details.Finish());
    } else if (events == TaskEvents::kLambda) {
      asl::JsonObjectWriter details;
      details.String("resource", st.resource)
          .Dumped("input", *f.task_payload)
          .Raw("inputDetails", kNotTruncated);
      if (has_timeout) details.Int("timeoutInSeconds", timeout.value());
      f.scheduled_event_id = Emit(&f, "LambdaFunctionScheduled", details.Finish());
      Emit(&f, "LambdaFunctionStarted");
    } else {
      asl::JsonObjectWriter details = ResourceDetails(st.resource);
      details.String("region", "local").Dumped("parameters", *f.task_payload);
      if (has_timeout) details.Int("timeoutInSeconds", timeout.value());
      if (heartbeat) details.Int("heartbeatInSeconds", *heartbeat);
      f.scheduled_event_id = Emit(&f, "TaskScheduled", details.Finish());
      Emit(&f, "TaskStarted", ResourceDetails(st.resource).Finish());
    }
    f.phase = Phase::kTask;
    f.task_id = next_task_id++;
    tasks[f.task_id] = f.id;
    Command c;
    c.kind = Command::Kind::kScheduleTask;
    c.task_id = f.task_id;
    c.resource = st.resource;
    c.state_name = st.name;
    c.payload = f.task_payload;
    c.scheduled_event_id = f.scheduled_event_id;
    if (IsCallback(st.resource) || events == TaskEvents::kActivity) {
      c.task_token = TaskToken(f.scheduled_event_id);
    }
    out->push_back(std::move(c));
    if (timeout.value() < kDefaultTaskTimeoutSeconds) {
      f.timeout_timer_id = StartTimer(f, now + timeout.value() * kNanosPerSecond);
    }
    // Only callback and activity tasks can send heartbeats; for them a missed heartbeat is a
    // failure. An activity's heartbeats are counted from when a worker takes it.
    f.heartbeat_nanos = heartbeat ? *heartbeat * kNanosPerSecond : 0;
    if (heartbeat && IsCallback(st.resource)) {
      f.heartbeat_timer_id = StartTimer(f, now + f.heartbeat_nanos);
    }
  }

  // A worker took the activity task of frame `f`.
  void OnActivityStarted(Frame& f, const std::string& worker_name) {
    f.activity_started = true;
    Emit(&f, "ActivityStarted", asl::JsonObjectWriter().String("workerName", worker_name).Finish());
    if (f.heartbeat_nanos > 0) f.heartbeat_timer_id = StartTimer(f, now + f.heartbeat_nanos);
  }

  void OnTaskSucceeded(Frame& f, Json result) {
    const auto& st = *f.state;
    f.task_id = 0;
    CancelTimer(f.timeout_timer_id);
    CancelTimer(f.heartbeat_timer_id);
    f.phase = Phase::kRunning;
    const TaskEvents events = TaskEventsOf(st.resource);
    asl::JsonObjectWriter details =
        events == TaskEvents::kTask ? ResourceDetails(st.resource) : asl::JsonObjectWriter();
    details.Dumped("output", result).Raw("outputDetails", kNotTruncated);
    const char* type = events == TaskEvents::kLambda     ? "LambdaFunctionSucceeded"
                       : events == TaskEvents::kActivity ? "ActivitySucceeded"
                                                         : "TaskSucceeded";
    Emit(&f, type, details.Finish());
    if (SerializedSize(result) > options.max_payload_bytes) {
      return HandleError(f, AslError{std::string(errors::kDataLimitExceeded),
                                     "The state/task '" + st.name +
                                         "' returned a result with a size exceeding the maximum "
                                         "number of bytes service limit."});
    }
    ConcludeResult(f, std::move(result));
    Advance(f);
  }

  // Task, Parallel and Map results: ResultSelector (JSONPath), then Assign and the output.
  void ConcludeResult(Frame& f, Json result) {
    if (!Jsonata(f) && f.state->result_selector) {
      auto sel = ApplyTemplate(f, *f.state->result_selector, result);
      if (!sel.ok()) return HandleError(f, sel.error());
      result = std::move(sel).value();
    }
    ConcludeWithResult(f, std::move(result));
  }

  void OnTaskFailed(Frame& f, AslError e, bool timed_out) {
    const auto& st = *f.state;
    f.task_id = 0;
    CancelTimer(f.timeout_timer_id);
    CancelTimer(f.heartbeat_timer_id);
    f.phase = Phase::kRunning;
    const TaskEvents events = TaskEventsOf(st.resource);
    asl::JsonObjectWriter details =
        events == TaskEvents::kTask ? ResourceDetails(st.resource) : asl::JsonObjectWriter();
    AddError(details, e, /*always_error=*/true);
    Emit(&f, FailureEventType(events, timed_out, f.activity_started), details.Finish());
    HandleError(f, std::move(e));
    Advance(f);
  }

  // The event that records a task's failure. An activity task that fails before any worker took
  // it could not be scheduled (its activity does not exist).
  static const char* FailureEventType(TaskEvents events, bool timed_out, bool started) {
    switch (events) {
      case TaskEvents::kLambda:
        return timed_out ? "LambdaFunctionTimedOut" : "LambdaFunctionFailed";
      case TaskEvents::kActivity:
        if (timed_out) return "ActivityTimedOut";
        return started ? "ActivityFailed" : "ActivityScheduleFailed";
      case TaskEvents::kTask:
        return timed_out ? "TaskTimedOut" : "TaskFailed";
    }
    return "TaskFailed";
  }

  // ---- errors: Retry and Catch -----------------------------------------------------------

  // A state-level failure that Retry/Catch may handle (Task, Parallel, Map); other states fail
  // their frame directly.
  void HandleError(Frame& f, AslError e) {
    const auto& st = *f.state;
    for (size_t i = 0; i < st.retry.size(); ++i) {
      const auto& r = st.retry[i];
      if (!asl::ErrorMatches(r.error_equals, e.error)) continue;
      if (f.retry_attempts[i] >= r.max_attempts) break;  // exhausted: go to Catch
      int64_t attempt = f.retry_attempts[i]++;
      double delay = static_cast<double>(r.interval_seconds) * std::pow(r.backoff_rate, attempt);
      if (r.max_delay_seconds) delay = std::min(delay, static_cast<double>(*r.max_delay_seconds));
      if (r.jitter_full) {
        delay *= static_cast<double>(random.Next() >> 11) / static_cast<double>(1ull << 53);
      }
      ++f.retry_count;
      f.phase = Phase::kBackoff;
      f.timer_id = StartTimer(f, now + static_cast<int64_t>(delay * kNanosPerSecond));
      return;
    }
    for (const auto& c : st.catchers) {
      if (!asl::ErrorMatches(c.error_equals, e.error)) continue;
      Json error_output = ErrorOutput(e);
      auto on_error = [&](const AslError& failure) { FailFrame(f, failure); };
      if (Jsonata(f)) {
        Json bindings = Bindings(f, nullptr, &error_output);
        return Conclude(f, c.assign, error_output, &bindings, c.output.get(), error_output, c.next,
                        on_error);
      }
      auto merged = ApplyResultPath(c.result_path, f.input, error_output);
      if (!merged.ok()) return on_error(merged.error());
      return Conclude(f, c.assign, error_output, nullptr, nullptr, std::move(merged).value(),
                      c.next, on_error);
    }
    FailFrame(f, std::move(e));
  }

  // Failure of a state that has no Retry/Catch of its own (or of its data processing).
  void FailState(Frame& f, AslError e) {
    const auto t = f.state->type;
    if (t == StateType::kTask || t == StateType::kParallel || t == StateType::kMap) {
      return HandleError(f, std::move(e));
    }
    FailFrame(f, std::move(e));
  }

  // A retry runs the state's work again from its input: the payload is rebuilt, so
  // $$.State.RetryCount (and States.UUID(), …) in Parameters or Arguments see the new attempt.
  void OnBackoffTimer(Frame& f) {
    f.phase = Phase::kRunning;
    switch (f.state->type) {
      case StateType::kTask:
        RunTask(f);
        break;
      case StateType::kParallel:
        RunParallel(f);
        break;
      case StateType::kMap:
        RunMap(f);
        break;
      default:
        break;
    }
    Advance(f);
  }

  // ---- Parallel and Map ----------------------------------------------------------------

  void RunParallel(Frame& f) {
    const auto& st = *f.state;
    f.launched = false;
    if (Jsonata(f)) {
      auto args = Arguments(f);
      if (!args.ok()) return FailState(f, args.error());
      f.effective = std::move(args).value();
      return StartParallel(f);
    }
    auto eff = SelectInput(f, st.input_path, f.input);
    if (!eff.ok()) return FailState(f, eff.error());
    f.effective = std::move(eff).value();
    if (st.parameters) {
      auto p = ApplyTemplate(f, *st.parameters, f.effective);
      if (!p.ok()) return FailState(f, p.error());
      f.effective = std::move(p).value();
    }
    StartParallel(f);
  }

  void ResetChildren(Frame& f, size_t total) {
    f.launched = true;
    f.prior.clear();
    f.children.clear();
    f.results.assign(total, Json());
    f.next_child = 0;
    f.running = 0;
    f.finished = 0;
    f.failed = 0;
    f.child_failed = false;
    f.phase = Phase::kChildren;
  }

  void StartParallel(Frame& f) {
    Emit(&f, "ParallelStateStarted");
    ResetChildren(f, f.state->branches.size());
    f.max_concurrency = 0;
    Pump(f);
  }

  void RunMap(Frame& f) {
    const auto& st = *f.state;
    f.launched = false;
    auto eff = SelectInput(f, st.input_path, f.input);
    if (!eff.ok()) return FailState(f, eff.error());
    f.effective = std::move(eff).value();
    StartMap(f);
  }

  // Items and limits of a JSONata Map: Items (default: the input), MaxConcurrency and the
  // tolerated failures, each literal or an expression.
  Status<AslError> JsonataMapSetup(Frame& f, Json& items, int64_t& max_concurrency) {
    const auto& st = *f.state;
    Json bindings = Bindings(f);
    if (const asl::JsonataTemplate* tmpl = st.Expression("Items")) {
      auto v = Evaluate(f, *tmpl, bindings, "Items");
      if (!v.ok()) return Fail(v.error());
      if (!v.value().is_array()) return Fail(UnexpectedType(f, *tmpl, "Items", "array", v.value()));
      items = std::move(v).value();
    } else if (!f.input.is_array()) {
      return Fail(QueryError(f, "Map state input must be an array but was: " + f.input.dump()));
    } else {
      items = f.input;
    }
    auto mc = ExpressionInt(f, "MaxConcurrency", bindings, 0);
    if (!mc.ok()) return Fail(mc.error());
    max_concurrency = mc.value().value_or(st.max_concurrency.value.value_or(0));
    auto tc = ExpressionInt(f, "ToleratedFailureCount", bindings, 0);
    if (!tc.ok()) return Fail(tc.error());
    f.tolerated_count = tc.value().value_or(st.tolerated_failure_count.value.value_or(-1));
    f.tolerated_percentage = st.tolerated_failure_percentage.value.value_or(-1);
    if (const asl::JsonataTemplate* tmpl = st.Expression("ToleratedFailurePercentage")) {
      auto v = Evaluate(f, *tmpl, bindings, "ToleratedFailurePercentage");
      if (!v.ok()) return Fail(v.error());
      const Json& p = v.value();
      if (!p.is_number() || p.get<double>() < 0 || p.get<double>() > 100) {
        return Fail(UnexpectedType(f, *tmpl, "ToleratedFailurePercentage", "number", p));
      }
      f.tolerated_percentage = p.get<double>();
    }
    return Ok{};
  }

  void StartMap(Frame& f) {
    const auto& st = *f.state;
    if (Jsonata(f)) {
      Json items;
      int64_t max_concurrency = 0;
      auto setup = JsonataMapSetup(f, items, max_concurrency);
      if (!setup.ok()) return FailState(f, setup.error());
      return LaunchMap(f, std::move(items), max_concurrency);
    }
    Json ctx = Context(f);
    asl::EvalScope scope{f.effective, ctx, f.vars.get(), &random};
    auto items = st.items_path.Select(scope);
    if (!items.ok()) {
      return FailState(f, RuntimeError(f, "Invalid path '" + st.items_path.text() +
                                              "' : " + items.error().message));
    }
    if (!items.value().is_array()) {
      return FailState(
          f, RuntimeError(f, "Map state input must be an array: " + st.items_path.text()));
    }
    auto mc = st.max_concurrency.present()
                  ? ResolveInt(f, st.max_concurrency, f.effective, "MaxConcurrencyPath")
                  : Result<int64_t, AslError>(0);
    if (!mc.ok()) return FailState(f, mc.error());
    f.tolerated_count = -1;
    f.tolerated_percentage = -1;
    if (st.tolerated_failure_count.present()) {
      auto tc = ResolveInt(f, st.tolerated_failure_count, f.effective, "ToleratedFailureCountPath");
      if (!tc.ok()) return FailState(f, tc.error());
      f.tolerated_count = tc.value();
    }
    if (st.tolerated_failure_percentage.present()) {
      if (st.tolerated_failure_percentage.value) {
        f.tolerated_percentage = *st.tolerated_failure_percentage.value;
      } else {
        auto r = st.tolerated_failure_percentage.path->Select(scope);
        if (!r.ok() || !r.value().is_number()) {
          return FailState(f, RuntimeError(f,
                                           "The ToleratedFailurePercentagePath field refers "
                                           "to a value which is not a valid number: " +
                                               st.tolerated_failure_percentage.path->text()));
        }
        f.tolerated_percentage = r.value().get<double>();
      }
    }
    LaunchMap(f, std::move(items).value(), mc.value());
  }

  // MapStateStarted {"length": …} for f.items.
  void EmitMapStarted(Frame& f) {
    Emit(&f, "MapStateStarted",
         asl::JsonObjectWriter().Int("length", static_cast<int64_t>(f.items.size())).Finish());
  }

  void LaunchMap(Frame& f, Json items, int64_t max_concurrency) {
    f.items = std::move(items);
    EmitMapStarted(f);
    ResetChildren(f, f.items.size());
    f.max_concurrency = max_concurrency;
    Pump(f);
  }

  // Builds the input of Map iteration `i`.
  Result<Json, AslError> IterationInput(Frame& f, size_t i) {
    const auto& st = *f.state;
    if (Jsonata(f)) {
      const asl::JsonataTemplate* selector = st.Expression("ItemSelector");
      if (selector == nullptr) return f.items[i];
      Json index = static_cast<int64_t>(i);
      Json bindings = Bindings(f, nullptr, nullptr, &index, &f.items[i]);
      return Evaluate(f, *selector, bindings, "ItemSelector");
    }
    if (!st.item_selector) return f.items[i];
    Json index = static_cast<int64_t>(i);
    Json ctx = Context(f, &index, &f.items[i]);
    asl::EvalScope scope{f.effective, ctx, f.vars.get(), &random};
    auto r = st.item_selector->Apply(scope);
    if (!r.ok()) return Fail(Located(f, r.error()));
    return std::move(r).value();
  }

  // Launches children while concurrency allows, running each until it blocks; finishes the
  // state once every child has ended. Re-entrant calls (a child ending inline) only update
  // counters; the outermost call does the work, so recursion depth stays bounded.
  void Pump(Frame& f) {
    if (f.pumping) return;
    f.pumping = true;
    const bool is_map = f.state->type == StateType::kMap;
    const size_t total = f.results.size();
    while (!f.child_failed && f.next_child < total && status == ExecutionStatus::kRunning &&
           (f.max_concurrency <= 0 || f.running < static_cast<size_t>(f.max_concurrency))) {
      size_t i = f.next_child++;
      if (!f.prior.empty() && f.prior[i] >= 0) {
        RedriveChild(f, *frames[f.prior[i]]);
        continue;
      }
      Json input;
      const asl::StateMachine* m;
      if (is_map) {
        auto in = IterationInput(f, i);
        if (!in.ok()) {
          f.child_failed = true;
          f.child_error = in.error();
          break;
        }
        input = std::move(in).value();
        m = f.state->item_processor.get();
      } else {
        input = f.effective;
        m = f.state->branches[i].get();
      }
      Frame& child =
          NewFrame(is_map ? FrameKind::kIteration : FrameKind::kBranch, f.id, m, std::move(input));
      child.index = static_cast<int64_t>(i);
      f.children.push_back(child.id);
      ++f.running;
      if (is_map) {
        Emit(&child, "MapIterationStarted", IterationDetails(child.index, f.state->name));
      }
      uint32_t child_id = child.id;
      Advance(*frames[child_id]);
    }
    f.pumping = false;
    if (status != ExecutionStatus::kRunning) return;
    if (f.child_failed) {
      AbortChildren(f);
      const char* type = is_map ? "MapStateFailed" : "ParallelStateFailed";
      Emit(&f, type);
      f.phase = Phase::kRunning;
      HandleError(f, f.child_error);
      return;
    }
    if (f.finished == total) {
      Emit(&f, is_map ? "MapStateSucceeded" : "ParallelStateSucceeded");
      f.phase = Phase::kRunning;
      f.launched = false;
      f.prior.clear();
      Json results = Json::array();
      for (auto& r : f.results) results.push_back(std::move(r));
      f.results.clear();
      f.items = Json();
      ConcludeResult(f, std::move(results));
    }
  }

  void OnChildEnded(Frame& parent, Frame& child) {
    --parent.running;
    ++parent.finished;
    const bool is_map = parent.state->type == StateType::kMap;
    if (child.ok) {
      parent.results[child.index] = std::move(child.output);
    } else {
      ++parent.failed;
      bool tolerated = false;
      if (is_map) {
        size_t total = parent.results.size();
        if (parent.tolerated_count >= 0 &&
            static_cast<int64_t>(parent.failed) <= parent.tolerated_count) {
          tolerated = true;
        }
        if (parent.tolerated_percentage >= 0 && total > 0 &&
            100.0 * static_cast<double>(parent.failed) / static_cast<double>(total) <=
                parent.tolerated_percentage) {
          tolerated = true;
        }
        if (!tolerated && (parent.tolerated_count >= 0 || parent.tolerated_percentage >= 0)) {
          child.error = AslError{std::string(errors::kExceedToleratedFailureThreshold),
                                 "The specified tolerated failure threshold was exceeded"};
        }
      }
      if (tolerated) {
        parent.results[child.index] = ErrorOutput(child.error);
      } else if (!parent.child_failed) {
        parent.child_failed = true;
        parent.child_error = child.error;
      }
    }
    // Inside the parent's own pump this only updates counters; otherwise it launches the next
    // children or ends the state, and the parent moves on.
    Pump(parent);
    if (parent.phase == Phase::kRunning) Advance(parent);
  }

  void AbortChildren(Frame& f) {
    const bool is_map = f.state->type == StateType::kMap;
    for (uint32_t id : f.children) {
      Frame& c = *frames[id];
      if (c.phase == Phase::kDone) continue;
      AbortFrame(c);
      if (is_map) {
        Emit(&c, "MapIterationAborted", IterationDetails(c.index, f.state->name));
      }
    }
    f.running = 0;
  }

  void AbortFrame(Frame& f) {
    if (f.phase == Phase::kDone) return;
    if (f.phase == Phase::kTask) {
      CancelTask(f);
      CancelTimer(f.timeout_timer_id);
      CancelTimer(f.heartbeat_timer_id);
      Emit(&f, "TaskStateAborted");
    } else if (f.phase == Phase::kWait) {
      CancelTimer(f.timer_id);
      Emit(&f, "WaitStateAborted");
    } else if (f.phase == Phase::kBackoff) {
      CancelTimer(f.timer_id);
    } else if (f.phase == Phase::kChildren) {
      AbortChildren(f);
      Emit(&f, f.state->type == StateType::kMap ? "MapStateAborted" : "ParallelStateAborted");
    }
    f.phase = Phase::kDone;
  }

  // ---- redrive ---------------------------------------------------------------------------

  // Runs again a frame that ended unsuccessfully (failed or aborted), from the state it ended in,
  // with that state's input and the variables it entered with. A Map or Parallel state that
  // ended while its children ran is entered again, keeps the children that succeeded and
  // redrives the others (launching those never launched).
  void RedriveFrame(Frame& f) {
    f.phase = Phase::kRunning;
    f.ok = false;
    f.error = {};
    if (!f.launched) return Advance(f);
    EmitEntered(f);
    const bool is_map = f.state->type == StateType::kMap;
    if (is_map) {
      EmitMapStarted(f);
    } else {
      Emit(&f, "ParallelStateStarted");
    }
    const size_t total = f.results.size();
    f.prior.assign(total, -1);
    f.finished = 0;
    for (uint32_t id : f.children) {
      const Frame& c = *frames[id];
      f.prior[static_cast<size_t>(c.index)] = id;
      if (c.ok) ++f.finished;
    }
    f.children.clear();
    f.next_child = 0;
    f.running = 0;
    f.failed = 0;
    f.child_failed = false;
    f.phase = Phase::kChildren;
    Pump(f);
    if (f.phase == Phase::kRunning) Advance(f);
  }

  // Child `c` of `parent` from the attempt before the redrive: kept when it succeeded (already
  // counted as finished), else redriven.
  void RedriveChild(Frame& parent, Frame& c) {
    if (c.ok) return;
    parent.children.push_back(c.id);
    ++parent.running;
    c.last_event_id = parent.last_event_id;
    if (parent.state->type == StateType::kMap) {
      Emit(&c, "MapIterationStarted", IterationDetails(c.index, parent.state->name));
    }
    RedriveFrame(c);
  }

  // ---- frame end -------------------------------------------------------------------------

  void FailFrame(Frame& f, AslError e) { FinishFrame(f, false, Json(), std::move(e)); }

  void FinishFrame(Frame& f, bool ok, Json output, AslError e) {
    f.phase = Phase::kDone;
    f.ok = ok;
    f.output = std::move(output);
    f.error = std::move(e);
    if (f.kind == FrameKind::kRoot) return FinishExecution(f);
    Frame& parent = *frames[f.parent];
    if (f.kind == FrameKind::kIteration) {
      Emit(&f, ok ? "MapIterationSucceeded" : "MapIterationFailed",
           IterationDetails(f.index, parent.state->name));
    }
    parent.last_event_id = std::max(parent.last_event_id, f.last_event_id);
    OnChildEnded(parent, f);
  }

  void FinishExecution(Frame& f) {
    CancelTimer(execution_timer_id);
    if (f.ok) {
      status = ExecutionStatus::kSucceeded;
      output = std::move(f.output);
      Emit(&f, "ExecutionSucceeded",
           asl::JsonObjectWriter()
               .Dumped("output", output)
               .Raw("outputDetails", kNotTruncated)
               .Finish());
    } else {
      status = ExecutionStatus::kFailed;
      error = f.error;
      asl::JsonObjectWriter details;
      AddError(details, error, /*always_error=*/false);
      Emit(&f, "ExecutionFailed", details.Finish());
    }
  }

  // The machine's TimeoutSeconds, counted from now.
  void ArmExecutionTimer(Frame& root) {
    if (!machine->timeout_seconds) return;
    execution_timer_id = StartTimer(root, now + *machine->timeout_seconds * kNanosPerSecond);
    timers.erase(execution_timer_id);  // handled specially in OnTimer
  }

  // Ends a running execution from outside (timeout, stop).
  void Terminate(ExecutionStatus final_status, const char* type, AslError e) {
    Frame& root = *frames[0];
    AbortFrame(root);
    CancelTimer(execution_timer_id);
    status = final_status;
    error = std::move(e);
    asl::JsonObjectWriter details;
    AddError(details, error, /*always_error=*/false);
    Emit(&root, type, details.Finish());
  }
};

// ---- public API --------------------------------------------------------------------------

bool IsActivityResource(const std::string& resource) {
  if (resource.rfind("arn:", 0) != 0) return false;
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t colon; (colon = resource.find(':', start)) != std::string::npos && parts.size() < 6;
       start = colon + 1) {
    parts.push_back(resource.substr(start, colon - start));
  }
  return parts.size() == 6 && parts[2] == "states" && !parts[3].empty() && parts[5] == "activity" &&
         start < resource.size();
}

const char* ExecutionStatusName(ExecutionStatus status) {
  switch (status) {
    case ExecutionStatus::kRunning:
      return "RUNNING";
    case ExecutionStatus::kSucceeded:
      return "SUCCEEDED";
    case ExecutionStatus::kFailed:
      return "FAILED";
    case ExecutionStatus::kTimedOut:
      return "TIMED_OUT";
    case ExecutionStatus::kAborted:
      return "ABORTED";
  }
  return "?";
}

Executor::Executor(std::shared_ptr<const asl::StateMachine> machine, ExecutionOptions options)
    : s_(std::make_unique<State>()) {
  s_->machine = std::move(machine);
  s_->options = std::move(options);
  s_->random = asl::SeededRandom(s_->options.seed);
}

Executor::~Executor() = default;

Commands Executor::Start(Json input, int64_t now) {
  Commands out;
  auto& s = *s_;
  s.out = &out;
  s.now = now;
  s.start_time = now;
  s.execution_input = input;
  const auto& o = s.options;
  s.context_base = Json::object();
  s.context_base["Execution"] = Json{{"Id", o.execution_arn},
                                     {"Input", input},
                                     {"StartTime", asl::FormatTimestamp(now)},
                                     {"Name", o.execution_name},
                                     {"RoleArn", o.role_arn}};
  s.redrive_count = o.redrive_count;
  if (!o.express) s.context_base["Execution"]["RedriveCount"] = o.redrive_count;
  s.context_base["StateMachine"] =
      Json{{"Id", o.state_machine_arn}, {"Name", o.state_machine_name}};
  s.Emit(nullptr, "ExecutionStarted",
         asl::JsonObjectWriter()
             .Dumped("input", input)
             .Raw("inputDetails", kNotTruncated)
             .String("roleArn", o.role_arn)
             .String("stateMachineArn", o.state_machine_arn)
             .Finish());
  Frame& root = s.NewFrame(FrameKind::kRoot, -1, s.machine.get(), std::move(input));
  root.last_event_id = 0;  // AWS: the first state's previousEventId is 0
  s.ArmExecutionTimer(root);
  s.Advance(root);
  s.out = nullptr;
  return out;
}

Commands Executor::OnTaskSucceeded(uint64_t task_id, Json result, int64_t now) {
  Commands out;
  auto& s = *s_;
  auto it = s.tasks.find(task_id);
  if (it == s.tasks.end() || s.status != ExecutionStatus::kRunning) return out;
  s.out = &out;
  s.now = now;
  Frame& f = *s.frames[it->second];
  s.tasks.erase(it);
  s.OnTaskSucceeded(f, std::move(result));
  s.out = nullptr;
  return out;
}

Commands Executor::OnTaskHeartbeat(uint64_t task_id, int64_t now) {
  Commands out;
  auto& s = *s_;
  auto it = s.tasks.find(task_id);
  if (it == s.tasks.end() || s.status != ExecutionStatus::kRunning) return out;
  Frame& f = *s.frames[it->second];
  if (f.heartbeat_timer_id == 0) return out;  // no HeartbeatSeconds: nothing to restart
  s.out = &out;
  s.now = now;
  s.CancelTimer(f.heartbeat_timer_id);
  f.heartbeat_timer_id = s.StartTimer(f, now + f.heartbeat_nanos);
  s.out = nullptr;
  return out;
}

Commands Executor::OnTaskStarted(uint64_t task_id, const std::string& worker_name, int64_t now) {
  Commands out;
  auto& s = *s_;
  auto it = s.tasks.find(task_id);
  if (it == s.tasks.end() || s.status != ExecutionStatus::kRunning) return out;
  Frame& f = *s.frames[it->second];
  if (!IsActivityResource(f.state->resource) || f.activity_started) return out;
  s.out = &out;
  s.now = now;
  s.OnActivityStarted(f, worker_name);
  s.out = nullptr;
  return out;
}

Commands Executor::OnTaskFailed(uint64_t task_id, asl::AslError error, int64_t now) {
  Commands out;
  auto& s = *s_;
  auto it = s.tasks.find(task_id);
  if (it == s.tasks.end() || s.status != ExecutionStatus::kRunning) return out;
  s.out = &out;
  s.now = now;
  Frame& f = *s.frames[it->second];
  s.tasks.erase(it);
  s.OnTaskFailed(f, std::move(error), false);
  s.out = nullptr;
  return out;
}

Commands Executor::OnTimer(uint64_t timer_id, int64_t now) {
  Commands out;
  auto& s = *s_;
  if (s.status != ExecutionStatus::kRunning) return out;
  s.out = &out;
  s.now = now;
  if (timer_id == s.execution_timer_id) {
    s.execution_timer_id = 0;
    s.Terminate(ExecutionStatus::kTimedOut, "ExecutionTimedOut",
                AslError{std::string(errors::kTimeout), "", false});
    s.out = nullptr;
    return out;
  }
  auto it = s.timers.find(timer_id);
  if (it == s.timers.end()) {
    s.out = nullptr;
    return out;
  }
  Frame& f = *s.frames[it->second];
  s.timers.erase(it);
  if (timer_id == f.timeout_timer_id || timer_id == f.heartbeat_timer_id) {
    const bool heartbeat = timer_id == f.heartbeat_timer_id;
    (heartbeat ? f.heartbeat_timer_id : f.timeout_timer_id) = 0;
    s.CancelTask(f);
    s.OnTaskFailed(
        f,
        AslError{std::string(heartbeat ? errors::kHeartbeatTimeout : errors::kTimeout), "", false},
        true);
  } else if (timer_id == f.timer_id) {
    f.timer_id = 0;
    if (f.phase == Phase::kWait) {
      s.OnWaitTimer(f);
      s.Advance(f);
    } else if (f.phase == Phase::kBackoff) {
      s.OnBackoffTimer(f);
    }
  }
  s.out = nullptr;
  return out;
}

Commands Executor::Stop(const std::string& error, const std::string& cause, int64_t now) {
  Commands out;
  auto& s = *s_;
  if (s.status != ExecutionStatus::kRunning) return out;
  s.out = &out;
  s.now = now;
  s.Terminate(ExecutionStatus::kAborted, "ExecutionAborted",
              AslError{error, cause, !cause.empty()});
  s.out = nullptr;
  return out;
}

std::string Executor::NotRedrivableReason() const {
  const auto& s = *s_;
  if (s.options.express) return "Execution of an EXPRESS state machine cannot be redriven.";
  if (s.status == ExecutionStatus::kRunning || s.status == ExecutionStatus::kSucceeded) {
    return std::string("Execution is ") + ExecutionStatusName(s.status) +
           " and cannot be redriven.";
  }
  // ExecutionRedriven and the first StateEntered must fit under the history quota.
  const int64_t max = s.options.max_history_events;
  if (max > 0 && static_cast<int64_t>(s.history.size()) >= max - 2) {
    return "Execution history event limit exceeded.";
  }
  return "";
}

Commands Executor::Redrive(int64_t now) {
  Commands out;
  auto& s = *s_;
  if (!NotRedrivableReason().empty()) return out;
  s.out = &out;
  s.now = now;
  s.status = ExecutionStatus::kRunning;
  s.error = {};
  ++s.redrive_count;
  s.redrive_time = now;
  s.context_base["Execution"]["RedriveCount"] = s.redrive_count;
  Frame& root = *s.frames[0];
  root.last_event_id =
      s.Emit(nullptr, "ExecutionRedriven",
             asl::JsonObjectWriter().Int("redriveCount", s.redrive_count).Finish());
  s.ArmExecutionTimer(root);
  s.RedriveFrame(root);
  s.out = nullptr;
  return out;
}

ExecutionStatus Executor::status() const { return s_->status; }
int64_t Executor::redrive_count() const { return s_->redrive_count; }
int64_t Executor::redrive_time() const { return s_->redrive_time; }
const Json& Executor::output() const { return s_->output; }
const Json& Executor::input() const { return s_->execution_input; }
const asl::AslError& Executor::error() const { return s_->error; }
const std::vector<HistoryEvent>& Executor::history() const { return s_->history; }
const ExecutionOptions& Executor::options() const { return s_->options; }
int64_t Executor::start_time() const { return s_->start_time; }
void Executor::set_tracer(std::function<void(const TraceEvent&)> tracer) {
  s_->tracer = std::move(tracer);
}

}  // namespace sluice::engine
