// The real job types behind Jobs (jobs.h): command, http, airflow, databricks, step-function.
//
// Every answer goes through the loop: immediate answers are posted (DeferredCalls), commands run
// through CommandRunner, requests through HttpClient, back-off and settle waits are uv timers.
// All of them belong to the RealJobs object, so destroying it cancels everything in flight.
#include "handlers/pipeline/jobs.h"

#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <random>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "handlers/command_runner.h"
#include "handlers/deferred_calls.h"
#include "handlers/http_client.h"
#include "handlers/pipeline/env_expand.h"

namespace sluice::pipeline {

const char* JobFailureCategoryName(JobFailureCategory category) {
  switch (category) {
    case JobFailureCategory::kTransient:
      return "TRANSIENT";
    case JobFailureCategory::kPermanent:
      return "PERMANENT";
    case JobFailureCategory::kTimeout:
      return "TIMEOUT";
  }
  return "TRANSIENT";
}

namespace {

using handlers::CommandResult;
using handlers::CommandRunner;
using handlers::CommandSpec;
using handlers::HttpClient;
using handlers::HttpError;
using handlers::HttpRequest;
using handlers::HttpResponse;

constexpr size_t kOutputTailBytes = 2048;           // per stream, in a command's status detail
constexpr size_t kCommandOutputBytes = 256 * 1024;  // kept per stream while a command runs
constexpr size_t kErrorBodyBytes = 512;             // of a failed response, in the message
constexpr int kHttpAttempts = 3;
constexpr int64_t kFirstBackoffMs = 200;
constexpr int64_t kMaxBackoffMs = 2000;
constexpr double kBackoffJitter = 0.3;  // ±30 %
constexpr double kDefaultTimeoutSeconds = 30;

JobError Permanent(std::string message) {
  return JobError{JobFailureCategory::kPermanent, std::move(message)};
}
JobError Transient(std::string message) {
  return JobError{JobFailureCategory::kTransient, std::move(message)};
}

JobStatus Running(Json detail = Json::object()) {
  return JobStatus{JobState::kRunning, {}, std::move(detail)};
}
JobStatus Succeeded(Json detail = Json::object()) {
  return JobStatus{JobState::kSucceeded, {}, std::move(detail)};
}
JobStatus Failed(JobError error, Json detail = Json::object()) {
  return JobStatus{JobState::kFailed, std::move(error), std::move(detail)};
}

std::string Tail(const std::string& text, size_t bytes) {
  return text.size() <= bytes ? text : "…" + text.substr(text.size() - bytes);
}

// Every string inside `value`, expanded.
Json ExpandEnvInStrings(const Json& value, const Getenv& getenv) {
  if (value.is_string()) return ExpandEnv(value.get<std::string>(), getenv);
  if (!value.is_structured()) return value;
  Json out = value;
  for (auto& item : out) item = ExpandEnvInStrings(item, getenv);
  return out;
}

// Config readers (the config was validated; these still guard against a hand-made JobConfig) --

std::string StringField(const Json& config, const char* key) {
  auto found = config.find(key);
  if (found == config.end()) return "";
  if (found->is_string()) return found->get<std::string>();
  if (found->is_number()) return found->dump();
  return "";
}

std::string ScalarText(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string PercentEncode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string WithoutTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// One uv timer per pending wait, owned here: closing the owner drops every callback.
class LoopTimers {
 public:
  explicit LoopTimers(uv_loop_t* loop) : loop_(loop) {}
  ~LoopTimers() {
    for (auto& [id, timer] : timers_) Close(timer);
  }
  LoopTimers(const LoopTimers&) = delete;
  LoopTimers& operator=(const LoopTimers&) = delete;

  uint64_t After(int64_t ms, std::function<void()> call) {
    auto* timer = new Timer{{}, std::move(call), this, next_id_++};
    uv_timer_init(loop_, &timer->handle);
    timer->handle.data = timer;
    uv_timer_start(&timer->handle, &LoopTimers::OnFire,
                   static_cast<uint64_t>(std::max<int64_t>(ms, 0)), 0);
    timers_[timer->id] = timer;
    return timer->id;
  }

  void Cancel(uint64_t id) {
    auto found = timers_.find(id);
    if (found == timers_.end()) return;
    Close(found->second);
    timers_.erase(found);
  }

 private:
  struct Timer {
    uv_timer_t handle;
    std::function<void()> call;
    LoopTimers* owner;
    uint64_t id;
  };

  static void Close(Timer* timer) {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer->handle),
             [](uv_handle_t* handle) { delete static_cast<Timer*>(handle->data); });
  }

