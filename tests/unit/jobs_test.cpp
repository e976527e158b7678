// The pipeline job types (handlers/pipeline/jobs.h) on a real loop: commands as real processes,
// http/airflow/databricks against the loopback test server, step-function against fakes; and
// the validation of job configs (refused types, missing fields).
#include "handlers/pipeline/jobs.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <map>
#include <memory>
#include <optional>

#include "handlers/pipeline/config.h"
#include "tests/support/http_test_server.h"

namespace sluice::pipeline {
namespace {

using testing::HttpTestServer;
using testing::TestResponse;

JobConfig Job(JobType type, Json config) {
  JobConfig job;
  job.type = type;
  job.config = std::move(config);
  return job;
}

class JobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    server_ = std::make_unique<HttpTestServer>(&loop_);
    env_.loop = &loop_;
    env_.getenv = [this](const std::string& name) {
      auto found = vars_.find(name);
      return found == vars_.end() ? std::string() : found->second;
    };
    jobs_ = MakeJobs(env_);
  }
  void TearDown() override {
    jobs_.reset();
    server_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  void Remake() { jobs_ = MakeJobs(env_); }

  // Runs the loop until `value` is set (the callback that sets it stops the loop).
  template <typename T>
  T Await(std::optional<T>& value) {
    while (!value) uv_run(&loop_, UV_RUN_DEFAULT);
    return std::move(*value);
  }

  Result<Json, JobError> Start(const JobConfig& job) {
    std::optional<Result<Json, JobError>> ref;
    jobs_->Start(job, [&](Result<Json, JobError> r) {
      ref = std::move(r);
      uv_stop(&loop_);
    });
    return Await(ref);
  }

  JobStatus Check(const JobConfig& job, const Json& ref) {
    std::optional<JobStatus> status;
    jobs_->Check(job, ref, [&](JobStatus s) {
      status = std::move(s);
      uv_stop(&loop_);
    });
    return Await(status);
  }

  // Checks until the job is no longer running.
  JobStatus CheckUntilDone(const JobConfig& job, const Json& ref) {
    for (;;) {
      JobStatus status = Check(job, ref);
      if (status.state != JobState::kRunning) return status;
    }
  }

  uv_loop_t loop_{};
  std::map<std::string, std::string> vars_;
  JobEnvironment env_;
  std::unique_ptr<HttpTestServer> server_;
  std::unique_ptr<Jobs> jobs_;
};

// command ---------------------------------------------------------------------------------

TEST_F(JobsTest, CommandSucceedsWithItsOutput) {
  JobConfig job =
      Job(JobType::kCommand, {{"argv", {"sh", "-c", "echo $GREETING; pwd; echo oops >&2"}},
                              {"env", {{"GREETING", "hello"}}},
                              {"cwd", "/"}});
  Result<Json, JobError> ref = Start(job);
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  EXPECT_FALSE((*ref)["runId"].get<std::string>().empty());
  JobStatus status = CheckUntilDone(job, *ref);
  EXPECT_EQ(status.state, JobState::kSucceeded);
  EXPECT_EQ(status.detail["exitCode"], 0);
  EXPECT_EQ(status.detail["stdout"], "hello\n/\n");
  EXPECT_EQ(status.detail["stderr"], "oops\n");
  // Checked again: the same answer.
  EXPECT_EQ(Check(job, *ref).state, JobState::kSucceeded);
}

TEST_F(JobsTest, CommandStringIsSplitOnWhitespaceWithoutAShell) {
  JobConfig job = Job(JobType::kCommand, {{"command", "  echo  a   $HOME  "}});
  Result<Json, JobError> ref = Start(job);
  ASSERT_TRUE(ref.ok());
  JobStatus status = CheckUntilDone(job, *ref);
  EXPECT_EQ(status.state, JobState::kSucceeded);
  EXPECT_EQ(status.detail["stdout"], "a $HOME\n");  // no shell: nothing expanded
}

TEST_F(JobsTest, CommandFailsWithItsExitCode) {
  JobConfig job = Job(JobType::kCommand, {{"argv", {"sh", "-c", "echo broken >&2; exit 3"}}});
  Result<Json, JobError> ref = Start(job);
  ASSERT_TRUE(ref.ok());
  JobStatus status = CheckUntilDone(job, *ref);
  EXPECT_EQ(status.state, JobState::kFailed);
  EXPECT_EQ(status.failure.category, JobFailureCategory::kTransient);
  EXPECT_EQ(status.detail["exitCode"], 3);
  EXPECT_NE(status.failure.message.find("exited with status 3"), std::string::npos);
  EXPECT_NE(status.failure.message.find("broken"), std::string::npos);
}

TEST_F(JobsTest, CommandKilledBySignal) {
  JobConfig job = Job(JobType::kCommand, {{"argv", {"sh", "-c", "kill -9 $$"}}});
  Result<Json, JobError> ref = Start(job);
  ASSERT_TRUE(ref.ok());
  JobStatus status = CheckUntilDone(job, *ref);
  EXPECT_EQ(status.state, JobState::kFailed);
  EXPECT_EQ(status.detail["signal"], 9);
  EXPECT_FALSE(status.detail.contains("exitCode"));
}

TEST_F(JobsTest, CommandThatCannotStartIsPermanent) {
  Result<Json, JobError> ref = Start(Job(JobType::kCommand, {{"argv", {"/nonexistent/run.sh"}}}));
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.error().category, JobFailureCategory::kPermanent);
  EXPECT_NE(ref.error().message.find("/nonexistent/run.sh"), std::string::npos);
  EXPECT_FALSE(Start(Job(JobType::kCommand, Json::object())).ok());
}

