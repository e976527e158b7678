// The `sluice` command line: a thin adapter over the engine.
//
// Exit codes: 0 success; 1 the execution failed, timed out or was aborted; 2 bad usage, an
// invalid definition, or unreadable input (the message on stderr names what and where).
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "asl/loader.h"
#include "asl/timestamp.h"
#include "engine/handler_setup.h"
#include "engine/run.h"
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
  bool json = false;
  bool history = false;
};

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
    if (t.size() > 12 && t.compare(t.size() - 12, 12, "StateEntered") == 0 && e.details) {
      std::cout << "  " << asl::FormatTimestamp(e.timestamp_nanos) << "  "
                << (*e.details)["name"].get<std::string>() << " (" << t.substr(0, t.size() - 12)
                << ")\n";
    } else if ((t == "TaskFailed" || t == "LambdaFunctionFailed" || t == "TaskTimedOut" ||
                t == "LambdaFunctionTimedOut") &&
               e.details) {
      std::cout << "  " << asl::FormatTimestamp(e.timestamp_nanos) << "    " << t << ": "
                << e.details->value("error", "") << "\n";
    }
  }
}

// One line per history event: id, time, type and a short detail.
void PrintHistory(const engine::RunResult& r) {
  std::cout << "History (" << r.history.size() << " events):\n";
  for (const auto& e : r.history) {
    std::string detail;
    if (e.details) {
      const Json& d = *e.details;
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

int Run(const RunArgs& a) {
  if (!a.input.empty() && !a.input_file.empty()) {
    throw UsageError{"--input and --input-file are mutually exclusive"};
  }
  if (a.mock_config.empty() != a.test_case.empty()) {
    throw UsageError{"--mock-config and --test-case must be given together"};
  }
  if (a.type != "STANDARD" && a.type != "EXPRESS") {
    throw UsageError{"--type: expected 'STANDARD' or 'EXPRESS', got '" + a.type + "'"};
  }
  if (a.clock != "real" && a.clock != "virtual") {
    throw UsageError{"--clock: expected 'real' or 'virtual', got '" + a.clock + "'"};
  }
  auto machine = LoadMachine(a.definition);
  Json input = ReadInput(a);

  engine::HandlerConfig hc;
  if (!a.functions.empty()) {
    hc.functions = std::make_shared<const Json>(ReadJsonOrYamlFile(a.functions, "--functions"));
    hc.functions_source = a.functions;
  }
  if (!a.mock_config.empty()) {
    hc.mock_config =
        std::make_shared<const Json>(ReadJsonOrYamlFile(a.mock_config, "--mock-config"));
    hc.mock_source = a.mock_config;
    hc.test_case = a.test_case;
  }
  hc.machine_name = MachineName(a);
  engine::RunRequest req;
  req.machine = machine;
  req.machine_name = MachineName(a);
  req.execution_name = a.name;
  req.input = std::make_shared<const Json>(std::move(input));
  req.virtual_clock = a.clock == "virtual";
  req.express = a.type == "EXPRESS";
  req.max_payload_bytes = a.max_payload_bytes;
  auto run = engine::RunToCompletion(
      req, [&](uv_loop_t* loop) { return engine::BuildHandlers(loop, hc); });
  if (!run.ok()) throw UsageError{run.error()};
  const auto& r = run.value();
  const bool ok = r.status == engine::ExecutionStatus::kSucceeded;
  Json summary = Json::object();
  summary["status"] = engine::ExecutionStatusName(r.status);
  if (ok) {
    summary["output"] = *r.output;
  } else {
    summary["error"] = r.error.error;
    if (r.error.has_cause) summary["cause"] = r.error.cause;
  }
  if (a.history) PrintHistory(r);
  if (a.json) {
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
  run_cmd->add_flag("--json", run.json,
                    "Print one JSON object {status, output | error, cause} as the last line");

  std::string validate_path;
  auto* validate_cmd = app.add_subcommand("validate", "Validate a definition; exit 2 if invalid");
  validate_cmd->add_option("definition", validate_path, "ASL definition file (JSON or YAML)")
      ->required();

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
  } catch (const UsageError& e) {
    std::cerr << "sluice: " << e.message << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "sluice: internal error: " << e.what() << "\n";
    return kExitUsage;
  }
  return kExitUsage;
}
