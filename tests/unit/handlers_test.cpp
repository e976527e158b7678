// Tests of the task handlers: the command runner on a real libuv loop, local functions
// (functions files), Step Functions Local mock configurations and the handler registry.
//
// Every test that uses the loop ends by running it dry and closing it: a handle left open
// fails the test.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>
#include <uv.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "handlers/command_runner.h"
#include "handlers/config_file.h"
#include "handlers/functions_file.h"
#include "handlers/lambda.h"
#include "handlers/mock_config.h"
#include "handlers/registry.h"

namespace sluice::handlers {
namespace {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// Fixture: a private loop that must close clean.

class LoopTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }

  void TearDown() override {
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a libuv handle was left open";
  }

  // Runs the loop until `done()` holds; false if `limit` passed first.
  bool RunUntil(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    uv_timer_t deadline;
    uv_timer_init(&loop_, &deadline);
    bool expired = false;
    deadline.data = &expired;
    uv_timer_start(
        &deadline, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; },
        static_cast<uint64_t>(limit.count()), 0);
    while (!done() && !expired) uv_run(&loop_, UV_RUN_ONCE);
    uv_close(reinterpret_cast<uv_handle_t*>(&deadline), nullptr);
    uv_run(&loop_, UV_RUN_NOWAIT);
    return done();
  }

  uv_loop_t loop_;
};

// ---------------------------------------------------------------------------------------------
// CommandRunner

class CommandRunnerTest : public LoopTest {
 protected:
  // Runs `spec` to completion and returns its result.
  CommandResult Run(const CommandSpec& spec, CommandRunner::Options options = {}) {
    CommandRunner runner(&loop_, options);
    std::optional<CommandResult> result;
    Result<uint64_t> id = runner.Start(spec, [&](CommandResult r) { result = std::move(r); });
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error());
    EXPECT_TRUE(RunUntil([&] { return result.has_value(); }));
    return result.value_or(CommandResult{});
  }
};

TEST_F(CommandRunnerTest, CatEchoesStdinAndExitsZero) {
  CommandResult r = Run({{"/bin/cat"}, "{\"a\":1}\n", {}, ""});
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.stdout_data, "{\"a\":1}\n");
  EXPECT_EQ(r.stderr_data, "");
}

TEST_F(CommandRunnerTest, ArgvIsNotInterpretedByAShell) {
  CommandResult r = Run({{"/bin/echo", "$HOME", "a;b", "*"}, "", {}, ""});
  EXPECT_EQ(r.stdout_data, "$HOME a;b *\n");
}

TEST_F(CommandRunnerTest, ExitStatusAndStderrAreReported) {
  CommandResult r = Run({{"/bin/sh", "-c", "echo oops >&2; exit 3"}, "", {}, ""});
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.exit_status, 3);
  EXPECT_EQ(r.term_signal, 0);
  EXPECT_EQ(r.stderr_data, "oops\n");
  EXPECT_EQ(r.Describe(), "exited with status 3");
}

TEST_F(CommandRunnerTest, ExecutableIsLookedUpInPath) {
  CommandResult r = Run({{"cat"}, "x", {}, ""});
  EXPECT_EQ(r.stdout_data, "x");
}

TEST_F(CommandRunnerTest, MissingExecutableFailsAtOnceWithoutCallback) {
  CommandRunner runner(&loop_);
  bool called = false;
  Result<uint64_t> id = runner.Start({{"sluice-no-such-binary-xyz"}, "{}", {}, ""},
                                     [&](CommandResult) { called = true; });
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error(), "cannot run 'sluice-no-such-binary-xyz': no such file or directory");
  EXPECT_EQ(runner.running(), 0u);
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_FALSE(called);
}

TEST_F(CommandRunnerTest, MissingWorkingDirectoryFailsAtOnce) {
  CommandRunner runner(&loop_);
  Result<uint64_t> id = runner.Start({{"/bin/true"}, "", {}, "/no/such/dir"}, [](CommandResult) {});
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error(), "cannot run '/bin/true' in '/no/such/dir': no such file or directory");
}

TEST_F(CommandRunnerTest, EnvironmentAdditionsReachTheChildAndReplaceExistingVariables) {
  CommandResult r = Run({{"/bin/sh", "-c", "printf '%s|%s' \"$SLUICE_STATE_NAME\" \"$HOME\""},
                         "",
                         {{"SLUICE_STATE_NAME", "Step One"}, {"HOME", "/replaced"}},
                         ""});
  EXPECT_EQ(r.stdout_data, "Step One|/replaced");
}

TEST_F(CommandRunnerTest, LaterEnvironmentAdditionsWin) {
  CommandResult r =
      Run({{"/bin/sh", "-c", "printf %s \"$X\""}, "", {{"X", "first"}, {"X", "second"}}, ""});
  EXPECT_EQ(r.stdout_data, "second");
}

TEST_F(CommandRunnerTest, WorkingDirectoryIsApplied) {
  CommandResult r = Run({{"/bin/pwd"}, "", {}, "/"});
  EXPECT_EQ(r.stdout_data, "/\n");
}

TEST_F(CommandRunnerTest, LargeStdinRoundTripsThroughCat) {
  std::string big(1 << 20, 'x');
  CommandResult r = Run({{"/bin/cat"}, big, {}, ""});
  EXPECT_EQ(r.stdout_data.size(), big.size());
  EXPECT_EQ(r.stdout_data, big);
}

TEST_F(CommandRunnerTest, ChildThatDoesNotReadStdinStillCompletes) {
  CommandResult r = Run({{"/bin/true"}, std::string(1 << 20, 'x'), {}, ""});
  EXPECT_TRUE(r.succeeded());
}

TEST_F(CommandRunnerTest, OutputBeyondTheLimitIsDroppedAndFlagged) {
  CommandRunner::Options options;
  options.max_output_bytes = 10;
  CommandResult r = Run({{"/bin/sh", "-c", "printf 0123456789abcdef"}, "", {}, ""}, options);
  EXPECT_EQ(r.stdout_data, "0123456789");
  EXPECT_TRUE(r.stdout_truncated);
  EXPECT_FALSE(r.stderr_truncated);
}

TEST_F(CommandRunnerTest, KilledBySignalIsDescribed) {
  CommandResult r = Run({{"/bin/sh", "-c", "kill -9 $$"}, "", {}, ""});
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_EQ(r.Describe(), "was killed by signal 9 (Killed)");
}

