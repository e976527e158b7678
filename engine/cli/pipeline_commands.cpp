// `sluice pipeline|sensor|events`: see pipeline_commands.h.
#include "engine/cli/pipeline_commands.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "asl/timestamp.h"
#include "engine/cli/pipeline_run_command.h"
#include "engine/clock.h"
#include "engine/pipelines.h"
#include "engine/store/store.h"
#include "handlers/pipeline/event_types.h"

namespace {

namespace engine = sluice::engine;
namespace pipeline = sluice::pipeline;
using sluice::Json;
using sluice::Result;

constexpr int kExitUsage = 2;

// Thrown inside a command to end with exit code 2 and a message; caught in Run().
struct CommandError {
  std::string message;
};

template <typename T, typename E>
T OrThrow(Result<T, E> result) {
  if (!result.ok()) throw CommandError{std::move(result).error()};
  return std::move(result).value();
}

// Every command's options (each command uses some of them).
struct Args {
  std::string db = "sluice.db";
  bool json = false;
  std::vector<std::string> paths;  // validate, apply
  std::string pipeline;            // show (the id), sensor, events --pipeline
  std::string key;                 // sensor put / get
  std::string data;                // sensor put
  int64_t version = 0;             // show
  std::string type;                // events
  std::string since;               // events
  int64_t limit = 0;               // events
};

// An open database and the service over it, for one command.
class Session {
 public:
  explicit Session(const std::string& db) : store_(OpenStore(db)), pipelines_(*store_, clock_) {}
  engine::Pipelines& pipelines() { return pipelines_; }
  const engine::Clock& clock() const { return clock_; }

 private:
  static std::unique_ptr<engine::Store> OpenStore(const std::string& db) {
    auto store = engine::Store::Open(db);
    if (!store.ok()) throw CommandError{"--db " + db + ": " + store.error()};
    return std::move(store).value();
  }

