// Jobs: how a pipeline's job (`job` in its config) is started and polled, one JobType per
// `job.type`, all asynchronous on the loop.
//
//   Start(config, done)  starts the job described by `job.config` (an object, per type) and
//                        reports a JobRef: the metadata needed to poll it later (Interlock's
//                        metadata, e.g. {"airflow_dag_id", "airflow_dag_run_id", "airflow_url"}),
//                        plus "runId" (may be ""), or a JobError.
//   Check(ref, done)     polls a started job: running, succeeded, or failed with a category.
//
// Types and their configs are documented in docs/pipelines.md ("Job types"): command (argv, env,
// cwd; the process runs on the loop and Check reads its exit status without waiting), http (one
// request; network errors and 5xx retried with back-off, 4xx permanent; done when it answers),
// airflow (REST API v1 DAG run), databricks (Jobs API 2.1 runs submit / runs get), step-function
// (an execution started in this Sluice process through JobEnvironment::start_execution). Types
// that need AWS (lambda, glue, emr, emr-serverless) are refused when a config is validated.
//
// A JobRef survives a restart only as far as the job does: a command's process dies with Sluice,
// so checking a command started by an earlier process reports failed (TRANSIENT, "lost").
//
// Thread rule: every call and callback on the loop thread. Callbacks are never called from
// inside Start/Check (always from a later loop turn) and never after the Jobs object is
// destroyed (it cancels what is in flight).
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <string>

#include "asl/json.h"
#include "asl/result.h"
#include "handlers/pipeline/config.h"

namespace sluice::pipeline {

// How a job failed (Interlock's failure categories); drives the retry budgets.
enum class JobFailureCategory { kTransient, kPermanent, kTimeout };
const char* JobFailureCategoryName(JobFailureCategory category);  // "TRANSIENT", …

struct JobError {
  JobFailureCategory category = JobFailureCategory::kTransient;
  std::string message;  // names the job type and what failed, e.g. "http: POST … answered 404"
};

enum class JobState { kRunning, kSucceeded, kFailed };

struct JobStatus {
  JobState state = JobState::kRunning;
  JobError failure;  // when kFailed
  Json detail;       // type-specific facts for the event detail (exit code, HTTP status, …)
};

using StartCallback = std::function<void(Result<Json, JobError> ref)>;
using CheckCallback = std::function<void(JobStatus status)>;

// What jobs need from the process around them.
struct JobEnvironment {
  uv_loop_t* loop = nullptr;
  // Under a virtual clock, Waits take no real time, so a poll loop would outrun a real process:
  // Check of a command job then waits up to this long (real milliseconds) for the process to
  // exit before answering "running". 0 (real clock): answer at once.
  int64_t settle_ms = 0;
  // Environment variables visible to `$VAR`/`${VAR}` expansion in job configs; only names with
  // the documented prefix (SLUICE_) are expanded, others become "". Defaults to the process's.
  std::function<std::string(const std::string& name)> getenv;
  // step-function jobs: start an execution of the state machine `machine` (a file path or a
  // stored state machine name) with `input`; returns its execution ARN. Unset: refused.
  std::function<Result<std::string>(const std::string& machine, const Json& input)> start_execution;
  // step-function jobs: the status of an execution ("RUNNING", "SUCCEEDED", "FAILED",
  // "TIMED_OUT", "ABORTED"), or an error when unknown.
  std::function<Result<std::string>(const std::string& execution_arn)> execution_status;
};

// The job types behind one interface, so the lifecycle handlers can be tested with a fake.
class Jobs {
 public:
  virtual ~Jobs() = default;
  virtual void Start(const JobConfig& job, StartCallback done) = 0;
  virtual void Check(const JobConfig& job, const Json& ref, CheckCallback done) = 0;
};

// The real job types (handlers/pipeline/jobs.cpp).
std::unique_ptr<Jobs> MakeJobs(JobEnvironment env);

}  // namespace sluice::pipeline