TEST_F(JobsTest, CommandFromAnEarlierProcessIsLost) {
  JobConfig job = Job(JobType::kCommand, {{"argv", {"true"}}});
  Result<Json, JobError> ref = Start(job);
  ASSERT_TRUE(ref.ok());
  Remake();  // as after a restart: the new Jobs never started this process
  JobStatus status = Check(job, *ref);
  EXPECT_EQ(status.state, JobState::kFailed);
  EXPECT_EQ(status.failure.category, JobFailureCategory::kTransient);
  EXPECT_NE(status.failure.message.find("lost"), std::string::npos);
  EXPECT_EQ(Check(job, Json::object()).state, JobState::kFailed);
}

TEST_F(JobsTest, CommandCheckAnswersRunningAtOnceWithoutSettle) {
  JobConfig job = Job(JobType::kCommand, {{"argv", {"sleep", "30"}}});
  Result<Json, JobError> ref = Start(job);
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(Check(job, *ref).state, JobState::kRunning);
}  // destroying the Jobs kills the sleep

TEST_F(JobsTest, CommandCheckWaitsUpToSettleForTheExit) {
  env_.settle_ms = 30000;
  Remake();
  JobConfig quick = Job(JobType::kCommand, {{"argv", {"sh", "-c", "sleep 0.2; exit 4"}}});
  Result<Json, JobError> ref = Start(quick);
  ASSERT_TRUE(ref.ok());
  // One check is enough: it waits for the exit instead of answering "running".
  JobStatus status = Check(quick, *ref);
  EXPECT_EQ(status.state, JobState::kFailed);
  EXPECT_EQ(status.detail["exitCode"], 4);

  env_.settle_ms = 50;
  Remake();
  JobConfig slow = Job(JobType::kCommand, {{"argv", {"sleep", "30"}}});
  ref = Start(slow);
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(Check(slow, *ref).state, JobState::kRunning);  // after the settle time
}

// http ------------------------------------------------------------------------------------

TEST_F(JobsTest, HttpSucceedsOnA2xx) {
  server_->Script("POST", "/hook", {TestResponse{202, "accepted"}});
  JobConfig job = Job(JobType::kHttp, {{"url", server_->url() + "/hook"},
                                       {"headers", {{"X-Token", "abc"}}},
                                       {"body", {{"run", "daily"}}}});
  Result<Json, JobError> ref = Start(job);
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  EXPECT_EQ((*ref)["http_status"], 202);
  JobStatus status = Check(job, *ref);
  EXPECT_EQ(status.state, JobState::kSucceeded);
  EXPECT_EQ(status.detail["httpStatus"], 202);
  ASSERT_EQ(server_->requests().size(), 1u);
  const testing::TestRequest& request = server_->requests()[0];
  EXPECT_EQ(request.headers.at("x-token"), "abc");
  EXPECT_EQ(request.headers.at("content-type"), "application/json");
  EXPECT_EQ(Json::parse(request.body), Json({{"run", "daily"}}));
}

TEST_F(JobsTest, HttpMethodAndStringBody) {
  server_->Script("PUT", "/put", {TestResponse{200, ""}});
  Result<Json, JobError> ref = Start(
      Job(JobType::kHttp, {{"method", "PUT"}, {"url", server_->url() + "/put"}, {"body", "raw"}}));
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(server_->requests().at(0).body, "raw");
}