  static void OnFire(uv_timer_t* handle) {
    auto* timer = static_cast<Timer*>(handle->data);
    std::function<void()> call = std::move(timer->call);
    timer->owner->Cancel(timer->id);
    call();
  }

  uv_loop_t* loop_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, Timer*> timers_;
};

// A command job's process, from spawn to exit, and the checks waiting for it to settle.
struct CommandRun {
  bool finished = false;
  CommandResult result;
  struct Waiter {
    uint64_t timer = 0;
    CheckCallback done;
  };
  std::unordered_map<uint64_t, Waiter> waiters;  // by waiter id
};

class RealJobs : public Jobs {
 public:
  explicit RealJobs(JobEnvironment env)
      : env_(std::move(env)),
        deferred_(env_.loop),
        timers_(env_.loop),
        runner_(env_.loop, CommandRunner::Options{kCommandOutputBytes}),
        http_(env_.loop),
        rng_(std::random_device{}()) {
    if (!env_.getenv) env_.getenv = ProcessGetenv();
    // Tells this object's commands from those of an earlier process (or an earlier Jobs).
    instance_ = std::to_string(::getpid()) + "-" + std::to_string(rng_());
  }

  void Start(const JobConfig& job, StartCallback done) override {
    switch (job.type) {
      case JobType::kCommand:
        return StartCommand(job.config, std::move(done));
      case JobType::kHttp:
        return StartHttp(job.config, std::move(done));
      case JobType::kAirflow:
        return StartAirflow(job.config, std::move(done));
      case JobType::kDatabricks:
        return StartDatabricks(job.config, std::move(done));
      case JobType::kStepFunction:
        return StartStepFunction(job.config, std::move(done));
      default:
        return Later(
            [done = std::move(done), error = Unsupported(job.type)] { done(Fail(error)); });
    }
  }

  void Check(const JobConfig& job, const Json& ref, CheckCallback done) override {
    switch (job.type) {
      case JobType::kCommand:
        return CheckCommand(ref, std::move(done));
      case JobType::kHttp:
        return Answer(std::move(done), Succeeded({{"httpStatus", ref.value("http_status", 0)}}));
      case JobType::kAirflow:
        return CheckAirflow(job.config, ref, std::move(done));
      case JobType::kDatabricks:
        return CheckDatabricks(job.config, ref, std::move(done));
      case JobType::kStepFunction:
        return CheckStepFunction(ref, std::move(done));
      default:
        return Answer(std::move(done), Failed(Unsupported(job.type)));
    }
  }

 private:
  static JobError Unsupported(JobType type) {
    return Permanent("job type '" + std::string(JobTypeName(type)) +
                     "' needs AWS and is not supported by Sluice");
  }

  void Later(std::function<void()> call) { deferred_.Post(next_call_++, std::move(call)); }
  void Answer(CheckCallback done, JobStatus status) {
    Later([done = std::move(done), status = std::move(status)]() mutable {
      done(std::move(status));
    });
  }
  void Refuse(StartCallback done, JobError error) {
    Later([done = std::move(done), error = std::move(error)] { done(Fail(error)); });
  }

  // command ---------------------------------------------------------------------------------

  static Result<CommandSpec, JobError> CommandSpecOf(const Json& config) {
    CommandSpec spec;
    if (auto argv = config.find("argv"); argv != config.end() && argv->is_array()) {
      for (const Json& arg : *argv) spec.argv.push_back(ScalarText(arg));
    } else {
      std::istringstream words(StringField(config, "command"));
      for (std::string word; words >> word;) spec.argv.push_back(word);
    }
    if (spec.argv.empty()) return Fail(Permanent("command: job.config needs 'argv' or 'command'"));
    if (auto env = config.find("env"); env != config.end() && env->is_object()) {
      for (const auto& [name, value] : env->items()) spec.env.emplace_back(name, ScalarText(value));
    }
    spec.cwd = StringField(config, "cwd");
    return spec;
  }

