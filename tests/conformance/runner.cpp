// The conformance runner: runs every AWS-recorded case in a directory and compares the result
// with what AWS recorded.
//
// A case passes when the status matches and, for SUCCEEDED, the output is deeply equal after
// removing the case's `nondeterministic` paths from both sides; for FAILED, `error` must match,
// and `cause` too where it is given. `task_mocks` become a functions file, exactly as
// `sluice run --functions` would read it. Waits run on the virtual clock.
//
// Every case that runs is also replayed: its journal (kept by a JournalRecorder) is fed to a
// fresh executor (Rebuild), whose history must equal the original exactly; a mismatch fails the
// case, naming the first differing event. The summary line "replay: N/M histories reproduced"
// counts the cases that ran.
//
// The ratchet: cases named in --known-failures may fail. The run fails when any other case
// fails, and when a listed case passes (so the list only ever shrinks).
//
// Usage: sluice_conformance --cases DIR [--known-failures FILE] [--filter SUBSTRING]
//                           [--verbose] [--write-failures FILE]
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "asl/loader.h"
#include "engine/handler_setup.h"
#include "engine/journal.h"
#include "engine/replay.h"
#include "engine/run.h"
#include "handlers/task_handler.h"

namespace fs = std::filesystem;
using sluice::Json;

namespace {

struct Options {
  std::string cases_dir;
  std::string known_failures;
  std::string filter;
  std::string write_failures;
  bool verbose = false;
};

// Splits "$.a.b[0]['c']" into tokens: strings for names, numbers for indexes.
std::vector<Json> ParseSimplePath(const std::string& path) {
  std::vector<Json> tokens;
  size_t i = 1;  // skip '$'
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t j = i + 1;
      while (j < path.size() && path[j] != '.' && path[j] != '[') ++j;
      tokens.emplace_back(path.substr(i + 1, j - i - 1));
      i = j;
    } else if (path[i] == '[') {
      size_t j = path.find(']', i);
      if (j == std::string::npos) break;
      std::string inner = path.substr(i + 1, j - i - 1);
      if (!inner.empty() && (inner[0] == '\'' || inner[0] == '"')) {
        tokens.emplace_back(inner.substr(1, inner.size() - 2));
      } else {
        tokens.emplace_back(std::stoll(inner));
      }
      i = j + 1;
    } else {
      ++i;
    }
  }
  return tokens;
}

void RemovePath(Json& root, const std::vector<Json>& tokens, size_t at = 0) {
  if (tokens.empty()) {
    root = nullptr;
    return;
  }
  const Json& t = tokens[at];
  const bool last = at + 1 == tokens.size();
  if (t.is_string() && root.is_object()) {
    auto it = root.find(t.get<std::string>());
    if (it == root.end()) return;
    if (last) {
      root.erase(it);
    } else {
      RemovePath(*it, tokens, at + 1);
    }
  } else if (t.is_number_integer() && root.is_array()) {
    auto idx = t.get<int64_t>();
    if (idx < 0 || idx >= static_cast<int64_t>(root.size())) return;
    if (last) {
      root[idx] = nullptr;  // keep positions of the other elements
    } else {
      RemovePath(root[idx], tokens, at + 1);
    }
  }
}

struct Outcome {
  bool passed = false;
  std::string detail;
  bool ran = false;         // the execution ran (and so was replayed)
  bool reproduced = false;  // its replay gave the same history
};

std::string EventText(const std::optional<sluice::engine::HistoryEvent>& e) {
  return e ? sluice::engine::HistoryEventToJson(*e).dump() : "nothing";
}

// Rebuilds the run from its journal; "" when the history is reproduced, else what differs.
std::string CheckReplay(const std::shared_ptr<const sluice::asl::StateMachine>& machine,
                        const sluice::engine::RunResult& run,
                        const sluice::engine::JournalRecorder& journal) {
  if (!journal.started()) return "the run recorded no start";
  auto rebuilt = sluice::engine::Rebuild(machine, run.options, journal.input(),
                                         journal.start_time(), journal.entries());
  auto diff = sluice::engine::FirstDifference(run.history, rebuilt.executor->history());
  if (!diff) return "";
  return "replay differs from the run at event #" + std::to_string(diff->event_id) +
         "\n  run:    " + EventText(diff->recorded) + "\n  replay: " + EventText(diff->replayed);
}

