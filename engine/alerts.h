// Alerts: pipeline events delivered to Slack incoming webhooks and generic HTTP webhooks, for
// `sluice serve --alerts FILE` (docs/alerts.md is the user's reference; Interlock's Slack
// alert-dispatcher is the model).
//
// The alerts file names the sinks:
//
//   sinks:
//     - name: ops-slack                 # letters, digits, '.', '_', '-'; unique
//       type: slack                     # slack | webhook
//       url: ${SLUICE_SLACK_WEBHOOK}    # $NAME / ${NAME} expanded (SLUICE_ names only)
//       events: [SLA_BREACH, JOB_FAILED]  # default: every event type
//       timeoutSeconds: 10              # per attempt; default 10
//     - name: pager
//       type: webhook
//       url: https://example.com/hook
//       headers: {Authorization: "Bearer ${SLUICE_PAGER_TOKEN}"}  # webhook sinks only
//
// Loading validates everything and reports every problem with its place (file:line:column and
// JSON Pointer, like pipeline configs): unknown keys, wrong types, a missing or non-HTTP url, an
// unknown event type, headers on a Slack sink. Environment expansion applies to `url` and header
// values only, once, at load time.
//
// Delivery. Notify() never blocks and never fails: for each sink that wants the event it builds
// the payload and appends it to the sink's queue. Each sink sends one delivery at a time, in
// order, so one slow or dead sink delays only itself. A full queue drops its oldest waiting
// delivery (counted). An attempt that gets no answer (connect error, timeout) or answers 429 or
// 5xx is retried after an exponential back-off (1 s, 2 s, 4 s, 8 s by default: 5 attempts); any
// other non-2xx answer is permanent. A delivery that is not delivered counts as failed and is
// logged (spdlog, without the url: it is often a secret).
//
// Threading of messages: every event of one run (pipeline, schedule, date) carries the same
// thread key. Slack incoming webhooks cannot thread, so the text starts with "[pipeline date]";
// webhook payloads carry "thread": "pipeline/schedule/date" (null for an event of no pipeline).
//
// Lifecycle:  open ──Close(done)──► closing ──queues empty, or the deadline──► closed, done()
// While closing, Notify drops (counted) and queued deliveries still go out, retries included;
// at Options::close_timeout_ms whatever is left is cancelled and counted as dropped.
//
// Ownership: the dispatcher owns its HTTP client and timers; destroying it cancels everything
// (without calling done) and closes its handles, so the loop must run once more afterwards.
//
// Thread rule: loop thread only (Notify is meant for PipelineRunner::set_event_observer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "asl/result.h"
#include "handlers/http_client.h"
#include "handlers/pipeline/config.h"
#include "handlers/pipeline/pipeline_data.h"

typedef struct uv_loop_s uv_loop_t;

namespace sluice::engine {

enum class AlertSinkType {
  kSlack,    // a Slack incoming webhook: {"text", "blocks"}
  kWebhook,  // any HTTP endpoint: the event itself as JSON
};

std::string_view AlertSinkTypeName(AlertSinkType type);  // "slack", "webhook"

struct AlertSink {
  std::string name;
  AlertSinkType type = AlertSinkType::kWebhook;
  std::string url;                  // expanded; often a secret, so never logged
  std::vector<std::string> events;  // the event types it wants; empty: every type
  handlers::HttpHeaders headers;    // expanded; webhook sinks only
  int64_t timeout_ms = 10000;       // per attempt (timeoutSeconds)

  bool Wants(std::string_view event_type) const;
};

struct AlertsConfig {
  std::vector<AlertSink> sinks;
};

// Expands environment references in one string; `sluice serve` passes pipeline::ExpandEnv
// (handlers/pipeline/env_expand.h), the job configs' `$NAME` / `${NAME}` rule.
using EnvExpander = std::function<std::string(std::string_view text)>;

// Parses and validates an alerts file's text (YAML, or JSON when it starts with '{');
// diagnostics in document order.
Result<AlertsConfig, pipeline::ConfigDiagnostics> ParseAlertsConfig(std::string_view text,
                                                                    const EnvExpander& expand_env);

// Reads `path` and parses it; the error is one line per problem, "PATH:LINE:COLUMN: POINTER:
// message" (pipeline::FormatConfigDiagnostics).
Result<AlertsConfig> LoadAlertsFile(const std::string& path, const EnvExpander& expand_env);

// One sink's counters since the dispatcher started.
struct AlertSinkStats {
  std::string name;
  AlertSinkType type = AlertSinkType::kWebhook;
  uint64_t delivered = 0;  // answered 2xx
  uint64_t failed = 0;     // a permanent answer, or every attempt spent
  uint64_t dropped = 0;    // pushed out of a full queue, refused while closing, or cancelled
  uint64_t retried = 0;    // attempts after the first
  size_t queued = 0;       // waiting or being attempted now
};

class AlertDispatcher {
 public:
  struct Options {
    int max_attempts = 5;               // per delivery, the first included; >= 1
    int64_t initial_backoff_ms = 1000;  // before the 2nd attempt; doubles after each attempt
    int64_t max_backoff_ms = 60000;     // cap on one back-off
    size_t queue_capacity = 1000;       // waiting deliveries per sink (the one in flight apart)
    int64_t close_timeout_ms = 10000;   // how long Close lets deliveries finish
  };

  AlertDispatcher(uv_loop_t* loop, AlertsConfig config);
  AlertDispatcher(uv_loop_t* loop, AlertsConfig config, Options options);
  ~AlertDispatcher();
  AlertDispatcher(const AlertDispatcher&) = delete;
  AlertDispatcher& operator=(const AlertDispatcher&) = delete;

  // Queues a delivery of `event` (recorded at `time_nanos`, epoch) to every sink that wants it;
  // returns at once.
  void Notify(const pipeline::PipelineEvent& event, int64_t time_nanos);

  // Stops accepting events, lets queued and in-flight deliveries finish until
  // Options::close_timeout_ms, cancels the rest, then calls `done` on a later loop turn (the
  // dispatcher may be destroyed inside `done`).
  void Close(std::function<void()> done);

  // Per sink, in the file's order.
  std::vector<AlertSinkStats> stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::engine