  void StartCommand(const Json& config, StartCallback done) {
    Result<CommandSpec, JobError> spec = CommandSpecOf(config);
    if (!spec.ok()) return Refuse(std::move(done), spec.error());
    auto run = std::make_shared<uint64_t>(0);
    Result<uint64_t> started = runner_.Start(
        *spec, [this, run](CommandResult result) { Finish(*run, std::move(result)); });
    if (!started.ok()) return Refuse(std::move(done), Permanent("command: " + started.error()));
    *run = *started;
    commands_[*run];
    Json ref = {{"command_instance", instance_},
                {"command_run", *run},
                {"command", spec->argv},
                {"runId", "command-" + std::to_string(*run)}};
    Later([done = std::move(done), ref = std::move(ref)] { done(ref); });
  }

  void Finish(uint64_t run_id, CommandResult result) {
    CommandRun& run = commands_[run_id];
    run.finished = true;
    run.result = std::move(result);
    run.result.stdout_data = Tail(run.result.stdout_data, kOutputTailBytes);
    run.result.stderr_data = Tail(run.result.stderr_data, kOutputTailBytes);
    auto waiters = std::move(run.waiters);
    run.waiters.clear();
    for (auto& [id, waiter] : waiters) {
      timers_.Cancel(waiter.timer);
      waiter.done(CommandStatus(run.result));
    }
  }

  static JobStatus CommandStatus(const CommandResult& result) {
    Json detail = {{"stdout", result.stdout_data}, {"stderr", result.stderr_data}};
    if (result.term_signal != 0) {
      detail["signal"] = result.term_signal;
    } else {
      detail["exitCode"] = result.exit_status;
    }
    if (result.succeeded()) return Succeeded(std::move(detail));
    std::string message = "command: the process " + result.Describe();
    std::string err = result.stderr_data;
    while (!err.empty() && std::isspace(static_cast<unsigned char>(err.back()))) err.pop_back();
    if (!err.empty()) message += ": " + Tail(err, 200);
    return Failed(Transient(std::move(message)), std::move(detail));
  }

  void CheckCommand(const Json& ref, CheckCallback done) {
    auto run_id = ref.find("command_run");
    auto found = ref.value("command_instance", "") == instance_ && run_id != ref.end() &&
                         run_id->is_number_integer()
                     ? commands_.find(run_id->get<uint64_t>())
                     : commands_.end();
    if (found == commands_.end()) {
      return Answer(std::move(done),
                    Failed(Transient("command: lost (the process was started by an earlier Sluice "
                                     "process and died with it)"),
                           {{"lost", true}}));
    }
    CommandRun& run = found->second;
    if (run.finished) return Answer(std::move(done), CommandStatus(run.result));
    if (env_.settle_ms <= 0) return Answer(std::move(done), Running());
    // Virtual clock: give the process a little real time to finish before saying "running".
    const uint64_t waiter = next_call_++;
    const uint64_t key = found->first;
    run.waiters[waiter].done = std::move(done);
    run.waiters[waiter].timer = timers_.After(env_.settle_ms, [this, key, waiter] {
      auto& waiters = commands_[key].waiters;
      auto w = waiters.find(waiter);
      if (w == waiters.end()) return;
      CheckCallback callback = std::move(w->second.done);
      waiters.erase(w);
      callback(Running());
    });
  }

  // HTTP with retries (http, airflow, databricks) --------------------------------------------

  using HttpDone = std::function<void(Result<HttpResponse, JobError>)>;

  // Sends `request` up to kHttpAttempts times while it fails with a network error or a 5xx.
  // A 4xx is PERMANENT at once; the last 5xx TRANSIENT; the last network error TRANSIENT, or
  // TIMEOUT when it was the timeout.
  void SendWithRetry(std::string type, HttpRequest request, HttpDone done, int attempt = 1) {
    http_.Send(request, [this, type, request, done = std::move(done),
                         attempt](Result<HttpResponse, HttpError> answer) mutable {
      const std::string what = type + ": " + request.method + " " + request.url;
      const bool last = attempt >= kHttpAttempts;
      const std::string tries =
          attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : "";
      if (answer.ok() && answer->status < 500) {
        if (answer->status < 400) return done(std::move(*answer));
        return done(Fail(Permanent(what + " answered " + std::to_string(answer->status) + ": " +
                                   Tail(answer->body, kErrorBodyBytes))));
      }
      if (!last) {
        timers_.After(Backoff(attempt), [this, type, request, done, attempt] {
          SendWithRetry(type, request, done, attempt + 1);
        });
        return;
      }
      if (answer.ok()) {
        return done(Fail(Transient(what + " answered " + std::to_string(answer->status) + tries +
                                   ": " + Tail(answer->body, kErrorBodyBytes))));
      }
      JobError error = Transient(what + " failed" + tries + ": " + answer.error().message);
      if (answer.error().timed_out) error.category = JobFailureCategory::kTimeout;
      done(Fail(std::move(error)));
    });
  }

