// PipelineRunner: see pipeline_runner.h.
#include "engine/pipeline_runner.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "asl/loader.h"
#include "engine/executor.h"
#include "engine/run.h"
#include "engine/runtime.h"
#include "engine/shipped_machines.h"
#include "handlers/pipeline/jobs.h"
#include "handlers/pipeline/lifecycle_handler.h"

namespace sluice::engine {

namespace {

using pipeline::PipelineEvent;

std::string RunName(std::string_view pipeline, std::string_view schedule, std::string_view date) {
  return std::string(pipeline) + "/" + std::string(schedule) + "/" + std::string(date);
}

// The engine's Pipelines, plus the durable run status of pipeline_runs and an event observer.
class RunData final : public pipeline::PipelineData {
 public:
  RunData(Store& store, const Clock& clock)
      : store_(store), clock_(clock), pipelines_(store, clock) {}

  Pipelines& pipelines() { return pipelines_; }
  std::function<void(const PipelineEvent&, int64_t)> observer;

  Result<Json> Sensors(std::string_view pipeline) override { return pipelines_.Sensors(pipeline); }
  Result<std::shared_ptr<const pipeline::PipelineConfig>> Config(
      std::string_view pipeline) override {
    return pipelines_.Config(pipeline);
  }
  Status<> AppendEvent(const PipelineEvent& event) override {
    auto appended = pipelines_.AppendEvent(event);
    if (appended.ok() && observer) observer(event, clock_.Now());
    return appended;
  }

  Result<bool> RunEnded(std::string_view pipeline, std::string_view schedule,
                        std::string_view date) override {
    auto run =
        store_.GetPipelineRun(std::string(pipeline), std::string(schedule), std::string(date));
    if (!run.ok()) return Fail(run.error());
    return run.value() && run.value()->status != PipelineRunStatus::kRunning;
  }

  Status<> EndRun(std::string_view pipeline, std::string_view schedule, std::string_view date,
                  bool completed) override {
    return Record(pipeline, schedule, date, std::nullopt,
                  completed ? PipelineRunStatus::kCompleted : PipelineRunStatus::kFailedFinal);
  }

  // Writes the run's status; `execution_arn` (when set) must be the run's, else nothing is
  // written (the run has moved on to another execution).
  Status<> Record(std::string_view pipeline, std::string_view schedule, std::string_view date,
                  const std::optional<std::string>& execution_arn, PipelineRunStatus status) {
    auto existing =
        store_.GetPipelineRun(std::string(pipeline), std::string(schedule), std::string(date));
    if (!existing.ok()) return Fail(existing.error());
    PipelineRunRecord run;
    if (existing.value()) {
      run = *existing.value();
      if (execution_arn && run.execution_arn != execution_arn) return Ok{};
    } else {
      run = PipelineRunRecord{std::string(pipeline), std::string(schedule), std::string(date),
                              execution_arn};
      run.started_nanos = clock_.Now();
    }
    run.status = status;
    run.lock_expires_nanos.reset();
    run.ended_nanos.reset();
    if (status != PipelineRunStatus::kRunning) run.ended_nanos = clock_.Now();
    WriteBatch batch;
    batch.PutPipelineRun(std::move(run));
    auto committed = store_.Commit(batch);
    if (!committed.ok()) {
      return Fail("pipeline run " + RunName(pipeline, schedule, date) + ": " + committed.error());
    }
    return Ok{};
  }

 private:
  Store& store_;
  const Clock& clock_;
  Pipelines pipelines_;
};

struct Machine {
  std::string text;
  std::shared_ptr<const asl::StateMachine> compiled;
};

Result<Machine> CompileMachine(std::string text, const std::string& source) {
  auto parsed = asl::ParseDefinitionText(text);
  if (!parsed.ok()) return Fail(source + ": " + parsed.error());
  auto compiled = asl::Compile(parsed.value());
  if (!compiled.ok()) {
    return Fail(source + ": invalid definition: " + asl::FormatDiagnostics(compiled.error()));
  }
  return Machine{std::move(text), compiled.value()};
}

Result<std::string> ReadFile(const std::string& path) {
  auto json = asl::LoadDefinitionFile(path);  // reads and checks it parses
  if (!json.ok()) return Fail(json.error());
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Fail(path + ": cannot read");
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return text;
}

}  // namespace

struct PipelineRunner::Impl {
  Service& service;
  RunData data;
  std::unique_ptr<pipeline::Jobs> jobs;
  std::unique_ptr<pipeline::LifecycleHandler> handler;
  std::map<std::string, Machine> machines;  // by source: shipped name or file path