TEST_F(CommandRunnerTest, CancelKillsTheProcessAndNeverCallsBack) {
  CommandRunner runner(&loop_);
  bool called = false;
  auto start = std::chrono::steady_clock::now();
  Result<uint64_t> id = runner.Start({{"/bin/sh", "-c", "sleep 30"}, "", {}, ""},
                                     [&](CommandResult) { called = true; });
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(runner.running(), 1u);
  uv_run(&loop_, UV_RUN_NOWAIT);
  runner.Cancel(*id);
  EXPECT_EQ(runner.running(), 0u);
  uv_run(&loop_, UV_RUN_DEFAULT);  // returns once every handle of the process is closed
  EXPECT_FALSE(called);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  runner.Cancel(*id);  // a second cancel is harmless
}

TEST_F(CommandRunnerTest, CancelKillsWhatTheCommandStarted) {
  char path[] = "/tmp/sluice_handlers_test_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  CommandRunner runner(&loop_);
  std::string script = "sleep 30 & echo $! > " + std::string(path) + "; wait";
  Result<uint64_t> id = runner.Start({{"/bin/sh", "-c", script}, "", {}, ""}, [](CommandResult) {});
  ASSERT_TRUE(id.ok());
  pid_t sleeper = 0;
  for (int i = 0; i < 200 && sleeper == 0; ++i) {
    uv_run(&loop_, UV_RUN_NOWAIT);
    std::ifstream in(path);
    in >> sleeper;
    if (sleeper == 0) std::this_thread::sleep_for(10ms);
  }
  ASSERT_GT(sleeper, 0);
  runner.Cancel(*id);
  uv_run(&loop_, UV_RUN_DEFAULT);
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = kill(sleeper, 0) != 0;
    if (!gone) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(gone) << "the command's child process survived Cancel";
  std::remove(path);
}

TEST_F(CommandRunnerTest, DestroyingTheRunnerCancelsRunningCommands) {
  bool called = false;
  auto start = std::chrono::steady_clock::now();
  {
    CommandRunner runner(&loop_);
    ASSERT_TRUE(
        runner.Start({{"/bin/sleep", "30"}, "", {}, ""}, [&](CommandResult) { called = true; })
            .ok());
    uv_run(&loop_, UV_RUN_NOWAIT);
  }
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_FALSE(called);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(CommandRunnerTest, ManyCommandsRunConcurrently) {
  CommandRunner runner(&loop_);
  int done = 0;
  for (int i = 0; i < 20; ++i) {
    std::string text = std::to_string(i);
    ASSERT_TRUE(runner
                    .Start({{"/bin/cat"}, text, {}, ""},
                           [&, text](CommandResult r) {
                             EXPECT_EQ(r.stdout_data, text);
                             ++done;
                           })
                    .ok());
  }
  EXPECT_TRUE(RunUntil([&] { return done == 20; }));
}

// ---------------------------------------------------------------------------------------------
// Configuration files

TEST(ConfigFileTest, YamlScalarsFollowTheCoreSchema) {
  Result<Json> doc = ParseJsonOrYaml(
      "n: 12\nneg: -3\no: 007\np: +5\nf: 1.5\nb: true\nz: null\ne:\nq: \"12\"\ns: hello\n"
      "l: [1, two]\n",
      "x.yaml");
  ASSERT_TRUE(doc.ok()) << doc.error();
  EXPECT_EQ(doc->dump(),
            R"({"n":12,"neg":-3,"o":7,"p":5,"f":1.5,"b":true,"z":null,"e":null,"q":"12",)"
            R"("s":"hello","l":[1,"two"]})");
}

TEST(ConfigFileTest, YamlSyntaxErrorNamesFileLineAndColumn) {
  Result<Json> doc = ParseJsonOrYaml("functions:\n  a: [1, 2\n", "fns.yaml");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().rfind("fns.yaml: invalid YAML at line 3, column 1: ", 0), 0u)
      << doc.error();
}

TEST(ConfigFileTest, JsonSyntaxErrorNamesFileLineAndColumn) {
  Result<Json> doc = ParseJsonOrYaml("{\"functions\": {,}}", "fns.json");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().rfind("fns.json: invalid JSON at line 1, column 16: ", 0), 0u)
      << doc.error();
}

TEST(ConfigFileTest, MissingFileIsNamed) {
  Result<Json> doc = ReadJsonOrYamlFile("/no/such/functions.yaml");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error(), "/no/such/functions.yaml: cannot read: No such file or directory");
}

// ---------------------------------------------------------------------------------------------
// Functions files: validation

std::string FunctionsError(const std::string& text) {
  Result<Json> doc = ParseJsonOrYaml(text, "functions.yaml");
  if (!doc.ok()) return doc.error();
  Result<FunctionsFile> file = ParseFunctionsFile(*doc, "functions.yaml", "");
  return file.ok() ? "" : file.error();
}

TEST(FunctionsFileTest, MisspeltKeyIsNamedWithFileAndFunction) {
  EXPECT_EQ(FunctionsError("functions:\n  myFn:\n    comand: [cat]\n"),
            "functions.yaml: functions/myFn: unknown key 'comand'");
}

TEST(FunctionsFileTest, EveryProblemIsReported) {
  EXPECT_EQ(FunctionsError("functions:\n"
                           "  a: {}\n"
                           "  b: {command: cat}\n"
                           "  c: {raise: {errorMessage: x}}\n"
                           "  d: {return: 1, command: [cat]}\n"
                           "  e: {return: 1, env: {X: y}}\n"
                           "  f: {command: [cat, 3]}\n"
                           "  g: {raise: {errorType: '', extra: 1}}\n"),
            "functions.yaml: functions/a: needs one of 'command', 'return' or 'raise'\n"
            "functions.yaml: functions/b/command: must be a non-empty array of strings (the "
            "argv, run without a shell), e.g. [\"python3\", \"handler.py\"]\n"
            "functions.yaml: functions/c/raise: missing key 'errorType'\n"
            "functions.yaml: functions/d: give only one of 'command', 'return' or 'raise' "
            "(found 'return' and 'command')\n"
            "functions.yaml: functions/e: 'env' is only allowed with 'command'\n"
            "functions.yaml: functions/f/command/1: must be a string\n"
            "functions.yaml: functions/g/raise: unknown key 'extra'\n"
            "functions.yaml: functions/g/raise/errorType: must be a non-empty string");
}

TEST(FunctionsFileTest, KeysMustBeFunctionNamesOrFunctionArns) {
  EXPECT_EQ(FunctionsError("functions:\n"
                           "  'arn:aws:s3:::bucket': {return: 1}\n"
                           "  'my fn': {return: 1}\n"),
            "functions.yaml: functions/arn:aws:s3:::bucket: not a Lambda function ARN (expected "
            "arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER])\n"
            "functions.yaml: functions/my fn: not a Lambda function name (letters, digits, '-' "
            "and '_') or function ARN (expected "
            "arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER])");
}