Outcome RunCase(const Json& c) {
  Outcome out;
  auto compiled = sluice::asl::Compile(c.at("definition"));
  if (!compiled.ok()) {
    out.detail = "definition rejected:\n" + sluice::asl::FormatDiagnostics(compiled.error());
    return out;
  }
  sluice::engine::HandlerConfig hc;
  if (c.contains("task_mocks")) {
    hc.functions =
        std::make_shared<const Json>(sluice::engine::FunctionsFromTaskMocks(c["task_mocks"]));
    hc.functions_source = "task_mocks";
  }
  sluice::engine::RunRequest req;
  req.machine = compiled.value();
  req.machine_name = "ConformanceMachine";
  req.input = std::make_shared<const Json>(c.value("input", Json::object()));
  req.virtual_clock = true;
  req.express = c.value("provenance", Json::object()).value("state_machine_type", "") == "EXPRESS";
  sluice::engine::JournalRecorder journal;
  auto run = sluice::engine::RunToCompletion(
      req, [&](uv_loop_t* loop) { return sluice::engine::BuildHandlers(loop, hc); }, &journal);
  if (!run.ok()) {
    out.detail = "could not run: " + run.error();
    return out;
  }
  const auto& r = run.value();
  out.ran = true;
  out.detail = CheckReplay(req.machine, r, journal);
  out.reproduced = out.detail.empty();
  if (!out.reproduced) return out;
  const Json& expected = c.at("expected");
  std::string want_status = expected.at("status").get<std::string>();
  std::string got_status = sluice::engine::ExecutionStatusName(r.status);
  std::ostringstream why;
  if (got_status != want_status) {
    why << "status " << got_status << ", expected " << want_status;
    if (r.status != sluice::engine::ExecutionStatus::kSucceeded) {
      why << "\n  error: " << r.error.error << "\n  cause: " << r.error.cause;
    } else {
      why << "\n  output: " << r.output->dump();
    }
    out.detail = why.str();
    return out;
  }
  if (want_status == "SUCCEEDED") {
    Json got = *r.output;
    Json want = expected.value("output", Json());
    for (const auto& p : c.value("nondeterministic", Json::array())) {
      auto tokens = ParseSimplePath(p.get<std::string>());
      RemovePath(got, tokens);
      RemovePath(want, tokens);
    }
    // Deep equality, ignoring key order (the cases' contract).
    if (nlohmann::json::parse(got.dump()) != nlohmann::json::parse(want.dump())) {
      why << "output differs\n  got:      " << got.dump() << "\n  expected: " << want.dump();
      out.detail = why.str();
      return out;
    }
  } else {
    std::string want_error = expected.value("error", "");
    if (expected.contains("error") && expected["error"].is_string() &&
        r.error.error != want_error) {
      why << "error '" << r.error.error << "', expected '" << want_error
          << "'\n  cause: " << r.error.cause;
      out.detail = why.str();
      return out;
    }
    if (expected.contains("cause") && expected["cause"].is_string() &&
        r.error.cause != expected["cause"].get<std::string>()) {
      why << "cause differs\n  got:      " << r.error.cause
          << "\n  expected: " << expected["cause"].get<std::string>();
      out.detail = why.str();
      return out;
    }
  }
  out.passed = true;
  return out;
}

std::set<std::string> ReadList(const std::string& path) {
  std::set<std::string> names;
  if (path.empty()) return names;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto hash = line.find('#');
    if (hash != std::string::npos) line = line.substr(0, hash);
    line.erase(0, line.find_first_not_of(" \t"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty()) names.insert(line);
  }
  return names;
}

int Usage() {
  std::cerr << "usage: sluice_conformance --cases DIR [--known-failures FILE] [--filter TEXT] "
               "[--verbose] [--write-failures FILE]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--cases") {
      opt.cases_dir = next();
    } else if (a == "--known-failures") {
      opt.known_failures = next();
    } else if (a == "--filter") {
      opt.filter = next();
    } else if (a == "--write-failures") {
      opt.write_failures = next();
    } else if (a == "--verbose" || a == "-v") {
      opt.verbose = true;
    } else {
      return Usage();
    }
  }
  if (opt.cases_dir.empty() || !fs::is_directory(opt.cases_dir)) {
    std::cerr << "sluice_conformance: cases directory not found: '" << opt.cases_dir << "'\n";
    return 2;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(opt.cases_dir)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  const auto known = ReadList(opt.known_failures);

  std::map<std::string, std::pair<int, int>> by_category;  // passed, failed
  std::vector<std::string> failed_names, unexpected, fixed;
  int passed = 0, failed = 0, ran = 0, reproduced = 0;
  for (const auto& path : files) {
    Json c;
    try {
      std::ifstream in(path);
      c = Json::parse(in);
    } catch (const std::exception& e) {
      std::cerr << path << ": not valid JSON: " << e.what() << "\n";
      return 2;
    }
    std::string name = c.value("name", path.stem().string());
    if (!opt.filter.empty() && name.find(opt.filter) == std::string::npos) continue;
    std::string category = c.value("category", "uncategorised");
    Outcome o = RunCase(c);
    ran += o.ran;
    reproduced += o.reproduced;
    auto& counts = by_category[category];
    if (o.passed) {
      ++passed;
      ++counts.first;
      if (known.count(name)) fixed.push_back(name);
    } else {
      ++failed;
      ++counts.second;
      failed_names.push_back(name);
      if (!known.count(name)) unexpected.push_back(name);
      if (opt.verbose || !known.count(name)) {
        std::cout << "FAIL [" << category << "] " << name << "\n  " << o.detail << "\n";
      }
    }
  }
  std::cout << "\nConformance by category (passed/total):\n";
  for (const auto& [category, counts] : by_category) {
    std::cout << "  " << category << ": " << counts.first << "/" << (counts.first + counts.second)
              << "\n";
  }
  if (!opt.write_failures.empty()) {
    std::ofstream outf(opt.write_failures);
    outf << "# Conformance cases known to fail (the ratchet: this list only shrinks).\n";
    for (const auto& n : failed_names) outf << n << "\n";
  }
  int rc = 0;
  if (!unexpected.empty()) {
    std::cout << "\n"
              << unexpected.size() << " case(s) failed that are not in the known-failures list\n";
    rc = 1;
  }
  if (!fixed.empty() && opt.filter.empty()) {
    std::cout << "\n"
              << fixed.size() << " case(s) in the known-failures list now pass; remove them:\n";
    for (const auto& n : fixed) std::cout << "  " << n << "\n";
    rc = 1;
  }
  std::cout << "\nreplay: " << reproduced << "/" << ran << " histories reproduced\n";
  std::cout << "\n" << passed << " passed, " << failed << " failed\n";
  return rc;
}