  explicit Impl(Service& s) : service(s), data(s.store(), s.runtime().clock()) {}

  // A shipped machine by name, or a definition file, compiled once.
  Result<const Machine*> LoadMachine(const std::string& reference) {
    if (auto it = machines.find(reference); it != machines.end()) return &it->second;
    std::string text;
    if (auto shipped = ShippedDefinition(reference)) {
      text = std::string(*shipped);
    } else {
      auto read = ReadFile(reference);
      if (!read.ok()) return Fail(read.error());
      text = std::move(read).value();
    }
    auto machine = CompileMachine(std::move(text), reference);
    if (!machine.ok()) return Fail(machine.error());
    return &machines.emplace(reference, std::move(machine).value()).first->second;
  }

  Result<std::string> StartExecution(const Machine& machine, const std::string& machine_name,
                                     const std::string& execution_name, Json input,
                                     Service::DoneCallback done = nullptr) {
    StartRequest request;
    request.definition_text = machine.text;
    request.machine = machine.compiled;
    request.machine_name = machine_name;
    request.execution_name = execution_name;
    request.input = std::make_shared<const Json>(std::move(input));
    request.handlers.builtins = true;
    request.handlers.machine_name = machine_name;
    return service.Start(request, std::move(done));
  }

  // step-function jobs: `machine` is a shipped machine's name, a definition file, or the name
  // of a state machine stored in the database.
  Result<std::string> StartJobExecution(const std::string& machine, const Json& input) {
    std::string name = machine;
    const Machine* loaded = nullptr;
    if (ShippedDefinition(machine) || std::filesystem::exists(machine)) {
      auto m = LoadMachine(machine);
      if (!m.ok()) return Fail(m.error());
      loaded = *m;
      name = std::filesystem::path(machine).filename().string();
      if (auto dot = name.find('.'); dot != std::string::npos && dot > 0) name.resize(dot);
    } else {
      auto stored = service.store().GetStateMachine(StateMachineArn(machine));
      if (!stored.ok()) return Fail(stored.error());
      if (!stored.value()) {
        return Fail("state machine '" + machine +
                    "' is neither a definition file, a shipped machine nor stored in the database");
      }
      auto text = service.store().GetDefinition(stored.value()->definition_hash);
      if (!text.ok()) return Fail(text.error());
      if (!text.value()) return Fail("state machine '" + machine + "': definition missing");
      auto compiled = CompileMachine(*text.value(), machine);
      if (!compiled.ok()) return Fail(compiled.error());
      loaded = &machines.insert_or_assign("stored:" + machine, std::move(compiled).value())
                    .first->second;
    }
    return StartExecution(*loaded, name, "", input);
  }

  Result<std::string> StatusOf(const std::string& arn) {
    auto record = service.store().GetExecution(arn);
    if (!record.ok()) return Fail(record.error());
    if (!record.value()) return std::string("RUNNING");  // started, not committed yet
    return std::string(ExecutionStatusName(record.value()->status));
  }

  // The companions RUNNING for the run (and of `kind`, unless empty), by ARN.
  Result<std::vector<std::string>> Companions(const std::string& pipeline,
                                              const std::string& schedule, const std::string& date,
                                              const std::string& kind) {
    ExecutionFilter filter;
    filter.status = engine::ExecutionStatus::kRunning;
    filter.state_machine_arn = StateMachineArn(std::string(kSlaAlertMachine));
    filter.limit = 1000;
    std::vector<std::string> arns;
    for (;;) {
      auto page = service.store().ListExecutions(filter);
      if (!page.ok()) return Fail(page.error());
      for (const auto& e : page.value().executions) {
        Json input = Json::parse(e.input, nullptr, /*allow_exceptions=*/false);
        if (!input.is_object() || input.value("pipelineId", "") != pipeline ||
            input.value("scheduleId", "") != schedule || input.value("date", "") != date ||
            (!kind.empty() && input.value("alertType", "") != kind)) {
          continue;
        }
        arns.push_back(e.arn);
      }
      if (page.value().next_page_token.empty()) break;
      filter.page_token = page.value().next_page_token;
    }
    return arns;
  }