TEST(FunctionsFileTest, TopLevelShapeIsChecked) {
  EXPECT_EQ(FunctionsError("[]"), "functions.yaml: must be an object with a 'functions' object");
  EXPECT_EQ(FunctionsError("function: {}\n"),
            "functions.yaml: unknown key 'function'\nfunctions.yaml: missing key 'functions'");
  EXPECT_EQ(FunctionsError("functions: [1]\n"),
            "functions.yaml: functions: must be an object mapping function names or ARNs to specs");
}

TEST(FunctionsFileTest, ParsesAllThreeKinds) {
  Result<Json> doc = ParseJsonOrYaml(
      "functions:\n"
      "  run: {command: [python3, -u, h.py], env: {A: b}, cwd: work}\n"
      "  arn:aws:lambda:us-east-1:123456789012:function:give: {return: {id: 42}}\n"
      "  fail: {raise: {errorType: ValueError, errorMessage: bad}}\n",
      "f.yaml");
  ASSERT_TRUE(doc.ok()) << doc.error();
  Result<FunctionsFile> file = ParseFunctionsFile(*doc, "f.yaml", "/etc/sluice");
  ASSERT_TRUE(file.ok()) << file.error();
  ASSERT_EQ(file->functions.size(), 3u);
  const FunctionSpec* run = file->Find("run");
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->kind, FunctionKind::kCommand);
  EXPECT_EQ(run->command, (std::vector<std::string>{"python3", "-u", "h.py"}));
  EXPECT_EQ(run->cwd, "/etc/sluice/work");
  ASSERT_EQ(run->env.size(), 1u);
  EXPECT_EQ(run->env[0].second, "b");
  const FunctionSpec* give = file->Find("arn:aws:lambda:us-east-1:123456789012:function:give");
  ASSERT_NE(give, nullptr);
  EXPECT_EQ(give->value->dump(), R"({"id":42})");
  const FunctionSpec* fail = file->Find("fail");
  ASSERT_NE(fail, nullptr);
  EXPECT_EQ(fail->error_type, "ValueError");
  EXPECT_EQ(fail->error_message, "bad");
}

TEST(FunctionsFileTest, RelativeExecutablePathsAreRelativeToTheFile) {
  char dir[] = "/tmp/sluice_fns_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/functions.json";
  std::ofstream(path)
      << R"({"functions": {"a": {"command": ["./h.sh"]}, "b": {"command": ["cat"]}}})";
  Result<FunctionsFile> file = LoadFunctionsFile(path);
  ASSERT_TRUE(file.ok()) << file.error();
  EXPECT_EQ(file->Find("a")->command[0], std::string(dir) + "/./h.sh");
  EXPECT_EQ(file->Find("b")->command[0], "cat");
  std::remove(path.c_str());
  rmdir(dir);
}

TEST(FunctionsFileTest, LoadErrorsNameThePath) {
  char dir[] = "/tmp/sluice_fns_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/fns.yaml";
  std::ofstream(path) << "functions:\n  x: {comand: [cat]}\n";
  Result<FunctionsFile> file = LoadFunctionsFile(path);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error(), path + ": functions/x: unknown key 'comand'");
  std::remove(path.c_str());
  rmdir(dir);
}

TEST(FunctionsFileTest, TaskMocksBecomeAFunctionsFile) {
  Json task_mocks = Json::parse(R"({
    "f": {"kind": "identity", "handler": "id_function.py"},
    "arn:aws:lambda:us-east-1:111111111111:function:f": {"kind": "identity"},
    "g": {"kind": "raise", "error": "Exception", "errorMessage": "Some exception was raised.",
          "note": "…", "handler": "raise_exception.py"},
    "h": {"kind": "constant", "result": {"x": [1]}}
  })");
  Result<Json> doc = TaskMocksToFunctionsFile(task_mocks);
  ASSERT_TRUE(doc.ok()) << doc.error();
  EXPECT_EQ(
      doc->dump(),
      R"({"functions":{"f":{"command":["cat"]},)"
      R"("arn:aws:lambda:us-east-1:111111111111:function:f":{"command":["cat"]},)"
      R"("g":{"raise":{"errorType":"Exception","errorMessage":"Some exception was raised."}},)"
      R"("h":{"return":{"x":[1]}}}})");
  EXPECT_TRUE(ParseFunctionsFile(*doc, "task_mocks", "").ok());
  EXPECT_EQ(TaskMocksToFunctionsFile(Json::parse(R"({"f": {"kind": "sleep"}})")).error(),
            R"(task_mocks/f: unsupported mock {"kind":"sleep"})");
}

// ---------------------------------------------------------------------------------------------
// Lambda shapes

TEST(LambdaTest, PythonJsonDumpsMatchesPythonDefaults) {
  Json value = Json::parse(R"({"a": [1, 2.5, true, null], "b": {}, "c": [], "d": "é\"\n"})");
  EXPECT_EQ(lambda::PythonJsonDumps(value),
            R"({"a": [1, 2.5, true, null], "b": {}, "c": [], "d": "\u00e9\"\n"})");
  EXPECT_EQ(lambda::PythonJsonDumps(Json("😀")), R"("\ud83d\ude00")");
}

TEST(LambdaTest, FunctionArnsAndNamesAreParsed) {
  auto arn = lambda::ParseFunctionArn("arn:aws:lambda:eu-west-1:222222222222:function:f:prod");
  ASSERT_TRUE(arn);
  EXPECT_EQ(arn->region, "eu-west-1");
  EXPECT_EQ(arn->account, "222222222222");
  EXPECT_EQ(arn->name, "f");
  EXPECT_EQ(arn->qualifier, "prod");
  EXPECT_FALSE(lambda::ParseFunctionArn("arn:aws:states:::lambda:invoke"));
  EXPECT_FALSE(lambda::ParseFunctionArn("arn:aws:lambda:us-east-1:1:function:"));
  auto partial = lambda::ParseFunctionName("123:function:f:7");
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->account, "123");
  EXPECT_EQ(partial->qualifier, "7");
  EXPECT_FALSE(lambda::ParseFunctionName("f:"));
  EXPECT_FALSE(lambda::ParseFunctionName("a b"));
  EXPECT_TRUE(lambda::IsLambdaInvokeResource("arn:aws:states:::lambda:invoke"));
  EXPECT_FALSE(lambda::IsLambdaInvokeResource("arn:aws:states:::lambda:invoke.waitForTaskToken"));
}

TEST(LambdaTest, PayloadsBecomeEventsAsStepFunctionsSendsThem) {
  EXPECT_EQ(lambda::EventFromPayload(nullptr).dump(), "{}");
  EXPECT_EQ(lambda::EventFromPayload("0").dump(), "0");
  EXPECT_EQ(lambda::EventFromPayload("\"HelloWorld\"").dump(), "\"HelloWorld\"");
  EXPECT_EQ(lambda::EventFromPayload("HelloWorld").dump(), "\"HelloWorld\"");
  EXPECT_EQ(lambda::EventFromPayload(Json::parse("[1]")).dump(), "[1]");
}