TEST_F(JobsTest, Http4xxIsPermanentWithoutRetry) {
  server_->Script("POST", "/hook", {TestResponse{403, "forbidden"}});
  Result<Json, JobError> ref = Start(Job(JobType::kHttp, {{"url", server_->url() + "/hook"}}));
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.error().category, JobFailureCategory::kPermanent);
  EXPECT_NE(ref.error().message.find("403"), std::string::npos);
  EXPECT_NE(ref.error().message.find("forbidden"), std::string::npos);
  EXPECT_EQ(server_->Count("POST", "/hook"), 1);
}

TEST_F(JobsTest, Http5xxIsRetriedThreeTimesThenTransient) {
  server_->Script("POST", "/hook", {TestResponse{503, "busy"}});
  Result<Json, JobError> ref = Start(Job(JobType::kHttp, {{"url", server_->url() + "/hook"}}));
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.error().category, JobFailureCategory::kTransient);
  EXPECT_NE(ref.error().message.find("503"), std::string::npos);
  EXPECT_EQ(server_->Count("POST", "/hook"), 3);
}

TEST_F(JobsTest, Http5xxThenSuccess) {
  server_->Script("POST", "/hook", {TestResponse{500, ""}, TestResponse{200, "ok"}});
  Result<Json, JobError> ref = Start(Job(JobType::kHttp, {{"url", server_->url() + "/hook"}}));
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  EXPECT_EQ(server_->Count("POST", "/hook"), 2);
}

TEST_F(JobsTest, HttpNetworkErrorsAreRetriedThenTransient) {
  server_->Script("POST", "/hook", {TestResponse{.close_without_answer = true}});
  Result<Json, JobError> ref = Start(Job(JobType::kHttp, {{"url", server_->url() + "/hook"}}));
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.error().category, JobFailureCategory::kTransient);
  EXPECT_EQ(server_->Count("POST", "/hook"), 3);
}

TEST_F(JobsTest, HttpTimeout) {
  server_->Script("POST", "/slow", {TestResponse{200, "late", {}, 3000}});
  Result<Json, JobError> ref =
      Start(Job(JobType::kHttp, {{"url", server_->url() + "/slow"}, {"timeout", 0.1}}));
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.error().category, JobFailureCategory::kTimeout);
  EXPECT_EQ(server_->Count("POST", "/slow"), 3);
}

