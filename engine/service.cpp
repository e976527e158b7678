// Service: see service.h.
#include "engine/service.h"

#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "asl/loader.h"
#include "engine/durable.h"
#include "engine/journal.h"
#include "engine/run.h"
#include "engine/runtime.h"
#include "handlers/task_handler.h"

namespace sluice::engine {

namespace {

// Routes each task to the handlers of its own execution (each execution may have its own
// functions file or mock config).
class PerExecutionHandler : public handlers::TaskHandler {
 public:
  void Add(const std::string& execution_arn, std::unique_ptr<handlers::TaskHandler> handler) {
    handlers_[execution_arn] = std::move(handler);
  }
  // After the execution has ended (its tasks are cancelled by then).
  void Remove(const std::string& execution_arn) { handlers_.erase(execution_arn); }
  bool Handles(const handlers::TaskRequest& r) const override {
    auto it = handlers_.find(r.execution_arn);
    return it != handlers_.end() && it->second->Handles(r);
  }
  void Start(const handlers::TaskRequest& r, handlers::TaskCallback done) override {
    auto it = handlers_.find(r.execution_arn);
    if (it == handlers_.end()) {
      done(handlers::TaskOutcome{
          false, nullptr,
          asl::AslError{"States.TaskFailed", "no task handler for execution " + r.execution_arn}});
      return;
    }
    owner_[r.task_id] = it->second.get();
    it->second->Start(r, [this, id = r.task_id, done = std::move(done)](handlers::TaskOutcome o) {
      owner_.erase(id);
      done(std::move(o));
    });
  }
  void Cancel(uint64_t task_id) override {
    auto it = owner_.find(task_id);
    if (it == owner_.end()) return;
    handlers::TaskHandler* h = it->second;
    owner_.erase(it);
    h->Cancel(task_id);
  }

 private:
  std::map<std::string, std::unique_ptr<handlers::TaskHandler>> handlers_;
  std::map<uint64_t, handlers::TaskHandler*> owner_;
};

Json HandlerConfigJson(const HandlerConfig& h) {
  Json j = Json::object();
  if (h.functions) {
    j["functions"] = *h.functions;
    j["functionsSource"] = h.functions_source;
  }
  if (h.mock_config) {
    j["mockConfig"] = *h.mock_config;
    j["mockSource"] = h.mock_source;
    j["testCase"] = h.test_case;
  }
  j["machineName"] = h.machine_name;
  if (h.builtins) j["builtins"] = true;
  return j;
}

}  // namespace

std::string EncodeServiceOptions(const ExecutionOptions& options, const HandlerConfig& handlers) {
  Json blob = Json::parse(EncodeExecutionOptions(options));
  blob["handlers"] = HandlerConfigJson(handlers);
  return blob.dump();
}

Result<HandlerConfig> DecodeHandlerConfig(const std::string& options_blob) {
  Json blob = Json::parse(options_blob, nullptr, /*allow_exceptions=*/false);
  HandlerConfig h;
  if (!blob.is_object() || !blob.contains("handlers")) return h;
  const Json& j = blob["handlers"];
  if (!j.is_object()) return Fail(std::string("execution options: 'handlers' is not an object"));
  if (j.contains("functions")) {
    h.functions = std::make_shared<const Json>(j["functions"]);
    h.functions_source = j.value("functionsSource", "");
  }
  if (j.contains("mockConfig")) {
    h.mock_config = std::make_shared<const Json>(j["mockConfig"]);
    h.mock_source = j.value("mockSource", "");
    h.test_case = j.value("testCase", "");
  }
  h.machine_name = j.value("machineName", "");
  h.builtins = j.value("builtins", false);
  return h;
}

struct Service::Impl {
  std::unique_ptr<Store> store;
  std::unique_ptr<Clock> clock;
  std::unique_ptr<Runtime> runtime;
  PerExecutionHandler handler;
  std::unique_ptr<DurableRecorder> recorder;
  handlers::TaskHandler* builtin = nullptr;
  std::map<std::string, Executor*> live;  // executions running here, by ARN

  // `done`, after forgetting the execution as live.
  DoneCallback Tracked(const std::string& arn, DoneCallback done) {
    return [this, arn, done = std::move(done)](const Executor& ex) {
      live.erase(arn);
      handler.Remove(arn);
      if (done) done(ex);
    };
  }

  // The handlers are destroyed before the runtime (each cancels its own running tasks while the
  // loop is still alive), so the runtime must not cancel the tasks it still has in flight (a Run
  // stopped by a failed commit) through them afterwards.
  ~Impl() {
    if (runtime) runtime->set_handler(nullptr);
  }

  Status<> AddHandlers(const std::string& arn, const HandlerConfig& config) {
    auto built = BuildHandlers(runtime->loop(), config, builtin);
    if (!built.ok()) return Fail(built.error());
    handler.Add(arn, std::move(built).value());
    return Ok{};
  }

