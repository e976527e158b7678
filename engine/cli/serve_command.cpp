// `sluice serve`: see serve_command.h.
#include "engine/cli/serve_command.h"

#include <spdlog/spdlog.h>
#include <uv.h>

#include <cctype>
#include <csignal>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "engine/alerts.h"
#include "engine/pipeline_runner.h"
#include "engine/pipeline_triggers.h"
#include "engine/pipelines.h"
#include "engine/runtime.h"
#include "engine/server/api.h"
#include "engine/server/http_server.h"
#include "engine/server/task_broker.h"
#include "engine/service.h"
#include "engine/watchdog.h"
#include "handlers/pipeline/env_expand.h"
#include "handlers/registry.h"

namespace {

namespace engine = sluice::engine;
namespace server = sluice::engine::server;
using sluice::Json;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr std::string_view kTargetPrefix = "AWSStepFunctions.";
constexpr int64_t kAlertsCloseMs = 5000;  // at shutdown, for alerts still queued

int Usage(const std::string& message) {
  std::cerr << "sluice serve: " << message << "\n";
  return kExitUsage;
}

struct Address {
  std::string host;
  int port = 0;
};

// "HOST:PORT", "[IPv6]:PORT" or ":PORT" (127.0.0.1).
std::optional<Address> ParseListen(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  Address a;
  a.host = text.substr(0, colon);
  if (a.host.empty()) a.host = "127.0.0.1";
  if (a.host.size() > 2 && a.host.front() == '[' && a.host.back() == ']') {
    a.host = a.host.substr(1, a.host.size() - 2);
  }
  const std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  a.port = std::stoi(port);
  if (a.port > 65535) return std::nullopt;
  return a;
}

std::optional<std::string> ReadToken(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = ss.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.front()))) {
    token.erase(0, 1);
  }
  return token;
}

server::HttpResponse JsonResponse(int status, const std::string& body,
                                  const char* content_type = "application/json") {
  server::HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", content_type);
  r.body = body;
  return r;
}

server::HttpResponse ErrorResponse(int status, const std::string& type,
                                   const std::string& message) {
  return JsonResponse(status,
                      server::StepFunctionsApi::ErrorBody(server::ApiError{type, message, status}));
}

std::vector<std::string> PathSegments(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) segments.push_back(server::PercentDecode(path.substr(start, end - start)));
    start = end + 1;
  }
  return segments;
}

// Applies the pipeline configs under `dir` (only changed files make new versions); the error
// names every problem.
sluice::Status<> ApplyPipelines(engine::PipelineRunner& runner, const std::string& dir) {
  auto files = engine::LoadPipelineFiles({dir});
  if (!files.ok()) return sluice::Fail(engine::FormatPipelineFileErrors(files.error()));
  auto applied = runner.pipelines().Apply(*files);
  if (!applied.ok()) return sluice::Fail(applied.error());
  for (const auto& p : applied.value()) {
    if (p.changed) {
      spdlog::info("pipelines: {} version {} applied from {}", p.latest.id, p.latest.version,
                   p.path);
    }
  }
  spdlog::info("pipelines: {} config(s) in {}", applied.value().size(), dir);
  return sluice::Ok{};
}

// Everything the daemon serves, on the service's loop.
class Daemon {
 public:
  Daemon(engine::Service& service, engine::PipelineRunner& runner, server::TaskBroker& broker,
         engine::PipelineTriggers& triggers, const engine::AlertDispatcher* alerts)
      : service_(service),
        runner_(runner),
        api_(service, broker),
        triggers_(triggers),
        alerts_(alerts) {}

  // Shutting down: long polls answer now rather than hold the connections open.
  void Stopping() { api_.EndPolls(); }