  // Stops the companions of the run (of `kind`, unless empty): those this process runs at
  // once, those an earlier process left as recorded.
  Status<> StopCompanions(const std::string& pipeline, const std::string& schedule,
                          const std::string& date, const std::string& kind,
                          const std::string& error) {
    auto arns = Companions(pipeline, schedule, date, kind);
    if (!arns.ok()) return Fail(arns.error());
    for (const auto& arn : arns.value()) {
      if (service.StopRunning(arn, error, "").ok()) continue;
      auto stopped = service.StopRecorded(arn, error, "");
      if (!stopped.ok()) return Fail(stopped.error());
    }
    return Ok{};
  }

  Status<> ScheduleAlert(const pipeline::SlaAlert& alert) {
    auto replaced = StopCompanions(alert.pipeline, alert.schedule, alert.date, alert.kind,
                                   "Sluice.AlertReplaced");
    if (!replaced.ok()) return replaced;
    auto machine = LoadMachine(std::string(kSlaAlertMachine));
    if (!machine.ok()) return Fail(machine.error());
    std::string name =
        alert.pipeline + "-" + alert.date + "-" + alert.kind + "-" + NewUuid().substr(0, 8);
    auto started = StartExecution(**machine, std::string(kSlaAlertMachine), name,
                                  pipeline::SlaAlertInput(alert));
    if (!started.ok()) return Fail(started.error());
    return Ok{};
  }

  Result<std::string> ExecutionName(const std::string& base) {
    auto existing =
        service.store().GetExecution(ExecutionArn(std::string(kLifecycleMachine), base));
    if (!existing.ok()) return Fail(existing.error());
    if (!existing.value()) return base;
    return base + "-" + NewUuid().substr(0, 8);
  }

