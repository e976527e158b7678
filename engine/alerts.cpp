// Alerts: see alerts.h. Three parts: the alerts file, the payloads, the dispatcher.
#include "engine/alerts.h"

#include <spdlog/spdlog.h>
#include <uv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <utility>

#include "asl/diagnostic.h"
#include "asl/timestamp.h"
#include "handlers/pipeline/config_internal.h"
#include "handlers/pipeline/event_types.h"

namespace sluice::engine {
namespace {

using handlers::HttpError;
using handlers::HttpRequest;
using handlers::HttpResponse;
using pipeline::ConfigDiagnostics;
using pipeline::PipelineEvent;
using pipeline::config_internal::MapReader;
using pipeline::config_internal::Problems;
using pipeline::config_internal::SourceMarks;

constexpr double kMaxTimeoutSeconds = 300;
constexpr double kDefaultTimeoutSeconds = 10;  // Interlock's Slack client
constexpr size_t kSlackSectionChars = 3000;    // Slack's limit on a section block's text
constexpr size_t kCauseChars = 300;            // of an error cause, in a Slack message

// The alerts file -----------------------------------------------------------------------------

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

// RFC 9110 token characters: what a header name may contain.
bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool HasLineBreak(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::optional<AlertSinkType> ReadSinkType(const MapReader& map) {
  std::optional<std::string> name = map.String("type", true);
  if (!name) return std::nullopt;
  if (*name == "slack") return AlertSinkType::kSlack;
  if (*name == "webhook") return AlertSinkType::kWebhook;
  map.problems().AtValue(map.PointerOf("type"),
                         "unknown sink type '" + *name + "' (expected slack or webhook)");
  return std::nullopt;
}

// The url, expanded. Messages never quote it: it is often a secret.
std::string ReadUrl(const MapReader& map, const EnvExpander& expand_env) {
  std::optional<std::string> written = map.String("url", true);
  if (!written) return "";
  std::string url = expand_env(*written);
  const std::string pointer = map.PointerOf("url");
  if (url.empty()) {
    map.problems().AtValue(pointer, "is empty after environment expansion (an unset variable?)");
  } else if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    map.problems().AtValue(pointer, "must be an http:// or https:// URL");
  } else if (HasLineBreak(url)) {
    map.problems().AtValue(pointer, "must not contain a line break");
  }
  return url;
}

std::vector<std::string> ReadEvents(const MapReader& map) {
  std::vector<std::string> events;
  const Json* list = map.List("events");
  if (list == nullptr) return events;
  if (list->empty()) {
    map.problems().AtValue(map.PointerOf("events"),
                           "lists no event types (leave `events` out for every type)");
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& item = (*list)[i];
    const std::string pointer = asl::JoinPointer(map.PointerOf("events"), std::to_string(i));
    if (!item.is_string()) {
      map.problems().AtValue(
          pointer, "expected an event type, got " + pipeline::config_internal::Describe(item));
    } else if (!pipeline::IsEventType(item.get<std::string>())) {
      map.problems().AtValue(pointer, "unknown event type '" + item.get<std::string>() +
                                          "' (expected one of: " + pipeline::JoinedEventTypes() +
                                          ")");
    } else {
      events.push_back(item.get<std::string>());
    }
  }
  return events;
}

handlers::HttpHeaders ReadHeaders(const MapReader& map, AlertSinkType type,
                                  const EnvExpander& expand_env) {
  handlers::HttpHeaders headers;
  const Json* object = map.Map("headers");
  if (object == nullptr) return headers;
  Problems& problems = map.problems();
  if (type == AlertSinkType::kSlack) {
    problems.AtKey(map.PointerOf("headers"), "headers are for webhook sinks only");
    return headers;
  }
  for (const auto& [name, value] : object->items()) {
    const std::string pointer = asl::JoinPointer(map.PointerOf("headers"), name);
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) {
      problems.AtKey(pointer, "'" + name + "' is not a header name");
    } else if (!value.is_string() && !value.is_number()) {
      problems.AtValue(pointer,
                       "expected a string, got " + pipeline::config_internal::Describe(value));
    } else {
      std::string text = expand_env(value.is_string() ? value.get<std::string>() : value.dump());
      if (HasLineBreak(text)) problems.AtValue(pointer, "must not contain a line break");
      headers.emplace_back(name, std::move(text));
    }
  }
  return headers;
}

int64_t ReadTimeoutMs(const MapReader& map) {
  std::optional<double> seconds = map.Number("timeoutSeconds");
  if (seconds && (!(*seconds > 0) || *seconds > kMaxTimeoutSeconds)) {
    map.problems().AtValue(map.PointerOf("timeoutSeconds"), "must be more than 0 and at most 300");
    seconds.reset();
  }
  return std::max<int64_t>(1, std::llround(seconds.value_or(kDefaultTimeoutSeconds) * 1000));
}

std::optional<AlertSink> ReadSink(Problems& problems, const Json& value, const std::string& pointer,
                                  const EnvExpander& expand_env) {
  MapReader map(problems, value, pointer,
                {"name", "type", "url", "events", "headers", "timeoutSeconds"});
  if (!map.valid()) return std::nullopt;
  AlertSink sink;
  std::optional<std::string> name = map.String("name", true);
  if (name && !std::all_of(name->begin(), name->end(), IsNameChar)) {
    problems.AtValue(map.PointerOf("name"), "\"" + *name +
                                                "\" is not a sink name (use letters, digits, "
                                                "'.', '_' and '-')");
  }
  sink.name = name.value_or("");
  std::optional<AlertSinkType> type = ReadSinkType(map);
  sink.type = type.value_or(AlertSinkType::kWebhook);
  sink.url = ReadUrl(map, expand_env);
  sink.events = ReadEvents(map);
  if (type) sink.headers = ReadHeaders(map, *type, expand_env);
  sink.timeout_ms = ReadTimeoutMs(map);
  return sink;
}

Result<AlertsConfig, ConfigDiagnostics> Validate(const Json& document, const SourceMarks& marks,
                                                 const EnvExpander& expand_env) {
  Problems problems(&marks);
  MapReader root(problems, document, "", {"sinks"});
  AlertsConfig config;
  const Json* sinks = root.List("sinks");
  if (root.valid() && root.Get("sinks") == nullptr) root.ReportMissing("sinks");
  for (size_t i = 0; sinks != nullptr && i < sinks->size(); ++i) {
    const std::string pointer = "/sinks/" + std::to_string(i);
    std::optional<AlertSink> sink = ReadSink(problems, (*sinks)[i], pointer, expand_env);
    if (!sink) continue;
    for (size_t j = 0; j < config.sinks.size(); ++j) {
      if (!sink->name.empty() && config.sinks[j].name == sink->name) {
        problems.AtValue(pointer + "/name", "sink name '" + sink->name +
                                                "' is already used by /sinks/" + std::to_string(j));
      }
    }
    config.sinks.push_back(std::move(*sink));
  }
  if (!problems.empty()) return Fail(problems.Take());
  return config;
}

// Payloads ------------------------------------------------------------------------------------

// Slack's mrkdwn needs only these three escaped.
std::string SlackEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// At most `max` bytes, cut at a UTF-8 character boundary, with "…" when cut.
std::string Truncate(std::string text, size_t max) {
  if (text.size() <= max) return text;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "…";
}

// A detail field as text: strings as they are, numbers and booleans as JSON; "" for anything
// else (absent, null, empty, structured).
std::string DetailText(const Json& detail, const char* key) {
  if (!detail.is_object()) return "";
  auto found = detail.find(key);
  if (found == detail.end() || found->is_null() || found->is_structured()) return "";
  return found->is_string() ? found->get<std::string>() : found->dump();
}

// Interlock's emoji: red for what needs a person, yellow for a warning, a check for a met SLA.
const char* SlackEmoji(std::string_view type) {
  static constexpr std::string_view kRed[] = {
      "SLA_BREACH",      "JOB_FAILED", "VALIDATION_EXHAUSTED", "RETRY_EXHAUSTED", "INFRA_FAILURE",
      "SCHEDULE_MISSED", "DATA_DRIFT", "JOB_POLL_EXHAUSTED",   "SFN_TIMEOUT"};
  if (std::find(std::begin(kRed), std::end(kRed), type) != std::end(kRed)) return ":red_circle:";
  if (type == "SLA_WARNING") return ":large_yellow_circle:";
  if (type == "SLA_MET") return ":white_check_mark:";
  return ":information_source:";
}

// "Deadline D (B)" / "Deadline D" / "Breach at B", then the labelled fields, joined by " · ".
std::string SlackFactsLine(const Json& detail) {
  static constexpr std::pair<const char*, const char*> kFields[] = {
      {"status", "Status"},     {"source", "Source"}, {"cron", "Cron"},
      {"outcome", "Outcome"},   {"jobType", "Job"},   {"runId", "Run"},
      {"category", "Category"}, {"error", "Error"},   {"cause", "Cause"}};
  std::vector<std::string> facts;
  const std::string deadline = DetailText(detail, "deadline");
  const std::string breach = DetailText(detail, "breachAt");
  if (!deadline.empty()) {
    facts.push_back("Deadline " + deadline + (breach.empty() ? "" : " (" + breach + ")"));
  } else if (!breach.empty()) {
    facts.push_back("Breach at " + breach);
  }
  for (const auto& [key, label] : kFields) {
    const std::string value = DetailText(detail, key);
    if (!value.empty()) facts.push_back(std::string(label) + ": " + Truncate(value, kCauseChars));
  }
  std::string line;
  for (const std::string& fact : facts) line += (line.empty() ? "" : " · ") + fact;
  return line;
}

// "[pipeline date] " (or "[pipeline] "); nothing for an event of no pipeline.
std::string SlackThreadPrefix(const PipelineEvent& event) {
  if (event.pipeline.empty()) return "";
  return "[" + event.pipeline + (event.date.empty() ? "" : " " + event.date) + "] ";
}

std::string SlackText(const PipelineEvent& event) {
  std::string text = SlackEscape(SlackThreadPrefix(event)) + SlackEmoji(event.type) + " *" +
                     SlackEscape(event.type) + "*";
  if (!event.message.empty()) text += "\n" + SlackEscape(event.message);
  const std::string facts = SlackFactsLine(event.detail);
  if (!facts.empty()) text += "\n" + SlackEscape(facts);
  const std::string hint = DetailText(event.detail, "actionHint");
  if (!hint.empty()) text += "\n→ " + SlackEscape(hint);
  return Truncate(std::move(text), kSlackSectionChars);
}

std::string SlackBody(const PipelineEvent& event) {
  const std::string text = SlackText(event);
  Json body{{"text", text},
            {"blocks",
             Json::array({{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", text}}}}})}};
  return body.dump();
}

std::string WebhookBody(const PipelineEvent& event, int64_t time_nanos) {
  Json body{{"type", event.type},
            {"pipeline", event.pipeline},
            {"schedule", event.schedule},
            {"date", event.date},
            {"time", asl::FormatTimestamp(time_nanos)},
            {"message", event.message},
            {"detail", event.detail.is_null() ? Json::object() : event.detail},
            {"thread", nullptr}};
  if (!event.pipeline.empty()) {
    body["thread"] = event.pipeline + "/" + event.schedule + "/" + event.date;
  }
  return body.dump();
}

// A one-shot uv timer owned by one object; destroying the owner closes the handle.
class Timer {
 public:
  explicit Timer(uv_loop_t* loop) : handle_(new uv_timer_t) {
    uv_timer_init(loop, handle_);
    handle_->data = this;
  }
  ~Timer() {
    uv_close(reinterpret_cast<uv_handle_t*>(handle_),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
  }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void Start(int64_t ms, std::function<void()> call) {
    call_ = std::move(call);
    uv_timer_start(handle_, &Timer::OnFire, static_cast<uint64_t>(std::max<int64_t>(ms, 0)), 0);
  }
  void Stop() {
    uv_timer_stop(handle_);
    call_ = nullptr;
  }

 private:
  // The call may destroy the owner: nothing of `this` is touched after it.
  static void OnFire(uv_timer_t* handle) {
    auto* self = static_cast<Timer*>(handle->data);
    std::function<void()> call = std::move(self->call_);
    self->call_ = nullptr;
    if (call) call();
  }

  uv_timer_t* handle_;
  std::function<void()> call_;
};

}  // namespace

// The alerts file (public) --------------------------------------------------------------------

std::string_view AlertSinkTypeName(AlertSinkType type) {
  switch (type) {
    case AlertSinkType::kSlack:
      return "slack";
    case AlertSinkType::kWebhook:
      return "webhook";
  }
  return "?";
}

bool AlertSink::Wants(std::string_view event_type) const {
  return events.empty() || std::find(events.begin(), events.end(), event_type) != events.end();
}

Result<AlertsConfig, ConfigDiagnostics> ParseAlertsConfig(std::string_view text,
                                                          const EnvExpander& expand_env) {
  auto read = pipeline::config_internal::ReadSourceDocument(text, "the alerts file is empty");
  if (!read.ok()) return Fail(std::move(read).error());
  return Validate(read->document, read->marks, expand_env);
}

Result<AlertsConfig> LoadAlertsFile(const std::string& path, const EnvExpander& expand_env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(path + ": cannot read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  auto config = ParseAlertsConfig(text.str(), expand_env);
  if (!config.ok()) return Fail(pipeline::FormatConfigDiagnostics(config.error(), path));
  return std::move(config).value();
}

// The dispatcher ------------------------------------------------------------------------------

struct AlertDispatcher::Impl {
  struct Delivery {
    std::string body;
    std::string what;  // "TYPE for pipeline/schedule/date", for logs
    int attempts = 0;
  };

  // One sink's queue. Invariant: `current` is set while a delivery is being attempted or waits
  // for its back-off; `waiting` is non-empty only while `current` is set.
  struct Sink {
    Sink(uv_loop_t* loop, AlertSink config) : config(std::move(config)), backoff(loop) {}
    AlertSink config;
    std::deque<Delivery> waiting;
    std::optional<Delivery> current;
    uint64_t request = 0;  // the attempt in flight; 0 when none
    Timer backoff;
    bool overflowing = false;  // a drop was logged since the queue last emptied
    AlertSinkStats stats;
  };

  enum class Phase { kOpen, kClosing, kClosed };

  Impl(uv_loop_t* loop, AlertsConfig config, Options given)
      : options(Sanitized(given)), http(loop), close_timer(loop) {
    for (AlertSink& sink_config : config.sinks) {
      auto sink = std::make_unique<Sink>(loop, std::move(sink_config));
      sink->stats.name = sink->config.name;
      sink->stats.type = sink->config.type;
      sinks.push_back(std::move(sink));
    }
  }

  static Options Sanitized(Options options) {
    options.max_attempts = std::max(1, options.max_attempts);
    options.queue_capacity = std::max<size_t>(1, options.queue_capacity);
    return options;
  }

  void Notify(const PipelineEvent& event, int64_t time_nanos) {
    std::optional<std::string> slack, webhook;  // built once, for the first sink that wants it
    const std::string what =
        event.type + " for " + event.pipeline + "/" + event.schedule + "/" + event.date;
    for (auto& sink : sinks) {
      if (!sink->config.Wants(event.type)) continue;
      if (phase != Phase::kOpen) {
        ++sink->stats.dropped;
        continue;
      }
      std::optional<std::string>& body =
          sink->config.type == AlertSinkType::kSlack ? slack : webhook;
      if (!body) {
        body = sink->config.type == AlertSinkType::kSlack ? SlackBody(event)
                                                          : WebhookBody(event, time_nanos);
      }
      Enqueue(*sink, Delivery{*body, what, 0});
    }
  }

  void Enqueue(Sink& sink, Delivery delivery) {
    if (!sink.current) {
      sink.current = std::move(delivery);
      return Attempt(sink);
    }
    if (sink.waiting.size() >= options.queue_capacity) {
      if (!sink.overflowing) {
        spdlog::warn("alert sink {}: queue full ({} waiting), dropping the oldest alerts",
                     sink.config.name, sink.waiting.size());
      }
      sink.overflowing = true;
      sink.waiting.pop_front();
      ++sink.stats.dropped;
    }
    sink.waiting.push_back(std::move(delivery));
  }

  void Attempt(Sink& sink) {
    HttpRequest request{"POST", sink.config.url, sink.config.headers, sink.current->body};
    request.timeout_ms = sink.config.timeout_ms;
    if (std::none_of(request.headers.begin(), request.headers.end(),
                     [](const auto& h) { return IsContentType(h.first); })) {
      request.headers.emplace_back("Content-Type", "application/json");
    }
    ++sink.current->attempts;
    sink.request = http.Send(request, [this, &sink](Result<HttpResponse, HttpError> answer) {
      sink.request = 0;
      OnAnswer(sink, answer);
    });
  }

  static bool IsContentType(std::string_view name) {
    constexpr std::string_view kContentType = "content-type";
    return name.size() == kContentType.size() &&
           std::equal(name.begin(), name.end(), kContentType.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == b;
           });
  }

  void OnAnswer(Sink& sink, const Result<HttpResponse, HttpError>& answer) {
    if (answer.ok() && answer->status >= 200 && answer->status < 300) {
      ++sink.stats.delivered;
      return Next(sink);
    }
    const bool retryable = !answer.ok() || answer->status == 429 || answer->status >= 500;
    const std::string why =
        answer.ok() ? "HTTP " + std::to_string(answer->status) + " " + Truncate(answer->body, 200)
                    : answer.error().message;
    if (!retryable || sink.current->attempts >= options.max_attempts) {
      ++sink.stats.failed;
      spdlog::warn("alert sink {}: {} not delivered after {} attempt(s): {}", sink.config.name,
                   sink.current->what, sink.current->attempts, why);
      return Next(sink);
    }
    ++sink.stats.retried;
    sink.backoff.Start(Backoff(sink.current->attempts), [this, &sink] { Attempt(sink); });
  }

  // Before attempt n + 1: initial · 2^(n-1), capped.
  int64_t Backoff(int attempts_made) const {
    int64_t delay = options.initial_backoff_ms;
    for (int i = 1; i < attempts_made && delay < options.max_backoff_ms; ++i) delay *= 2;
    return std::min(delay, options.max_backoff_ms);
  }

  void Next(Sink& sink) {
    sink.current.reset();
    if (!sink.waiting.empty()) {
      sink.current = std::move(sink.waiting.front());
      sink.waiting.pop_front();
      return Attempt(sink);
    }
    sink.overflowing = false;
    if (phase == Phase::kClosing && Idle()) Closed();
  }

  bool Idle() const {
    return std::all_of(sinks.begin(), sinks.end(), [](const auto& s) { return !s->current; });
  }

  void Close(std::function<void()> done) {
    close_waiters.push_back(std::move(done));
    if (phase == Phase::kClosing) return;  // answered when the first Close ends
    if (phase == Phase::kClosed || Idle()) return Closed();
    phase = Phase::kClosing;
    close_timer.Start(options.close_timeout_ms, [this] { CancelAll(); });
  }

  // The deadline: what is left is dropped.
  void CancelAll() {
    for (auto& sink : sinks) {
      if (sink->request != 0) http.Cancel(sink->request);
      sink->request = 0;
      sink->backoff.Stop();
      const uint64_t left = sink->waiting.size() + (sink->current ? 1 : 0);
      if (left > 0) {
        spdlog::warn("alert sink {}: {} alert(s) cancelled at shutdown", sink->config.name, left);
      }
      sink->stats.dropped += left;
      sink->waiting.clear();
      sink->current.reset();
    }
    Closed();
  }

  // Calls the waiters on a later turn (from a timer callback, so one may destroy the
  // dispatcher).
  void Closed() {
    phase = Phase::kClosed;
    close_timer.Start(0, [this] {
      std::vector<std::function<void()>> waiters = std::move(close_waiters);
      close_waiters.clear();
      for (auto& done : waiters) {
        if (done) done();
      }
    });
  }

  Options options;
  handlers::HttpClient http;
  Timer close_timer;
  std::vector<std::unique_ptr<Sink>> sinks;
  Phase phase = Phase::kOpen;
  std::vector<std::function<void()>> close_waiters;
};

AlertDispatcher::AlertDispatcher(uv_loop_t* loop, AlertsConfig config)
    : AlertDispatcher(loop, std::move(config), Options{}) {}

AlertDispatcher::AlertDispatcher(uv_loop_t* loop, AlertsConfig config, Options options)
    : impl_(std::make_unique<Impl>(loop, std::move(config), options)) {}

AlertDispatcher::~AlertDispatcher() = default;

void AlertDispatcher::Notify(const PipelineEvent& event, int64_t time_nanos) {
  impl_->Notify(event, time_nanos);
}

void AlertDispatcher::Close(std::function<void()> done) { impl_->Close(std::move(done)); }

std::vector<AlertSinkStats> AlertDispatcher::stats() const {
  std::vector<AlertSinkStats> out;
  for (const auto& sink : impl_->sinks) {
    out.push_back(sink->stats);
    out.back().queued = sink->waiting.size() + (sink->current ? 1 : 0);
  }
  return out;
}

}  // namespace sluice::engine
