// `sluice pipeline run`: see pipeline_run_command.h.
#include "engine/cli/pipeline_run_command.h"

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <vector>

#include "asl/timestamp.h"
#include "engine/executor.h"
#include "engine/pipeline_runner.h"
#include "engine/pipeline_triggers.h"
#include "engine/service.h"

namespace {

namespace engine = sluice::engine;
using sluice::Json;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

int Usage(const std::string& message) {
  std::cerr << "sluice: " << message << "\n";
  return kExitUsage;
}

std::optional<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string EventLine(const sluice::pipeline::PipelineEvent& e, int64_t time_nanos) {
  std::string line = "  " + sluice::asl::FormatTimestamp(time_nanos) + "  " + e.type;
  if (!e.message.empty()) line += "  " + e.message;
  return line;
}

}  // namespace

int RunPipeline(const PipelineRunArgs& a) {
  if (a.clock != "real" && a.clock != "virtual") {
    return Usage("--clock: expected 'real' or 'virtual', got '" + a.clock + "'");
  }
  if (a.durability != "full" && a.durability != "normal") {
    return Usage("--durability: expected 'full' or 'normal', got '" + a.durability + "'");
  }
  engine::PipelineRunRequest request;
  request.pipeline = a.pipeline;
  request.date = a.date;
  request.force = a.force;
  if (!a.definition.empty()) {
    auto text = ReadText(a.definition);
    if (!text) return Usage("--definition: cannot read '" + a.definition + "'");
    request.definition_text = std::move(*text);
    request.definition_source = a.definition;
  }
  engine::ServiceOptions options;
  options.db_path = a.db;
  options.virtual_clock = a.clock == "virtual";
  options.durability =
      a.durability == "full" ? engine::Durability::kFull : engine::Durability::kNormal;
  auto service = engine::Service::Open(options);
  if (!service.ok()) return Usage("--db " + service.error());
  engine::PipelineRunner runner(**service);

  std::optional<engine::StartedRun> run;
  std::vector<std::string> events;
  runner.set_event_observer([&](const sluice::pipeline::PipelineEvent& e, int64_t time_nanos) {
    if (!run || e.pipeline != run->pipeline || e.schedule != run->schedule || e.date != run->date) {
      return;
    }
    events.push_back(e.type);
    std::cout << EventLine(e, time_nanos) << std::endl;
  });
  std::optional<sluice::Result<engine::RunEnd>> end;
  auto finish = [&](const engine::Executor& ex) { end = runner.Finish(ex); };
  engine::PipelineTriggers triggers(**service, runner);
  auto started = a.rerun_reason.empty() ? runner.StartRun(request, finish)
                                        : triggers.RequestRerun(request, a.rerun_reason, finish);
  if (!started.ok()) return Usage(started.error());
  run = *started;
  std::cout << "Pipeline run " << run->pipeline << "/" << run->schedule << "/" << run->date
            << "\nExecution " << run->execution_arn << std::endl;
  auto ran = (*service)->Run();
  if (!ran.ok()) {
    std::cerr << "sluice: " << ran.error() << "\n";
    return kExitFailed;
  }
  if (!end) {
    std::cerr << "sluice: the lifecycle execution did not end\n";
    return kExitFailed;
  }
  if (!end->ok()) {
    std::cerr << "sluice: recording the run's end: " << end->error() << "\n";
    return kExitFailed;
  }
  const engine::RunEnd& result = end->value();
  const char* status = engine::PipelineRunStatusName(result.status);
  std::cout << "Status: " << status << " (" << result.outcome << ")" << std::endl;
  if (a.json) {
    std::cout << Json{{"status", status},
                      {"outcome", result.outcome},
                      {"executionArn", run->execution_arn},
                      {"events", events}}
                     .dump()
              << std::endl;
  }
  return result.status == engine::PipelineRunStatus::kCompleted ? 0 : kExitFailed;
}
