// Service: the one API the CLI (and later the HTTP server) adapts — durable executions over a
// Store, run on one Runtime.
//
//   Open(db) ──► Start(…)* / Recover() ──► Run() ──► every execution ended
//
// Every execution started here is recorded as it runs (DurableRecorder). Recover() rebuilds
// each execution left RUNNING by a previous process — from its definition, options and journal —
// and hands it to the runtime: Wait states keep their due times, retries their counts and
// back-off, finished Map iterations and Parallel branches are not re-run, and each task that was
// scheduled without a recorded result is dispatched again with the same idempotency key.
//
// Thread rule: one thread (the runtime's loop thread).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "asl/json.h"
#include "asl/result.h"
#include "asl/state_machine.h"
#include "engine/clock.h"
#include "engine/handler_setup.h"
#include "engine/store/store.h"

namespace sluice::engine {

struct ServiceOptions {
  std::string db_path = "sluice.db";  // ":memory:" for no persistence
  Durability durability = Durability::kFull;
  bool virtual_clock = false;
  // Testing hook, null in production: passed to StoreOptions::fail_step (fault injection).
  std::function<bool(std::string_view sql)> fail_step;
};

struct StartRequest {
  std::string definition_text;  // exactly as written (JSON or YAML); stored by content hash
  std::shared_ptr<const asl::StateMachine> machine;  // compiled from definition_text
  std::string machine_name = "StateMachine";
  std::string execution_name;  // empty: a new UUID
  std::shared_ptr<const Json> input;
  HandlerConfig handlers;  // stored with the execution, so recovery can rebuild its handlers
  bool express = false;
  size_t max_payload_bytes = 256 * 1024;
  int64_t max_history_events = 25000;
  uint64_t seed = 0;  // 0: drawn at random
};

class Service {
 public:
  static Result<std::unique_ptr<Service>> Open(const ServiceOptions& options);
  ~Service();

  Store& store();

  using DoneCallback = std::function<void(const Executor&)>;

  // Records a new execution and starts it; it makes progress in Run(). Fails when an execution
  // of that name exists for the machine, or its task handlers cannot be built.
  Result<std::string> Start(const StartRequest& request, DoneCallback done = nullptr);

  // Rebuilds and continues every unfinished execution of the database; returns their ARNs.
  Result<std::vector<std::string>> Recover(DoneCallback done = nullptr);

  // Runs until every started or recovered execution has ended.
  Status<> Run();

  // StopExecution for an execution recorded RUNNING that no live process is running (e.g. one
  // left by a crash): rebuilds it, stops it (ABORTED, its timers and tasks cancelled) and
  // records the result. `reference` is an ARN, a name or a unique prefix.
  Result<ExecutionRecord> StopRecorded(const std::string& reference, const std::string& error,
                                       const std::string& cause);

  struct Impl;

 private:
  explicit Service(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The options blob of an execution started with `request` (EncodeExecutionOptions plus the
// handler configuration), and the handler configuration back from a blob.
std::string EncodeServiceOptions(const ExecutionOptions& options, const HandlerConfig& handlers);
Result<HandlerConfig> DecodeHandlerConfig(const std::string& options_blob);

}  // namespace sluice::engine