  void Handle(const server::HttpRequest& request, server::Responder responder) {
    ++requests_;
    if (request.path == "/" && request.method == "POST") return Api(request, responder);
    if (request.path == "/metrics" && request.method == "GET") {
      return responder.Send(JsonResponse(200, Metrics(), "text/plain; version=0.0.4"));
    }
    if (request.path == "/health" && request.method == "GET") {
      return responder.Send(JsonResponse(
          200, Json{{"status", "ok"}, {"running", service_.runtime().running()}}.dump()));
    }
    auto segments = PathSegments(request.path);
    if (!segments.empty() && segments[0] == "sensors") return Sensors(request, segments, responder);
    responder.Send(ErrorResponse(404, "NotFound",
                                 "no route for " + request.method + " " + request.path +
                                     " (the Step Functions API is POST / with X-Amz-Target)"));
  }

 private:
  void Api(const server::HttpRequest& request, server::Responder responder) {
    const std::string target = request.Header("x-amz-target");
    if (target.rfind(kTargetPrefix, 0) != 0) {
      return responder.Send(ErrorResponse(
          400, "UnknownOperationException",
          target.empty() ? "missing X-Amz-Target header (expected AWSStepFunctions.<Action>)"
                         : "unknown X-Amz-Target '" + target + "'"));
    }
    const std::string action = target.substr(kTargetPrefix.size());
    const uint64_t begun = uv_hrtime();
    api_.Handle(action, request.body, [this, responder, action, begun](server::ApiAnswer answer) {
      ApiCounters& counters =
          api_counters_[answer.ok || answer.error.type != "UnknownOperationException"
                            ? action
                            : "(unknown)"];
      ++(answer.ok ? counters.ok : counters.errors);
      counters.seconds += static_cast<double>(uv_hrtime() - begun) / 1e9;
      if (answer.ok) {
        return responder.Send(JsonResponse(200, answer.body, "application/x-amz-json-1.0"));
      }
      if (answer.error.http_status >= 500) {
        spdlog::error("{}: {}: {}", action, answer.error.type, answer.error.message);
      }
      responder.Send(JsonResponse(answer.error.http_status,
                                  server::StepFunctionsApi::ErrorBody(answer.error),
                                  "application/x-amz-json-1.0"));
    });
  }

  // PUT /sensors/{pipeline}/{key} (a JSON object), GET /sensors/{pipeline}[/{key}].
  void Sensors(const server::HttpRequest& request, const std::vector<std::string>& segments,
               const server::Responder& responder) {
    engine::Pipelines& pipelines = runner_.pipelines();
    if (request.method == "PUT" && segments.size() == 3) {
      auto written = pipelines.PutSensor(segments[1], segments[2], request.body);
      if (!written.ok()) {
        return responder.Send(ErrorResponse(400, "InvalidSensor", written.error()));
      }
      auto json = engine::SensorToJson(written.value());
      if (!json.ok()) return responder.Send(ErrorResponse(500, "InternalFailure", json.error()));
      // The write is committed; whether it starts a run is told alongside it.
      json.value()["trigger"] = Trigger(written.value());
      return responder.Send(JsonResponse(200, json.value().dump()));
    }
    if (request.method == "GET" && segments.size() == 3) {
      auto sensor = pipelines.GetSensor(segments[1], segments[2]);
      if (!sensor.ok()) return responder.Send(ErrorResponse(404, "SensorNotFound", sensor.error()));
      auto json = engine::SensorToJson(sensor.value());
      if (!json.ok()) return responder.Send(ErrorResponse(500, "InternalFailure", json.error()));
      return responder.Send(JsonResponse(200, json.value().dump()));
    }
    if (request.method == "GET" && segments.size() == 2) {
      auto sensors = pipelines.ListSensors(segments[1]);
      if (!sensors.ok())
        return responder.Send(ErrorResponse(500, "InternalFailure", sensors.error()));
      Json items = Json::array();
      for (const auto& s : sensors.value()) {
        auto json = engine::SensorToJson(s);
        if (json.ok()) items.push_back(std::move(json).value());
      }
      return responder.Send(JsonResponse(200, Json{{"sensors", std::move(items)}}.dump()));
    }
    responder.Send(ErrorResponse(
        404, "NotFound",
        "sensors: expected PUT /sensors/PIPELINE/KEY or GET /sensors/PIPELINE[/KEY]"));
  }

