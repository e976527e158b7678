// StateTester: see test_state.h.
//
// A test goes through at most two runs of the executor:
//
//   once ──(state exited)──────────────────────────────► SUCCEEDED
//     └──(failed: error E)──(a retrier matches E)───────► RETRIABLE
//                         ├─(a catcher matches E)──► catch ──► CAUGHT_ERROR
//                         └─(neither)───────────────────► FAILED
//
// "once" runs the state without its Retry and Catch. "catch" runs a Task that fails with E at
// once, carrying the state's Catch: the executor applies the catcher (ResultPath, Assign,
// Output) to the same input and variables, so nothing of the catch logic is redone here, and
// the state's real work (a task's side effects) runs only once.
#include "engine/server/test_state.h"

#include <uv.h>

#include <algorithm>
#include <deque>
#include <nlohmann/json.hpp>
#include <random>
#include <utility>
#include <vector>

#include "asl/errors.h"
#include "asl/loader.h"
#include "asl/random.h"
#include "asl/timestamp.h"
#include "engine/clock.h"
#include "engine/executor.h"
#include "engine/handler_setup.h"
#include "engine/run.h"
#include "engine/store/records.h"
#include "handlers/task_handler.h"

namespace sluice::engine::server {

namespace {

constexpr const char* kMachineName = "TestState";
// The catch run's task: served here, never by a handler.
constexpr const char* kRaiseResource = "arn:aws:states:::sluice:testState.raise";
// AWS: "The TestState API can run for up to five minutes".
constexpr uint64_t kMaxTestMillis = 5 * 60 * 1000;

TestStateError Invalid(const std::string& message) {
  return TestStateError{"InvalidDefinition", "Invalid State Machine Definition: '" + message + "'"};
}

TestStateError Unsupported(const std::string& what) {
  return TestStateError{"ValidationException",
                        "TestState does not support " + what +
                            " (as AWS TestState without a mock: no Activity tasks, .sync or "
                            ".waitForTaskToken integrations, Parallel or Map states)"};
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Why a state cannot be tested; "" when it can.
std::string UnsupportedFeature(const Json& state) {
  const std::string type = state.value("Type", "");
  if (type == "Map" || type == "Parallel") return type + " states";
  if (type != "Task" || !state.contains("Resource") || !state["Resource"].is_string()) return "";
  const std::string resource = state["Resource"].get<std::string>();
  if (IsActivityResource(resource)) return "Activity tasks";
  if (EndsWith(resource, ".waitForTaskToken")) return "the .waitForTaskToken pattern";
  if (EndsWith(resource, ".sync") || EndsWith(resource, ".sync:2")) return "the .sync pattern";
  return "";
}

// The state names a state's transitions name: Next, Default and Choices' Next (`next`), and
// Catch's Next (`caught`).
std::vector<std::string> Targets(const Json& state, bool next, bool caught) {
  std::vector<std::string> out;
  auto add = [&out](const Json& obj, const char* field) {
    if (!obj.is_object()) return;
    auto it = obj.find(field);
    if (it != obj.end() && it->is_string()) out.push_back(it->get<std::string>());
  };
  auto each = [](const Json& state, const char* field, auto fn) {
    auto it = state.find(field);
    if (it == state.end() || !it->is_array()) return;
    for (const auto& item : *it) fn(item);
  };
  if (next) {
    add(state, "Next");
    add(state, "Default");
    each(state, "Choices", [&](const Json& c) { add(c, "Next"); });
  }
  if (caught) each(state, "Catch", [&](const Json& c) { add(c, "Next"); });
  return out;
}

// A name not among `taken`, from `base`.
std::string FreeName(std::string base, const std::vector<std::string>& taken) {
  while (std::find(taken.begin(), taken.end(), base) != taken.end()) base += "_";
  return base;
}

// What a test runs: the state, its compiled forms and the run's input.
struct Plan {
  std::string name;  // the tested state's name
  std::string init;  // the Pass state that assigns the variables
  Json state;
  std::optional<Json> variables;
  std::shared_ptr<const asl::StateMachine> full;  // with Retry and Catch
  std::shared_ptr<const asl::StateMachine> once;  // without
  Json catch_json;                                // the catch run's machine; null: no Catch
  Json input;                                     // the state's input
  Json run_input;                                 // the run's (with the variables)
  std::string role_arn;
  bool debug = false;
  uint64_t seed = 0;
};

// The throwaway machine: [a Pass assigning the variables →] the state → Succeed placeholders.
Json MachineJson(const Plan& plan, const Json& state, const std::vector<std::string>& targets) {
  Json states = Json::object();
  const bool init = plan.variables && !plan.variables->empty();
  if (init) {
    Json assign = Json::object();
    for (const auto& [name, value] : plan.variables->items()) {
      assign[name + ".$"] = "$.variables." + name;
    }
    states[plan.init] =
        Json{{"Type", "Pass"}, {"Assign", assign}, {"OutputPath", "$.input"}, {"Next", plan.name}};
  }
  states[plan.name] = state;
  for (const auto& t : targets) {
    if (!states.contains(t)) states[t] = Json{{"Type", "Succeed"}};
  }
  return Json{{"StartAt", init ? plan.init : plan.name}, {"States", std::move(states)}};
}

Result<std::shared_ptr<const asl::StateMachine>, TestStateError> CompileMachine(
    const Plan& plan, const Json& machine) {
  auto compiled = asl::Compile(machine);
  if (compiled.ok()) return compiled.value();
  const std::string prefix = "/States/" + plan.name;
  std::string problems;
  for (const auto& d : compiled.error()) {
    std::string pointer = d.pointer;
    if (pointer.rfind(prefix, 0) == 0) pointer = pointer.substr(prefix.size());
    if (!problems.empty()) problems += ", ";
    problems +=
        "SCHEMA_VALIDATION_FAILED: " + d.message + " at " + (pointer.empty() ? "/" : pointer);
  }
  return Fail(Invalid(problems));
}

Result<Plan, TestStateError> Prepare(const TestStateRequest& request) {
  Plan plan;
  plan.state = Json::parse(request.definition, nullptr, /*allow_exceptions=*/false);
  if (plan.state.is_discarded() || !plan.state.is_object()) {
    return Fail(Invalid("the state definition is not a JSON object"));
  }
  if (auto feature = UnsupportedFeature(plan.state); !feature.empty()) {
    return Fail(Unsupported(feature));
  }
  if (request.variables && !request.variables->is_object()) {
    return Fail(TestStateError{"ValidationException", "variables must be a JSON object"});
  }
  const std::vector<std::string> all = Targets(plan.state, true, true);
  plan.name = FreeName(kMachineName, all);
  std::vector<std::string> taken = all;
  taken.push_back(plan.name);
  plan.init = FreeName("TestStateVariables", taken);
  plan.variables = request.variables;
  plan.input = request.input;
  plan.run_input = plan.input;
  if (plan.variables && !plan.variables->empty()) {
    plan.run_input = Json{{"input", plan.input}, {"variables", *plan.variables}};
  }
  plan.role_arn = request.role_arn;
  plan.debug = request.inspection_level != "INFO";
  plan.seed = std::random_device{}();

  auto full = CompileMachine(plan, MachineJson(plan, plan.state, all));
  if (!full.ok()) return Fail(full.error());
  plan.full = full.value();
  Json once_state = plan.state;
  once_state.erase("Retry");
  once_state.erase("Catch");
  auto once = CompileMachine(plan, MachineJson(plan, once_state, Targets(plan.state, true, false)));
  if (!once.ok()) return Fail(once.error());
  plan.once = once.value();
  if (plan.state.contains("Catch")) {
    Json raise{{"Type", "Task"}, {"Resource", kRaiseResource}, {"Catch", plan.state["Catch"]}};
    if (plan.state.contains("QueryLanguage")) raise["QueryLanguage"] = plan.state["QueryLanguage"];
    raise["End"] = true;
    plan.catch_json = MachineJson(plan, raise, Targets(plan.state, false, true));
  }
  return plan;
}

// The details of event `e` as JSON (null when none).
Json Details(const HistoryEvent& e) { return DetailsJson(e); }

bool IsEntered(const HistoryEvent& e) {
  return e.type.size() > 12 && e.type.compare(e.type.size() - 12, 12, "StateEntered") == 0;
}
bool IsExited(const HistoryEvent& e) {
  return e.type.size() > 11 && e.type.compare(e.type.size() - 11, 11, "StateExited") == 0;
}

// The index of the first event of type *StateEntered / *StateExited for `name` at or after
// `from`, or -1.
int64_t FindState(const std::vector<HistoryEvent>& h, size_t from, const std::string& name,
                  bool entered) {
  for (size_t i = from; i < h.size(); ++i) {
    if (!(entered ? IsEntered(h[i]) : IsExited(h[i]))) continue;
    if (Details(h[i]).value("name", "") == name) return static_cast<int64_t>(i);
  }
  return -1;
}

// The first event of `type` after `from`, or null.
const HistoryEvent* FindEvent(const std::vector<HistoryEvent>& h, size_t from,
                              std::initializer_list<std::string_view> types) {
  for (size_t i = from; i < h.size(); ++i) {
    for (auto t : types) {
      if (h[i].type == t) return &h[i];
    }
  }
  return nullptr;
}

// How a run left the tested state: its output and the state entered next, when it exited.
struct Exit {
  bool exited = false;
  Json output;
  std::string next;
};

Exit ExitOf(const std::vector<HistoryEvent>& h, const std::string& name) {
  Exit out;
  int64_t entered = FindState(h, 0, name, true);
  if (entered < 0) return out;
  int64_t exited = FindState(h, static_cast<size_t>(entered), name, false);
  if (exited < 0) return out;
  out.exited = true;
  out.output = Json::parse(Details(h[exited]).value("output", "null"), nullptr, false);
  for (size_t i = static_cast<size_t>(exited) + 1; i < h.size(); ++i) {
    if (IsEntered(h[i])) {
      out.next = Details(h[i]).value("name", "");
      break;
    }
  }
  return out;
}

// The data-flow steps of the tested state (inspectionData at DEBUG and TRACE), from the run's
// history and, for the steps that leave no event, the state's compiled paths and templates.
class Inspector {
 public:
  Inspector(const Plan& plan, const ExecutionOptions& options, int64_t start)
      : plan_(plan), options_(options), start_(start) {}

  Json Inspect(const std::vector<HistoryEvent>& h) {
    Json data = Json::object();
    const asl::State* st = plan_.once->Find(plan_.name);
    int64_t entered = FindState(h, 0, plan_.name, true);
    if (st == nullptr || entered < 0) return data;
    Json input = Json::parse(Details(h[entered]).value("input", "null"), nullptr, false);
    data["input"] = input.dump();
    Json ctx = Context(h[entered].timestamp_nanos);
    Json vars = plan_.variables ? *plan_.variables : Json::object();
    const size_t from = static_cast<size_t>(entered);
    if (st->query_language == asl::QueryLanguage::kJsonata) {
      if (auto* e = FindEvent(h, from, {"TaskScheduled"})) {
        data["afterArguments"] = Details(*e).value("parameters", "");
      }
      if (auto* e = FindEvent(h, from, {"TaskSucceeded"})) {
        data["result"] = Details(*e).value("output", "");
      }
    } else {
      JsonPathSteps(*st, h, from, input, ctx, vars, data);
    }
    AddVariables(h, vars, data);
    return data;
  }

 private:
  // $$ as the executor builds it (close enough for templates that read it).
  Json Context(int64_t entered_nanos) const {
    Json execution{{"Id", options_.execution_arn},
                   {"Input", plan_.run_input},
                   {"StartTime", asl::FormatTimestamp(start_)},
                   {"Name", options_.execution_name},
                   {"RoleArn", options_.role_arn},
                   {"RedriveCount", 0}};
    return Json{
        {"Execution", std::move(execution)},
        {"StateMachine", {{"Id", options_.state_machine_arn}, {"Name", kMachineName}}},
        {"State", {{"Name", plan_.name}, {"EnteredTime", asl::FormatTimestamp(entered_nanos)}}}};
  }

  void JsonPathSteps(const asl::State& st, const std::vector<HistoryEvent>& h, size_t from,
                     const Json& input, const Json& ctx, const Json& vars, Json& data) {
    asl::SeededRandom random(plan_.seed);  // draws as the executor's first draws did
    Json effective = input;
    if (st.input_path.null_object) {
      effective = Json::object();
    } else if (!st.input_path.path.IsRoot()) {
      auto r = st.input_path.path.Select(asl::EvalScope{input, ctx, &vars, &random});
      if (!r.ok()) return;
      effective = std::move(r).value();
    }
    data["afterInputPath"] = effective.dump();
    std::optional<Json> result;
    if (st.type == asl::StateType::kTask) {
      if (auto* e = FindEvent(h, from, {"TaskScheduled"})) {
        data["afterParameters"] = Details(*e).value("parameters", "");
      } else if (auto* l = FindEvent(h, from, {"LambdaFunctionScheduled"})) {
        data["afterParameters"] = Details(*l).value("input", "");
      }
      if (auto* e = FindEvent(h, from, {"TaskSucceeded", "LambdaFunctionSucceeded"})) {
        data["result"] = Details(*e).value("output", "");
        result = Json::parse(data["result"].get<std::string>(), nullptr, false);
      }
    } else if (st.type == asl::StateType::kPass) {
      result = effective;
      if (st.parameters) {
        auto p = st.parameters->Apply(asl::EvalScope{effective, ctx, &vars, &random});
        if (!p.ok()) return;
        data["afterParameters"] = p.value().dump();
        result = std::move(p).value();
      } else if (st.result) {
        result = *st.result;
      }
      data["result"] = result->dump();
    }
    if (!result) return;
    if (st.result_selector) {
      auto s = st.result_selector->Apply(asl::EvalScope{*result, ctx, &vars, &random});
      if (!s.ok()) return;
      result = std::move(s).value();
      data["afterResultSelector"] = result->dump();
    }
    if (st.result_path.discard) {
      data["afterResultPath"] = input.dump();
      return;
    }
    auto merged = st.result_path.path.Assign(input, *result);
    if (merged.ok()) data["afterResultPath"] = merged.value().dump();
  }

  // The variables after the state: those it was given, with those it assigned.
  void AddVariables(const std::vector<HistoryEvent>& h, Json vars, Json& data) const {
    int64_t entered = FindState(h, 0, plan_.name, true);
    int64_t exited =
        entered < 0 ? -1 : FindState(h, static_cast<size_t>(entered), plan_.name, false);
    if (exited >= 0) {
      Json assigned = Details(h[exited]).value("assignedVariables", Json::object());
      for (const auto& [name, text] : assigned.items()) {
        vars[name] = Json::parse(text.get<std::string>(), nullptr, false);
      }
    }
    if (!vars.empty()) data["variables"] = vars.dump();
  }

  const Plan& plan_;
  const ExecutionOptions& options_;
  int64_t start_;
};

Json ErrorFields(Json out, const asl::AslError& e) {
  if (!e.error.empty()) out["error"] = e.error;
  if (e.has_cause) out["cause"] = e.cause;
  return out;
}

}  // namespace

// One test: the executor runs on the tester's loop, its tasks go to the tester's handler, its
// timers are served here (a Wait at once; a task's timeouts by a uv timer).
class StateTester::TestRun {
 public:
  TestRun(StateTester& tester, uint64_t id, Plan plan, TestStateReply reply)
      : tester_(tester), id_(id), plan_(std::move(plan)), reply_(std::move(reply)) {
    uv_timer_init(tester_.loop_, &timer_);
    timer_.data = this;
    deadline_ms_ = uv_now(tester_.loop_) + kMaxTestMillis;
  }