  // Refuses a run that is RUNNING with a live execution, or that has ended (unless `force`).
  Status<> CheckClaim(const std::string& run_name, const std::optional<PipelineRunRecord>& run,
                      bool force) {
    if (!run) return Ok{};
    const std::string arn = run->execution_arn.value_or("");
    if (run->status == PipelineRunStatus::kRunning) {
      auto execution = service.store().GetExecution(arn);
      if (!execution.ok()) return Fail(execution.error());
      if (execution.value() && execution.value()->status == engine::ExecutionStatus::kRunning) {
        return Fail("pipeline run " + run_name + " is already RUNNING (execution " + arn +
                    "); wait for it to end, or continue it with `sluice resume` if its process "
                    "has died");
      }
      if (force) return Ok{};
      return Fail("pipeline run " + run_name + " was left RUNNING by execution " + arn +
                  ", which is no longer running; use --force to run it again");
    }
    if (force) return Ok{};
    return Fail("pipeline run " + run_name + " has already run (" +
                PipelineRunStatusName(run->status) + (arn.empty() ? "" : ", execution " + arn) +
                "); use --force to run it again");
  }
};

PipelineRunner::PipelineRunner(Service& service) : impl_(std::make_unique<Impl>(service)) {
  Impl& im = *impl_;
  pipeline::JobEnvironment jobs;
  jobs.loop = service.runtime().loop();
  jobs.settle_ms = service.runtime().clock().IsVirtual() ? kVirtualSettleMs : 0;
  jobs.start_execution = [&im](const std::string& machine, const Json& input) {
    return im.StartJobExecution(machine, input);
  };
  jobs.execution_status = [&im](const std::string& arn) { return im.StatusOf(arn); };
  im.jobs = pipeline::MakeJobs(std::move(jobs));
  const Clock& clock = service.runtime().clock();
  im.handler = std::make_unique<pipeline::LifecycleHandler>(pipeline::LifecycleEnvironment{
      im.data, *im.jobs, [&clock] { return clock.Now(); }, service.runtime().loop(),
      [&im](const pipeline::SlaAlert& alert) { return im.ScheduleAlert(alert); },
      [&im](const std::string& p, const std::string& s, const std::string& d) {
        return im.StopCompanions(p, s, d, "", "Sluice.AlertCancelled");
      }});
  service.set_builtin_handler(im.handler.get());
}

PipelineRunner::~PipelineRunner() { impl_->service.set_builtin_handler(nullptr); }

Pipelines& PipelineRunner::pipelines() { return impl_->data.pipelines(); }

handlers::TaskHandler& PipelineRunner::builtin_handler() { return *impl_->handler; }

std::string DefaultRunDate(const pipeline::PipelineConfig& config, int64_t at_ns) {
  pipeline::CivilDateTime local = config.schedule.zone.ToCivil(at_ns);
  pipeline::ExecutionDate date{local.date, std::nullopt};
  if (config.sla && config.sla->deadline && !config.sla->deadline->hour) date.hour = local.hour;
  return pipeline::FormatExecutionDate(date);
}

int64_t RunLockExpiry(const pipeline::PipelineConfig& config, int64_t claimed_ns) {
  const pipeline::JobConfig defaults;
  const pipeline::JobConfig& job = config.job ? *config.job : defaults;
  const int64_t seconds = std::max(kMinRunLockSeconds, config.schedule.evaluation.window_seconds +
                                                           job.job_poll_window_seconds + 30 * 60);
  return claimed_ns + seconds * 1'000'000'000;
}

Status<> PipelineRunner::RecordEvent(const pipeline::PipelineEvent& event) {
  return impl_->data.AppendEvent(event);
}

void PipelineRunner::set_event_observer(
    std::function<void(const pipeline::PipelineEvent& event, int64_t time_nanos)> observer) {
  impl_->data.observer = std::move(observer);
}

Result<StartedRun> PipelineRunner::StartRun(const PipelineRunRequest& request,
                                            Service::DoneCallback done) {
  Impl& im = *impl_;
  auto config = im.data.Config(request.pipeline);
  if (!config.ok()) return Fail(config.error());
  if (*config == nullptr) {
    return Fail("pipeline '" + request.pipeline +
                "' has no applied config in this database (apply one with `sluice pipeline "
                "apply FILE`)");
  }
  StartedRun run{"", request.pipeline, std::string((*config)->schedule_id()), request.date};
  const int64_t now = im.service.runtime().clock().Now();
  if (run.date.empty()) {
    run.date = DefaultRunDate(**config, now);
  } else if (auto parsed = pipeline::ParseExecutionDate(run.date); !parsed.ok()) {
    return Fail("--date: " + parsed.error());
  }
  const std::string run_name = RunName(run.pipeline, run.schedule, run.date);
  auto existing = im.service.store().GetPipelineRun(run.pipeline, run.schedule, run.date);
  if (!existing.ok()) return Fail(existing.error());
  auto claimable = im.CheckClaim(run_name, existing.value(), request.force);
  if (!claimable.ok()) return Fail(claimable.error());

  const Machine* machine = nullptr;
  if (request.definition_text.empty()) {
    auto shipped = im.LoadMachine(std::string(kLifecycleMachine));
    if (!shipped.ok()) return Fail(shipped.error());
    machine = *shipped;
  } else {
    auto compiled = CompileMachine(request.definition_text, request.definition_source);
    if (!compiled.ok()) return Fail(compiled.error());
    machine =
        &im.machines
             .insert_or_assign("file:" + request.definition_source, std::move(compiled).value())
             .first->second;
  }
  auto name = im.ExecutionName(run.pipeline + "-" + run.schedule + "-" + run.date);
  if (!name.ok()) return Fail(name.error());
  run.execution_arn = ExecutionArn(std::string(kLifecycleMachine), *name);

  PipelineRunRecord claim{run.pipeline, run.schedule, run.date, run.execution_arn};
  claim.started_nanos = now;
  claim.lock_expires_nanos = RunLockExpiry(**config, now);
  WriteBatch batch;
  // Atomic against another process claiming the same run since `existing` was read.
  batch.ClaimPipelineRun(std::move(claim),
                         existing.value() ? existing.value()->execution_arn : std::nullopt);
  auto committed = im.service.store().Commit(batch);
  if (!committed.ok()) return Fail("claiming pipeline run " + run_name + ": " + committed.error());

  Json input{{"pipelineId", run.pipeline}, {"scheduleId", run.schedule}, {"date", run.date}};
  auto started = im.StartExecution(*machine, std::string(kLifecycleMachine), *name,
                                   std::move(input), std::move(done));
  if (!started.ok()) {
    (void)im.data.Record(run.pipeline, run.schedule, run.date, run.execution_arn,
                         PipelineRunStatus::kFailedFinal);
    return Fail(started.error());
  }
  return run;
}

bool PipelineRunner::IsLifecycle(const Executor& execution) {
  return execution.options().state_machine_name == kLifecycleMachine;
}

Result<RunEnd> PipelineRunner::Finish(const Executor& execution) {
  Impl& im = *impl_;
  const std::string& arn = execution.options().execution_arn;
  auto record = im.service.store().GetExecution(arn);
  if (!record.ok()) return Fail(record.error());
  if (!record.value()) return Fail("execution " + arn + " is not recorded");
  Json input = Json::parse(record.value()->input, nullptr, /*allow_exceptions=*/false);
  if (!input.is_object()) return Fail(arn + ": stored input is not a JSON object");

  RunEnd end;
  if (execution.status() != engine::ExecutionStatus::kSucceeded) {
    end.outcome = ExecutionStatusName(execution.status());
  } else {
    const Json& out = execution.output();
    const Json run = out.is_object() ? out.value("run", Json::object()) : Json::object();
    // The lifecycle's Init sets $.run to RUNNING; a terminal task replaces it.
    if (run.is_object() && run.value("outcome", Json("RUNNING")) != "RUNNING") {
      end.outcome = run["outcome"].get<std::string>();
    } else if (out.contains("evaluateResult") && out["evaluateResult"].is_object() &&
               out["evaluateResult"].value("status", "") == "excluded") {
      end.outcome = "PIPELINE_EXCLUDED";
    } else if (out.contains("triggerResult") && out["triggerResult"].is_object() &&
               out["triggerResult"].value("dryRun", false)) {
      end.outcome = "DRY_RUN_COMPLETED";
    } else {
      end.outcome = "SUCCEEDED";
    }
    if (end.outcome == "COMPLETED") end.status = PipelineRunStatus::kCompleted;
  }
  if (execution.status() == engine::ExecutionStatus::kFailed &&
      execution.error().error == "InfraFailure") {
    end.outcome = "INFRA_FAILURE";
  }
  auto recorded = im.data.Record(input.value("pipelineId", ""), input.value("scheduleId", ""),
                                 input.value("date", ""), arn, end.status);
  if (!recorded.ok()) return Fail(recorded.error());
  return end;
}

Result<std::vector<PipelineRunRecord>> PipelineRunner::RunningRuns() {
  Store& store = impl_->service.store();
  ExecutionFilter filter;
  filter.status = engine::ExecutionStatus::kRunning;
  filter.state_machine_arn = StateMachineArn(std::string(kLifecycleMachine));
  filter.limit = 1000;
  std::vector<PipelineRunRecord> runs;
  for (;;) {
    auto page = store.ListExecutions(filter);
    if (!page.ok()) return Fail(page.error());
    for (const auto& e : page.value().executions) {
      Json input = Json::parse(e.input, nullptr, /*allow_exceptions=*/false);
      if (!input.is_object()) continue;
      auto run = store.GetPipelineRun(input.value("pipelineId", ""), input.value("scheduleId", ""),
                                      input.value("date", ""));
      if (!run.ok()) return Fail(run.error());
      if (run.value() && run.value()->status == PipelineRunStatus::kRunning &&
          run.value()->execution_arn == e.arn) {
        runs.push_back(std::move(*run.value()));
      }
    }
    if (page.value().next_page_token.empty()) break;
    filter.page_token = page.value().next_page_token;
  }
  std::sort(runs.begin(), runs.end(), [](const PipelineRunRecord& a, const PipelineRunRecord& b) {
    return a.started_nanos < b.started_nanos;
  });
  return runs;
}

}  // namespace sluice::engine