  struct Loaded {
    Rebuilt rebuilt;
    int64_t journal_length = 0;
  };

  // Compiled state machines by definition hash, so that one Recover() reads and compiles each
  // definition once however many executions use it (a compiled machine is immutable and shared).
  using MachineCache = std::map<std::string, std::shared_ptr<const asl::StateMachine>>;

  // The compiled machine of the stored definition `hash`, from `cache` when it has it (and then
  // kept there).
  Result<std::shared_ptr<const asl::StateMachine>> Compiled(const std::string& hash,
                                                            MachineCache* cache) {
    if (cache != nullptr) {
      auto it = cache->find(hash);
      if (it != cache->end()) return it->second;
    }
    auto text = store->GetDefinition(hash);
    if (!text.ok()) return Fail(text.error());
    if (!text.value()) return Fail("definition " + hash + " is missing");
    auto parsed = asl::ParseDefinitionText(**text);
    if (!parsed.ok()) return Fail(parsed.error());
    auto machine = asl::Compile(parsed.value());
    if (!machine.ok()) return Fail(asl::FormatDiagnostics(machine.error()));
    if (cache != nullptr) (*cache)[hash] = machine.value();
    return machine.value();
  }

  // Rebuilds a recorded execution from its definition, options and journal, and checks that the
  // rebuilt history is the recorded one: otherwise the definition or the engine changed under
  // the execution, and continuing would corrupt its history.
  Result<Loaded> Load(const ExecutionRecord& record, MachineCache* cache = nullptr) {
    const std::string where = record.arn + ": ";
    auto options = DecodeExecutionOptions(record);
    if (!options.ok()) return Fail(where + options.error());
    auto machine = Compiled(record.definition_hash, cache);
    if (!machine.ok()) return Fail(where + machine.error());
    auto input = Json::parse(record.input, nullptr, /*allow_exceptions=*/false);
    if (input.is_discarded()) return Fail(where + "stored input is not JSON");
    auto lines = store->GetJournal(record.arn);
    if (!lines.ok()) return Fail(where + lines.error());
    std::vector<JournalEntry> entries;
    for (const auto& line : lines.value()) {
      auto entry = DecodeJournalEntry(line);
      if (!entry.ok()) return Fail(where + entry.error());
      entries.push_back(std::move(entry).value());
    }
    if (!entries.empty()) clock->AdvanceTo(entries.back().time);
    Loaded loaded{Rebuild(machine.value(), StartOptions(std::move(options).value(), entries), input,
                          record.start_nanos, entries),
                  static_cast<int64_t>(entries.size())};
    auto recorded = store->GetHistory(record.arn);
    if (!recorded.ok()) return Fail(where + recorded.error());
    const auto& history = loaded.rebuilt.executor->history();
    if (recorded.value().size() != history.size()) {
      return Fail(where + "replaying the journal gives " + std::to_string(history.size()) +
                  " history events, the database holds " + std::to_string(recorded.value().size()));
    }
    for (size_t i = 0; i < history.size(); ++i) {
      if (!SameEvent(history[i], recorded.value()[i])) {
        return Fail(where + "replaying the journal diverges from the recorded history at event " +
                    std::to_string(i + 1));
      }
    }
    return loaded;
  }

  // Rebuilds one unfinished execution and hands it to the runtime.
  Status<> RecoverOne(const ExecutionRecord& record, const DoneCallback& done,
                      MachineCache& machines) {
    auto loaded = Load(record, &machines);
    if (!loaded.ok()) return Fail("recover " + loaded.error());
    auto handlers = DecodeHandlerConfig(record.options);
    if (!handlers.ok()) return Fail("recover " + record.arn + ": " + handlers.error());
    auto added = AddHandlers(record.arn, handlers.value());
    if (!added.ok()) return Fail("recover " + record.arn + ": " + added.error());
    Rebuilt& rebuilt = loaded.value().rebuilt;
    if (rebuilt.executor->done()) return Ok{};  // its end is recorded with its last entry
    recorder->Resumed(*rebuilt.executor, loaded.value().journal_length, rebuilt.pending);
    live[record.arn] = &runtime->Adopt(std::move(rebuilt), Tracked(record.arn, done));
    return Ok{};
  }