// ---------------------------------------------------------------------------------------------
// FunctionsHandler

constexpr char kRequestId[] = "11111111-2222-4333-8444-555555555555";
constexpr char kExecutionArn[] = "arn:aws:states:us-east-1:111111111111:execution:Machine:run-1";

// 2025-01-02T03:04:05Z
std::chrono::system_clock::time_point FixedNow() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1735787045));
}

TaskRequest MakeRequest(const std::string& resource, Json payload, uint64_t task_id = 1) {
  TaskRequest request;
  request.task_id = task_id;
  request.resource = resource;
  request.payload = std::make_shared<const Json>(std::move(payload));
  request.state_machine_name = "Machine";
  request.state_name = "Step";
  request.execution_arn = kExecutionArn;
  request.execution_name = "run-1";
  request.idempotency_key = std::string(kExecutionArn) + "/2";
  return request;
}

Json InvokePayload(const std::string& function_name, Json payload) {
  return Json{{"FunctionName", function_name}, {"Payload", std::move(payload)}};
}

struct Outcome {
  int calls = 0;
  TaskOutcome outcome;
  TaskCallback Callback() {
    return [this](TaskOutcome o) {
      ++calls;
      outcome = std::move(o);
    };
  }
  std::string ResultText() const { return outcome.result ? outcome.result->dump() : "<none>"; }
};

class FunctionsHandlerTest : public LoopTest {
 protected:
  std::unique_ptr<FunctionsHandler> Make(const std::string& functions_json) {
    Result<FunctionsFile> file = ParseFunctionsFile(Json::parse(functions_json), "fns.json", "");
    EXPECT_TRUE(file.ok()) << (file.ok() ? "" : file.error());
    FunctionsHandlerOptions options;
    options.new_request_id = [] { return std::string(kRequestId); };
    options.now = FixedNow;
    return std::make_unique<FunctionsHandler>(
        &loop_, std::make_shared<const FunctionsFile>(std::move(file).value()), options);
  }

  // Starts the request and runs the loop until it is answered; checks the answer is not given
  // from inside Start().
  Outcome Call(FunctionsHandler& handler, const TaskRequest& request) {
    Outcome out;
    handler.Start(request, out.Callback());
    EXPECT_EQ(out.calls, 0) << "answered from inside Start()";
    EXPECT_TRUE(RunUntil([&] { return out.calls > 0; }));
    EXPECT_EQ(out.calls, 1);
    return out;
  }
};

constexpr char kArn[] = "arn:aws:lambda:us-east-1:111111111111:function:f";

TEST_F(FunctionsHandlerTest, FunctionArnResourceReturnsTheRawOutput) {
  auto handler = Make(R"({"functions": {"f": {"return": {"a": 1}}}})");
  Outcome out = Call(*handler, MakeRequest(kArn, Json::object()));
  ASSERT_TRUE(out.outcome.ok);
  EXPECT_EQ(out.ResultText(), R"({"a":1})");
}

TEST_F(FunctionsHandlerTest, FullArnIsLookedUpBeforeTheName) {
  auto handler = Make(R"({"functions": {"f": {"return": "by name"},
                                        "arn:aws:lambda:us-east-1:111111111111:function:f":
                                            {"return": "by arn"}}})");
  EXPECT_EQ(Call(*handler, MakeRequest(kArn, nullptr)).ResultText(), "\"by arn\"");
  EXPECT_EQ(Call(*handler, MakeRequest("arn:aws:lambda:eu-west-1:222222222222:function:f", nullptr))
                .ResultText(),
            "\"by name\"");
  EXPECT_EQ(Call(*handler, MakeRequest(std::string(kArn) + ":prod", nullptr)).ResultText(),
            "\"by arn\"");
  EXPECT_EQ(
      Call(*handler, MakeRequest("arn:aws:states:::lambda:invoke", InvokePayload("f:7", nullptr)))
          .outcome.result->at("Payload")
          .dump(),
      "\"by name\"");
}

TEST_F(FunctionsHandlerTest, LambdaInvokeWrapsTheResultLikeAws) {
  auto handler = Make(R"({"functions": {"f": {"command": ["cat"]}}})");
  Outcome out =
      Call(*handler, MakeRequest("arn:aws:states:::lambda:invoke",
                                 InvokePayload("f", Json::parse(R"({"Input": {"k": "v"}})"))));
  ASSERT_TRUE(out.outcome.ok) << out.outcome.error.cause;
  Json result = *out.outcome.result;
  std::string trace = result["SdkHttpMetadata"]["HttpHeaders"]["X-Amzn-Trace-Id"];
  EXPECT_EQ(trace.rfind("Root=1-67760225-", 0), 0u) << trace;
  result["SdkHttpMetadata"]["HttpHeaders"]["X-Amzn-Trace-Id"] = "T";
  result["SdkHttpMetadata"]["AllHttpHeaders"]["X-Amzn-Trace-Id"] = Json::array({"T"});
  // Content-Length is the length of Python's rendering, {"Input": {"k": "v"}} (21).
  EXPECT_EQ(
      result.dump(),
      R"({"ExecutedVersion":"$LATEST","Payload":{"Input":{"k":"v"}},)"
      R"("SdkHttpMetadata":{"AllHttpHeaders":{"X-Amz-Executed-Version":["$LATEST"],)"
      R"("x-amzn-Remapped-Content-Length":["0"],"Connection":["keep-alive"],)"
      R"("x-amzn-RequestId":["11111111-2222-4333-8444-555555555555"],"Content-Length":["21"],)"
      R"("Date":["Thu, 02 Jan 2025 03:04:05 GMT"],"X-Amzn-Trace-Id":["T"],)"
      R"("Content-Type":["application/json"]},"HttpHeaders":{"Connection":"keep-alive",)"
      R"("Content-Length":"21","Content-Type":"application/json",)"
      R"("Date":"Thu, 02 Jan 2025 03:04:05 GMT","X-Amz-Executed-Version":"$LATEST",)"
      R"("x-amzn-Remapped-Content-Length":"0",)"
      R"("x-amzn-RequestId":"11111111-2222-4333-8444-555555555555","X-Amzn-Trace-Id":"T"},)"
      R"("HttpStatusCode":200},"SdkResponseMetadata":)"
      R"({"RequestId":"11111111-2222-4333-8444-555555555555"},"StatusCode":200})");
}