  engine::Service& service_;
  engine::PipelineRunner& runner_;
  Json Trigger(const engine::SensorRecord& sensor) {
    auto triggered = triggers_.OnSensorWritten(sensor);
    if (!triggered.ok()) {
      spdlog::error("sensor {}/{}: trigger: {}", sensor.pipeline, sensor.key, triggered.error());
      return Json{{"outcome", "error"}, {"reason", triggered.error()}};
    }
    Json trigger{{"outcome", engine::TriggerOutcomeName(triggered->kind)},
                 {"reason", triggered->reason}};
    if (triggered->run) trigger["executionArn"] = triggered->run->execution_arn;
    if (triggered->kind != engine::TriggerOutcome::Kind::kIgnored) {
      spdlog::info("sensor {}/{}: {}", sensor.pipeline, sensor.key, triggered->reason);
    }
    return trigger;
  }

  // Prometheus text exposition of the runtime's counters and the API's.
  std::string Metrics() const {
    const engine::RuntimeStats st = service_.runtime().stats();
    std::string out;
    auto metric = [&out](const char* name, const char* type, const char* help) {
      out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    };
    auto line = [&out](const std::string& name, double value) {
      std::ostringstream v;
      v << value;
      out += name + " " + v.str() + "\n";
    };
    metric("sluice_executions_running", "gauge", "Executions running in this process.");
    line("sluice_executions_running", static_cast<double>(st.running));
    metric("sluice_executions_started_total", "counter",
           "Executions started or resumed by this process.");
    line("sluice_executions_started_total", static_cast<double>(st.started));
    metric("sluice_executions_ended_total", "counter", "Executions ended, by status.");
    for (auto status : {engine::ExecutionStatus::kSucceeded, engine::ExecutionStatus::kFailed,
                        engine::ExecutionStatus::kTimedOut, engine::ExecutionStatus::kAborted}) {
      line(std::string("sluice_executions_ended_total{status=\"") +
               engine::ExecutionStatusName(status) + "\"}",
           static_cast<double>(st.ended[static_cast<size_t>(status)]));
    }
    metric("sluice_history_events_total", "counter",
           "History events recorded (state transitions and the rest).");
    line("sluice_history_events_total", static_cast<double>(st.history_events));
    metric("sluice_commit_seconds", "summary", "Durable commits of the store and their time.");
    line("sluice_commit_seconds_count", static_cast<double>(st.commits));
    line("sluice_commit_seconds_sum", static_cast<double>(st.commit_nanos) / 1e9);
    metric("sluice_task_seconds", "summary", "Tasks answered by their handlers and their time.");
    line("sluice_task_seconds_count", static_cast<double>(st.tasks_completed));
    line("sluice_task_seconds_sum", static_cast<double>(st.task_nanos) / 1e9);
    metric("sluice_tasks_in_flight", "gauge", "Tasks started and not yet answered.");
    line("sluice_tasks_in_flight", static_cast<double>(st.tasks_in_flight));
    metric("sluice_timers_pending", "gauge", "Timers armed (Wait states, retries, timeouts).");
    line("sluice_timers_pending", static_cast<double>(st.timers_pending));
    metric("sluice_queue_depth", "gauge", "Completions and commands waiting for the loop.");
    line("sluice_queue_depth", static_cast<double>(st.queued));
    metric("sluice_api_requests_total", "counter", "Step Functions API requests, by action.");
    for (const auto& [action, c] : api_counters_) {
      line("sluice_api_requests_total{action=\"" + action + "\",outcome=\"ok\"}",
           static_cast<double>(c.ok));
      line("sluice_api_requests_total{action=\"" + action + "\",outcome=\"error\"}",
           static_cast<double>(c.errors));
    }
    metric("sluice_api_request_seconds_sum", "counter", "Time answering API requests, by action.");
    for (const auto& [action, c] : api_counters_) {
      line("sluice_api_request_seconds_sum{action=\"" + action + "\"}", c.seconds);
    }
    metric("sluice_http_requests_total", "counter", "HTTP requests received.");
    line("sluice_http_requests_total", static_cast<double>(requests_));
    if (alerts_ != nullptr) {
      metric("sluice_alerts_total", "counter", "Alert deliveries, by sink and outcome.");
      const auto sinks = alerts_->stats();
      for (const auto& sink : sinks) {
        const std::string labels = "{sink=\"" + sink.name + "\",outcome=\"";
        line("sluice_alerts_total" + labels + "delivered\"}", static_cast<double>(sink.delivered));
        line("sluice_alerts_total" + labels + "failed\"}", static_cast<double>(sink.failed));
        line("sluice_alerts_total" + labels + "dropped\"}", static_cast<double>(sink.dropped));
        line("sluice_alerts_total" + labels + "retried\"}", static_cast<double>(sink.retried));
      }
      metric("sluice_alerts_queued", "gauge", "Alert deliveries waiting or in flight, by sink.");
      for (const auto& sink : sinks) {
        line("sluice_alerts_queued{sink=\"" + sink.name + "\"}", static_cast<double>(sink.queued));
      }
    }
    return out;
  }