  ~TestRun() { *alive_ = false; }

  void Begin() {
    options_.state_machine_name = kMachineName;
    options_.state_machine_arn = StateMachineArn(kMachineName);
    options_.execution_name = NewUuid();
    options_.execution_arn = ExecutionArn(kMachineName, options_.execution_name);
    if (!plan_.role_arn.empty()) options_.role_arn = plan_.role_arn;
    options_.seed = plan_.seed;
    options_.express = true;
    StartRun(plan_.once);
  }

  // The tester is going away: cancel the task and let the close callback free the run.
  void Orphan() {
    orphaned_ = true;
    CancelTask();
    Close();
  }

 private:
  void StartRun(std::shared_ptr<const asl::StateMachine> machine) {
    executor_ = std::make_unique<Executor>(std::move(machine), options_);
    timers_.clear();
    start_ = tester_.clock_.Now();
    busy_ = true;  // a task failing at once is delivered by Pump, not inside Apply
    Apply(executor_->Start(plan_.run_input, start_));
    busy_ = false;
    Pump();
  }

  void Apply(const Commands& commands) {
    for (const auto& c : commands) {
      switch (c.kind) {
        case Command::Kind::kScheduleTask:
          ScheduleTask(c);
          break;
        case Command::Kind::kCancelTask:
          CancelTask();
          break;
        case Command::Kind::kStartTimer:
          timers_[c.timer_id] = c.due_nanos;
          break;
        case Command::Kind::kCancelTimer:
          timers_.erase(c.timer_id);
          break;
      }
    }
  }