TEST_F(FunctionsHandlerTest, LambdaInvokeSendsStringPayloadsHoldingJsonAsJson) {
  auto handler = Make(R"({"functions": {"f": {"command": ["cat"]}}})");
  auto payload_of = [&](Json payload) {
    Outcome out = Call(*handler, MakeRequest("arn:aws:states:::lambda:invoke",
                                             InvokePayload("f", std::move(payload))));
    return out.outcome.ok ? out.outcome.result->at("Payload").dump() : out.outcome.error.cause;
  };
  EXPECT_EQ(payload_of("0"), "0");
  EXPECT_EQ(payload_of("\"HelloWorld\""), "\"HelloWorld\"");
  EXPECT_EQ(payload_of("true"), "true");
  EXPECT_EQ(payload_of("[]"), "[]");
  EXPECT_EQ(payload_of("not json"), "\"not json\"");
  EXPECT_EQ(payload_of(nullptr), "{}");
  Outcome missing =
      Call(*handler, MakeRequest("arn:aws:states:::lambda:invoke", Json{{"FunctionName", "f"}}));
  EXPECT_EQ(missing.outcome.result->at("Payload").dump(), "{}");
}

TEST_F(FunctionsHandlerTest, FunctionArnResourceSendsTheEffectiveInput) {
  auto handler = Make(R"({"functions": {"f": {"command": ["cat"]}}})");
  EXPECT_EQ(Call(*handler, MakeRequest(kArn, 0.0)).ResultText(), "0.0");
  EXPECT_EQ(Call(*handler, MakeRequest(kArn, "HelloWorld")).ResultText(), "\"HelloWorld\"");
  EXPECT_EQ(Call(*handler, MakeRequest(kArn, nullptr)).ResultText(), "{}");
}

TEST_F(FunctionsHandlerTest, RaiseWithFunctionArnGivesLambdasPythonRendering) {
  auto handler = Make(R"({"functions": {"f": {"raise": {"errorType": "Exception",
                                         "errorMessage": "Some exception was raised."}}}})");
  Outcome out = Call(*handler, MakeRequest(kArn, Json::object()));
  ASSERT_FALSE(out.outcome.ok);
  EXPECT_EQ(out.outcome.error.error, "Exception");
  EXPECT_EQ(out.outcome.error.cause,
            R"({"errorMessage": "Some exception was raised.", "errorType": "Exception", )"
            R"("requestId": "11111111-2222-4333-8444-555555555555", "stackTrace": []})");
}

TEST_F(FunctionsHandlerTest, RaiseWithLambdaInvokeGivesTheCompactRendering) {
  auto handler = Make(R"({"functions": {"f": {"raise": {"errorType": "CustomException"}}}})");
  Outcome out =
      Call(*handler, MakeRequest("arn:aws:states:::lambda:invoke", InvokePayload("f", nullptr)));
  ASSERT_FALSE(out.outcome.ok);
  EXPECT_EQ(out.outcome.error.error, "CustomException");
  EXPECT_EQ(out.outcome.error.cause,
            R"({"errorMessage":"","errorType":"CustomException",)"
            R"("requestId":"11111111-2222-4333-8444-555555555555","stackTrace":[]})");
}

TEST_F(FunctionsHandlerTest, UnknownFunctionFailsWithResourceNotFound) {
  auto handler = Make(R"({"functions": {"f": {"return": 1}}})");
  Outcome out = Call(*handler, MakeRequest("arn:aws:states:::lambda:invoke",
                                           InvokePayload("no_such_fn", nullptr)));
  ASSERT_FALSE(out.outcome.ok);
  EXPECT_EQ(out.outcome.error.error, "Lambda.ResourceNotFoundException");
  EXPECT_EQ(out.outcome.error.cause,
            "Function not found: arn:aws:lambda:us-east-1:111111111111:function:no_such_fn:$LATEST "
            "(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; "
            "Request ID: 11111111-2222-4333-8444-555555555555; Proxy: null)");

  Outcome by_arn = Call(*handler, MakeRequest("arn:aws:states:::lambda:invoke",
                                              InvokePayload("arn:aws:lambda:eu-west-1:222222222222:"
                                                            "function:g:prod",
                                                            nullptr)));
  EXPECT_EQ(by_arn.outcome.error.cause.rfind(
                "Function not found: arn:aws:lambda:eu-west-1:222222222222:function:g:prod (", 0),
            0u);

  Outcome legacy =
      Call(*handler, MakeRequest("arn:aws:lambda:us-east-1:111111111111:function:g", nullptr));
  EXPECT_EQ(legacy.outcome.error.error, "Lambda.ResourceNotFoundException");
}

TEST_F(FunctionsHandlerTest, InvalidInvokeParametersFail) {
  auto handler = Make(R"({"functions": {"f": {"return": 1}}})");
  Outcome out = Call(*handler, MakeRequest("arn:aws:states:::lambda:invoke", Json{{"Payload", 1}}));
  EXPECT_EQ(out.outcome.error.error, "States.TaskFailed");
  EXPECT_EQ(out.outcome.error.cause,
            "The parameters of 'arn:aws:states:::lambda:invoke' need a string field "
            "'FunctionName'");
}

TEST_F(FunctionsHandlerTest, CommandFailureWithLambdaStyleErrorUsesItsErrorType) {
  auto handler = Make(R"({"functions": {"f": {"command": ["/bin/sh", "-c",
      "echo '{\"errorType\": \"ValueError\", \"errorMessage\": \"bad\"}'; exit 1"]}}})");
  Outcome legacy = Call(*handler, MakeRequest(kArn, nullptr));
  EXPECT_EQ(legacy.outcome.error.error, "ValueError");
  EXPECT_EQ(legacy.outcome.error.cause, R"({"errorType": "ValueError", "errorMessage": "bad"})");
  Outcome invoke =
      Call(*handler, MakeRequest("arn:aws:states:::lambda:invoke", InvokePayload("f", nullptr)));
  EXPECT_EQ(invoke.outcome.error.error, "ValueError");
  EXPECT_EQ(invoke.outcome.error.cause, R"({"errorType":"ValueError","errorMessage":"bad"})");
}

TEST_F(FunctionsHandlerTest, LambdaStyleErrorMayFollowLogLinesOnStderr) {
  auto handler = Make(R"({"functions": {"f": {"command": ["/bin/sh", "-c",
      "echo starting >&2; echo '{\"errorType\":\"Boom\",\"errorMessage\":\"x\"}' >&2; )"
                      R"(exit 1"]}}})");
  Outcome out = Call(*handler, MakeRequest(kArn, nullptr));
  EXPECT_EQ(out.outcome.error.error, "Boom");
  EXPECT_EQ(out.outcome.error.cause, R"({"errorType":"Boom","errorMessage":"x"})");
}