  // The task handlers a redrive runs with, and the options blob to store when they change.
  Result<std::pair<HandlerConfig, std::string>> RedriveHandlers(const ExecutionRecord& record,
                                                                const RedriveRequest& request) {
    auto stored = DecodeHandlerConfig(record.options);
    if (!stored.ok()) return Fail(record.arn + ": " + stored.error());
    if (!request.handlers) return std::make_pair(std::move(stored).value(), std::string());
    HandlerConfig handlers = *request.handlers;
    if (handlers.machine_name.empty()) handlers.machine_name = stored.value().machine_name;
    handlers.builtins = handlers.builtins || stored.value().builtins;
    Json blob = Json::parse(record.options, nullptr, /*allow_exceptions=*/false);
    if (!blob.is_object()) blob = Json::object();
    blob["handlers"] = HandlerConfigJson(handlers);
    return std::make_pair(std::move(handlers), blob.dump());
  }
};

std::string RedriveStatusReason(const ExecutionRecord& record) {
  if (record.status == ExecutionStatus::kRunning || record.status == ExecutionStatus::kSucceeded) {
    return std::string("Execution is ") + ExecutionStatusName(record.status) +
           " and cannot be redriven.";
  }
  auto options = DecodeExecutionOptions(record);
  if (options.ok() && options.value().express) {
    return "Execution of an EXPRESS state machine cannot be redriven.";
  }
  return "";
}

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Service::~Service() = default;

Result<std::unique_ptr<Service>> Service::Open(const ServiceOptions& options) {
  StoreOptions so;
  so.durability = options.durability;
  so.fail_step = options.fail_step;
  auto store = Store::Open(options.db_path, so);
  if (!store.ok()) return Fail(options.db_path + ": " + store.error());
  auto impl = std::make_unique<Impl>();
  impl->store = std::move(store).value();
  if (options.virtual_clock) {
    impl->clock = std::make_unique<VirtualClock>();
  } else {
    impl->clock = std::make_unique<RealClock>();
  }
  impl->runtime = std::make_unique<Runtime>(*impl->clock);
  impl->runtime->set_handler(&impl->handler);
  impl->recorder = std::make_unique<DurableRecorder>(*impl->store);
  impl->runtime->set_listener(impl->recorder.get());
  return std::unique_ptr<Service>(new Service(std::move(impl)));
}

Store& Service::store() { return *impl_->store; }
Runtime& Service::runtime() { return *impl_->runtime; }
void Service::set_builtin_handler(handlers::TaskHandler* handler) { impl_->builtin = handler; }

handlers::TaskHandler* Service::builtin_handler() const { return impl_->builtin; }

Status<> Service::StopRunning(const std::string& execution_arn, const std::string& error,
                              const std::string& cause) {
  auto it = impl_->live.find(execution_arn);
  if (it == impl_->live.end()) {
    return Fail("execution " + execution_arn + " is not running in this process");
  }
  if (!it->second->done()) impl_->runtime->Stop(*it->second, error, cause);
  return Ok{};
}

Result<std::string> Service::Start(const StartRequest& request, DoneCallback done) {
  auto& im = *impl_;
  ExecutionOptions options;
  options.state_machine_name = request.machine_name;
  options.state_machine_arn = StateMachineArn(request.machine_name);
  options.execution_name = request.execution_name.empty() ? NewUuid() : request.execution_name;
  options.execution_arn = ExecutionArn(request.machine_name, options.execution_name);
  options.max_payload_bytes = request.max_payload_bytes;
  options.max_history_events = request.max_history_events;
  options.express = request.express;
  options.seed = request.seed != 0
                     ? request.seed
                     : (uint64_t(std::random_device()()) << 32 | std::random_device()()) | 1;
  auto existing = im.store->GetExecution(options.execution_arn);
  if (!existing.ok()) return Fail(existing.error());
  if (existing.value() || im.live.count(options.execution_arn) != 0) {
    return Fail("execution '" + options.execution_name + "' of state machine '" +
                request.machine_name + "' already exists (" + options.execution_arn + ")");
  }
  auto added = im.AddHandlers(options.execution_arn, request.handlers);
  if (!added.ok()) return Fail(added.error());

  const std::string hash = DefinitionHash(request.definition_text);
  im.recorder->StageDefinition(request.definition_text);
  if (request.record_state_machine) {
    StateMachineRecord sm;
    sm.arn = options.state_machine_arn;
    sm.name = request.machine_name;
    sm.type = request.express ? StateMachineType::kExpress : StateMachineType::kStandard;
    sm.definition_hash = hash;
    sm.role_arn = options.role_arn;
    sm.created_nanos = sm.updated_nanos = im.clock->Now();
    im.recorder->StageStateMachine(std::move(sm));
  }
  im.recorder->Prepare(options.execution_arn, hash,
                       EncodeServiceOptions(options, request.handlers));
  const std::string arn = options.execution_arn;
  im.live[arn] = &im.runtime->Start(request.machine, std::move(options), *request.input,
                                    im.Tracked(arn, std::move(done)));
  return arn;
}

Result<std::vector<std::string>> Service::Recover(DoneCallback done) {
  auto unfinished = impl_->store->ListUnfinishedExecutions();
  if (!unfinished.ok()) return Fail(unfinished.error());
  std::vector<std::string> arns;
  Impl::MachineCache machines;
  for (const auto& u : unfinished.value()) {
    auto recovered = impl_->RecoverOne(u.execution, done, machines);
    if (!recovered.ok()) return Fail(recovered.error());
    arns.push_back(u.execution.arn);
  }
  return arns;
}

Status<> Service::Run() { return impl_->runtime->Run(); }
Status<> Service::Serve() { return impl_->runtime->Serve(); }
Status<> Service::CommitNow() { return impl_->runtime->CommitNow(); }
void Service::RequestStop() { impl_->runtime->RequestStop(); }
const Executor* Service::Running(const std::string& execution_arn) const {
  auto it = impl_->live.find(execution_arn);
  return it == impl_->live.end() ? nullptr : it->second;
}

Result<std::string> Service::Redrive(const RedriveRequest& request, DoneCallback done) {
  auto& im = *impl_;
  auto record = im.store->ResolveExecution(request.reference);
  if (!record.ok()) return Fail(record.error());
  const std::string arn = record.value().arn;
  auto not_redrivable = [&](const std::string& reason) {
    return Fail("ExecutionNotRedrivable: " + arn + ": " + reason);
  };
  if (auto reason = RedriveStatusReason(record.value()); !reason.empty()) {
    return not_redrivable(reason);
  }
  auto loaded = im.Load(record.value());
  if (!loaded.ok()) return Fail("redrive " + loaded.error());
  std::unique_ptr<Executor> ex = std::move(loaded.value().rebuilt.executor);
  if (auto reason = ex->NotRedrivableReason(); !reason.empty()) return not_redrivable(reason);
  auto handlers = im.RedriveHandlers(record.value(), request);
  if (!handlers.ok()) return Fail("redrive " + handlers.error());
  auto added = im.AddHandlers(arn, handlers.value().first);
  if (!added.ok()) return Fail("redrive " + arn + ": " + added.error());

  JournalEntry redrive;
  redrive.kind = JournalEntry::Kind::kRedrive;
  redrive.time = std::max(im.clock->Now(), ex->history().back().timestamp_nanos);
  redrive.value = std::make_shared<const Json>(Json{{"redriveCount", ex->redrive_count() + 1}});
  im.clock->AdvanceTo(redrive.time);
  im.recorder->Resumed(*ex, loaded.value().journal_length, PendingWork{});
  im.recorder->OnEntry(*ex, redrive);
  const size_t first = ex->history().size();
  Commands commands = Deliver(*ex, redrive);
  im.recorder->Redriven(*ex, std::move(handlers.value().second));
  im.recorder->OnProgress(*ex, first, commands);
  if (ex->done()) im.recorder->OnEnd(*ex);
  auto committed = im.recorder->Commit();
  if (!committed.ok()) return Fail("redrive " + arn + ": " + committed.error());
  if (ex->done()) {  // it ended again within the redrive (e.g. at a Fail state)
    if (done) done(*ex);
    return arn;
  }
  PendingTracker pending;
  pending.Apply(commands);
  Rebuilt rebuilt{std::move(ex), pending.Pending()};
  im.live[arn] = &im.runtime->Adopt(std::move(rebuilt), im.Tracked(arn, std::move(done)));
  return arn;
}

Result<ExecutionRecord> Service::StopRecorded(const std::string& reference,
                                              const std::string& error, const std::string& cause) {
  auto& im = *impl_;
  auto record = im.store->ResolveExecution(reference);
  if (!record.ok()) return Fail(record.error());
  if (record.value().status != ExecutionStatus::kRunning) {
    return Fail("execution " + record.value().arn + " is not running (" +
                ExecutionStatusName(record.value().status) + ")");
  }
  auto loaded = im.Load(record.value());
  if (!loaded.ok()) return Fail("stop " + loaded.error());
  Executor& ex = *loaded.value().rebuilt.executor;
  JournalEntry stop;
  stop.kind = JournalEntry::Kind::kStop;
  stop.time = std::max(im.clock->Now(), ex.history().back().timestamp_nanos);
  stop.value = std::make_shared<const Json>(
      cause.empty() ? Json{{"Error", error}} : Json{{"Error", error}, {"Cause", cause}});
  im.recorder->Resumed(ex, loaded.value().journal_length, loaded.value().rebuilt.pending);
  im.recorder->OnEntry(ex, stop);
  size_t first = ex.history().size();
  Commands commands = Deliver(ex, stop);
  im.recorder->OnProgress(ex, first, commands);
  im.recorder->OnEnd(ex);
  auto committed = im.recorder->Commit();
  if (!committed.ok()) return Fail(committed.error());
  auto updated = im.store->GetExecution(record.value().arn);
  if (!updated.ok()) return Fail(updated.error());
  return *updated.value();
}

}  // namespace sluice::engine