  struct ApiCounters {
    uint64_t ok = 0;
    uint64_t errors = 0;
    double seconds = 0;
  };

  server::StepFunctionsApi api_;
  std::map<std::string, ApiCounters> api_counters_;
  engine::PipelineTriggers& triggers_;
  const engine::AlertDispatcher* alerts_;  // null without --alerts
  int64_t requests_ = 0;
};

struct Signals {
  uv_signal_t sigint;
  uv_signal_t sigterm;
  uv_signal_t sighup;
  std::function<void(int)> on_signal;
};

}  // namespace

int Serve(const ServeArgs& a) {
  auto address = ParseListen(a.listen);
  if (!address) return Usage("--listen: expected HOST:PORT, got '" + a.listen + "'");
  if (a.clock != "real" && a.clock != "virtual") {
    return Usage("--clock: expected 'real' or 'virtual', got '" + a.clock + "'");
  }
  if (a.durability != "full" && a.durability != "normal") {
    return Usage("--durability: expected 'full' or 'normal', got '" + a.durability + "'");
  }
  if (a.max_body_bytes < 1024) return Usage("--max-body-bytes: at least 1024");
  server::ServerOptions http;
  http.max_body_bytes = static_cast<size_t>(a.max_body_bytes);
  http.public_paths = {"/health"};
  if (!a.token_file.empty()) {
    auto token = ReadToken(a.token_file);
    if (!token) return Usage("--token-file: cannot read '" + a.token_file + "'");
    if (token->empty()) return Usage("--token-file: '" + a.token_file + "' is empty");
    http.bearer_token = *token;
  }
  if (!server::IsLoopbackHost(address->host) && http.bearer_token.empty() && !a.insecure) {
    return Usage("--listen " + a.listen +
                 " is reachable from other machines: give --token-file (clients send it as a "
                 "bearer token) or --insecure");
  }

  engine::ServiceOptions options;
  options.db_path = a.db;
  options.durability =
      a.durability == "normal" ? engine::Durability::kNormal : engine::Durability::kFull;
  options.virtual_clock = a.clock == "virtual";
  std::optional<engine::AlertsConfig> alerts_config;
  if (!a.alerts.empty()) {
    auto loaded = engine::LoadAlertsFile(a.alerts, [](std::string_view text) {
      return sluice::pipeline::ExpandEnv(text, sluice::pipeline::ProcessGetenv());
    });
    if (!loaded.ok()) return Usage("--alerts: " + loaded.error());
    alerts_config = std::move(loaded).value();
  }

  auto opened = engine::Service::Open(options);
  if (!opened.ok()) return Usage(opened.error());
  engine::Service& service = *opened.value();
  {
    engine::PipelineRunner runner(service);
    if (!a.pipelines.empty()) {
      auto applied = ApplyPipelines(runner, a.pipelines);
      if (!applied.ok()) return Usage("--pipelines " + a.pipelines + ":\n" + applied.error());
    }
    uv_loop_t* loop = service.runtime().loop();
    // Every pipeline event the runner records (lifecycle, triggers, watchdog) reaches the sinks.
    std::unique_ptr<engine::AlertDispatcher> alerts;
    if (alerts_config) {
      engine::AlertDispatcher::Options alert_options;
      alert_options.close_timeout_ms = kAlertsCloseMs;
      alerts =
          std::make_unique<engine::AlertDispatcher>(loop, std::move(*alerts_config), alert_options);
      runner.set_event_observer(
          [&alerts](const sluice::pipeline::PipelineEvent& event, int64_t time_nanos) {
            alerts->Notify(event, time_nanos);
          });
      spdlog::info("alerts: {} sink(s) from {}", alerts->stats().size(), a.alerts);
    }
    // SendTaskHeartbeat restarts the task's HeartbeatSeconds (journaled).
    server::TaskBroker broker([&service](uint64_t task) { service.runtime().TaskHeartbeat(task); });
    // The built-in resources: the pipeline lifecycle's and the task-token broker's.
    sluice::handlers::HandlerRegistry builtins;
    builtins.Add(sluice::handlers::HandlerPriority::kBuiltIn,
                 std::make_unique<sluice::handlers::BorrowedHandler>(runner.builtin_handler()));
    builtins.Add(sluice::handlers::HandlerPriority::kBuiltIn,
                 std::make_unique<sluice::handlers::BorrowedHandler>(broker));
    service.set_builtin_handler(&builtins);

    // A lifecycle's end is recorded in its pipeline run (and a failed job rerun), whoever
    // started it.
    engine::PipelineTriggers triggers(service, runner);
    auto recovered = service.Recover(triggers.Done());
    if (!recovered.ok()) return Usage(recovered.error());

    Daemon daemon(service, runner, broker, triggers, alerts.get());
    server::HttpServer http_server(
        loop, http, [&daemon](const server::HttpRequest& r, server::Responder responder) {
          daemon.Handle(r, std::move(responder));
        });
    auto listening = http_server.Listen(address->host, address->port);
    if (!listening.ok()) return Usage(listening.error());
    const std::string bound =
        (address->host.find(':') != std::string::npos ? "[" + address->host + "]" : address->host) +
        ":" + std::to_string(http_server.port());
    spdlog::info("sluice serve: listening on http://{} (database {}, {} execution(s) resumed)",
                 bound, a.db, recovered.value().size());
    if (!a.ready_file.empty()) std::ofstream(a.ready_file) << bound << "\n";

    // Every second of real time: sensors written by other processes (`sluice sensor put`);
    // every 5 s, the runs whose cron time passed; every minute (and now), the watchdog.
    engine::Watchdog watchdog(service, runner, triggers.Done());
    auto seeded = triggers.PollExternalSensorWrites();  // the sensors there before the start
    if (!seeded.ok()) spdlog::error("sensor poll: {}", seeded.error());
    struct Cron {
      uv_timer_t timer;
      engine::PipelineTriggers* triggers;
      engine::Service* service;
      engine::Watchdog* watchdog;
      int64_t checked;
      int ticks;
    } cron{{}, &triggers, &service, &watchdog, service.runtime().clock().Now(), 0};
    uv_timer_init(loop, &cron.timer);
    cron.timer.data = &cron;
    uv_timer_start(
        &cron.timer,
        [](uv_timer_t* t) {
          auto* c = static_cast<Cron*>(t->data);
          const int tick = c->ticks++;
          auto polled = c->triggers->PollExternalSensorWrites();
          if (!polled.ok()) spdlog::error("sensor poll: {}", polled.error());
          for (const auto& w :
               polled.ok() ? polled.value() : std::vector<engine::ExternalSensorWrite>()) {
            if (!w.outcome) {
              spdlog::error("sensor {}/{}: trigger: {}", w.sensor.pipeline, w.sensor.key, w.error);
            } else if (w.outcome->kind != engine::TriggerOutcome::Kind::kIgnored) {
              spdlog::info("sensor {}/{} (external): {}", w.sensor.pipeline, w.sensor.key,
                           w.outcome->reason);
            }
          }
          if (tick % 5 != 0) return;
          const int64_t now = c->service->runtime().clock().Now();
          if (tick % 60 == 0) {
            auto found = c->watchdog->Check(now);
            if (!found.ok()) spdlog::error("watchdog: {}", found.error());
            for (const auto& type : found.ok() ? found.value() : std::vector<std::string>()) {
              spdlog::warn("watchdog: {}", type);
            }
          }
          auto fired = c->triggers->FireCron(c->checked, now);
          c->checked = now;
          if (!fired.ok()) return spdlog::error("cron: {}", fired.error());
          for (const auto& run : fired.value()) {
            spdlog::info("cron: started {} run {} ({})", run.pipeline, run.date, run.execution_arn);
          }
        },
        0, 1000);

    Signals signals;
    signals.on_signal = [&](int signum) {
      if (signum == SIGHUP) {
        if (a.pipelines.empty()) return spdlog::info("SIGHUP: no --pipelines directory to apply");
        auto applied = ApplyPipelines(runner, a.pipelines);
        if (!applied.ok())
          spdlog::error("SIGHUP: --pipelines {}: nothing applied:\n{}", a.pipelines,
                        applied.error());
        return;
      }
      spdlog::info("sluice serve: {} received: stopping", signum == SIGTERM ? "SIGTERM" : "SIGINT");
      http_server.StopAccepting();
      daemon.Stopping();
      service.RequestStop();
    };
    const std::pair<uv_signal_t*, int> watched[] = {
        {&signals.sigint, SIGINT}, {&signals.sigterm, SIGTERM}, {&signals.sighup, SIGHUP}};
    for (auto [handle, signum] : watched) {
      uv_signal_init(loop, handle);
      handle->data = &signals;
      uv_signal_start(
          handle, [](uv_signal_t* h, int s) { static_cast<Signals*>(h->data)->on_signal(s); },
          signum);
    }

    auto served = service.Serve();
    // Answer what is in flight, then close every handle of ours.
    bool closed = false;
    http_server.Close([&closed] { closed = true; });
    uv_close(reinterpret_cast<uv_handle_t*>(&cron.timer), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&signals.sigint), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&signals.sigterm), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&signals.sighup), nullptr);
    // Alerts still queued get kAlertsCloseMs (their retries included).
    bool alerts_closed = alerts == nullptr;
    if (alerts) alerts->Close([&alerts_closed] { alerts_closed = true; });
    while (!closed || !alerts_closed) uv_run(loop, UV_RUN_ONCE);
    runner.set_event_observer(nullptr);
    alerts.reset();
    uv_run(loop, UV_RUN_NOWAIT);  // the dispatcher's closed handles
    auto committed = service.CommitNow();
    service.set_builtin_handler(nullptr);
    if (!served.ok() || !committed.ok()) {
      std::cerr << "sluice serve: " << (served.ok() ? committed.error() : served.error()) << "\n";
      return kExitFailed;
    }
    spdlog::info(
        "sluice serve: stopped; {} execution(s) still running will resume at the next "
        "start",
        service.runtime().running());
  }
  return 0;
}