TEST_F(FunctionsHandlerTest, CommandFailureWithoutErrorObjectIsTaskFailedWithStderr) {
  auto handler = Make(R"({"functions": {"f": {"command": ["/bin/sh", "-c",
                                              "echo boom >&2; exit 2"]},
                                        "g": {"command": ["/bin/sh", "-c", "exit 4"]}}})");
  Outcome out = Call(*handler, MakeRequest(kArn, nullptr));
  EXPECT_EQ(out.outcome.error.error, "States.TaskFailed");
  EXPECT_EQ(out.outcome.error.cause, "boom");
  Outcome silent =
      Call(*handler, MakeRequest("arn:aws:lambda:us-east-1:111111111111:function:g", nullptr));
  EXPECT_EQ(silent.outcome.error.cause,
            "Function 'arn:aws:lambda:us-east-1:111111111111:function:g' (command '/bin/sh') "
            "exited with status 4");
}

TEST_F(FunctionsHandlerTest, CommandOutputMustBeJson) {
  auto handler = Make(R"({"functions": {"f": {"command": ["/bin/echo", "hello"]},
                                        "g": {"command": ["/bin/true"]}}})");
  Outcome out =
      Call(*handler, MakeRequest("arn:aws:states:::lambda:invoke", InvokePayload("f", nullptr)));
  EXPECT_EQ(out.outcome.error.error, "States.TaskFailed");
  EXPECT_EQ(out.outcome.error.cause.rfind(
                "Function 'f' (command '/bin/echo') printed output that is not JSON (", 0),
            0u)
      << out.outcome.error.cause;
  EXPECT_NE(out.outcome.error.cause.find("): hello"), std::string::npos);
  Outcome empty =
      Call(*handler, MakeRequest("arn:aws:states:::lambda:invoke", InvokePayload("g", nullptr)));
  EXPECT_EQ(empty.outcome.result->at("Payload").dump(), "null");
}

TEST_F(FunctionsHandlerTest, CommandsSeeTheTaskInTheirEnvironment) {
  auto handler =
      Make(R"({"functions": {"f": {"command": ["/bin/sh", "-c",
      "printf '[\"%s\",\"%s\",\"%s\",\"%s\"]' \"$SLUICE_IDEMPOTENCY_KEY\" )"
           R"(\"$SLUICE_EXECUTION_ARN\" \"$SLUICE_STATE_NAME\" \"$SLUICE_FUNCTION_NAME\""]}}})");
  Outcome out = Call(*handler, MakeRequest(kArn, nullptr));
  EXPECT_EQ(out.ResultText(),
            R"([")" + std::string(kExecutionArn) + R"(/2",")" + kExecutionArn + R"(","Step","f"])");
}

TEST_F(FunctionsHandlerTest, MissingExecutableFailsCleanly) {
  auto handler = Make(R"({"functions": {"f": {"command": ["sluice-no-such-binary-xyz"]}}})");
  Outcome out = Call(*handler, MakeRequest(kArn, nullptr));
  EXPECT_EQ(out.outcome.error.error, "States.TaskFailed");
  EXPECT_EQ(out.outcome.error.cause,
            "Function 'arn:aws:lambda:us-east-1:111111111111:function:f': cannot run "
            "'sluice-no-such-binary-xyz': no such file or directory");
}

TEST_F(FunctionsHandlerTest, CancelStopsARunningCommandWithoutAnswer) {
  auto handler = Make(R"({"functions": {"f": {"command": ["/bin/sleep", "30"]}}})");
  Outcome out;
  auto start = std::chrono::steady_clock::now();
  handler->Start(MakeRequest(kArn, nullptr, 7), out.Callback());
  uv_run(&loop_, UV_RUN_NOWAIT);
  handler->Cancel(7);
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(out.calls, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(FunctionsHandlerTest, CancelWithdrawsAnImmediateAnswer) {
  auto handler = Make(R"({"functions": {"f": {"return": 1}}})");
  Outcome out;
  handler->Start(MakeRequest(kArn, nullptr, 9), out.Callback());
  handler->Cancel(9);
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(out.calls, 0);
}

TEST_F(FunctionsHandlerTest, HandlesLambdaResourcesOnly) {
  auto handler = Make(R"({"functions": {}})");
  EXPECT_TRUE(handler->Handles(MakeRequest(kArn, nullptr)));
  EXPECT_TRUE(handler->Handles(MakeRequest("arn:aws:states:::lambda:invoke", nullptr)));
  EXPECT_FALSE(
      handler->Handles(MakeRequest("arn:aws:states:::lambda:invoke.waitForTaskToken", nullptr)));
  EXPECT_FALSE(handler->Handles(MakeRequest("arn:aws:states:::sqs:sendMessage", nullptr)));
}

TEST_F(FunctionsHandlerTest, DestroyingTheHandlerWithTasksInFlightClosesClean) {
  auto handler = Make(R"({"functions": {"f": {"command": ["/bin/sleep", "30"]},
                                        "g": {"return": 1}}})");
  Outcome a, b;
  handler->Start(MakeRequest(kArn, nullptr, 1), a.Callback());
  handler->Start(MakeRequest("arn:aws:lambda:us-east-1:111111111111:function:g", nullptr, 2),
                 b.Callback());
  handler.reset();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(a.calls + b.calls, 0);
}

// ---------------------------------------------------------------------------------------------
// Mock configurations

std::string MockError(const std::string& json) {
  Result<MockConfig> config = ParseMockConfig(Json::parse(json), "mock.json");
  return config.ok() ? "" : config.error();
}

constexpr char kRetryMock[] = R"({
  "StateMachines": {"Machine": {"TestCases": {
      "RetryPath": {"Step": "LambdaRetry", "Other": "LambdaOk"},
      "HappyPath": {"Step": "LambdaOk"}}}},
  "MockedResponses": {
    "LambdaRetry": {
      "0": {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "not ready"}},
      "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "timed out"}},
      "3": {"Return": {"StatusCode": 200, "Payload": {"body": "hello"}}}},
    "LambdaOk": {"0": {"Return": {"StatusCode": 200, "Payload": {"ok": true}}}}}})";

class MockHandlerTest : public LoopTest {
 protected:
  std::unique_ptr<MockHandler> Make(const std::string& json, const std::string& test_case) {
    Result<MockConfig> config = ParseMockConfig(Json::parse(json), "mock.json");
    EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error());
    return std::make_unique<MockHandler>(
        &loop_, std::make_shared<const MockConfig>(std::move(config).value()), test_case);
  }

  Outcome Call(MockHandler& handler, const TaskRequest& request) {
    Outcome out;
    handler.Start(request, out.Callback());
    EXPECT_EQ(out.calls, 0) << "answered from inside Start()";
    EXPECT_TRUE(RunUntil([&] { return out.calls > 0; }));
    return out;
  }

  static std::string Describe(const Outcome& out) {
    return out.outcome.ok ? out.ResultText()
                          : out.outcome.error.error + ": " + out.outcome.error.cause;
  }
};

