// The `sluice` command line: a thin adapter over the engine.
//
// Exit codes: 0 success; 1 the execution failed, timed out or was aborted; 2 bad usage, an
// invalid definition, or unreadable input (the message on stderr names what and where).
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "asl/loader.h"
#include "asl/timestamp.h"
#include "engine/cli/pipeline_commands.h"
#include "engine/cli/replay_command.h"
#include "engine/cli/serve_command.h"
#include "engine/handler_setup.h"
#include "engine/pipeline_runner.h"
#include "engine/run.h"
#include "engine/service.h"
#include "handlers/config_file.h"
#include "handlers/task_handler.h"

namespace {

using sluice::Json;
namespace engine = sluice::engine;
namespace asl = sluice::asl;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// Thrown inside a command to end with exit code 2 and a message; caught in main().
struct UsageError {
  std::string message;
};

struct RunArgs {
  std::string definition;
  std::string input;
  std::string input_file;
  std::string name;
  std::string machine_name;
  std::string functions;
  std::string mock_config;
  std::string test_case;
  std::string clock = "real";
  std::string type = "STANDARD";
  size_t max_payload_bytes = 256 * 1024;
  int64_t max_history_events = 25000;
  bool json = false;
  bool history = false;
  std::string db = "sluice.db";
  std::string durability = "full";
};

// Options shared by the commands that read the database.
struct DbArgs {
  std::string db = "sluice.db";
  std::string reference;  // an execution: ARN, name or unique prefix
  std::string status;
  std::string error;
  std::string cause;
  bool json = false;
  bool reverse = false;
};

engine::Durability ParseDurability(const std::string& text) {
  if (text == "full") return engine::Durability::kFull;
  if (text == "normal") return engine::Durability::kNormal;
  throw UsageError{"--durability: expected 'full' or 'normal', got '" + text + "'"};
}

std::unique_ptr<engine::Service> OpenService(const std::string& db, engine::Durability durability,
                                             bool virtual_clock) {
  engine::ServiceOptions so;
  so.db_path = db;
  so.durability = durability;
  so.virtual_clock = virtual_clock;
  auto service = engine::Service::Open(so);
  if (!service.ok()) throw UsageError{"--db " + service.error()};
  return std::move(service).value();
}

engine::RunResult ResultOf(const engine::Executor& ex) {
  engine::RunResult r;
  r.status = ex.status();
  r.output = std::make_shared<Json>(ex.output());
  r.error = ex.error();
  r.history = ex.history();
  r.options = ex.options();
  return r;
}

Json ReadJsonOrYamlFile(const std::string& path, const char* what) {
  auto r = std::string_view(what) == "definition" ? asl::LoadDefinitionFile(path)
                                                  : sluice::handlers::ReadJsonOrYamlFile(path);
  if (!r.ok()) throw UsageError{std::string(what) + ": " + r.error()};
  return std::move(r).value();
}

std::shared_ptr<const asl::StateMachine> LoadMachine(const std::string& path) {
  Json def = ReadJsonOrYamlFile(path, "definition");
  auto compiled = asl::Compile(def);
  if (!compiled.ok()) {
    std::ostringstream msg;
    msg << path << ": invalid definition (" << compiled.error().size() << " problem"
        << (compiled.error().size() == 1 ? "" : "s") << ")";
    for (const auto& d : compiled.error()) {
      msg << "\n" << path << ": " << (d.pointer.empty() ? "/" : d.pointer) << ": " << d.message;
    }
    throw UsageError{msg.str()};
  }
  return compiled.value();
}

// The machine's name: --machine-name, else the file name without .asl/.json/.yaml suffixes.
std::string MachineName(const RunArgs& a) {
  if (!a.machine_name.empty()) return a.machine_name;
  std::string stem = std::filesystem::path(a.definition).filename().string();
  for (const char* suffix : {".json", ".yaml", ".yml", ".asl"}) {
    std::string s(suffix);
    if (stem.size() > s.size() && stem.compare(stem.size() - s.size(), s.size(), s) == 0) {
      stem.resize(stem.size() - s.size());
    }
  }
  return stem.empty() ? "StateMachine" : stem;
}

Json ReadInput(const RunArgs& a) {
  std::string text = "{}";
  std::string where = "--input";
  if (!a.input_file.empty()) {
    std::ifstream in(a.input_file, std::ios::binary);
    if (!in) throw UsageError{"--input-file: cannot read '" + a.input_file + "'"};
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    where = a.input_file;
  } else if (!a.input.empty()) {
    text = a.input;
  }
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw UsageError{where + ": input is not valid JSON: " + e.what()};
  }
}