  // 200 ms, 400 ms, … capped at 2 s, each ±30 %.
  int64_t Backoff(int attempt) {
    double base = static_cast<double>(kFirstBackoffMs) * std::pow(2.0, attempt - 1);
    base = std::min(base, static_cast<double>(kMaxBackoffMs));
    std::uniform_real_distribution<double> jitter(1 - kBackoffJitter, 1 + kBackoffJitter);
    return static_cast<int64_t>(base * jitter(rng_));
  }

  // The parts of a request shared by the REST job types: headers (expanded), timeout, JSON.
  HttpRequest RequestFrom(const Json& config, std::string method, std::string url) {
    HttpRequest request;
    request.method = std::move(method);
    request.url = ExpandEnv(url, env_.getenv);
    bool has_content_type = false;
    if (auto headers = config.find("headers"); headers != config.end() && headers->is_object()) {
      for (const auto& [name, value] : headers->items()) {
        request.headers.emplace_back(name, ExpandEnv(ScalarText(value), env_.getenv));
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        has_content_type = has_content_type || lower == "content-type";
      }
    }
    if (!has_content_type) request.headers.emplace_back("Content-Type", "application/json");
    double seconds = kDefaultTimeoutSeconds;
    if (auto timeout = config.find("timeout"); timeout != config.end() && timeout->is_number()) {
      seconds = timeout->get<double>();
    }
    request.timeout_ms = std::max<int64_t>(1, static_cast<int64_t>(seconds * 1000));
    return request;
  }

  // The body's JSON value (a JSON text when it is a string), its strings expanded.
  Result<Json, JobError> JsonBody(const std::string& type, const Json& config) {
    auto body = config.find("body");
    if (body == config.end() || body->is_null()) return Json::object();
    if (!body->is_string()) return ExpandEnvInStrings(*body, env_.getenv);
    Json parsed = Json::parse(ExpandEnv(body->get<std::string>(), env_.getenv), nullptr, false);
    if (parsed.is_discarded()) return Fail(Permanent(type + ": job.config.body is not JSON"));
    return parsed;
  }

  static Result<Json, JobError> ParseAnswer(const std::string& type, const HttpResponse& response) {
    Json parsed = Json::parse(response.body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      return Fail(Permanent(
          type + ": the answer is not a JSON object: " + Tail(response.body, kErrorBodyBytes)));
    }
    return parsed;
  }

  // A poll that failed: a 4xx will not heal (PERMANENT); otherwise the job may still be running,
  // so say so and let the poll window decide.
  static JobStatus PollFailed(const JobError& error) {
    if (error.category == JobFailureCategory::kPermanent) return Failed(error);
    return Running({{"pollError", error.message}});
  }

  // http --------------------------------------------------------------------------------------

  void StartHttp(const Json& config, StartCallback done) {
    std::string method = StringField(config, "method");
    HttpRequest request =
        RequestFrom(config, method.empty() ? "POST" : method, StringField(config, "url"));
    if (auto body = config.find("body"); body != config.end() && !body->is_null()) {
      request.body = body->is_string() ? ExpandEnv(body->get<std::string>(), env_.getenv)
                                       : ExpandEnvInStrings(*body, env_.getenv).dump();
    }
    SendWithRetry("http", std::move(request),
                  [done = std::move(done)](Result<HttpResponse, JobError> answer) {
                    if (!answer.ok()) return done(Fail(answer.error()));
                    done(Json{{"http_status", answer->status}, {"runId", ""}});
                  });
  }

  // airflow -----------------------------------------------------------------------------------

