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
  if (event.details) j[DetailsMemberName(event.type)] = *event.details;
  return j;
}

}  // namespace sluice::engine