TEST_F(JobsTest, EnvironmentExpansionOnlyForTheSluicePrefix) {
  vars_ = {{"SLUICE_BASE", server_->url()}, {"SLUICE_TOKEN", "s3cret"}, {"HOME_SECRET", "leak"}};
  server_->Script("POST", "/hook", {TestResponse{200, ""}});
  Result<Json, JobError> ref = Start(Job(
      JobType::kHttp,
      {{"url", "${SLUICE_BASE}/hook"},
       {"headers", {{"Authorization", "Bearer $SLUICE_TOKEN"}, {"X-Other", "a${HOME_SECRET}b"}}},
       {"body",
        R"({"token": "$SLUICE_TOKEN", "home": "$HOME_SECRET", "price": "$5", "x": "${"})"}}));
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  const testing::TestRequest& request = server_->requests().at(0);
  EXPECT_EQ(request.headers.at("authorization"), "Bearer s3cret");
  EXPECT_EQ(request.headers.at("x-other"), "ab");
  EXPECT_EQ(Json::parse(request.body),
            Json({{"token", "s3cret"}, {"home", ""}, {"price", "$5"}, {"x", "${"}}));
}

// airflow ---------------------------------------------------------------------------------

JobConfig Airflow(const std::string& url) {
  return Job(JobType::kAirflow, {{"url", url + "/"},
                                 {"dagId", "etl"},
                                 {"headers", {{"Authorization", "Basic $SLUICE_AUTH"}}},
                                 {"body", {{"date", "2026-03-05"}}}});
}

TEST_F(JobsTest, AirflowTriggersAndPollsToSuccess) {
  vars_ = {{"SLUICE_AUTH", "dXNlcg=="}};
  server_->PlayAirflow("etl", "run-1", {"queued", "running", "success"});
  JobConfig job = Airflow(server_->url());
  Result<Json, JobError> ref = Start(job);
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  EXPECT_EQ((*ref)["airflow_dag_run_id"], "run-1");
  EXPECT_EQ((*ref)["airflow_dag_id"], "etl");
  EXPECT_EQ((*ref)["runId"], "run-1");
  const testing::TestRequest& trigger = server_->requests().at(0);
  EXPECT_EQ(Json::parse(trigger.body), Json({{"conf", {{"date", "2026-03-05"}}}}));
  EXPECT_EQ(trigger.headers.at("authorization"), "Basic dXNlcg==");

  EXPECT_EQ(Check(job, *ref).state, JobState::kRunning);
  JobStatus running = Check(job, *ref);
  EXPECT_EQ(running.state, JobState::kRunning);
  EXPECT_EQ(running.detail["state"], "running");
  EXPECT_EQ(Check(job, *ref).state, JobState::kSucceeded);
  EXPECT_EQ(server_->Count("GET", "/api/v1/dags/etl/dagRuns/run-1"), 3);
}

TEST_F(JobsTest, AirflowRunFails) {
  server_->PlayAirflow("etl", "run-2", {"running", "failed"});
  JobConfig job = Airflow(server_->url());
  Result<Json, JobError> ref = Start(job);
  ASSERT_TRUE(ref.ok());
  JobStatus status = CheckUntilDone(job, *ref);
  EXPECT_EQ(status.state, JobState::kFailed);
  EXPECT_EQ(status.failure.category, JobFailureCategory::kTransient);
  EXPECT_EQ(server_->Count("GET", "/api/v1/dags/etl/dagRuns/run-2"), 2);
}

TEST_F(JobsTest, AirflowAnswerWithoutRunIdIsAnError) {
  server_->Script("POST", "/api/v1/dags/etl/dagRuns", {TestResponse{200, R"({"state": "x"})"}});
  Result<Json, JobError> ref = Start(Airflow(server_->url()));
  ASSERT_FALSE(ref.ok());
  EXPECT_NE(ref.error().message.find("dag_run_id"), std::string::npos);
}

TEST_F(JobsTest, AirflowPollErrors) {
  JobConfig job = Airflow(server_->url());
  Json ref = {{"airflow_dag_id", "etl"},
              {"airflow_dag_run_id", "gone"},
              {"airflow_url", server_->url()},
              {"runId", "gone"}};
  // Unknown run: the server answers 404, which will not heal.
  JobStatus missing = Check(job, ref);
  EXPECT_EQ(missing.state, JobState::kFailed);
  EXPECT_EQ(missing.failure.category, JobFailureCategory::kPermanent);
  // A server error: the run may still be going; the poll window decides.
  server_->Script("GET", "/api/v1/dags/etl/dagRuns/gone", {TestResponse{502, ""}});
  JobStatus flaky = Check(job, ref);
  EXPECT_EQ(flaky.state, JobState::kRunning);
  EXPECT_TRUE(flaky.detail.contains("pollError"));
}

// databricks ------------------------------------------------------------------------------

JobConfig Databricks(const std::string& url) {
  return Job(JobType::kDatabricks, {{"workspaceUrl", url},
                                    {"jobId", "nightly-etl"},
                                    {"headers", {{"Authorization", "Bearer $SLUICE_DBX"}}},
                                    {"arguments", {{"date", "2026-03-05"}, {"limit", 10}}}});
}

TEST_F(JobsTest, DatabricksSubmitsAndPollsToSuccess) {
  vars_ = {{"SLUICE_DBX", "tok"}};
  server_->PlayDatabricks(42, {{"PENDING", ""}, {"RUNNING", ""}, {"TERMINATED", "SUCCESS"}});
  JobConfig job = Databricks(server_->url());
  Result<Json, JobError> ref = Start(job);
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  EXPECT_EQ((*ref)["databricks_run_id"], "42");
  EXPECT_EQ((*ref)["runId"], "42");
  const testing::TestRequest& submit = server_->requests().at(0);
  EXPECT_EQ(Json::parse(submit.body),
            Json({{"run_name", "nightly-etl"},
                  {"notebook_params", {{"date", "2026-03-05"}, {"limit", "10"}}}}));
  EXPECT_EQ(submit.headers.at("authorization"), "Bearer tok");
  EXPECT_EQ(Check(job, *ref).state, JobState::kRunning);
  EXPECT_EQ(Check(job, *ref).state, JobState::kRunning);
  JobStatus done = Check(job, *ref);
  EXPECT_EQ(done.state, JobState::kSucceeded);
  EXPECT_EQ(done.detail["resultState"], "SUCCESS");
  EXPECT_EQ(server_->Count("GET", "/api/2.1/jobs/runs/get?run_id=42"), 3);
}

TEST_F(JobsTest, DatabricksTerminalStates) {
  struct Case {
    std::string life, result;
    JobFailureCategory category;
  };
  const Case cases[] = {{"TERMINATED", "FAILED", JobFailureCategory::kTransient},
                        {"TERMINATED", "CANCELED", JobFailureCategory::kTransient},
                        {"SKIPPED", "", JobFailureCategory::kPermanent},
                        {"INTERNAL_ERROR", "", JobFailureCategory::kTransient}};
  int64_t run = 100;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.life + "/" + c.result);
    server_->PlayDatabricks(++run, {{"RUNNING", ""}, {c.life, c.result}});
    JobConfig job = Databricks(server_->url());
    Result<Json, JobError> ref = Start(job);
    ASSERT_TRUE(ref.ok());
    EXPECT_EQ(Check(job, *ref).state, JobState::kRunning);
    JobStatus status = Check(job, *ref);
    EXPECT_EQ(status.state, JobState::kFailed);
    EXPECT_EQ(status.failure.category, c.category);
  }
}