  static std::string AirflowRuns(const std::string& url, const std::string& dag_id) {
    return WithoutTrailingSlash(url) + "/api/v1/dags/" + PercentEncode(dag_id) + "/dagRuns";
  }

  void StartAirflow(const Json& config, StartCallback done) {
    Result<Json, JobError> conf = JsonBody("airflow", config);
    if (!conf.ok()) return Refuse(std::move(done), conf.error());
    const std::string url = ExpandEnv(StringField(config, "url"), env_.getenv);
    const std::string dag_id = StringField(config, "dagId");
    HttpRequest request = RequestFrom(config, "POST", AirflowRuns(url, dag_id));
    request.body = Json{{"conf", *conf}}.dump();
    SendWithRetry(
        "airflow", std::move(request),
        [done = std::move(done), url, dag_id](Result<HttpResponse, JobError> answer) {
          if (!answer.ok()) return done(Fail(answer.error()));
          Result<Json, JobError> body = ParseAnswer("airflow", *answer);
          if (!body.ok()) return done(Fail(body.error()));
          auto run = body->find("dag_run_id");
          if (run == body->end() || !run->is_string() || run->get<std::string>().empty()) {
            return done(Fail(Permanent("airflow: the answer has no dag_run_id: " +
                                       Tail(answer->body, kErrorBodyBytes))));
          }
          done(Json{{"airflow_dag_id", dag_id},
                    {"airflow_dag_run_id", *run},
                    {"airflow_url", url},
                    {"runId", *run}});
        });
  }

  void CheckAirflow(const Json& config, const Json& ref, CheckCallback done) {
    const std::string run_id = ref.value("airflow_dag_run_id", "");
    if (run_id.empty())
      return Answer(std::move(done), Failed(Transient("airflow: lost (no run id)")));
    const std::string url =
        AirflowRuns(ref.value("airflow_url", ""), ref.value("airflow_dag_id", "")) + "/" +
        PercentEncode(run_id);
    SendWithRetry(
        "airflow", RequestFrom(config, "GET", url),
        [done = std::move(done), run_id](Result<HttpResponse, JobError> answer) {
          if (!answer.ok()) return done(PollFailed(answer.error()));
          Result<Json, JobError> body = ParseAnswer("airflow", *answer);
          if (!body.ok()) return done(PollFailed(body.error()));
          const std::string state = body->value("state", "");
          Json detail = {{"state", state}, {"dagRunId", run_id}};
          if (state == "success") return done(Succeeded(detail));
          if (state == "failed") {
            return done(Failed(Transient("airflow: DAG run " + run_id + " failed"), detail));
          }
          done(Running(detail));
        });
  }

  // databricks --------------------------------------------------------------------------------

  void StartDatabricks(const Json& config, StartCallback done) {
    const std::string workspace =
        WithoutTrailingSlash(ExpandEnv(StringField(config, "workspaceUrl"), env_.getenv));
    HttpRequest request = RequestFrom(config, "POST", workspace + "/api/2.1/jobs/runs/submit");
    Json params = Json::object();
    if (auto args = config.find("arguments"); args != config.end() && args->is_object()) {
      for (const auto& [name, value] : args->items()) params[name] = ScalarText(value);
    }
    request.body =
        Json{{"run_name", StringField(config, "jobId")}, {"notebook_params", params}}.dump();
    SendWithRetry("databricks", std::move(request),
                  [done = std::move(done), workspace](Result<HttpResponse, JobError> answer) {
                    if (!answer.ok()) return done(Fail(answer.error()));
                    Result<Json, JobError> body = ParseAnswer("databricks", *answer);
                    if (!body.ok()) return done(Fail(body.error()));
                    auto run = body->find("run_id");
                    if (run == body->end() || !run->is_number_integer()) {
                      return done(Fail(Permanent("databricks: the answer has no numeric run_id: " +
                                                 Tail(answer->body, kErrorBodyBytes))));
                    }
                    const std::string run_id = run->dump();
                    done(Json{{"databricks_workspace_url", workspace},
                              {"databricks_run_id", run_id},
                              {"runId", run_id}});
                  });
  }