void PrintAccount(const engine::RunResult& r) {
  for (const auto& e : r.history) {
    const std::string& t = e.type;
    if (t.size() > 12 && t.compare(t.size() - 12, 12, "StateEntered") == 0 && !e.details.empty()) {
      std::cout << "  " << asl::FormatTimestamp(e.timestamp_nanos) << "  "
                << engine::DetailsJson(e)["name"].get<std::string>() << " ("
                << t.substr(0, t.size() - 12) << ")\n";
    } else if ((t == "TaskFailed" || t == "LambdaFunctionFailed" || t == "TaskTimedOut" ||
                t == "LambdaFunctionTimedOut") &&
               !e.details.empty()) {
      std::cout << "  " << asl::FormatTimestamp(e.timestamp_nanos) << "    " << t << ": "
                << engine::DetailsJson(e).value("error", "") << "\n";
    }
  }
}

// One line per history event: id, time, type and a short detail.
void PrintHistory(const engine::RunResult& r) {
  std::cout << "History (" << r.history.size() << " events):\n";
  for (const auto& e : r.history) {
    std::string detail;
    if (!e.details.empty()) {
      const Json d = engine::DetailsJson(e);
      if (d.contains("name")) detail = d["name"].get<std::string>();
      if (d.contains("index")) detail += " #" + d["index"].dump();
      if (d.contains("error")) detail += " error=" + d["error"].get<std::string>();
      if (d.contains("output") && e.type.rfind("Execution", 0) == 0) {
        detail += " output=" + d["output"].get<std::string>();
      }
    }
    char id[16];
    std::snprintf(id, sizeof id, "%5lld", static_cast<long long>(e.id));
    std::cout << id << "  " << asl::FormatTimestamp(e.timestamp_nanos) << "  " << e.type
              << (detail.empty() ? "" : "  ") << detail << "\n";
  }
}

// The task handler files of --functions / --mock-config / --test-case (each may be empty).
engine::HandlerConfig HandlerFiles(const std::string& functions, const std::string& mock_config,
                                   const std::string& test_case) {
  if (mock_config.empty() != test_case.empty()) {
    throw UsageError{"--mock-config and --test-case must be given together"};
  }
  engine::HandlerConfig hc;
  if (!functions.empty()) {
    hc.functions = std::make_shared<const Json>(ReadJsonOrYamlFile(functions, "--functions"));
    hc.functions_source = functions;
  }
  if (!mock_config.empty()) {
    hc.mock_config = std::make_shared<const Json>(ReadJsonOrYamlFile(mock_config, "--mock-config"));
    hc.mock_source = mock_config;
    hc.test_case = test_case;
  }
  return hc;
}

int PrintOutcome(const engine::RunResult& r, bool json, bool history);
int RunToEnd(engine::Service& service, const std::optional<engine::RunResult>& result, bool json,
             bool history);