  void ScheduleTask(const Command& c) {
    if (c.resource == kRaiseResource) {
      completions_.push_back({c.task_id, handlers::TaskOutcome{false, nullptr, raised_}});
      return;
    }
    const uint64_t global = tester_.next_task_++;
    global_ = global;
    handlers::TaskRequest req;
    req.task_id = global;
    req.resource = c.resource;
    req.payload = c.payload;
    req.state_machine_name = kMachineName;
    req.state_name = c.state_name;
    req.execution_arn = options_.execution_arn;
    req.execution_name = options_.execution_name;
    req.idempotency_key = IdempotencyKey(options_.execution_arn, c.scheduled_event_id);
    req.task_token = c.task_token;
    tester_.handler_->Start(
        req, [this, alive = alive_, global, task = c.task_id](handlers::TaskOutcome outcome) {
          if (!*alive || global != global_) return;
          global_ = 0;
          completions_.push_back({task, std::move(outcome)});
          if (!busy_) Pump();
        });
  }

  void CancelTask() {
    if (global_ == 0) return;
    const uint64_t global = global_;
    global_ = 0;
    tester_.handler_->Cancel(global);
  }

  // Delivers what is ready until the run ends or waits for its task.
  void Pump() {
    busy_ = true;
    while (!executor_->done() && !ended_) {
      const int64_t now = tester_.clock_.Now();
      if (!completions_.empty()) {
        auto [task, outcome] = std::move(completions_.front());
        completions_.pop_front();
        Apply(outcome.ok
                  ? executor_->OnTaskSucceeded(task, outcome.result ? *outcome.result : Json(), now)
                  : executor_->OnTaskFailed(task, outcome.error, now));
      } else if (global_ == 0 && !timers_.empty()) {  // a Wait state: no waiting
        const uint64_t timer = EarliestTimer();
        timers_.erase(timer);
        Apply(executor_->OnTimer(timer, now));
      } else {
        break;
      }
    }
    busy_ = false;
    if (ended_) return;
    if (executor_->done()) return RunEnded();
    if (global_ == 0) {
      return Finish(Json{{"status", "FAILED"},
                         {"error", "States.Runtime"},
                         {"cause", "the state neither ended nor waits for a task"}});
    }
    ArmTimer();
  }

