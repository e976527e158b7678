// The sluice binary end to end: exit codes, --json's last line, and messages for bad input.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/shell.h"

namespace {

using Outcome = sluice::testing::ShellOutcome;

Outcome Sluice(const std::string& args) {
  // Runs without a database file unless the test names one with --db.
  std::string cmd = "SLUICE_DB=:memory: " + std::string(SLUICE_BINARY) + " " + args + " 2>&1";
  return sluice::testing::RunShell(cmd);
}

std::string Write(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

std::string LastLine(const std::string& s) {
  auto end = s.find_last_not_of('\n');
  auto start = s.rfind('\n', end);
  return s.substr(start == std::string::npos ? 0 : start + 1, end - start);
}

TEST(Cli, RunJsonSucceededIsTheLastLineAndExitsZero) {
  auto def = Write("ok.json", R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})");
  auto o = Sluice("run " + def + " --input '{\"x\":1}' --json");
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(nlohmann::json::parse(LastLine(o.out)),
            nlohmann::json::parse(R"({"status":"SUCCEEDED","output":{"x":1}})"));
}

TEST(Cli, RunJsonFailedExitsOneWithErrorAndCause) {
  auto def = Write("fail.json",
                   R"({"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}})");
  auto o = Sluice("run " + def + " --json");
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(nlohmann::json::parse(LastLine(o.out)),
            nlohmann::json::parse(R"({"status":"FAILED","error":"E","cause":"C"})"));
}

TEST(Cli, FailWithoutCauseOmitsCause) {
  auto def = Write("nocause.json", R"({"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}})");
  auto o = Sluice("run " + def + " --json");
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(LastLine(o.out), R"({"status":"FAILED","error":"E"})");
}

TEST(Cli, VirtualClockSkipsLongWaits) {
  auto def = Write("wait.json",
                   R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":86400,"End":true}}})");
  auto o = Sluice("run " + def + " --clock virtual --json");
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(LastLine(o.out), R"({"status":"SUCCEEDED","output":{}})");
}

TEST(Cli, ValidateNamesEveryProblemWithItsPointer) {
  auto def = Write("bad.json", R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}})");
  auto o = Sluice("validate " + def);
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.out.find(def + ": /States/A/Next: names no state: 'B'"), std::string::npos) << o.out;
}

TEST(Cli, ValidateAcceptsYaml) {
  auto def = Write("ok.yaml", "StartAt: A\nStates:\n  A:\n    Type: Succeed\n");
  auto o = Sluice("validate " + def);
  EXPECT_EQ(o.code, 0) << o.out;
}

TEST(Cli, MalformedInputIsUsageError) {
  auto def = Write("ok2.json", R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})");
  auto o = Sluice("run " + def + " --input '{bad'");
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.out.find("--input: input is not valid JSON"), std::string::npos) << o.out;
}

TEST(Cli, MissingFileAndUnknownFlagAreUsageErrors) {
  auto missing = Sluice("run /no/such/file.json");
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.out.find("/no/such/file.json"), std::string::npos) << missing.out;
  EXPECT_EQ(Sluice("run x.json --bogus").code, 2);
  EXPECT_EQ(Sluice("frobnicate").code, 2);
}

TEST(Cli, OversizedResultFailsWithDataLimitExceeded) {
  auto def = Write("big.json", R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})");
  auto o = Sluice("run " + def + " --input '{\"s\":\"" + std::string(200, 'a') +
                  "\"}' --max-payload-bytes 100 --json");
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(LastLine(o.out).find("States.DataLimitExceeded"), std::string::npos) << o.out;
}

TEST(Cli, FunctionsFileCommandRunsWithoutAShell) {
  auto def = Write("fn.json", R"({"StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo","End":true}}})");
  auto fns = Write("fns.yaml", "functions:\n  echo:\n    command: [cat]\n");
  auto o = Sluice("run " + def + " --functions " + fns + " --input '{\"a\":[1,2]}' --json");
  EXPECT_EQ(o.code, 0) << o.out;
  EXPECT_EQ(LastLine(o.out), R"({"status":"SUCCEEDED","output":{"a":[1,2]}})");
}

TEST(Cli, HelpDescribesFlags) {
  auto o = Sluice("run --help");
  EXPECT_EQ(o.code, 0);
  for (const char* flag : {"--input", "--functions", "--mock-config", "--clock", "--json"}) {
    EXPECT_NE(o.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