TEST_F(MockHandlerTest, ResponsesFollowTheInvocationNumbers) {
  auto handler = Make(kRetryMock, "RetryPath");
  TaskRequest request = MakeRequest("arn:aws:states:::lambda:invoke", InvokePayload("f", nullptr));
  std::vector<std::string> seen;
  for (int i = 0; i < 5; ++i) seen.push_back(Describe(Call(*handler, request)));
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "Lambda.ResourceNotReadyException: not ready",
                      "Lambda.TimeoutException: timed out",
                      "Lambda.TimeoutException: timed out",
                      R"({"StatusCode":200,"Payload":{"body":"hello"}})",
                      "States.Runtime: No mocked response for invocation 4 of state 'Step': "
                      "mocked response 'LambdaRetry' covers invocations 0-3 (test case "
                      "'RetryPath' in mock.json)",
                  }));
}

TEST_F(MockHandlerTest, FunctionArnResourceGetsTheReturnedPayload) {
  auto handler = Make(kRetryMock, "HappyPath");
  EXPECT_EQ(Describe(Call(*handler, MakeRequest(kArn, nullptr))), R"({"ok":true})");
}

TEST_F(MockHandlerTest, CountersArePerExecutionAndPerState) {
  auto handler = Make(kRetryMock, "RetryPath");
  TaskRequest step = MakeRequest("arn:aws:states:::sqs:sendMessage", nullptr);
  TaskRequest other = step;
  other.state_name = "Other";
  TaskRequest second_run = step;
  second_run.execution_arn = "arn:aws:states:us-east-1:111111111111:execution:Machine:run-2";
  EXPECT_EQ(Describe(Call(*handler, step)), "Lambda.ResourceNotReadyException: not ready");
  EXPECT_EQ(Describe(Call(*handler, other)), R"({"StatusCode":200,"Payload":{"ok":true}})");
  EXPECT_EQ(Describe(Call(*handler, second_run)), "Lambda.ResourceNotReadyException: not ready");
  EXPECT_EQ(Describe(Call(*handler, step)), "Lambda.TimeoutException: timed out");
  handler->ForgetExecution(step.execution_arn);
  EXPECT_EQ(Describe(Call(*handler, step)), "Lambda.ResourceNotReadyException: not ready");
}

TEST_F(MockHandlerTest, ConcurrentMapIterationsShareTheStatesCounter) {
  auto handler = Make(kRetryMock, "RetryPath");
  std::vector<Outcome> outs(4);
  for (uint64_t i = 0; i < 4; ++i) {
    handler->Start(MakeRequest("arn:aws:states:::lambda:invoke", nullptr, i + 1),
                   outs[i].Callback());
  }
  EXPECT_TRUE(RunUntil([&] { return outs[3].calls == 1; }));
  EXPECT_EQ(outs[0].outcome.error.error, "Lambda.ResourceNotReadyException");
  EXPECT_EQ(outs[1].outcome.error.error, "Lambda.TimeoutException");
  EXPECT_EQ(outs[2].outcome.error.error, "Lambda.TimeoutException");
  EXPECT_TRUE(outs[3].outcome.ok);
}

TEST_F(MockHandlerTest, OnlyTheTestCasesStatesAreHandled) {
  auto handler = Make(kRetryMock, "HappyPath");
  TaskRequest request = MakeRequest(kArn, nullptr);
  EXPECT_TRUE(handler->Handles(request));
  request.state_name = "Other";
  EXPECT_FALSE(handler->Handles(request));
  request.state_name = "Step";
  request.state_machine_name = "AnotherMachine";
  EXPECT_FALSE(handler->Handles(request));
}

TEST_F(MockHandlerTest, CancelWithdrawsTheAnswer) {
  auto handler = Make(kRetryMock, "HappyPath");
  Outcome out;
  handler->Start(MakeRequest(kArn, nullptr, 5), out.Callback());
  handler->Cancel(5);
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(out.calls, 0);
}

TEST(MockConfigTest, InvocationKeysMustCoverEveryInvocationOnce) {
  EXPECT_EQ(MockError(R"({"StateMachines": {}, "MockedResponses": {"R": {
                "0": {"Return": 1}, "2": {"Return": 2}}}})"),
            "mock.json: MockedResponses/R: no response for invocation 1 (invocations are "
            "numbered 0, 1, 2, … and every one needs a response)");
  EXPECT_EQ(MockError(R"({"StateMachines": {}, "MockedResponses": {"R": {
                "0-1": {"Return": 1}, "1": {"Return": 2}}}})"),
            "mock.json: MockedResponses/R: '0-1' and '1' overlap at invocation 1");
  EXPECT_EQ(MockError(R"({"StateMachines": {}, "MockedResponses": {"R": {
                "1": {"Return": 1}}}})"),
            "mock.json: MockedResponses/R: no response for invocation 0 (invocations are "
            "numbered 0, 1, 2, … and every one needs a response)");
}

TEST(MockConfigTest, EveryProblemIsReportedWithItsKey) {
  EXPECT_EQ(MockError(R"({"StateMachines": {"M": {"TestCases": {"T": {"S": "Missing", "U": 3}},
                                                  "Extra": 1}},
                          "MockedResponses": {
                            "A": {"x": {"Return": 1}, "2-1": {"Return": 1}},
                            "B": {"0": {"Return": 1, "Throw": {"Error": "E", "Cause": "C"}}},
                            "C": {"0": {"Throw": {"Error": "E"}}},
                            "D": {"0": {}},
                            "E": {}},
                          "Other": 1})"),
            "mock.json: unknown key 'Other'\n"
            "mock.json: MockedResponses/A/x: not an invocation number or range (e.g. \"0\" or "
            "\"1-2\")\n"
            "mock.json: MockedResponses/A/2-1: the range starts after it ends\n"
            "mock.json: MockedResponses/B/0: has both 'Return' and 'Throw'; give exactly one\n"
            "mock.json: MockedResponses/C/0/Throw: missing key 'Cause'\n"
            "mock.json: MockedResponses/D/0: needs 'Return' or 'Throw'\n"
            "mock.json: MockedResponses/E: must be a non-empty object mapping invocation "
            "numbers (\"0\", \"1-2\") to {\"Return\": …} or {\"Throw\": …}\n"
            "mock.json: StateMachines/M: unknown key 'Extra'\n"
            "mock.json: StateMachines/M/TestCases/T/S: mocked response 'Missing' is not defined "
            "in MockedResponses\n"
            "mock.json: StateMachines/M/TestCases/T/U: must be a string (the name of a mocked "
            "response)");
}

TEST(MockConfigTest, TopLevelKeysAreRequired) {
  EXPECT_EQ(MockError(R"({"StateMachines": {}})"), "mock.json: missing key 'MockedResponses'");
}

