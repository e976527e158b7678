#include "engine/history.h"

#include <nlohmann/json.hpp>

#include "asl/timestamp.h"

namespace sluice::engine {

namespace {
bool EndsWith(const std::string& s, const char* suffix) {
  std::string_view v(suffix);
  return s.size() >= v.size() && s.compare(s.size() - v.size(), v.size(), v) == 0;
}
}  // namespace

Json DetailsJson(const HistoryEvent& event) {
  if (event.details.empty()) return Json();
  Json details = Json::parse(event.details, nullptr, /*allow_exceptions=*/false);
  return details.is_discarded() ? Json() : details;
}

std::string DetailsMemberName(const std::string& type) {
  if (type.empty()) return "";
  if (EndsWith(type, "StateEntered")) return "stateEnteredEventDetails";
  if (EndsWith(type, "StateExited")) return "stateExitedEventDetails";
  std::string name = type;
  name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
  return name + "EventDetails";
}

Json HistoryEventToJson(const HistoryEvent& event) {
  Json j = Json::object();
  j["timestamp"] = asl::FormatTimestamp(event.timestamp_nanos);
  j["type"] = event.type;
  j["id"] = event.id;
  j["previousEventId"] = event.previous_event_id;
  if (!event.details.empty()) j[DetailsMemberName(event.type)] = DetailsJson(event);
  return j;
}

bool SameEvent(const HistoryEvent& a, const HistoryEvent& b) {
  if (a.id != b.id || a.previous_event_id != b.previous_event_id || a.type != b.type) return false;
  // The timestamp is shown in milliseconds: different nanoseconds may look the same.
  if (a.timestamp_nanos != b.timestamp_nanos &&
      asl::FormatTimestamp(a.timestamp_nanos) != asl::FormatTimestamp(b.timestamp_nanos)) {
    return false;
  }
  if (a.details == b.details) return true;
  if (a.details.empty() || b.details.empty()) return false;
  return DetailsJson(a) == DetailsJson(b);
}

}  // namespace sluice::engine
