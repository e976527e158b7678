// `sluice replay`: see replay_command.h.
#include "engine/cli/replay_command.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "asl/timestamp.h"
#include "engine/replay.h"

namespace {

namespace engine = sluice::engine;
using sluice::Json;

constexpr int kExitDiffers = 1;
constexpr int kExitUsage = 2;
// Inputs, outputs and event details longer than this are cut, so each state stays on one line.
constexpr size_t kMaxShown = 120;

// `text` cut to kMaxShown bytes with "…", never inside a UTF-8 sequence.
std::string Shorten(const std::string& text) {
  if (text.size() <= kMaxShown) return text;
  size_t cut = kMaxShown - 1;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "…";
}

// Inputs and outputs are stored as compact JSON text already.
std::string StepLine(const engine::ReplayStep& s) {
  std::string line = "  " + sluice::asl::FormatTimestamp(s.time) + "  " + s.state + " (" + s.type +
                     ")  " + Shorten(s.input);
  line += s.output ? " → " + Shorten(*s.output) : " → (not exited)";
  if (s.choice) {
    line += s.choice->index < 0
                ? "  Default"
                : "  rule #" + std::to_string(s.choice->index) + ": " + s.choice->rule;
    line += " → " + s.choice->next;
  }
  return line;
}

std::string EventText(const std::optional<engine::HistoryEvent>& e) {
  if (!e) return "nothing";
  std::string text = e->type;
  if (!e->details.empty()) text += " " + Shorten(e->details);  // compact JSON text already
  return text;
}

void PrintHuman(const engine::ReplayReport& r, const ReplayArgs& a) {
  std::cout << "Replaying " << r.execution_arn << " ("
            << engine::ExecutionStatusName(r.recorded_status) << ", " << r.recorded_events
            << " events, " << r.journal_entries << " journal entries)";
  if (!a.definition.empty()) {
    std::cout << (r.definition_changed ? " under the changed definition "
                                       : " under the recorded definition, from ")
              << a.definition;
  }
  std::cout << "\n";
  for (const auto& s : r.steps) std::cout << StepLine(s) << "\n";
  if (r.until) {
    if (r.until->reached) {
      std::cout << "stopped before " << r.until->state << " (event #" << r.until->event_id << ", "
                << sluice::asl::FormatTimestamp(r.until->time) << "): input "
                << Shorten(r.until->input) << "\n";
    } else {
      std::cout << r.until->state << " was never entered\n";
    }
  }
  if (r.difference) {
    std::cout << "first difference at event #" << r.difference->event_id << ": recorded "
              << EventText(r.difference->recorded) << ", replayed "
              << EventText(r.difference->replayed) << std::endl;
  } else {
    std::cout << "replay matches the recorded history (" << r.compared_events << " events)"
              << std::endl;
  }
}

// The definition file's text, or an error naming the file.
sluice::Result<std::string> ReadDefinition(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return sluice::Fail("--definition: cannot read '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int Usage(const std::string& message) {
  std::cerr << "sluice: " << message << "\n";
  return kExitUsage;
}

}  // namespace

CLI::App* AddReplayCommand(CLI::App& app, ReplayArgs& args) {
  auto* cmd = app.add_subcommand(
      "replay", "Re-execute a recorded execution from its history and check it reproduces it");
  cmd->add_option("execution", args.reference, "ARN, name or unique prefix")->required();
  cmd->add_option("--db", args.db, "SQLite database (default ./sluice.db)")->envname("SLUICE_DB");
  cmd->add_option("--definition", args.definition,
                  "Replay under this changed definition and report where it diverges");
  cmd->add_option("--until", args.until, "Stop before entering STATE and show its input");
  cmd->add_flag("--json", args.json, "Print the replay report as JSON");
  return cmd;
}

int RunReplay(const ReplayArgs& a) {
  engine::ReplayRequest request;
  request.reference = a.reference;
  request.until_state = a.until;
  if (!a.definition.empty()) {
    auto text = ReadDefinition(a.definition);
    if (!text.ok()) return Usage(text.error());
    request.definition_text = std::move(text).value();
  }
  auto store = engine::OpenStoreForReplay(a.db);
  if (!store.ok()) return Usage("--db " + store.error());
  auto report = engine::Replay(*store.value(), request);
  if (!report.ok()) return Usage(report.error());
  if (a.json) {
    std::cout << engine::ReplayReportToJson(report.value()).dump(2) << std::endl;
  } else {
    PrintHuman(report.value(), a);
  }
  return report->matches() ? 0 : kExitDiffers;
}