  uint64_t EarliestTimer() const {
    auto it = std::min_element(timers_.begin(), timers_.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
    return it->first;
  }

  // Wakes up for the task's next timeout, or at the test's deadline.
  void ArmTimer() {
    uint64_t delay =
        deadline_ms_ > uv_now(tester_.loop_) ? deadline_ms_ - uv_now(tester_.loop_) : 0;
    if (!timers_.empty()) {
      const int64_t due = timers_.at(EarliestTimer());
      const int64_t ms = std::max<int64_t>(0, (due - tester_.clock_.Now() + 999'999) / 1'000'000);
      delay = std::min(delay, static_cast<uint64_t>(ms));
    }
    uv_timer_start(
        &timer_, [](uv_timer_t* t) { static_cast<TestRun*>(t->data)->OnWake(); }, delay, 0);
  }

  void OnWake() {
    if (ended_) return;
    if (uv_now(tester_.loop_) >= deadline_ms_) {
      CancelTask();
      return Finish(
          Json{{"status", "FAILED"},
               {"error", std::string(asl::errors::kTimeout)},
               {"cause", "The state did not finish within the 5 minutes TestState allows"}});
    }
    if (!timers_.empty()) {
      const uint64_t timer = EarliestTimer();
      timers_.erase(timer);
      busy_ = true;
      Apply(executor_->OnTimer(timer, tester_.clock_.Now()));
      busy_ = false;
    }
    Pump();
  }

  // The run ended: the answer, or the catch run.
  void RunEnded() {
    const auto& history = executor_->history();
    Exit exit = ExitOf(history, plan_.name);
    if (catching_) {
      Json out{{"status", exit.exited ? "CAUGHT_ERROR" : "FAILED"}};
      if (exit.exited) {
        out["output"] = exit.output.dump();
        if (!exit.next.empty()) out["nextState"] = exit.next;
        return Finish(ErrorFields(std::move(out), raised_));
      }
      return Finish(ErrorFields(std::move(out), executor_->error()));
    }
    if (plan_.debug) inspection_ = Inspector(plan_, options_, start_).Inspect(history);
    if (exit.exited) {
      Json out{{"output", exit.output.dump()}, {"status", "SUCCEEDED"}};
      if (!exit.next.empty()) out["nextState"] = exit.next;
      return Finish(std::move(out));
    }
    raised_ = executor_->error();
    const asl::State* st = plan_.full->Find(plan_.name);
    for (const auto& r : st->retry) {
      if (!asl::ErrorMatches(r.error_equals, raised_.error)) continue;
      if (r.max_attempts > 0) return Finish(ErrorFields(Json{{"status", "RETRIABLE"}}, raised_));
      break;  // exhausted at once: on to Catch, as the executor does
    }
    for (const auto& c : st->catchers) {
      if (!asl::ErrorMatches(c.error_equals, raised_.error)) continue;
      auto machine = asl::Compile(plan_.catch_json);
      if (!machine.ok()) break;
      catching_ = true;
      return StartRun(machine.value());
    }
    Finish(ErrorFields(Json{{"status", "FAILED"}}, raised_));
  }

  void Finish(Json answer) {
    ended_ = true;
    if (plan_.debug)
      answer["inspectionData"] = inspection_.is_null() ? Json::object() : inspection_;
    TestStateReply reply = std::move(reply_);
    Close();
    reply(std::move(answer));
  }

  // The run is freed once its timer handle is closed.
  void Close() {
    if (closing_) return;
    closing_ = true;
    uv_timer_stop(&timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), [](uv_handle_t* h) {
      auto* run = static_cast<TestRun*>(h->data);
      if (run->orphaned_) {
        delete run;
      } else {
        run->tester_.Finished(run->id_);
      }
    });
  }

  StateTester& tester_;
  uint64_t id_;
  Plan plan_;
  TestStateReply reply_;
  ExecutionOptions options_;
  std::unique_ptr<Executor> executor_;
  int64_t start_ = 0;
  std::map<uint64_t, int64_t> timers_;  // the executor's timer id -> due
  std::deque<std::pair<uint64_t, handlers::TaskOutcome>> completions_;
  uint64_t global_ = 0;  // the task in flight at the handler, 0: none
  uv_timer_t timer_;
  uint64_t deadline_ms_ = 0;
  bool busy_ = false;  // in Apply or Pump: completions wait for Pump's loop
  bool catching_ = false;
  bool ended_ = false;
  bool closing_ = false;
  bool orphaned_ = false;
  asl::AslError raised_;  // the error of the "once" run
  Json inspection_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

StateTester::StateTester(uv_loop_t* loop, Clock& clock, handlers::TaskHandler* builtin)
    : loop_(loop), clock_(clock) {
  HandlerConfig config;
  config.builtins = builtin != nullptr;
  config.machine_name = kMachineName;
  auto built = BuildHandlers(loop, config, builtin);
  if (built.ok()) handler_ = std::move(built).value();
}

StateTester::~StateTester() {
  for (auto& [id, run] : runs_) run.release()->Orphan();
  runs_.clear();
}

void StateTester::Run(const TestStateRequest& request, TestStateReply reply) {
  if (!handler_) {
    return reply(Fail(TestStateError{"InternalFailure", "no task handler could be built"}));
  }
  auto plan = Prepare(request);
  if (!plan.ok()) return reply(Fail(plan.error()));
  const uint64_t id = next_run_++;
  auto run = std::make_unique<TestRun>(*this, id, std::move(plan).value(), std::move(reply));
  TestRun* started = run.get();
  runs_[id] = std::move(run);
  started->Begin();
}

void StateTester::Finished(uint64_t id) { runs_.erase(id); }

}  // namespace sluice::engine::server
