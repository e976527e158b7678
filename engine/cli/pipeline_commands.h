// The pipeline safety controller's commands, thin adapters over engine::Pipelines
// (engine/pipelines.h; docs/pipelines.md, "Command line"):
//
//   sluice pipeline validate PATH...            every problem of every config, located
//   sluice pipeline apply PATH...               store changed configs as new versions
//   sluice pipeline list                        the latest version of each pipeline
//   sluice pipeline show ID [--version N]       one version's text (default: the latest)
//   sluice pipeline run ID [--date D] [--clock real|virtual] [--force] [--definition FILE]
//                                               run its lifecycle (pipeline_run_command.h)
//   sluice sensor put PIPELINE KEY JSON|-       write a sensor (a JSON object; - reads stdin)
//   sluice sensor get PIPELINE KEY
//   sluice sensor list [PIPELINE]
//   sluice events [--pipeline P] [--type T] [--since TIME] [--limit N]
//
// A PATH is a config file or a directory of *.yaml / *.yml files. Every command takes --db
// (env SLUICE_DB, default ./sluice.db) and --json.
//
// Exit codes: 0 success; 2 an invalid config (each problem on its own line, naming the file,
// line, column and field), bad usage, bad input (sensor JSON that is not an object, an unknown
// pipeline, sensor or version), or a database that cannot be opened or written.
#pragma once

#include <memory>
#include <optional>

namespace CLI {
class App;
}

class PipelineCommands {
 public:
  // Adds `pipeline`, `sensor` and `events` to `app`; their options are stored in this object,
  // which must outlive app.parse() and Run().
  explicit PipelineCommands(CLI::App& app);
  ~PipelineCommands();
  PipelineCommands(const PipelineCommands&) = delete;
  PipelineCommands& operator=(const PipelineCommands&) = delete;

  // After app.parse(): runs the command the arguments chose and returns its exit code, or
  // nullopt when they chose none of these. Messages for code 2 go to stderr.
  std::optional<int> Run() const;

  struct Commands;  // defined in pipeline_commands.cpp

 private:
  std::unique_ptr<Commands> commands_;
};
