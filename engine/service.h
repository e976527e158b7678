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
// Redrive() continues a FAILED, TIMED_OUT or ABORTED execution the same way, after recording its
// ExecutionRedriven event (AWS RedriveExecution; see Executor::Redrive).
//
// Thread rule: one thread (the runtime's loop thread).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asl/json.h"
#include "asl/result.h"
#include "asl/state_machine.h"
#include "engine/clock.h"
#include "engine/handler_setup.h"
#include "engine/store/store.h"

namespace sluice::handlers {
class TaskHandler;
}

namespace sluice::engine {

class Runtime;

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
  // Records (creates or replaces) the state machine `machine_name` with this definition, as
  // `sluice run` does. False when the machine is already recorded with it (the API's
  // StartExecution of a machine made by CreateStateMachine): its record is left as it is.
  bool record_state_machine = true;
};

struct RedriveRequest {
  std::string reference;  // the execution: ARN, name or unique prefix
  // When set, replaces the task handlers the execution was started with (e.g. a fixed functions
  // file), from the redrive on and for any later recovery; an empty machine_name keeps the
  // stored one, and so does builtins when false.
  std::optional<HandlerConfig> handlers;
};

class Service {
 public:
  static Result<std::unique_ptr<Service>> Open(const ServiceOptions& options);
  ~Service();

  Store& store();
  // The runtime every execution of this service runs on (its loop and clock).
  Runtime& runtime();

  // Serves the Task states of executions started or recovered with HandlerConfig::builtins
  // (not owned; must outlive the service). Set it before Start() / Recover().
  void set_builtin_handler(handlers::TaskHandler* handler);
  // The handler set above (null when none): what TestState runs a Task state's resource with.
  handlers::TaskHandler* builtin_handler() const;

  using DoneCallback = std::function<void(const Executor&)>;

  // Records a new execution and starts it; it makes progress in Run(). Fails when an execution
  // of that name exists for the machine, or its task handlers cannot be built.
  Result<std::string> Start(const StartRequest& request, DoneCallback done = nullptr);

  // Rebuilds and continues every unfinished execution of the database; returns their ARNs.
  Result<std::vector<std::string>> Recover(DoneCallback done = nullptr);

  // Runs until every started or recovered execution has ended.
  Status<> Run();
  // Runs as a server (Runtime::Serve): executions may be started at any time from loop
  // callbacks; returns after RequestStop() with everything reported committed. Executions
  // still running stay RUNNING in the database and Recover() continues them next time.
  Status<> Serve();
  void RequestStop();
  // Runtime::CommitNow: what was started, stopped or redriven so far is durable on return.
  Status<> CommitNow();
  // The execution `execution_arn` if it is running in this process (started, recovered or
  // redriven here and not ended), else null.
  const Executor* Running(const std::string& execution_arn) const;

  // StopExecution for an execution recorded RUNNING that no live process is running (e.g. one
  // left by a crash): rebuilds it, stops it (ABORTED, its timers and tasks cancelled) and
  // records the result. `reference` is an ARN, a name or a unique prefix.
  // StopExecution for an execution this service is running (started, recovered or redriven
  // here and not ended): it ends ABORTED at once, recorded like any other end. An execution
  // that has already ended is left alone; one this service is not running is an error.
  Status<> StopRunning(const std::string& execution_arn, const std::string& error,
                       const std::string& cause);

  Result<ExecutionRecord> StopRecorded(const std::string& reference, const std::string& error,
                                       const std::string& cause);

  // RedriveExecution for a recorded FAILED, TIMED_OUT or ABORTED execution that no live process
  // is running: rebuilds it, redrives it, records ExecutionRedriven with everything it caused,
  // and hands it to the runtime; it makes progress in Run() (`done` is called when it ends, at
  // once when it ended again within the redrive). Returns its ARN. An execution that cannot be
  // redriven fails with "ExecutionNotRedrivable: ARN: REASON".
  Result<std::string> Redrive(const RedriveRequest& request, DoneCallback done = nullptr);

  struct Impl;

 private:
  explicit Service(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The options blob of an execution started with `request` (EncodeExecutionOptions plus the
// handler configuration), and the handler configuration back from a blob.
std::string EncodeServiceOptions(const ExecutionOptions& options, const HandlerConfig& handlers);
Result<HandlerConfig> DecodeHandlerConfig(const std::string& options_blob);

// DescribeExecution's redriveStatusReason for a stored execution, judged from its status and
// type (e.g. "Execution is SUCCEEDED and cannot be redriven."); empty when it is REDRIVABLE.
std::string RedriveStatusReason(const ExecutionRecord& record);

}  // namespace sluice::engine