TEST(MockConfigTest, TestCasesAreChecked) {
  Result<MockConfig> config = ParseMockConfig(Json::parse(kRetryMock), "mock.json");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_TRUE(CheckTestCase(*config, "HappyPath").ok());
  EXPECT_EQ(CheckTestCase(*config, "SadPath").error(),
            "mock.json: test case 'SadPath' is not defined for any state machine under "
            "StateMachines");
  EXPECT_TRUE(CheckStateMachineTestCase(*config, "Unmocked", "SadPath").ok());
  EXPECT_EQ(CheckStateMachineTestCase(*config, "Machine", "SadPath").error(),
            "mock.json: state machine 'Machine' has no test case 'SadPath' "
            "(StateMachines/Machine/TestCases)");
}

TEST(MockConfigTest, RangesAnswerEveryInvocationInside) {
  Result<MockConfig> config = ParseMockConfig(Json::parse(kRetryMock), "mock.json");
  ASSERT_TRUE(config.ok());
  const MockedResponses& retry = config->responses.at("LambdaRetry");
  EXPECT_EQ(retry.count(), 4u);
  EXPECT_EQ(retry.At(0)->error, "Lambda.ResourceNotReadyException");
  EXPECT_EQ(retry.At(1), retry.At(2));
  EXPECT_EQ(retry.At(3)->kind, MockedKind::kReturn);
  EXPECT_EQ(retry.At(4), nullptr);
}

// ---------------------------------------------------------------------------------------------
// HandlerRegistry

// A handler that serves one resource and records what it was asked.
class FakeHandler final : public TaskHandler {
 public:
  FakeHandler(std::string resource, std::string name) : resource_(resource), name_(name) {}
  bool Handles(const TaskRequest& request) const override { return request.resource == resource_; }
  void Start(const TaskRequest& request, TaskCallback done) override {
    started.push_back(request.task_id);
    pending[request.task_id] = std::move(done);
  }
  void Cancel(uint64_t task_id) override {
    cancelled.push_back(task_id);
    pending.erase(task_id);
  }
  void Answer(uint64_t task_id) {
    TaskCallback done = std::move(pending.at(task_id));
    pending.erase(task_id);
    done(TaskOutcome{true, std::make_shared<const Json>(name_), {}});
  }

  std::vector<uint64_t> started, cancelled;
  std::map<uint64_t, TaskCallback> pending;

 private:
  std::string resource_, name_;
};

TEST(HandlerRegistryTest, AsksHandlersInPriorityOrderWhateverTheOrderAdded) {
  HandlerRegistry registry;
  auto builtin = std::make_unique<FakeHandler>("r", "builtin");
  auto functions = std::make_unique<FakeHandler>("r", "functions");
  auto mock = std::make_unique<FakeHandler>("r", "mock");
  FakeHandler* mock_ptr = mock.get();
  registry.Add(HandlerPriority::kBuiltIn, std::move(builtin));
  registry.Add(HandlerPriority::kFunctions, std::move(functions));
  registry.Add(HandlerPriority::kMock, std::move(mock));
  Outcome out;
  registry.Start(MakeRequest("r", nullptr, 4), out.Callback());
  EXPECT_EQ(mock_ptr->started, std::vector<uint64_t>{4});
  mock_ptr->Answer(4);
  EXPECT_EQ(out.ResultText(), "\"mock\"");
}

TEST(HandlerRegistryTest, FallsThroughToTheFirstHandlerThatServesTheResource) {
  HandlerRegistry registry;
  auto mock = std::make_unique<FakeHandler>("mocked", "mock");
  auto functions = std::make_unique<FakeHandler>("r", "functions");
  FakeHandler* functions_ptr = functions.get();
  registry.Add(HandlerPriority::kMock, std::move(mock));
  registry.Add(HandlerPriority::kFunctions, std::move(functions));
  Outcome out;
  EXPECT_TRUE(registry.Handles(MakeRequest("r", nullptr)));
  registry.Start(MakeRequest("r", nullptr, 1), out.Callback());
  functions_ptr->Answer(1);
  EXPECT_EQ(out.ResultText(), "\"functions\"");
}

TEST(HandlerRegistryTest, ResourceNobodyServesFailsAtOnceNamingIt) {
  HandlerRegistry registry;
  registry.Add(HandlerPriority::kFunctions, std::make_unique<FakeHandler>("r", "functions"));
  Outcome out;
  TaskRequest request = MakeRequest("arn:aws:states:::sqs:sendMessage", nullptr);
  EXPECT_FALSE(registry.Handles(request));
  registry.Start(request, out.Callback());
  ASSERT_EQ(out.calls, 1);
  EXPECT_EQ(out.outcome.error.error, "States.TaskFailed");
  EXPECT_EQ(out.outcome.error.cause,
            "No task handler serves resource 'arn:aws:states:::sqs:sendMessage' (state 'Step'): "
            "define the function in a functions file (--functions), mock the state in a mock "
            "configuration (--mock-config), or use a resource Sluice provides");
}

TEST(HandlerRegistryTest, CancelReachesTheHandlerServingTheTaskOnce) {
  HandlerRegistry registry;
  auto handler = std::make_unique<FakeHandler>("r", "functions");
  FakeHandler* ptr = handler.get();
  registry.Add(HandlerPriority::kFunctions, std::move(handler));
  Outcome out;
  registry.Start(MakeRequest("r", nullptr, 3), out.Callback());
  registry.Cancel(3);
  registry.Cancel(3);
  registry.Cancel(99);
  EXPECT_EQ(ptr->cancelled, std::vector<uint64_t>{3});
}

TEST_F(FunctionsHandlerTest, RegistryServesMockedStatesBeforeFunctions) {
  Result<MockConfig> config = ParseMockConfig(Json::parse(kRetryMock), "mock.json");
  ASSERT_TRUE(config.ok());
  HandlerRegistry registry;
  registry.Add(HandlerPriority::kFunctions, Make(R"({"functions": {"f": {"return": "real"}}})"));
  registry.Add(
      HandlerPriority::kMock,
      std::make_unique<MockHandler>(
          &loop_, std::make_shared<const MockConfig>(std::move(config).value()), "HappyPath"));
  Outcome mocked, real;
  registry.Start(MakeRequest(kArn, nullptr, 1), mocked.Callback());
  TaskRequest unmocked = MakeRequest(kArn, nullptr, 2);
  unmocked.state_name = "Unmocked";
  registry.Start(unmocked, real.Callback());
  EXPECT_TRUE(RunUntil([&] { return mocked.calls == 1 && real.calls == 1; }));
  EXPECT_EQ(mocked.ResultText(), R"({"ok":true})");
  EXPECT_EQ(real.ResultText(), "\"real\"");
}

}  // namespace
}  // namespace sluice::handlers