  static JobStatus DatabricksStatus(const Json& body, const std::string& run_id) {
    const Json state = body.value("state", Json::object());
    const std::string life = state.is_object() ? state.value("life_cycle_state", "") : "";
    const std::string result = state.is_object() ? state.value("result_state", "") : "";
    Json detail = {{"lifeCycleState", life}, {"resultState", result}, {"runId", run_id}};
    const std::string what = "databricks: run " + run_id + " ";
    if (life == "TERMINATED" && result == "SUCCESS") return Succeeded(detail);
    if (life == "TERMINATED") return Failed(Transient(what + "ended " + result), detail);
    if (life == "SKIPPED") return Failed(Permanent(what + "was skipped"), detail);
    if (life == "INTERNAL_ERROR") return Failed(Transient(what + "hit an internal error"), detail);
    return Running(detail);
  }

  void CheckDatabricks(const Json& config, const Json& ref, CheckCallback done) {
    const std::string run_id = ref.value("databricks_run_id", "");
    if (run_id.empty()) {
      return Answer(std::move(done), Failed(Transient("databricks: lost (no run id)")));
    }
    const std::string url = ref.value("databricks_workspace_url", "") +
                            "/api/2.1/jobs/runs/get?run_id=" + PercentEncode(run_id);
    SendWithRetry("databricks", RequestFrom(config, "GET", url),
                  [done = std::move(done), run_id](Result<HttpResponse, JobError> answer) {
                    if (!answer.ok()) return done(PollFailed(answer.error()));
                    Result<Json, JobError> body = ParseAnswer("databricks", *answer);
                    if (!body.ok()) return done(PollFailed(body.error()));
                    done(DatabricksStatus(*body, run_id));
                  });
  }

  // step-function -----------------------------------------------------------------------------

  void StartStepFunction(const Json& config, StartCallback done) {
    if (!env_.start_execution) {
      return Refuse(std::move(done),
                    Permanent("step-function: this Sluice process cannot start executions "
                              "(step-function jobs run inside the Sluice service)"));
    }
    std::string machine = StringField(config, "stateMachine");
    if (machine.empty()) machine = StringField(config, "stateMachineArn");
    if (machine.empty()) {
      return Refuse(
          std::move(done),
          Permanent("step-function: job.config needs 'stateMachine' or 'stateMachineArn'"));
    }
    Json input = config.value("arguments", Json::object());
    Result<std::string> arn = env_.start_execution(machine, input);
    if (!arn.ok()) {
      return Refuse(std::move(done),
                    Transient("step-function: cannot start " + machine + ": " + arn.error()));
    }
    Later([done = std::move(done), arn = *arn] {
      done(Json{{"sfn_execution_arn", arn}, {"runId", arn}});
    });
  }

  void CheckStepFunction(const Json& ref, CheckCallback done) {
    const std::string arn = ref.value("sfn_execution_arn", "");
    if (!env_.execution_status) {
      return Answer(std::move(done),
                    Failed(Permanent("step-function: this Sluice process cannot read executions")));
    }
    Result<std::string> status = arn.empty()
                                     ? Result<std::string>(Fail(std::string("no execution ARN")))
                                     : env_.execution_status(arn);
    if (!status.ok()) {
      return Answer(std::move(done),
                    Failed(Transient("step-function: lost (" + status.error() + ")")));
    }
    Json detail = {{"status", *status}, {"executionArn", arn}};
    const std::string what = "step-function: execution " + arn + " ";
    if (*status == "SUCCEEDED") return Answer(std::move(done), Succeeded(detail));
    if (*status == "TIMED_OUT") {
      return Answer(std::move(done),
                    Failed(JobError{JobFailureCategory::kTimeout, what + "timed out"}, detail));
    }
    if (*status == "FAILED" || *status == "ABORTED") {
      return Answer(std::move(done), Failed(Transient(what + "ended " + *status), detail));
    }
    Answer(std::move(done), Running(detail));
  }

  JobEnvironment env_;
  std::string instance_;
  uint64_t next_call_ = 1;
  std::unordered_map<uint64_t, CommandRun> commands_;
  // Destroyed first (members go in reverse order), so no callback into the members above can
  // run once they are gone.
  handlers::DeferredCalls deferred_;
  LoopTimers timers_;
  CommandRunner runner_;
  HttpClient http_;
  std::mt19937_64 rng_;
};

}  // namespace

std::unique_ptr<Jobs> MakeJobs(JobEnvironment env) {
  return std::make_unique<RealJobs>(std::move(env));
}

}  // namespace sluice::pipeline
