// `sluice pipeline run PIPELINE`: runs the pipeline's lifecycle for one execution date and waits
// for it (engine/pipeline_runner.h; docs/pipelines.md, "Running a pipeline").
//
// Prints each pipeline event as it is recorded, the execution ARN and the run's final status;
// with --json the last line is {"status", "outcome", "executionArn", "events": [types]}.
// Exit codes: 0 the run COMPLETED; 1 it ended FAILED_FINAL (or the engine failed while
// running); 2 bad usage, an unknown pipeline, or a run already RUNNING or (without --force)
// already ended.
#pragma once

#include <string>

struct PipelineRunArgs {
  std::string db = "sluice.db";
  std::string pipeline;
  std::string date;  // "" = today in the schedule's time zone
  std::string clock = "real";
  std::string definition;  // a lifecycle definition file replacing the shipped one
  std::string durability = "full";
  bool force = false;
  bool json = false;
  // `sluice pipeline rerun`: the rerun's reason (non-empty: a rerun within its budget, --date
  // required; see PipelineTriggers::RequestRerun).
  std::string rerun_reason;
};

// Runs the command; throws nothing (messages for exit 2 go to stderr).
int RunPipeline(const PipelineRunArgs& args);