TEST_F(JobsTest, DatabricksNeedsANumericRunId) {
  server_->Script("POST", "/api/2.1/jobs/runs/submit", {TestResponse{200, R"({"run_id": "x"})"}});
  Result<Json, JobError> ref = Start(Databricks(server_->url()));
  ASSERT_FALSE(ref.ok());
  EXPECT_NE(ref.error().message.find("run_id"), std::string::npos);
}

// step-function ---------------------------------------------------------------------------

TEST_F(JobsTest, StepFunctionStartsAndPollsAnExecution) {
  std::string status = "RUNNING";
  Json started_input;
  env_.start_execution = [&](const std::string& machine, const Json& input) -> Result<std::string> {
    started_input = input;
    return "arn:sluice:execution:" + machine + ":e1";
  };
  env_.execution_status = [&](const std::string& arn) -> Result<std::string> {
    if (arn != "arn:sluice:execution:child:e1") return Fail(std::string("no such execution"));
    return status;
  };
  Remake();
  JobConfig job =
      Job(JobType::kStepFunction, {{"stateMachine", "child"}, {"arguments", {{"n", 1}}}});
  Result<Json, JobError> ref = Start(job);
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  EXPECT_EQ((*ref)["sfn_execution_arn"], "arn:sluice:execution:child:e1");
  EXPECT_EQ(started_input, Json({{"n", 1}}));
  EXPECT_EQ(Check(job, *ref).state, JobState::kRunning);
  status = "SUCCEEDED";
  EXPECT_EQ(Check(job, *ref).state, JobState::kSucceeded);
  status = "TIMED_OUT";
  EXPECT_EQ(Check(job, *ref).failure.category, JobFailureCategory::kTimeout);
  status = "ABORTED";
  EXPECT_EQ(Check(job, *ref).failure.category, JobFailureCategory::kTransient);
  JobStatus unknown = Check(job, {{"sfn_execution_arn", "arn:other"}});
  EXPECT_EQ(unknown.state, JobState::kFailed);
  EXPECT_NE(unknown.failure.message.find("no such execution"), std::string::npos);
}

TEST_F(JobsTest, StepFunctionWithoutAnEngineIsRefused) {
  Result<Json, JobError> ref = Start(Job(JobType::kStepFunction, {{"stateMachine", "child"}}));
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.error().category, JobFailureCategory::kPermanent);
  EXPECT_NE(ref.error().message.find("step-function"), std::string::npos);
}

TEST_F(JobsTest, AwsTypesAreRefused) {
  for (JobType type : {JobType::kLambda, JobType::kGlue, JobType::kEmr, JobType::kEmrServerless}) {
    Result<Json, JobError> ref = Start(Job(type, Json::object()));
    ASSERT_FALSE(ref.ok());
    EXPECT_EQ(ref.error().category, JobFailureCategory::kPermanent);
    EXPECT_NE(ref.error().message.find("needs AWS"), std::string::npos);
  }
}

// validation of job configs -----------------------------------------------------------------

std::string Problems(const std::string& job) {
  Result<PipelineConfig, ConfigDiagnostics> parsed =
      ParsePipelineConfig("pipeline: {id: p}\njob: " + job + "\n");
  if (parsed.ok()) return "(valid)";
  return FormatConfigDiagnostics(parsed.error(), "p.yaml");
}

