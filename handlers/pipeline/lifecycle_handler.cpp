#include "handlers/pipeline/lifecycle_handler.h"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "handlers/deferred_calls.h"
#include "handlers/pipeline/calendar.h"
#include "handlers/pipeline/civil_time.h"
#include "handlers/pipeline/rules.h"
#include "handlers/pipeline/sla.h"

namespace sluice::pipeline {

namespace {

using asl::AslError;
using handlers::TaskCallback;
using handlers::TaskOutcome;

template <typename T>
using Out = Result<T, AslError>;

// Interlock's jobCheckIntervalSeconds: fixed, not configurable.
constexpr int64_t kJobCheckIntervalSeconds = 60;

AslError Error(std::string_view name, std::string cause) {
  return AslError{std::string(name), std::move(cause), true};
}

// The run a task is about: {pipelineId, scheduleId, date} of every input.
struct RunKey {
  std::string pipeline;
  std::string schedule;
  std::string date;
  ExecutionDate parsed;

  std::string Id() const { return pipeline + '\x1f' + schedule + '\x1f' + date; }
};

Out<std::string> RequiredString(const Json& payload, const char* field, bool allow_empty) {
  auto it = payload.find(field);
  if (it == payload.end() || !it->is_string()) {
    return Fail(Error(kErrorInvalidInput, std::string("input field \"") + field +
                                              "\" must be a string, got " +
                                              (it == payload.end() ? "nothing" : it->dump())));
  }
  std::string text = it->get<std::string>();
  if (text.empty() && !allow_empty) {
    return Fail(Error(kErrorInvalidInput, std::string("input field \"") + field + "\" is empty"));
  }
  return text;
}

Out<RunKey> ReadKey(const Json& payload) {
  if (!payload.is_object()) {
    return Fail(Error(kErrorInvalidInput, "input must be an object, got " + payload.dump()));
  }
  RunKey key;
  for (auto [field, target] :
       {std::pair{"pipelineId", &key.pipeline}, std::pair{"scheduleId", &key.schedule},
        std::pair{"date", &key.date}}) {
    auto text = RequiredString(payload, field, std::string_view(field) == "scheduleId");
    if (!text.ok()) return Fail(text.error());
    *target = std::move(text).value();
  }
  auto parsed = ParseExecutionDate(key.date);
  if (!parsed.ok())
    return Fail(Error(kErrorInvalidInput, "input field \"date\": " + parsed.error()));
  key.parsed = *parsed;
  return key;
}

// A string field, or nullopt when absent, null or not a string.
std::optional<std::string> OptionalString(const Json& payload, const char* field) {
  auto it = payload.find(field);
  if (it == payload.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Json NullableTime(std::optional<int64_t> instant_ns) {
  return instant_ns ? Json(FormatUtcSeconds(*instant_ns)) : Json(nullptr);
}

std::optional<int64_t> ParseTime(const Json& payload, const char* field) {
  auto it = payload.find(field);
  if (it == payload.end() || !it->is_string()) return std::nullopt;
  return ToTimestamp(*it);
}

Json RulesJson(const RulesOutcome& outcome) {
  Json results = Json::array();
  for (const RuleResult& r : outcome.results) {
    results.push_back(Json{{"key", r.key},
                           {"check", std::string(CheckName(r.check))},
                           {"passed", r.passed},
                           {"reason", r.reason}});
  }
  return results;
}

// "2026-03-03T07" -> "20260303T07"; "2026-03-03" -> "20260303".
std::string CompactDate(std::string date) {
  std::erase(date, '-');
  return date;
}

const char* JobStateName(JobState state) {
  switch (state) {
    case JobState::kRunning:
      return "running";
    case JobState::kSucceeded:
      return "succeeded";
    case JobState::kFailed:
      return "failed";
  }
  return "running";
}

}  // namespace

// The sensors as rules see them (key -> data), with Interlock's per-period aliases: a sensor
// keyed "<base>#<date>" (or the date without dashes) also answers for "<base>", overriding it.
Json SensorDataFor(const Json& sensors, const std::string& date) {
  Json data = Json::object();
  if (!sensors.is_object()) return data;
  for (const auto& [key, sensor] : sensors.items()) {
    auto it = sensor.find("data");
    data[key] = it == sensor.end() ? Json(nullptr) : *it;
  }
  const std::string suffixes[] = {"#" + date, "#" + CompactDate(date)};
  for (const auto& [key, sensor] : sensors.items()) {
    for (const std::string& suffix : suffixes) {
      if (key.size() > suffix.size() && key.ends_with(suffix)) {
        data[key.substr(0, key.size() - suffix.size())] = data[key];
        break;
      }
    }
  }
  return data;
}

Json SlaAlertInput(const SlaAlert& alert) {
  return Json{{"pipelineId", alert.pipeline},
              {"scheduleId", alert.schedule},
              {"date", alert.date},
              {"alertType", alert.kind},
              {"at", alert.at},
              {"breachAt", alert.breach_at}};
}

struct LifecycleHandler::Impl {
  using SyncMode = Out<Json> (Impl::*)(const Json& payload);
  using AsyncMode = void (Impl::*)(uint64_t task_id, const Json& payload);

  LifecycleEnvironment env;
  handlers::DeferredCalls deferred;
  std::unordered_map<uint64_t, TaskCallback> waiting;  // tasks waiting for the job to answer
  std::unordered_map<std::string, bool> ended;         // RunKey::Id -> the run has ended
  std::weak_ptr<Impl> self;

  explicit Impl(LifecycleEnvironment e) : env(std::move(e)), deferred(env.loop) {}

  static const std::map<std::string, SyncMode, std::less<>>& SyncModes();
  static const std::map<std::string, AsyncMode, std::less<>>& AsyncModes();

  void Run(uint64_t task_id, const std::string& resource, const Json& payload, TaskCallback done) {
    if (auto async = AsyncModes().find(resource); async != AsyncModes().end()) {
      waiting[task_id] = std::move(done);
      Out<Ok> started = Guarded([&]() -> Out<Ok> {
        (this->*async->second)(task_id, payload);
        return Ok{};
      });
      if (!started.ok()) ReplyError(task_id, started.error());
      return;
    }
    auto sync = SyncModes().find(resource);
    if (sync == SyncModes().end()) {
      done(ToOutcome(Fail(Error(asl::errors::kTaskFailed,
                                "resource '" + resource + "' is not a pipeline handler"))));
      return;
    }
    done(ToOutcome(Guarded([&] { return (this->*sync->second)(payload); })));
  }

  // Runs `body`, turning a library exception (a defect) into a task failure.
  template <typename F>
  static auto Guarded(F body) -> decltype(body()) {
    try {
      return body();
    } catch (const std::exception& e) {
      return Fail(Error(asl::errors::kTaskFailed, std::string("internal error: ") + e.what()));
    }
  }

  static TaskOutcome ToOutcome(Out<Json> result) {
    TaskOutcome outcome;
    outcome.ok = result.ok();
    if (result.ok()) {
      outcome.result = std::make_shared<const Json>(std::move(result).value());
    } else {
      outcome.error = std::move(result).error();
    }
    return outcome;
  }

  // Answers a task that waited for a job, unless it was cancelled.
  void Reply(uint64_t task_id, Out<Json> result) {
    auto it = waiting.find(task_id);
    if (it == waiting.end()) return;
    TaskCallback done = std::move(it->second);
    waiting.erase(it);
    done(ToOutcome(std::move(result)));
  }

  // Fails the waiting task at once (still from a later loop turn than Start).
  void ReplyError(uint64_t task_id, AslError error) { Reply(task_id, Fail(std::move(error))); }

  int64_t Now() const { return env.now(); }

  Out<std::shared_ptr<const PipelineConfig>> LoadConfig(const RunKey& key) {
    auto config = env.data.Config(key.pipeline);
    if (!config.ok()) return Fail(Error(kErrorDataUnavailable, config.error()));
    if (*config == nullptr) {
      return Fail(
          Error(kErrorPipelineNotFound, "pipeline \"" + key.pipeline + "\" has no applied config"));
    }
    return *config;
  }

  Out<JobConfig> LoadJob(const RunKey& key, std::shared_ptr<const PipelineConfig>* config) {
    auto loaded = LoadConfig(key);
    if (!loaded.ok()) return Fail(loaded.error());
    *config = *loaded;
    if (!(*loaded)->job) {
      return Fail(Error(kErrorConfig, "pipeline \"" + key.pipeline + "\" has no job section"));
    }
    return *(*loaded)->job;
  }

  Status<AslError> Publish(const RunKey& key, std::string type, std::string message,
                           Json detail = Json::object()) {
    PipelineEvent event{std::move(type), key.pipeline,       key.schedule,
                        key.date,        std::move(message), std::move(detail)};
    auto appended = env.data.AppendEvent(event);
    if (!appended.ok()) return Fail(Error(kErrorDataUnavailable, appended.error()));
    return Ok{};
  }

  // Remembers that the run has ended, and records it durably (PipelineData::EndRun) so that a
  // later process knows it too.
  Status<AslError> MarkEnded(const RunKey& key, bool completed) {
    ended[key.Id()] = true;
    auto recorded = env.data.EndRun(key.pipeline, key.schedule, key.date, completed);
    if (!recorded.ok()) return Fail(Error(kErrorDataUnavailable, recorded.error()));
    return Ok{};
  }

  // Whether the run has ended: in this process, or as recorded by an earlier one.
  Out<bool> HasEnded(const RunKey& key) {
    if (auto it = ended.find(key.Id()); it != ended.end() && it->second) return true;
    auto recorded = env.data.RunEnded(key.pipeline, key.schedule, key.date);
    if (!recorded.ok()) return Fail(Error(kErrorDataUnavailable, recorded.error()));
    return *recorded;
  }

  static Json Base(const RunKey& key) {
    return Json{{"pipelineId", key.pipeline}, {"scheduleId", key.schedule}, {"date", key.date}};
  }

  // sluice:pipeline:evaluate
  Out<Json> Evaluate(const Json& payload) {
    auto key = ReadKey(payload);
    if (!key.ok()) return Fail(key.error());
    auto config = LoadConfig(*key);
    if (!config.ok()) return Fail(config.error());
    const PipelineConfig& c = **config;
    Json out = Base(*key);
    out["intervalSeconds"] = c.schedule.evaluation.interval_seconds;
    out["windowSeconds"] = c.schedule.evaluation.window_seconds;
    out["trigger"] = c.validation.trigger == Combinator::kAny ? "ANY" : "ALL";
    out["evaluatedAt"] = FormatUtcSeconds(Now());
    if (IsExcluded(c.schedule.calendar, key->parsed)) {
      auto published =
          Publish(*key, "PIPELINE_EXCLUDED",
                  "execution date " + key->date + " is excluded by the pipeline's calendar",
                  Json{{"source", "evaluate"}});
      if (!published.ok()) return Fail(published.error());
      if (auto marked = MarkEnded(*key, false); !marked.ok()) return Fail(marked.error());
      out["status"] = "excluded";
      out["passed"] = false;
      out["results"] = Json::array();
      return out;
    }
    auto sensors = env.data.Sensors(key->pipeline);
    if (!sensors.ok()) return Fail(Error(kErrorDataUnavailable, sensors.error()));
    RulesOutcome outcome = EvaluateRules(c.validation.trigger, c.validation.rules,
                                         SensorDataFor(*sensors, key->date), Now());
    out["status"] = outcome.passed ? "passed" : "not_ready";
    out["passed"] = outcome.passed;
    out["results"] = RulesJson(outcome);
    if (outcome.passed) {
      auto published = Publish(*key, "VALIDATION_PASSED", "all validation rules passed",
                               Json{{"trigger", out["trigger"]}, {"results", out["results"]}});
      if (!published.ok()) return Fail(published.error());
    }
    return out;
  }

  // sluice:pipeline:trigger (asynchronous: the job starts on the loop).
  void Trigger(uint64_t task_id, const Json& payload) {
    auto key = ReadKey(payload);
    if (!key.ok()) return ReplyError(task_id, key.error());
    std::shared_ptr<const PipelineConfig> config;
    auto job = LoadJob(*key, &config);
    if (!job.ok()) return ReplyError(task_id, job.error());
    Json out = Base(*key);
    out["jobType"] = std::string(JobTypeName(job->type));
    out["pollIntervalSeconds"] = kJobCheckIntervalSeconds;
    out["pollWindowSeconds"] = job->job_poll_window_seconds;
    out["triggeredAt"] = FormatUtcSeconds(Now());
    out["dryRun"] = config->dry_run;
    out["eventError"] = "";
    if (config->dry_run) return Reply(task_id, DryRunTrigger(*key, *config, std::move(out)));
    int64_t started_ns = Now();
    env.jobs.Start(*job, [weak = self, task_id, key = *key, out,
                          started_ns](Result<Json, JobError> ref) mutable {
      auto impl = weak.lock();
      if (!impl) return;
      impl->Reply(task_id, Guarded([&] {
                    return impl->Triggered(key, std::move(out), std::move(ref), started_ns);
                  }));
    });
  }

  Out<Json> Triggered(const RunKey& key, Json out, Result<Json, JobError> ref, int64_t started_ns) {
    if (!ref.ok()) {
      const JobError& e = ref.error();
      bool permanent = e.category == JobFailureCategory::kPermanent;
      return Fail(Error(permanent ? kErrorJobStartRefused : kErrorJobStartFailed,
                        std::string(JobFailureCategoryName(e.category)) + ": " + e.message));
    }
    Json metadata = ref->is_object() ? *ref : Json::object();
    auto run_id = metadata.find("runId");
    out["runId"] = run_id != metadata.end() && run_id->is_string() ? *run_id : Json("");
    out["metadata"] = metadata;
    out["triggeredAt"] = FormatUtcSeconds(started_ns);
    // The job runs now: failing the task would start it again on retry, so a lost event is
    // reported in the output instead.
    auto published =
        Publish(key, "JOB_TRIGGERED", "triggered " + out["jobType"].get<std::string>() + " job",
                Json{{"jobType", out["jobType"]}, {"runId", out["runId"]}, {"metadata", metadata}});
    if (!published.ok()) out["eventError"] = published.error().cause;
    return out;
  }

  // A dry run: what would have happened (Interlock's DRY_RUN_* events), no job.
  Out<Json> DryRunTrigger(const RunKey& key, const PipelineConfig& config, Json out) {
    out["runId"] = "";
    out["metadata"] = Json::object();
    for (PipelineEvent& event :
         DryRunTriggerEvents(config, key.pipeline, key.schedule, key.date, Now())) {
      auto published =
          Publish(key, std::move(event.type), std::move(event.message), std::move(event.detail));
      if (!published.ok()) return Fail(published.error());
    }
    if (auto marked = MarkEnded(key, false); !marked.ok()) return Fail(marked.error());
    return out;
  }

  // sluice:pipeline:check-job (asynchronous: the job type polls).
  void CheckJob(uint64_t task_id, const Json& payload) {
    auto key = ReadKey(payload);
    if (!key.ok()) return ReplyError(task_id, key.error());
    std::shared_ptr<const PipelineConfig> config;
    auto job = LoadJob(*key, &config);
    if (!job.ok()) return ReplyError(task_id, job.error());
    auto metadata = payload.find("metadata");
    if (metadata == payload.end() || !metadata->is_object()) {
      return ReplyError(task_id,
                        Error(kErrorInvalidInput, "input field \"metadata\" must be an object"));
    }
    std::string run_id = OptionalString(payload, "runId").value_or("");
    env.jobs.Check(*job, *metadata, [weak = self, task_id, key = *key, run_id](JobStatus status) {
      auto impl = weak.lock();
      if (!impl) return;
      impl->Reply(task_id, impl->Checked(key, run_id, status));
    });
  }

  Out<Json> Checked(const RunKey& key, const std::string& run_id, const JobStatus& status) {
    Json out = Base(key);
    out["runId"] = run_id;
    out["state"] = JobStateName(status.state);
    out["event"] = "running";
    out["category"] = "";
    out["message"] = "";
    out["detail"] = status.detail.is_null() ? Json::object() : status.detail;
    out["checkedAt"] = FormatUtcSeconds(Now());
    if (status.state == JobState::kRunning) return out;
    Json detail{{"runId", run_id}, {"detail", out["detail"]}};
    Status<AslError> published = Ok{};
    if (status.state == JobState::kSucceeded) {
      out["event"] = "success";
      published = Publish(key, "JOB_COMPLETED", "job completed", detail);
    } else {
      out["event"] = "fail";
      out["category"] = JobFailureCategoryName(status.failure.category);
      out["message"] = status.failure.message;
      detail["category"] = out["category"];
      detail["error"] = status.failure.message;
      published = Publish(key, "JOB_FAILED", "job failed: " + status.failure.message, detail);
    }
    if (!published.ok()) return Fail(published.error());
    return out;
  }

  // The terminal modes: one event, one status.
  Out<Json> Terminal(const Json& payload, const char* event, const std::string& message,
                     const char* status, const char* outcome, Json detail) {
    auto key = ReadKey(payload);
    if (!key.ok()) return Fail(key.error());
    auto published = Publish(*key, event, message, std::move(detail));
    if (!published.ok()) return Fail(published.error());
    if (auto marked = MarkEnded(*key, false); !marked.ok()) return Fail(marked.error());
    Json out = Base(*key);
    out["status"] = status;
    out["outcome"] = outcome;
    return out;
  }

  // The Catch object {Error, Cause} of `errorInfo` as {error, cause}, "" for what is missing.
  static Json ErrorInfo(const Json& payload) {
    auto it = payload.find("errorInfo");
    Json info = it != payload.end() && it->is_object() ? *it : Json::object();
    return Json{{"error", OptionalString(info, "Error").value_or("")},
                {"cause", OptionalString(info, "Cause").value_or("")}};
  }

  // sluice:pipeline:validation-exhausted
  Out<Json> ValidationExhausted(const Json& payload) {
    Json detail = Json::object();
    if (auto it = payload.find("results"); it != payload.end()) detail["results"] = *it;
    if (auto it = payload.find("windowSeconds"); it != payload.end()) {
      detail["windowSeconds"] = *it;
    }
    return Terminal(payload, "VALIDATION_EXHAUSTED", "evaluation window exhausted without passing",
                    "exhausted", "VALIDATION_EXHAUSTED", std::move(detail));
  }

  // sluice:pipeline:trigger-exhausted
  Out<Json> TriggerExhausted(const Json& payload) {
    Json info = ErrorInfo(payload);
    std::string message = "trigger retries exhausted for " +
                          OptionalString(payload, "pipelineId").value_or("") + ": " +
                          info["cause"].get<std::string>();
    return Terminal(payload, "RETRY_EXHAUSTED", message, "exhausted", "RETRY_EXHAUSTED",
                    std::move(info));
  }

  // sluice:pipeline:job-poll-exhausted
  Out<Json> JobPollExhausted(const Json& payload) {
    Json detail{{"runId", OptionalString(payload, "runId").value_or("")}};
    if (auto it = payload.find("pollWindowSeconds"); it != payload.end()) {
      detail["pollWindowSeconds"] = *it;
    }
    auto out = Terminal(payload, "JOB_POLL_EXHAUSTED", "job poll window exhausted", "exhausted",
                        "JOB_POLL_EXHAUSTED", std::move(detail));
    if (out.ok()) (*out)["event"] = "timeout";
    return out;
  }

  // sluice:pipeline:infra-failure
  Out<Json> InfraFailure(const Json& payload) {
    Json info = ErrorInfo(payload);
    std::string message = "lifecycle task failed: " + info["error"].get<std::string>();
    return Terminal(payload, "INFRA_FAILURE", message, "failed", "INFRA_FAILURE", std::move(info));
  }

  // sluice:pipeline:complete-trigger (no event: JOB_COMPLETED / JOB_FAILED / JOB_POLL_EXHAUSTED
  // already said what happened).
  Out<Json> CompleteTrigger(const Json& payload) {
    auto key = ReadKey(payload);
    if (!key.ok()) return Fail(key.error());
    std::string event = OptionalString(payload, "event").value_or("");
    if (auto marked = MarkEnded(*key, event == "success"); !marked.ok()) {
      return Fail(marked.error());
    }
    Json out = Base(*key);
    out["event"] = event;
    out["status"] = event == "success" ? "COMPLETED" : "FAILED_FINAL";
    out["outcome"] = out["status"];
    return out;
  }

  // The trigger sensor's write time: the first sensor arrival of a relative SLA.
  Out<std::optional<int64_t>> SensorArrival(const RunKey& key, const PipelineConfig& config) {
    if (!config.sla || !config.sla->max_duration_seconds || !config.schedule.trigger) {
      return std::optional<int64_t>();
    }
    auto sensors = env.data.Sensors(key.pipeline);
    if (!sensors.ok()) return Fail(Error(kErrorDataUnavailable, sensors.error()));
    const std::string& trigger_key = config.schedule.trigger->rule.key;
    for (const std::string& name : {trigger_key + "#" + key.date, trigger_key}) {
      auto it = sensors->find(name);
      if (it != sensors->end() && it->contains("writtenAt")) {
        return ToTimestamp((*it)["writtenAt"]);
      }
    }
    return std::optional<int64_t>();
  }

  // The SLA times of a run, or a reason why there are none.
  Out<Result<SlaTimes>> SlaTimesFor(const RunKey& key, const PipelineConfig& config) {
    auto arrival = SensorArrival(key, config);
    if (!arrival.ok()) return Fail(arrival.error());
    return ComputeSlaTimes(*config.sla, key.date, *arrival, Now());
  }

  // sluice:sla:calculate
  Out<Json> SlaCalculate(const Json& payload) {
    auto key = ReadKey(payload);
    if (!key.ok()) return Fail(key.error());
    auto config = LoadConfig(*key);
    if (!config.ok()) return Fail(config.error());
    const PipelineConfig& c = **config;
    ended[key->Id()] = false;
    Json out = Base(*key);
    out["configured"] = false;
    out["armed"] = false;
    out["warningAt"] = nullptr;
    out["breachAt"] = nullptr;
    out["reason"] = "";
    if (!c.sla) {
      out["reason"] = "no sla section";
      return out;
    }
    if (c.dry_run || IsExcluded(c.schedule.calendar, key->parsed)) {
      out["reason"] = c.dry_run ? "dry run" : "execution date excluded by the calendar";
      return out;
    }
    out["configured"] = true;
    auto times = SlaTimesFor(*key, c);
    if (!times.ok()) return Fail(times.error());
    if (!times->ok()) {
      out["reason"] = times->error();
      return out;
    }
    const SlaTimes& t = times->value();
    out["warningAt"] = FormatUtcSeconds(t.warning_at_ns);
    out["breachAt"] = FormatUtcSeconds(t.breach_at_ns);
    if (t.breach_at_ns <= Now()) {
      out["reason"] = "the breach time has passed; the verdict comes at the end";
      return out;
    }
    if (!env.schedule_alert) {
      out["reason"] = "no alert scheduler";
      return out;
    }
    for (const char* kind : {"SLA_WARNING", "SLA_BREACH"}) {
      int64_t at = std::string_view(kind) == "SLA_WARNING" ? t.warning_at_ns : t.breach_at_ns;
      auto armed = env.schedule_alert(SlaAlert{key->pipeline, key->schedule, key->date, kind,
                                               FormatUtcSeconds(at), out["breachAt"]});
      if (!armed.ok())
        return Fail(
            Error(kErrorDataUnavailable, "arming " + std::string(kind) + ": " + armed.error()));
    }
    out["armed"] = true;
    return out;
  }

  // sluice:sla:fire-alert
  Out<Json> SlaFireAlert(const Json& payload) {
    auto key = ReadKey(payload);
    if (!key.ok()) return Fail(key.error());
    std::string type = OptionalString(payload, "alertType").value_or("");
    if (type != "SLA_WARNING" && type != "SLA_BREACH") {
      return Fail(
          Error(kErrorInvalidInput, "input field \"alertType\" must be SLA_WARNING or SLA_BREACH"));
    }
    std::optional<int64_t> breach = ParseTime(payload, "breachAt");
    int64_t now = Now();
    Json out = Base(*key);
    out["alertType"] = type;
    out["firedAt"] = FormatUtcSeconds(now);
    out["breachAt"] = NullableTime(breach);
    out["fired"] = false;
    out["reason"] = "";
    auto has_ended = HasEnded(*key);
    if (!has_ended.ok()) return Fail(has_ended.error());
    if (*has_ended) {
      out["reason"] = "the run has ended";
      return out;
    }
    if (type == "SLA_WARNING" && breach && *breach <= now) {
      out["reason"] = "the breach time has passed";
      return out;
    }
    Json detail{{"status", "running"},
                {"source", "schedule"},
                {"breachAt", out["breachAt"]},
                {"actionHint", "pipeline running — may complete before breach"}};
    auto published = Publish(
        *key, type, type == "SLA_WARNING" ? "SLA deadline approaching" : "SLA deadline breached",
        detail);
    if (!published.ok()) return Fail(published.error());
    out["fired"] = true;
    return out;
  }

  // sluice:sla:cancel
  Out<Json> SlaCancel(const Json& payload) {
    auto key = ReadKey(payload);
    if (!key.ok()) return Fail(key.error());
    std::string outcome = OptionalString(payload, "outcome").value_or("");
    ended[key->Id()] = true;  // the terminal task before it recorded the end durably
    if (env.cancel_alerts) {
      auto cancelled = env.cancel_alerts(key->pipeline, key->schedule, key->date);
      if (!cancelled.ok())
        return Fail(Error(kErrorDataUnavailable, "disarming alerts: " + cancelled.error()));
    }
    int64_t now = Now();
    Json out = Base(*key);
    out["outcome"] = outcome;
    out["alertType"] = "";
    out["verdict"] = "none";
    out["warningAt"] = nullptr;
    out["breachAt"] = nullptr;
    out["firedAt"] = FormatUtcSeconds(now);
    // The times sla:calculate computed at the start; recomputing now would move a daily
    // deadline that has passed to the next day.
    Json sla =
        payload.contains("sla") && payload["sla"].is_object() ? payload["sla"] : Json::object();
    std::optional<int64_t> warning = ParseTime(sla, "warningAt");
    std::optional<int64_t> breach = ParseTime(sla, "breachAt");
    if (!breach) {
      auto config = LoadConfig(*key);
      if (!config.ok()) return Fail(config.error());
      if (!(*config)->sla) return out;
      auto times = SlaTimesFor(*key, **config);
      if (!times.ok()) return Fail(times.error());
      if (!times->ok()) return out;
      warning = times->value().warning_at_ns;
      breach = times->value().breach_at_ns;
    }
    out["warningAt"] = NullableTime(warning);
    out["breachAt"] = NullableTime(breach);
    SlaVerdict verdict =
        FinalVerdict(SlaTimes{warning.value_or(*breach), *breach}, outcome == "COMPLETED", now);
    std::string name(VerdictEventName(verdict));
    out["alertType"] = name;
    out["verdict"] = verdict == SlaVerdict::kMet      ? "met"
                     : verdict == SlaVerdict::kBreach ? "breach"
                                                      : "unresolved";
    if (name.empty()) return out;
    auto published =
        Publish(*key, name, name == "SLA_MET" ? "SLA met" : "SLA breached at the end of the run",
                Json{{"source", "verdict"},
                     {"outcome", outcome},
                     {"warningAt", out["warningAt"]},
                     {"breachAt", out["breachAt"]}});
    if (!published.ok()) return Fail(published.error());
    return out;
  }
};

const std::map<std::string, LifecycleHandler::Impl::SyncMode, std::less<>>&
LifecycleHandler::Impl::SyncModes() {
  static const std::map<std::string, SyncMode, std::less<>> modes{
      {std::string(kEvaluateResource), &Impl::Evaluate},
      {std::string(kValidationExhaustedResource), &Impl::ValidationExhausted},
      {std::string(kTriggerExhaustedResource), &Impl::TriggerExhausted},
      {std::string(kJobPollExhaustedResource), &Impl::JobPollExhausted},
      {std::string(kCompleteTriggerResource), &Impl::CompleteTrigger},
      {std::string(kInfraFailureResource), &Impl::InfraFailure},
      {std::string(kSlaCalculateResource), &Impl::SlaCalculate},
      {std::string(kSlaFireAlertResource), &Impl::SlaFireAlert},
      {std::string(kSlaCancelResource), &Impl::SlaCancel},
  };
  return modes;
}

const std::map<std::string, LifecycleHandler::Impl::AsyncMode, std::less<>>&
LifecycleHandler::Impl::AsyncModes() {
  static const std::map<std::string, AsyncMode, std::less<>> modes{
      {std::string(kTriggerResource), &Impl::Trigger},
      {std::string(kCheckJobResource), &Impl::CheckJob},
  };
  return modes;
}

LifecycleHandler::LifecycleHandler(LifecycleEnvironment env)
    : impl_(std::make_shared<Impl>(std::move(env))) {
  impl_->self = impl_;
}

LifecycleHandler::~LifecycleHandler() = default;

bool LifecycleHandler::Handles(const handlers::TaskRequest& request) const {
  return Impl::SyncModes().count(request.resource) > 0 ||
         Impl::AsyncModes().count(request.resource) > 0;
}

void LifecycleHandler::Start(const handlers::TaskRequest& request, TaskCallback done) {
  std::shared_ptr<const Json> payload =
      request.payload ? request.payload : std::make_shared<const Json>(Json::object());
  Impl* impl = impl_.get();
  impl_->deferred.Post(request.task_id, [impl, id = request.task_id, resource = request.resource,
                                         payload, done = std::move(done)]() mutable {
    impl->Run(id, resource, *payload, std::move(done));
  });
}

void LifecycleHandler::Cancel(uint64_t task_id) {
  impl_->deferred.Cancel(task_id);
  impl_->waiting.erase(task_id);
}

std::vector<PipelineEvent> DryRunTriggerEvents(const PipelineConfig& config,
                                               const std::string& pipeline,
                                               const std::string& schedule, const std::string& date,
                                               int64_t triggered_at_ns) {
  auto event = [&](std::string type, std::string message, Json detail) {
    return PipelineEvent{std::move(type),    pipeline,         schedule, date,
                         std::move(message), std::move(detail)};
  };
  const std::string triggered_at = FormatUtcSeconds(triggered_at_ns);
  std::vector<PipelineEvent> events;
  events.push_back(event(
      "DRY_RUN_WOULD_TRIGGER", "dry run: the job would be triggered",
      Json{{"triggeredAt", triggered_at}, {"rulesEvaluated", config.validation.rules.size()}}));
  Json completed{{"triggeredAt", triggered_at}, {"slaStatus", "n/a"}};
  if (config.sla && config.sla->expected_duration_seconds) {
    auto projection = ProjectDryRun(*config.sla, date, triggered_at_ns);
    if (projection.ok()) {
      Json detail{{"triggeredAt", triggered_at},
                  {"estimatedCompletion", FormatUtcSeconds(projection->estimated_completion_ns)},
                  {"expectedDuration", *config.sla->expected_duration_seconds},
                  {"status", std::string(ProjectionStatusName(projection->status))}};
      if (projection->breach_at_ns)
        detail["deadline"] = FormatUtcSeconds(*projection->breach_at_ns);
      if (projection->margin_seconds) detail["marginSeconds"] = *projection->margin_seconds;
      completed["slaStatus"] = detail["status"];
      completed["estimatedCompletion"] = detail["estimatedCompletion"];
      events.push_back(event("DRY_RUN_SLA_PROJECTION", "dry run: SLA projection", detail));
    }
  }
  events.push_back(event("DRY_RUN_COMPLETED", "dry run completed", std::move(completed)));
  return events;
}

}  // namespace sluice::pipeline
