// History consistency checks shared by the crash and fault-injection tests.
//
// A history is an array of events in GetExecutionHistory JSON shape (HistoryEventToJson, or
// `sluice history --json`). HistoryProblems lists every way it breaks what a durable execution
// must keep, whatever crashes or failed writes it went through:
//   - ids contiguous from 1; 0 <= previousEventId < id;
//   - exactly one ExecutionStarted (the first event) and, when `finished`, exactly one terminal
//     event (the last); an unfinished history has none;
//   - for each TaskScheduled / LambdaFunctionScheduled: exactly one *Started event right after it
//     in its chain, at most one recorded result (Succeeded / Failed / TimedOut) chained to that,
//     and exactly one when the execution succeeded;
//   - no event recorded twice (same type, previousEventId and details).
// EventSignatures gives the multiset of events without ids and timestamps, so two runs of the
// same deterministic workload can be compared event for event.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "asl/json.h"

namespace sluice::testing {

inline bool IsTerminalEvent(const std::string& type) {
  return type == "ExecutionSucceeded" || type == "ExecutionFailed" || type == "ExecutionTimedOut" ||
         type == "ExecutionAborted";
}

inline bool IsTaskResult(const std::string& type) {
  for (const char* prefix : {"Task", "LambdaFunction"}) {
    for (const char* outcome : {"Succeeded", "Failed", "TimedOut"}) {
      if (type == std::string(prefix) + outcome) return true;
    }
  }
  return false;
}

// The event's details member, or null.
inline Json EventDetails(const Json& event) {
  for (const auto& [key, value] : event.items()) {
    if (key.size() > 12 && key.compare(key.size() - 12, 12, "EventDetails") == 0) return value;
  }
  return nullptr;
}

inline std::vector<std::string> HistoryProblems(const Json& events, bool finished) {
  std::vector<std::string> problems;
  auto problem = [&](int64_t id, const std::string& what) {
    problems.push_back("event " + std::to_string(id) + ": " + what);
  };
  if (!events.is_array() || events.empty()) return {"no events"};
  std::map<int64_t, std::string> type_of;
  std::map<int64_t, std::vector<int64_t>> children;  // previousEventId -> ids
  std::set<std::tuple<std::string, int64_t, std::string>> seen;
  int starts = 0, terminals = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const Json& e = events[i];
    const int64_t id = e.value("id", int64_t{-1});
    const int64_t prev = e.value("previousEventId", int64_t{-1});
    const std::string type = e.value("type", "");
    if (id != static_cast<int64_t>(i) + 1) problem(id, "expected id " + std::to_string(i + 1));
    if (prev < 0 || prev >= id) problem(id, "previousEventId " + std::to_string(prev));
    type_of[id] = type;
    children[prev].push_back(id);
    if (!seen.insert({type, prev, EventDetails(e).dump()}).second) {
      problem(id, type + " recorded twice");
    }
    if (type == "ExecutionStarted") {
      ++starts;
      if (i != 0) problem(id, "ExecutionStarted is not the first event");
    }
    if (IsTerminalEvent(type)) {
      ++terminals;
      if (i + 1 != events.size()) problem(id, type + " is not the last event");
    }
  }
  if (starts != 1) problems.push_back(std::to_string(starts) + " ExecutionStarted events");
  if (terminals != (finished ? 1 : 0)) {
    problems.push_back(std::to_string(terminals) + " terminal events");
  }
  const bool succeeded = finished && events.back().value("type", "") == "ExecutionSucceeded";
  for (const auto& [id, type] : type_of) {
    if (type != "TaskScheduled" && type != "LambdaFunctionScheduled") continue;
    const std::string started = type == "TaskScheduled" ? "TaskStarted" : "LambdaFunctionStarted";
    const auto& next = children[id];
    const auto start =
        std::find_if(next.begin(), next.end(), [&](int64_t c) { return type_of[c] == started; });
    if (start == next.end()) {
      problem(id, type + " without " + started);
      continue;
    }
    int results = 0;
    for (int64_t c : children[*start]) results += IsTaskResult(type_of[c]) ? 1 : 0;
    if (results > 1) problem(id, std::to_string(results) + " results recorded for one task");
    if (succeeded && results != 1) problem(id, "no result recorded in a succeeded execution");
  }
  return problems;
}

// Each event as "type details" without id, previousEventId and timestamp, sorted.
inline std::vector<std::string> EventSignatures(const Json& events) {
  std::vector<std::string> out;
  for (const Json& e : events) out.push_back(e.value("type", "") + " " + EventDetails(e).dump());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sluice::testing