TEST(JobConfigValidationTest, AwsTypesAreRefusedAtTheType) {
  EXPECT_EQ(Problems("{type: lambda, config: {functionName: f}}"),
            "p.yaml:2:13: /job/type: job type 'lambda' needs AWS and is not supported by Sluice "
            "(use one of: command, http, airflow, step-function, databricks)\n");
  for (const char* type : {"glue", "emr", "emr-serverless"}) {
    EXPECT_NE(Problems(std::string("{type: ") + type + "}")
                  .find("/job/type: job type '" + std::string(type) + "' needs AWS"),
              std::string::npos);
  }
  EXPECT_EQ(Problems("{type: foo}"),
            "p.yaml:2:13: /job/type: unknown job type 'foo' (expected one of: command, http, "
            "airflow, step-function, databricks)\n");
}

TEST(JobConfigValidationTest, ValidConfigsOfEveryType) {
  EXPECT_EQ(Problems("{type: command, config: {command: ./run.sh}}"), "(valid)");
  EXPECT_EQ(Problems("{type: command, config: {argv: [sh, -c, 'exit 0'], env: {A: 1}, cwd: /}}"),
            "(valid)");
  EXPECT_EQ(Problems("{type: http, config: {url: 'https://x/run', method: PUT, timeout: 2.5, "
                     "headers: {A: b}, body: {k: v}}}"),
            "(valid)");
  EXPECT_EQ(Problems("{type: http, config: {url: '${SLUICE_BASE}/run', body: '{}'}}"), "(valid)");
  EXPECT_EQ(Problems("{type: airflow, config: {url: 'http://af', dagId: etl, body: {a: 1}}}"),
            "(valid)");
  EXPECT_EQ(Problems("{type: databricks, config: {workspaceUrl: 'https://w', jobId: 7, "
                     "arguments: {d: x}}}"),
            "(valid)");
  EXPECT_EQ(Problems("{type: step-function, config: {stateMachine: child, arguments: {n: 1}}}"),
            "(valid)");
}

TEST(JobConfigValidationTest, MissingRequiredFieldsAreLocated) {
  EXPECT_EQ(Problems("{type: command}"), "p.yaml:2:6: /job: missing required key 'config'\n");
  EXPECT_EQ(Problems("{type: command, config: {cwd: /}}"),
            "p.yaml:2:30: /job/config: missing required key 'command' (or 'argv')\n");
  EXPECT_EQ(Problems("{type: http, config: {method: POST}}"),
            "p.yaml:2:27: /job/config: missing required key 'url'\n");
  EXPECT_EQ(Problems("{type: airflow, config: {url: 'http://af'}}"),
            "p.yaml:2:30: /job/config: missing required key 'dagId'\n");
  EXPECT_EQ(Problems("{type: databricks, config: {jobId: x}}"),
            "p.yaml:2:33: /job/config: missing required key 'workspaceUrl'\n");
  EXPECT_EQ(Problems("{type: step-function, config: {arguments: {}}}"),
            "p.yaml:2:36: /job/config: missing required key 'stateMachine' (or "
            "'stateMachineArn')\n");
}

TEST(JobConfigValidationTest, WrongFieldsAreLocated) {
  EXPECT_EQ(Problems("{type: command, config: {argv: [sh, [x]]}}"),
            "p.yaml:2:42: /job/config/argv/1: expected a string, got a list\n");
  EXPECT_EQ(Problems("{type: command, config: {command: a, argv: [a]}}"),
            "p.yaml:2:43: /job/config/argv: cannot be combined with 'command'\n");
  EXPECT_EQ(Problems("{type: http, config: {url: 'ftp://x', timeout: 0, method: post}}"),
            "p.yaml:2:33: /job/config/url: expected an http:// or https:// URL, got \"ftp://x\"\n"
            "p.yaml:2:53: /job/config/timeout: must be more than 0 and at most 3600 (seconds)\n"
            "p.yaml:2:64: /job/config/method: expected an HTTP method in capitals (GET, POST, PUT, "
            "…), got \"post\"\n");
  EXPECT_EQ(Problems("{type: http, config: {url: 'http://x', headers: {A: [1]}, pollInterval: 5}}"),
            "p.yaml:2:58: /job/config/headers/A: expected a string, number or boolean, got a "
            "list\n"
            "p.yaml:2:64: /job/config/pollInterval: unknown key 'pollInterval' (expected one of: "
            "method, url, headers, body, timeout)\n");
}

}  // namespace
}  // namespace sluice::pipeline