int Run(const RunArgs& a) {
  if (!a.input.empty() && !a.input_file.empty()) {
    throw UsageError{"--input and --input-file are mutually exclusive"};
  }
  if (a.type != "STANDARD" && a.type != "EXPRESS") {
    throw UsageError{"--type: expected 'STANDARD' or 'EXPRESS', got '" + a.type + "'"};
  }
  if (a.clock != "real" && a.clock != "virtual") {
    throw UsageError{"--clock: expected 'real' or 'virtual', got '" + a.clock + "'"};
  }
  auto machine = LoadMachine(a.definition);
  Json input = ReadInput(a);
  std::string definition_text;
  {
    std::ifstream in(a.definition, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    definition_text = ss.str();
  }

  engine::HandlerConfig hc = HandlerFiles(a.functions, a.mock_config, a.test_case);
  hc.machine_name = MachineName(a);
  engine::StartRequest req;
  req.definition_text = std::move(definition_text);
  req.machine = machine;
  req.machine_name = MachineName(a);
  req.execution_name = a.name;
  req.input = std::make_shared<const Json>(std::move(input));
  req.handlers = hc;
  req.express = a.type == "EXPRESS";
  req.max_payload_bytes = a.max_payload_bytes;
  req.max_history_events = a.max_history_events;
  auto service = OpenService(a.db, ParseDurability(a.durability), a.clock == "virtual");
  std::optional<engine::RunResult> result;
  auto started = service->Start(req, [&](const engine::Executor& ex) { result = ResultOf(ex); });
  if (!started.ok()) throw UsageError{started.error()};
  return RunToEnd(*service, result, a.json, a.history);
}

// Runs the service until its one execution has ended (filling `result`), then prints it.
int RunToEnd(engine::Service& service, const std::optional<engine::RunResult>& result, bool json,
             bool history) {
  auto ran = service.Run();
  if (!ran.ok()) {
    std::cerr << "sluice: " << ran.error() << "\n";
    return kExitFailed;
  }
  if (!result) throw UsageError{"the execution did not end"};
  return PrintOutcome(*result, json, history);
}

// How `run` and `redrive` report the end of an execution; the exit code.
int PrintOutcome(const engine::RunResult& r, bool json, bool history) {
  const bool ok = r.status == engine::ExecutionStatus::kSucceeded;
  Json summary = Json::object();
  summary["status"] = engine::ExecutionStatusName(r.status);
  if (ok) {
    summary["output"] = *r.output;
  } else {
    summary["error"] = r.error.error;
    if (r.error.has_cause) summary["cause"] = r.error.cause;
  }
  if (history) PrintHistory(r);
  if (json) {
    std::cout << summary.dump() << std::endl;
  } else {
    std::cout << "Execution " << r.options.execution_arn << "\n";
    PrintAccount(r);
    std::cout << "Status: " << engine::ExecutionStatusName(r.status) << "\n";
    if (ok) {
      std::cout << "Output:\n" << r.output->dump(2) << std::endl;
    } else {
      std::cout << "Error: " << r.error.error << "\n";
      if (r.error.has_cause) std::cout << "Cause: " << r.error.cause << "\n";
      std::cout.flush();
    }
  }
  return ok ? 0 : kExitFailed;
}

// Dates in AWS's JSON protocol shape: seconds since the epoch, with milliseconds.
Json EpochSeconds(int64_t nanos) { return static_cast<double>(nanos / 1'000'000) / 1000.0; }

std::optional<engine::ExecutionStatus> ParseStatusFilter(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto status = engine::ParseExecutionStatus(text);
  if (!status.ok()) {
    throw UsageError{"--status: expected RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED, got '" +
                     text + "'"};
  }
  return status.value();
}

Json ExecutionListItem(const engine::ExecutionRecord& e) {
  Json j{{"executionArn", e.arn},
         {"stateMachineArn", e.state_machine_arn},
         {"name", e.name},
         {"status", engine::ExecutionStatusName(e.status)},
         {"startDate", EpochSeconds(e.start_nanos)}};
  if (e.stop_nanos) j["stopDate"] = EpochSeconds(*e.stop_nanos);
  j["redriveCount"] = e.redrive_count;
  return j;
}

// DescribeExecution's response shape.
Json DescribeJson(const engine::ExecutionRecord& e) {
  Json j = ExecutionListItem(e);
  j["input"] = e.input;
  j["inputDetails"] = Json{{"included", true}};
  if (e.output) {
    j["output"] = *e.output;
    j["outputDetails"] = Json{{"included", true}};
  }
  if (e.error) j["error"] = *e.error;
  if (e.cause) j["cause"] = *e.cause;
  if (e.redrive_nanos) j["redriveDate"] = EpochSeconds(*e.redrive_nanos);
  const std::string reason = engine::RedriveStatusReason(e);
  j["redriveStatus"] = reason.empty() ? "REDRIVABLE" : "NOT_REDRIVABLE";
  if (!reason.empty()) j["redriveStatusReason"] = reason;
  return j;
}

// Opens an existing database for the commands that read one: a missing file is an error (not a
// new, empty database).
std::unique_ptr<engine::Store> OpenStore(const std::string& db) {
  if (db != ":memory:" && !std::filesystem::exists(db)) {
    throw UsageError{"--db " + db + ": no such database (sluice run creates one)"};
  }
  auto store = engine::Store::Open(db);
  if (!store.ok()) throw UsageError{"--db " + db + ": " + store.error()};
  return std::move(store).value();
}

engine::ExecutionRecord Resolve(engine::Store& store, const std::string& reference) {
  auto record = store.ResolveExecution(reference);
  if (!record.ok()) throw UsageError{record.error()};
  return std::move(record).value();
}

int List(const DbArgs& a) {
  auto store = OpenStore(a.db);
  engine::ExecutionFilter filter;
  filter.status = ParseStatusFilter(a.status);
  filter.limit = 1000;
  Json items = Json::array();
  std::vector<engine::ExecutionRecord> all;
  for (;;) {
    auto page = store->ListExecutions(filter);
    if (!page.ok()) throw UsageError{page.error()};
    for (auto& e : page.value().executions) all.push_back(std::move(e));
    if (page.value().next_page_token.empty()) break;
    filter.page_token = page.value().next_page_token;
  }
  if (a.json) {
    for (const auto& e : all) items.push_back(ExecutionListItem(e));
    std::cout << Json{{"executions", items}}.dump(2) << std::endl;
    return 0;
  }
  for (const auto& e : all) {
    std::printf("%-10s  %s  %s\n", engine::ExecutionStatusName(e.status),
                asl::FormatTimestamp(e.start_nanos).c_str(), e.arn.c_str());
  }
  if (all.empty()) std::cout << "no executions in " << a.db << "\n";
  return 0;
}

int Describe(const DbArgs& a) {
  auto store = OpenStore(a.db);
  auto e = Resolve(*store, a.reference);
  if (a.json) {
    std::cout << DescribeJson(e).dump(2) << std::endl;
    return 0;
  }
  std::cout << "Execution:  " << e.arn << "\nMachine:    " << e.state_machine_arn
            << "\nStatus:     " << engine::ExecutionStatusName(e.status)
            << "\nStarted:    " << asl::FormatTimestamp(e.start_nanos) << "\n";
  if (e.stop_nanos) std::cout << "Stopped:    " << asl::FormatTimestamp(*e.stop_nanos) << "\n";
  std::cout << "Redrives:   " << e.redrive_count << "\nInput:      " << e.input << "\n";
  if (e.output) std::cout << "Output:     " << *e.output << "\n";
  if (e.error) std::cout << "Error:      " << *e.error << "\n";
  if (e.cause) std::cout << "Cause:      " << *e.cause << "\n";
  return 0;
}

int History(const DbArgs& a) {
  auto store = OpenStore(a.db);
  auto e = Resolve(*store, a.reference);
  engine::HistoryQuery q;
  q.reverse = a.reverse;
  auto events = store->GetHistory(e.arn, q);
  if (!events.ok()) throw UsageError{events.error()};
  if (a.json) {
    Json out = Json::array();
    for (const auto& ev : events.value()) out.push_back(engine::HistoryEventToJson(ev));
    std::cout << Json{{"events", out}}.dump(2) << std::endl;
    return 0;
  }
  engine::RunResult r;
  r.history = std::move(events).value();
  PrintHistory(r);
  return 0;
}

int Stop(const DbArgs& a) {
  auto service = OpenService(a.db, engine::Durability::kFull, false);
  auto stopped = service->StopRecorded(a.reference, a.error, a.cause);
  if (!stopped.ok()) throw UsageError{stopped.error()};
  std::cout << "Stopped " << stopped.value().arn << " ("
            << engine::ExecutionStatusName(stopped.value().status) << ")\n";
  return 0;
}

struct RedriveArgs {
  std::string db = "sluice.db";
  std::string reference;
  std::string functions;
  std::string mock_config;
  std::string test_case;
  std::string clock = "real";
  std::string durability = "full";
  bool json = false;
  bool history = false;
};

int Redrive(const RedriveArgs& a) {
  if (a.clock != "real" && a.clock != "virtual") {
    throw UsageError{"--clock: expected 'real' or 'virtual', got '" + a.clock + "'"};
  }
  engine::RedriveRequest req;
  req.reference = a.reference;
  if (!a.functions.empty() || !a.mock_config.empty() || !a.test_case.empty()) {
    req.handlers = HandlerFiles(a.functions, a.mock_config, a.test_case);
  }
  if (a.db != ":memory:" && !std::filesystem::exists(a.db)) {
    throw UsageError{"--db " + a.db + ": no such database (sluice run creates one)"};
  }
  auto service = OpenService(a.db, ParseDurability(a.durability), a.clock == "virtual");
  engine::PipelineRunner pipelines(*service);  // for a pipeline lifecycle or SLA alert
  std::optional<engine::RunResult> result;
  auto redriven = service->Redrive(req, [&](const engine::Executor& ex) { result = ResultOf(ex); });
  if (!redriven.ok()) throw UsageError{redriven.error()};
  return RunToEnd(*service, result, a.json, a.history);
}

int Resume(const std::string& db, const std::string& durability, const std::string& clock) {
  if (clock != "real" && clock != "virtual") {
    throw UsageError{"--clock: expected 'real' or 'virtual', got '" + clock + "'"};
  }
  auto service = OpenService(db, ParseDurability(durability), clock == "virtual");
  // Serves the pipeline lifecycles (and their SLA alerts) among the unfinished executions.
  engine::PipelineRunner pipelines(*service);
  int failed = 0;
  auto recovered = service->Recover([&](const engine::Executor& ex) {
    if (ex.status() != engine::ExecutionStatus::kSucceeded) ++failed;
    std::cout << engine::ExecutionStatusName(ex.status()) << "  " << ex.options().execution_arn;
    if (engine::PipelineRunner::IsLifecycle(ex)) {
      auto end = pipelines.Finish(ex);
      if (end.ok()) {
        std::cout << "  pipeline run " << engine::PipelineRunStatusName(end.value().status) << " ("
                  << end.value().outcome << ")";
        if (end.value().status != engine::PipelineRunStatus::kCompleted) ++failed;
      } else {
        std::cout << "  pipeline run: " << end.error();
        ++failed;
      }
    }
    std::cout << "\n";
  });
  if (!recovered.ok()) throw UsageError{recovered.error()};
  std::cout << "Resuming " << recovered.value().size() << " execution"
            << (recovered.value().size() == 1 ? "" : "s") << " from " << db << std::endl;
  auto ran = service->Run();
  if (!ran.ok()) {
    std::cerr << "sluice: " << ran.error() << "\n";
    return kExitFailed;
  }
  return failed == 0 ? 0 : kExitFailed;
}

int Validate(const std::string& path) {
  Json def = ReadJsonOrYamlFile(path, "definition");
  auto compiled = asl::Compile(def);
  if (compiled.ok()) {
    std::cout << path << ": valid\n";
    return 0;
  }
  for (const auto& d : compiled.error()) {
    std::cout << path << ": " << (d.pointer.empty() ? "/" : d.pointer) << ": " << d.message << "\n";
  }
  std::cerr << path << ": " << compiled.error().size() << " problem"
            << (compiled.error().size() == 1 ? "" : "s") << " found\n";
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Sluice: run Amazon States Language state machines locally."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "sluice 0.1.0");

  RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Run a state machine to completion");
  run_cmd->add_option("definition", run.definition, "ASL definition file (JSON or YAML)")
      ->required();
  run_cmd->add_option("--input", run.input, "Execution input as JSON text (default {})");
  run_cmd->add_option("--input-file", run.input_file, "Read the execution input from a file");
  run_cmd->add_option("--name", run.name, "Execution name (default: a new UUID)");
  run_cmd->add_option("--machine-name", run.machine_name,
                      "State machine name (default: the file name without extensions)");
  run_cmd->add_option("--functions", run.functions,
                      "Functions file mapping Lambda names/ARNs to local commands (JSON/YAML)");
  run_cmd->add_option("--mock-config", run.mock_config,
                      "AWS Step Functions Local mock config file");
  run_cmd->add_option("--test-case", run.test_case, "Test case of the mock config to use");
  run_cmd->add_option("--clock", run.clock,
                      "real (default) or virtual: time jumps to the next timer when idle");
  run_cmd->add_option("--type", run.type,
                      "STANDARD (default) or EXPRESS: the workflow type the run behaves as");
  run_cmd->add_option("--max-payload-bytes", run.max_payload_bytes,
                      "Payload size quota per state input/output (default 262144, AWS's 256 KiB)");
  run_cmd->add_flag("--history", run.history, "Print the execution history (one event a line)");
  run_cmd->add_option("--max-history-events", run.max_history_events,
                      "History events quota per execution (default 25000, AWS's; 0: none)");
  run_cmd->add_option("--db", run.db, "SQLite database (default ./sluice.db; :memory: for none)")
      ->envname("SLUICE_DB");
  run_cmd->add_option("--durability", run.durability,
                      "full (default: survives power loss) or normal (survives a crash)");
  run_cmd->add_flag("--json", run.json,
                    "Print one JSON object {status, output | error, cause} as the last line");

  std::string validate_path;
  auto* validate_cmd = app.add_subcommand("validate", "Validate a definition; exit 2 if invalid");
  validate_cmd->add_option("definition", validate_path, "ASL definition file (JSON or YAML)")
      ->required();

  std::string resume_db = "sluice.db", resume_durability = "full", resume_clock = "real";
  auto* resume_cmd =
      app.add_subcommand("resume", "Continue every unfinished execution of the database");
  resume_cmd->add_option("--db", resume_db, "SQLite database (default ./sluice.db)")
      ->envname("SLUICE_DB");
  resume_cmd->add_option("--durability", resume_durability, "full (default) or normal");
  resume_cmd->add_option("--clock", resume_clock, "real (default) or virtual");

  DbArgs list, describe, history, stop;
  auto db_option = [](CLI::App* cmd, DbArgs& args) {
    cmd->add_option("--db", args.db, "SQLite database (default ./sluice.db)")->envname("SLUICE_DB");
  };
  auto* list_cmd = app.add_subcommand("list", "List executions, newest first");
  db_option(list_cmd, list);
  list_cmd->add_option("--status", list.status,
                       "Only RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED executions");
  list_cmd->add_flag("--json", list.json, "Print the ListExecutions response shape");
  auto* describe_cmd = app.add_subcommand("describe", "Describe one execution");
  db_option(describe_cmd, describe);
  describe_cmd->add_option("execution", describe.reference, "ARN, name or unique prefix")
      ->required();
  describe_cmd->add_flag("--json", describe.json, "Print the DescribeExecution response shape");
  auto* history_cmd = app.add_subcommand("history", "Print an execution's history");
  db_option(history_cmd, history);
  history_cmd->add_option("execution", history.reference, "ARN, name or unique prefix")->required();
  history_cmd->add_flag("--json", history.json, "Print the GetExecutionHistory response shape");
  history_cmd->add_flag("--reverse", history.reverse, "Newest event first");
  auto* stop_cmd =
      app.add_subcommand("stop", "Stop an unfinished execution no process is running (ABORTED)");
  db_option(stop_cmd, stop);
  stop_cmd->add_option("execution", stop.reference, "ARN, name or unique prefix")->required();
  stop_cmd->add_option("--error", stop.error, "Error name recorded");
  stop_cmd->add_option("--cause", stop.cause, "Cause recorded");
  RedriveArgs redrive;
  auto* redrive_cmd = app.add_subcommand(
      "redrive", "Continue a FAILED, TIMED_OUT or ABORTED execution from where it did not succeed");
  redrive_cmd->add_option("execution", redrive.reference, "ARN, name or unique prefix")->required();
  redrive_cmd->add_option("--db", redrive.db, "SQLite database (default ./sluice.db)")
      ->envname("SLUICE_DB");
  redrive_cmd->add_option("--functions", redrive.functions,
                          "Functions file replacing the one the execution was started with");
  redrive_cmd->add_option("--mock-config", redrive.mock_config,
                          "Mock config replacing the one the execution was started with");
  redrive_cmd->add_option("--test-case", redrive.test_case, "Test case of the mock config");
  redrive_cmd->add_option("--clock", redrive.clock, "real (default) or virtual");
  redrive_cmd->add_option("--durability", redrive.durability, "full (default) or normal");
  redrive_cmd->add_flag("--history", redrive.history, "Print the whole execution history");
  redrive_cmd->add_flag("--json", redrive.json,
                        "Print one JSON object {status, output | error, cause} as the last line");
  PipelineCommands pipeline_commands(app);

  ReplayArgs replay;
  auto* replay_cmd = AddReplayCommand(app, replay);

  ServeArgs serve;
  auto* serve_cmd = app.add_subcommand(
      "serve", "Serve the AWS Step Functions API over HTTP and run executions (docs/server.md)");
  serve_cmd->add_option("--db", serve.db, "SQLite database (default ./sluice.db)")
      ->envname("SLUICE_DB");
  serve_cmd->add_option("--listen", serve.listen,
                        "HOST:PORT to listen on (default 127.0.0.1:8083)");
  serve_cmd->add_option("--token-file", serve.token_file,
                        "File holding the bearer token clients must send");
  serve_cmd->add_flag("--insecure", serve.insecure,
                      "Allow a non-loopback --listen without --token-file");
  serve_cmd->add_option("--clock", serve.clock, "real (default) or virtual");
  serve_cmd->add_option("--durability", serve.durability, "full (default) or normal");
  serve_cmd->add_option("--max-body-bytes", serve.max_body_bytes,
                        "Largest request body accepted (default 1114112)");
  serve_cmd->add_option("--ready-file", serve.ready_file,
                        "Write the bound HOST:PORT here once listening");
  serve_cmd->add_option("--pipelines", serve.pipelines,
                        "Apply the pipeline configs of this directory at start and on SIGHUP");
  serve_cmd->add_option("--alerts", serve.alerts,
                        "Alert sinks (Slack, webhooks) for pipeline events (docs/alerts.md)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  try {
    if (*run_cmd) return Run(run);
    if (*validate_cmd) return Validate(validate_path);
    if (*resume_cmd) return Resume(resume_db, resume_durability, resume_clock);
    if (*list_cmd) return List(list);
    if (*describe_cmd) return Describe(describe);
    if (*history_cmd) return History(history);
    if (*stop_cmd) return Stop(stop);
    if (*redrive_cmd) return Redrive(redrive);
    if (*replay_cmd) return RunReplay(replay);
    if (*serve_cmd) return Serve(serve);
    if (auto code = pipeline_commands.Run()) return *code;
  } catch (const UsageError& e) {
    std::cerr << "sluice: " << e.message << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "sluice: internal error: " << e.what() << "\n";
    return kExitUsage;
  }
  return kExitUsage;
}
