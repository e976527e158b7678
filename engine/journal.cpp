// Journal: see journal.h.
#include "engine/journal.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace sluice::engine {

namespace {

const char* KindName(JournalEntry::Kind kind) {
  switch (kind) {
    case JournalEntry::Kind::kTaskSucceeded:
      return "task_succeeded";
    case JournalEntry::Kind::kTaskFailed:
      return "task_failed";
    case JournalEntry::Kind::kTimer:
      return "timer";
    case JournalEntry::Kind::kStop:
      return "stop";
    case JournalEntry::Kind::kRedrive:
      return "redrive";
    case JournalEntry::Kind::kHeartbeat:
      return "heartbeat";
    case JournalEntry::Kind::kTaskStarted:
      return "task_started";
  }
  return "?";
}

asl::AslError ErrorOf(const std::shared_ptr<const Json>& ptr) {
  static const Json kEmpty = Json::object();
  const Json& value = ptr && ptr->is_object() ? *ptr : kEmpty;
  asl::AslError e;
  e.error = value.value("Error", "");
  e.has_cause = value.contains("Cause");
  e.cause = value.value("Cause", "");
  return e;
}

}  // namespace

std::string EncodeJournalEntry(const JournalEntry& entry) {
  Json j{{"kind", KindName(entry.kind)}, {"id", entry.id}, {"time", entry.time}};
  if (entry.value) j["value"] = *entry.value;
  return j.dump();
}

Result<JournalEntry> DecodeJournalEntry(const std::string& text) {
  try {
    Json j = Json::parse(text);
    JournalEntry e;
    const std::string kind = j.at("kind").get<std::string>();
    if (kind == "task_succeeded") {
      e.kind = JournalEntry::Kind::kTaskSucceeded;
    } else if (kind == "task_failed") {
      e.kind = JournalEntry::Kind::kTaskFailed;
    } else if (kind == "timer") {
      e.kind = JournalEntry::Kind::kTimer;
    } else if (kind == "stop") {
      e.kind = JournalEntry::Kind::kStop;
    } else if (kind == "redrive") {
      e.kind = JournalEntry::Kind::kRedrive;
    } else if (kind == "heartbeat") {
      e.kind = JournalEntry::Kind::kHeartbeat;
    } else if (kind == "task_started") {
      e.kind = JournalEntry::Kind::kTaskStarted;
    } else {
      return Fail("unknown journal entry kind '" + kind + "'");
    }
    e.id = j.at("id").get<uint64_t>();
    e.time = j.at("time").get<int64_t>();
    if (j.contains("value")) e.value = std::make_shared<const Json>(std::move(j["value"]));
    return e;
  } catch (const nlohmann::json::exception& e) {
    return Fail(std::string("malformed journal entry: ") + e.what());
  }
}

Commands Deliver(Executor& executor, const JournalEntry& entry) {
  switch (entry.kind) {
    case JournalEntry::Kind::kTaskSucceeded:
      return executor.OnTaskSucceeded(entry.id, entry.value ? *entry.value : Json(), entry.time);
    case JournalEntry::Kind::kTaskFailed:
      return executor.OnTaskFailed(entry.id, ErrorOf(entry.value), entry.time);
    case JournalEntry::Kind::kTimer:
      return executor.OnTimer(entry.id, entry.time);
    case JournalEntry::Kind::kStop: {
      asl::AslError e = ErrorOf(entry.value);
      return executor.Stop(e.error, e.cause, entry.time);
    }
    case JournalEntry::Kind::kRedrive:
      return executor.Redrive(entry.time);
    case JournalEntry::Kind::kHeartbeat:
      return executor.OnTaskHeartbeat(entry.id, entry.time);
    case JournalEntry::Kind::kTaskStarted: {
      const bool named = entry.value && entry.value->is_object();
      return executor.OnTaskStarted(entry.id, named ? entry.value->value("workerName", "") : "",
                                    entry.time);
    }
  }
  return {};
}

void PendingTracker::Apply(const Commands& commands) {
  auto erase = [](std::vector<Command>& v, auto pred) {
    v.erase(std::remove_if(v.begin(), v.end(), pred), v.end());
  };
  for (const auto& c : commands) {
    switch (c.kind) {
      case Command::Kind::kScheduleTask:
        tasks_.push_back(c);
        break;
      case Command::Kind::kCancelTask:
        erase(tasks_, [&](const Command& t) { return t.task_id == c.task_id; });
        break;
      case Command::Kind::kStartTimer:
        timers_.push_back(c);
        break;
      case Command::Kind::kCancelTimer:
        erase(timers_, [&](const Command& t) { return t.timer_id == c.timer_id; });
        break;
    }
  }
}

void PendingTracker::Delivered(const JournalEntry& entry) {
  auto erase = [](std::vector<Command>& v, auto pred) {
    v.erase(std::remove_if(v.begin(), v.end(), pred), v.end());
  };
  switch (entry.kind) {
    case JournalEntry::Kind::kTaskSucceeded:
    case JournalEntry::Kind::kTaskFailed:
      erase(tasks_, [&](const Command& t) { return t.task_id == entry.id; });
      break;
    case JournalEntry::Kind::kTimer:
      erase(timers_, [&](const Command& t) { return t.timer_id == entry.id; });
      break;
    case JournalEntry::Kind::kStop:
    case JournalEntry::Kind::kRedrive:
    case JournalEntry::Kind::kHeartbeat:
    case JournalEntry::Kind::kTaskStarted:  // still pending: a worker holds it
      break;
  }
}

PendingWork PendingTracker::Pending() const { return PendingWork{tasks_, timers_}; }

ExecutionOptions StartOptions(ExecutionOptions stored, const std::vector<JournalEntry>& entries) {
  for (const auto& entry : entries) {
    if (entry.kind != JournalEntry::Kind::kRedrive) continue;
    if (entry.value && entry.value->is_object()) {
      stored.redrive_count = entry.value->value("redriveCount", int64_t{1}) - 1;
    }
    break;
  }
  return stored;
}

Rebuilt Rebuild(std::shared_ptr<const asl::StateMachine> machine, ExecutionOptions options,
                const Json& input, int64_t start_time, const std::vector<JournalEntry>& entries) {
  Rebuilt out;
  out.executor = std::make_unique<Executor>(std::move(machine), std::move(options));
  PendingTracker tracker;
  tracker.Apply(out.executor->Start(input, start_time));
  for (const auto& entry : entries) {
    tracker.Delivered(entry);
    tracker.Apply(Deliver(*out.executor, entry));
  }
  if (!out.executor->done()) out.pending = tracker.Pending();
  return out;
}

}  // namespace sluice::engine