  engine::RealClock clock_;
  std::unique_ptr<engine::Store> store_;
  engine::Pipelines pipelines_;
};

void PrintJson(const Json& value) { std::cout << value.dump(2) << std::endl; }

std::string Plural(size_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

Json ProblemsJson(const engine::PipelineFileErrors& errors) {
  Json problems = Json::array();
  for (const auto& file : errors) {
    for (const auto& d : file.diagnostics) {
      problems.push_back(Json{{"path", file.path},
                              {"line", d.line},
                              {"column", d.column},
                              {"pointer", d.pointer},
                              {"message", d.message}});
    }
  }
  return problems;
}

size_t ProblemCount(const engine::PipelineFileErrors& errors) {
  size_t count = 0;
  for (const auto& file : errors) count += file.diagnostics.size();
  return count;
}

// Prints every problem (the command's output) and a count on stderr; returns 2.
int ReportInvalid(const engine::PipelineFileErrors& errors, bool json, std::ostream& lines) {
  if (json) {
    PrintJson(Json{{"valid", false}, {"problems", ProblemsJson(errors)}});
  } else {
    lines << engine::FormatPipelineFileErrors(errors);
  }
  std::cerr << "sluice: " << Plural(ProblemCount(errors), "problem") << " in "
            << Plural(errors.size(), "file") << "\n";
  return kExitUsage;
}

int Validate(const Args& a) {
  auto files = engine::LoadPipelineFiles(a.paths);
  if (!files.ok()) return ReportInvalid(files.error(), a.json, std::cout);
  Json valid = Json::array();
  for (const auto& f : *files) {
    valid.push_back(Json{{"path", f.path}, {"pipeline", f.config.pipeline.id}});
    if (!a.json) std::cout << f.path << ": valid (pipeline " << f.config.pipeline.id << ")\n";
  }
  if (a.json) PrintJson(Json{{"valid", true}, {"files", valid}});
  return 0;
}

int Apply(const Args& a) {
  auto files = engine::LoadPipelineFiles(a.paths);
  if (!files.ok()) {
    ReportInvalid(files.error(), a.json, std::cerr);
    std::cerr << "sluice: nothing applied\n";
    return kExitUsage;
  }
  Session session(a.db);
  auto applied = OrThrow(session.pipelines().Apply(*files));
  Json out = Json::array();
  for (const auto& p : applied) {
    out.push_back(Json{{"id", p.latest.id},
                       {"version", p.latest.version},
                       {"changed", p.changed},
                       {"source", p.path}});
    if (a.json) continue;
    std::cout << p.latest.id << ": "
              << (p.changed
                      ? "version " + std::to_string(p.latest.version) + " applied from " + p.path
                      : "unchanged (version " + std::to_string(p.latest.version) + ")")
              << "\n";
  }
  if (a.json) PrintJson(Json{{"pipelines", out}});
  return 0;
}

int List(const Args& a) {
  Session session(a.db);
  auto versions = OrThrow(session.pipelines().List());
  if (a.json) {
    Json out = Json::array();
    for (const auto& v : versions) {
      out.push_back(Json{{"id", v.id},
                         {"version", v.version},
                         {"created", sluice::asl::FormatTimestamp(v.created_nanos)},
                         {"source", v.source}});
    }
    PrintJson(Json{{"pipelines", out}});
    return 0;
  }
  if (versions.empty()) std::cout << "no pipelines in " << a.db << "\n";
  for (const auto& v : versions) {
    std::printf("%-24s  v%-4lld  %s  %s\n", v.id.c_str(), static_cast<long long>(v.version),
                sluice::asl::FormatTimestamp(v.created_nanos).c_str(), v.source.c_str());
  }
  return 0;
}

int Show(const Args& a) {
  if (a.version < 0) throw CommandError{"--version: expected a version number ≥ 1"};
  Session session(a.db);
  auto v = OrThrow(session.pipelines().Show(a.pipeline, a.version));
  if (a.json) {
    PrintJson(OrThrow(engine::PipelineVersionToJson(v)));
    return 0;
  }
  std::cout << "Pipeline: " << v.id << "\nVersion:  " << v.version
            << "\nApplied:  " << sluice::asl::FormatTimestamp(v.created_nanos)
            << "\nSource:   " << v.source << "\n\n"
            << v.text;
  if (!v.text.empty() && v.text.back() != '\n') std::cout << "\n";
  return 0;
}

// `JSON` of `sensor put`, or standard input for "-".
std::string SensorText(const std::string& arg) {
  if (arg != "-") return arg;
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

std::string SensorLine(const engine::SensorRecord& s) {
  return s.pipeline + "  " + s.key + "  " + sluice::asl::FormatTimestamp(s.written_nanos) + "  " +
         s.data;
}

int SensorPut(const Args& a) {
  Session session(a.db);
  auto sensor = OrThrow(session.pipelines().PutSensor(a.pipeline, a.key, SensorText(a.data)));
  if (a.json) {
    PrintJson(OrThrow(engine::SensorToJson(sensor)));
  } else {
    std::cout << "sensor " << sensor.key << " of pipeline " << sensor.pipeline << " written at "
              << sluice::asl::FormatTimestamp(sensor.written_nanos) << "\n";
  }
  return 0;
}

int SensorGet(const Args& a) {
  Session session(a.db);
  Json sensor =
      OrThrow(engine::SensorToJson(OrThrow(session.pipelines().GetSensor(a.pipeline, a.key))));
  if (a.json) {
    PrintJson(sensor);
  } else {
    std::cout << "Written: " << sensor["writtenAt"].get<std::string>() << "\n"
              << sensor["data"].dump(2) << "\n";
  }
  return 0;
}

int SensorList(const Args& a) {
  Session session(a.db);
  auto sensors = OrThrow(session.pipelines().ListSensors(a.pipeline));
  if (a.json) {
    Json out = Json::array();
    for (const auto& s : sensors) out.push_back(OrThrow(engine::SensorToJson(s)));
    PrintJson(Json{{"sensors", out}});
    return 0;
  }
  if (sensors.empty()) {
    std::cout << "no sensors" << (a.pipeline.empty() ? "" : " for pipeline " + a.pipeline) << " in "
              << a.db << "\n";
  }
  for (const auto& s : sensors) std::cout << SensorLine(s) << "\n";
  return 0;
}

std::string EventLine(const engine::PipelineEventRecord& e) {
  std::string line = sluice::asl::FormatTimestamp(e.time_nanos) + "  " + e.type + "  " +
                     (e.pipeline.empty() ? "-" : e.pipeline);
  if (!e.schedule.empty() || !e.date.empty()) line += "  " + e.schedule + " " + e.date;
  if (!e.message.empty()) line += "  " + e.message;
  if (e.detail != "{}") line += "  " + e.detail;
  return line;
}

int Events(const Args& a) {
  if (a.limit < 0) throw CommandError{"--limit: expected a number ≥ 0 (0: no limit)"};
  if (!a.type.empty() && !pipeline::IsEventType(a.type)) {
    throw CommandError{"--type: unknown event type '" + a.type +
                       "' (expected one of: " + pipeline::JoinedEventTypes() + ")"};
  }
  Session session(a.db);
  engine::PipelineEventFilter filter;
  filter.pipeline = a.pipeline;
  filter.type = a.type;
  filter.limit = a.limit;
  if (!a.since.empty()) {
    auto since = engine::ParseSince(a.since, session.clock().Now());
    if (!since.ok()) throw CommandError{"--since: " + since.error()};
    filter.since_nanos = *since;
  }
  auto events = OrThrow(session.pipelines().Events(filter));
  if (a.json) {
    Json out = Json::array();
    for (const auto& e : events) out.push_back(OrThrow(engine::PipelineEventToJson(e)));
    PrintJson(Json{{"events", out}});
    return 0;
  }
  if (events.empty()) std::cout << "no events\n";
  for (const auto& e : events) std::cout << EventLine(e) << "\n";
  return 0;
}

}  // namespace

struct PipelineCommands::Commands {
  struct Command {
    CLI::App* app = nullptr;
    Args args;
    std::function<int(const Args&)> run;
  };
  // Owned through pointers: CLI11 options hold references into each command's Args.
  std::vector<std::unique_ptr<Command>> all;
  CLI::App* run_app = nullptr;  // `pipeline run`
  PipelineRunArgs run_args;
  CLI::App* rerun_app = nullptr;  // `pipeline rerun`
  PipelineRunArgs rerun_args;

  // Adds subcommand `name` of `parent`, with --db and --json; returns its Args.
  Args& Add(CLI::App* parent, const char* name, const char* description,
            std::function<int(const Args&)> run) {
    auto command = std::make_unique<Command>();
    command->app = parent->add_subcommand(name, description);
    command->run = std::move(run);
    Args& args = command->args;
    command->app->add_option("--db", args.db, "SQLite database (default ./sluice.db)")
        ->envname("SLUICE_DB");
    command->app->add_flag("--json", args.json, "Print JSON");
    all.push_back(std::move(command));
    return args;
  }
  CLI::App* last() const { return all.back()->app; }
};

namespace {

void AddRun(PipelineCommands::Commands& c, CLI::App* pipeline) {
  PipelineRunArgs& a = c.run_args;
  c.run_app = pipeline->add_subcommand(
      "run", "Run a pipeline's lifecycle for one date and wait for it (exit 0: COMPLETED)");
  CLI::App* run = c.run_app;
  run->add_option("pipeline", a.pipeline, "Pipeline id (its applied config)")->required();
  run->add_option("--date", a.date,
                  "Execution date YYYY-MM-DD or hourly YYYY-MM-DDTHH (default: today in the "
                  "schedule's time zone)");
  run->add_option("--clock", a.clock,
                  "real (default) or virtual: time jumps to the next timer when idle");
  run->add_flag("--force", a.force, "Run again a run that has already ended");
  run->add_option("--definition", a.definition,
                  "Lifecycle definition file replacing the shipped pipeline-lifecycle");
  run->add_option("--durability", a.durability, "full (default) or normal");
  run->add_option("--db", a.db, "SQLite database (default ./sluice.db)")->envname("SLUICE_DB");
  run->add_flag("--json", a.json, "Print {status, outcome, executionArn, events} as the last line");
}

// `pipeline rerun`: the same command with a reason and a budget (PipelineRunArgs::rerun_reason).
void AddRerun(PipelineCommands::Commands& c, CLI::App* pipeline) {
  PipelineRunArgs& a = c.rerun_args;
  a.rerun_reason = "manual";
  c.rerun_app = pipeline->add_subcommand(
      "rerun", "Run an ended pipeline run again within its rerun budget and wait for it");
  CLI::App* rerun = c.rerun_app;
  rerun->add_option("pipeline", a.pipeline, "Pipeline id (its applied config)")->required();
  rerun->add_option("--date", a.date, "Execution date YYYY-MM-DD or YYYY-MM-DDTHH")->required();
  rerun->add_option("--reason", a.rerun_reason,
                    "Why (default manual; late-data and data-drift share maxDriftReruns, any "
                    "other reason has maxManualReruns of its own)");
  rerun->add_option("--clock", a.clock, "real (default) or virtual");
  rerun->add_option("--durability", a.durability, "full (default) or normal");
  rerun->add_option("--db", a.db, "SQLite database (default ./sluice.db)")->envname("SLUICE_DB");
  rerun->add_flag("--json", a.json,
                  "Print {status, outcome, executionArn, events} as the last line");
}

}  // namespace

PipelineCommands::PipelineCommands(CLI::App& app) : commands_(std::make_unique<Commands>()) {
  Commands& c = *commands_;
  auto* pipeline = app.add_subcommand("pipeline", "Validate, apply and read pipeline configs");
  pipeline->require_subcommand(1);
  Args& validate = c.Add(pipeline, "validate",
                         "Validate pipeline configs; exit 2 listing every problem", Validate);
  c.last()
      ->add_option("path", validate.paths, "Config files or directories of *.yaml/*.yml")
      ->required();
  Args& apply = c.Add(pipeline, "apply",
                      "Store configs as new versions (only those whose text changed)", Apply);
  c.last()
      ->add_option("path", apply.paths, "Config files or directories of *.yaml/*.yml")
      ->required();
  c.Add(pipeline, "list", "List pipelines with their latest version", List);
  Args& show = c.Add(pipeline, "show", "Print a stored config", Show);
  c.last()->add_option("pipeline", show.pipeline, "Pipeline id")->required();
  c.last()->add_option("--version", show.version, "Version to show (default: the latest)");
  AddRun(c, pipeline);
  AddRerun(c, pipeline);

  auto* sensor = app.add_subcommand("sensor", "Write and read sensors");
  sensor->require_subcommand(1);
  Args& put = c.Add(sensor, "put", "Write a sensor: a JSON object per (pipeline, key)", SensorPut);
  c.last()->add_option("pipeline", put.pipeline, "Pipeline id")->required();
  c.last()->add_option("key", put.key, "Sensor key")->required();
  c.last()
      ->add_option("data", put.data, "The sensor's data, a JSON object; - reads stdin")
      ->required();
  Args& get = c.Add(sensor, "get", "Print a sensor", SensorGet);
  c.last()->add_option("pipeline", get.pipeline, "Pipeline id")->required();
  c.last()->add_option("key", get.key, "Sensor key")->required();
  Args& list = c.Add(sensor, "list", "List sensors", SensorList);
  c.last()->add_option("pipeline", list.pipeline, "Pipeline id (default: every pipeline)");

  Args& events = c.Add(&app, "events", "List pipeline events, oldest first", Events);
  c.last()->add_option("--pipeline", events.pipeline, "Only this pipeline's events");
  c.last()->add_option("--type", events.type, "Only events of this type, e.g. JOB_TRIGGERED");
  c.last()->add_option("--since", events.since,
                       "Only events at or after an RFC 3339 time, a date, or a duration ago "
                       "(2026-03-01T12:00:00Z, 2026-03-01, 90m)");
  c.last()->add_option("--limit", events.limit, "Only the newest N events (default: all)");
}

PipelineCommands::~PipelineCommands() = default;

std::optional<int> PipelineCommands::Run() const {
  if (commands_->rerun_app != nullptr && *commands_->rerun_app) {
    return RunPipeline(commands_->rerun_args);
  }
  if (commands_->run_app != nullptr && *commands_->run_app) {
    return RunPipeline(commands_->run_args);
  }
  for (const auto& command : commands_->all) {
    if (!*command->app) continue;
    try {
      return command->run(command->args);
    } catch (const CommandError& e) {
      std::cerr << "sluice: " << e.message << "\n";
      return kExitUsage;
    }
  }
  return std::nullopt;
}
