// Alerts: the alerts file (every problem located), and the dispatcher against the loopback test
// server on one loop: filtering, both payloads, retries, a dead sink, overflow, and Close.
#include "engine/alerts.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asl/json.h"
#include "handlers/pipeline/event_types.h"
#include "tests/support/http_test_server.h"

namespace sluice::engine {
namespace {

using pipeline::PipelineEvent;
using testing::HttpTestServer;
using testing::TestResponse;

// Expands "${NAME}" from `vars` and records every string it was asked to expand.
EnvExpander FakeEnv(std::map<std::string, std::string> vars,
                    std::vector<std::string>* calls = nullptr) {
  return [vars = std::move(vars), calls](std::string_view text) {
    if (calls != nullptr) calls->emplace_back(text);
    std::string out(text);
    for (const auto& [name, value] : vars) {
      const std::string reference = "${" + name + "}";
      for (size_t at = out.find(reference); at != std::string::npos; at = out.find(reference)) {
        out.replace(at, reference.size(), value);
      }
    }
    return out;
  };
}

// The formatted diagnostics of an alerts file that must fail.
std::string Problems(const std::string& text, std::map<std::string, std::string> env = {}) {
  auto parsed = ParseAlertsConfig(text, FakeEnv(std::move(env)));
  if (parsed.ok()) return "(valid)";
  return pipeline::FormatConfigDiagnostics(parsed.error(), "alerts.yaml");
}

// The alerts file -----------------------------------------------------------------------------

TEST(AlertsFileTest, ReadsSinksAndExpandsOnlyUrlsAndHeaderValues) {
  std::vector<std::string> expanded;
  auto parsed = ParseAlertsConfig(R"(sinks:
  - name: ops-slack
    type: slack
    url: ${SLUICE_SLACK_URL}
    events: [SLA_BREACH, JOB_FAILED]
  - name: pager
    type: webhook
    url: https://pager.example/${SLUICE_PATH}
    headers:
      Authorization: Bearer ${SLUICE_TOKEN}
      X-Version: 2
    timeoutSeconds: 2.5
)",
                                  FakeEnv({{"SLUICE_SLACK_URL", "https://hooks.slack.test/T/B"},
                                           {"SLUICE_PATH", "alerts"},
                                           {"SLUICE_TOKEN", "s3cret"}},
                                          &expanded));
  ASSERT_TRUE(parsed.ok()) << pipeline::FormatConfigDiagnostics(parsed.error(), "a");
  ASSERT_EQ(parsed->sinks.size(), 2u);
  const AlertSink& slack = parsed->sinks[0];
  EXPECT_EQ(slack.name, "ops-slack");
  EXPECT_EQ(slack.type, AlertSinkType::kSlack);
  EXPECT_EQ(slack.url, "https://hooks.slack.test/T/B");
  EXPECT_EQ(slack.events, (std::vector<std::string>{"SLA_BREACH", "JOB_FAILED"}));
  EXPECT_EQ(slack.timeout_ms, 10000);  // the default
  EXPECT_TRUE(slack.Wants("SLA_BREACH"));
  EXPECT_FALSE(slack.Wants("SLA_WARNING"));
  const AlertSink& pager = parsed->sinks[1];
  EXPECT_EQ(pager.type, AlertSinkType::kWebhook);
  EXPECT_EQ(pager.url, "https://pager.example/alerts");
  EXPECT_EQ(pager.headers,
            (handlers::HttpHeaders{{"Authorization", "Bearer s3cret"}, {"X-Version", "2"}}));
  EXPECT_EQ(pager.timeout_ms, 2500);
  EXPECT_TRUE(pager.events.empty());
  EXPECT_TRUE(pager.Wants("LATE_DATA"));  // no `events`: every type
  EXPECT_EQ(expanded,
            (std::vector<std::string>{"${SLUICE_SLACK_URL}", "https://pager.example/${SLUICE_PATH}",
                                      "Bearer ${SLUICE_TOKEN}", "2"}));
}

TEST(AlertsFileTest, AcceptsJsonAndAnEmptySinkList) {
  auto parsed = ParseAlertsConfig(R"({"sinks": []})", FakeEnv({}));
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->sinks.empty());
}

TEST(AlertsFileTest, ReportsEveryProblemWithItsLocation) {
  const std::string text = R"(sinks:
  - name: ops
    type: slack
    url: https://hooks.slack.test/T/B
    events: [SLA_BREACH, SLA_BREECH, 7]
    headers: {X-A: b}
    colour: red
  - name: ops
    type: pager
    timeoutSeconds: ten
  - name: hook
    type: webhook
    url: ftp://example.test
    headers:
      X-Token: [1, 2]
      Bad Name: x
    timeoutSeconds: 0
)";
  const std::string known = pipeline::JoinedEventTypes();  // the catalogue
  EXPECT_EQ(Problems(text),
            "alerts.yaml:5:26: /sinks/0/events/1: unknown event type 'SLA_BREECH' (expected one "
            "of: " +
                known +
                ")\n"
                "alerts.yaml:5:38: /sinks/0/events/2: expected an event type, got the number 7\n"
                "alerts.yaml:6:5: /sinks/0/headers: headers are for webhook sinks only\n"
                "alerts.yaml:7:5: /sinks/0/colour: unknown key 'colour' (expected one of: name, "
                "type, url, events, headers, timeoutSeconds)\n"
                "alerts.yaml:8:5: /sinks/1: missing required key 'url'\n"
                "alerts.yaml:8:11: /sinks/1/name: sink name 'ops' is already used by /sinks/0\n"
                "alerts.yaml:9:11: /sinks/1/type: unknown sink type 'pager' (expected slack or "
                "webhook)\n"
                "alerts.yaml:10:21: /sinks/1/timeoutSeconds: expected a number, got the string "
                "\"ten\"\n"
                "alerts.yaml:13:10: /sinks/2/url: must be an http:// or https:// URL\n"
                "alerts.yaml:15:16: /sinks/2/headers/X-Token: expected a string, got a list\n"
                "alerts.yaml:16:7: /sinks/2/headers/Bad Name: 'Bad Name' is not a header name\n"
                "alerts.yaml:17:21: /sinks/2/timeoutSeconds: must be more than 0 and at most "
                "300\n");
}

TEST(AlertsFileTest, ShapeProblems) {
  EXPECT_EQ(Problems("sink: []\n"),
            "alerts.yaml:1:1: (root): missing required key 'sinks'\n"
            "alerts.yaml:1:1: /sink: unknown key 'sink' (expected one of: sinks)\n");
  EXPECT_EQ(Problems("sinks: {a: 1}\n"), "alerts.yaml:1:8: /sinks: expected a list, got a map\n");
  EXPECT_EQ(Problems("sinks: [hook]\n"),
            "alerts.yaml:1:9: /sinks/0: expected a map, got the string \"hook\"\n");
  EXPECT_EQ(Problems("sinks:\n  - {name: a, type: webhook, url: 'http://x', events: []}\n"),
            "alerts.yaml:2:55: /sinks/0/events: lists no event types (leave `events` out for "
            "every type)\n");
  EXPECT_EQ(Problems("sinks:\n  - {name: 'a b', type: webhook, url: 'http://x'}\n"),
            "alerts.yaml:2:12: /sinks/0/name: \"a b\" is not a sink name (use letters, digits, "
            "'.', '_' and '-')\n");
  EXPECT_EQ(Problems("sinks: [\n"),
            "alerts.yaml:2:1: (root): invalid YAML: end of sequence "
            "flow not found\n");
  EXPECT_EQ(Problems("  \n"), "alerts.yaml: (root): the alerts file is empty\n");
}

TEST(AlertsFileTest, AnUnsetVariableLeavesAnEmptyUrl) {
  // The real rule expands an unset SLUICE_ variable to "".
  EXPECT_EQ(Problems("sinks:\n  - {name: a, type: slack, url: '${SLUICE_NOPE}'}\n",
                     {{"SLUICE_NOPE", ""}}),
            "alerts.yaml:2:33: /sinks/0/url: is empty after environment expansion (an unset "
            "variable?)\n");
}

TEST(AlertsFileTest, LoadNamesTheFile) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / "sluice_alerts_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "alerts.yaml").string();
  std::ofstream(path) << "sinks:\n  - name: a\n    type: webhook\n";
  Result<AlertsConfig> loaded = LoadAlertsFile(path, FakeEnv({}));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error(), path + ":2:5: /sinks/0: missing required key 'url'\n");

  Result<AlertsConfig> missing = LoadAlertsFile((dir / "none.yaml").string(), FakeEnv({}));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("none.yaml: cannot read: No such file"), std::string::npos)
      << missing.error();
}

// The dispatcher ------------------------------------------------------------------------------

constexpr int64_t kEventTime = 1772521200000000000;  // 2026-03-03T07:00:00Z

PipelineEvent Event(const std::string& type, const std::string& message = "m",
                    Json detail = Json::object()) {
  return PipelineEvent{type, "orders", "cron", "2026-03-03", message, std::move(detail)};
}

TestResponse Answer(int status, int64_t delay_ms = 0) {
  return TestResponse{.status = status, .body = "ok", .headers = {}, .delay_ms = delay_ms};
}

AlertSink Sink(const std::string& name, AlertSinkType type, const std::string& url,
               std::vector<std::string> events = {}) {
  AlertSink sink;
  sink.name = name;
  sink.type = type;
  sink.url = url;
  sink.events = std::move(events);
  return sink;
}

class AlertDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    server_ = std::make_unique<HttpTestServer>(&loop_);
    options_.initial_backoff_ms = 5;
    options_.max_backoff_ms = 20;
  }
  void TearDown() override {
    dispatcher_.reset();
    server_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  void Start(std::vector<AlertSink> sinks) {
    dispatcher_ =
        std::make_unique<AlertDispatcher>(&loop_, AlertsConfig{std::move(sinks)}, options_);
  }

  // Runs the loop until `done` holds, checking every millisecond (the server's listener keeps
  // the loop alive). A guard of 20 s of real time turns a hang into a failure.
  void RunUntil(const std::function<bool()>& done) {
    struct Poll {
      uv_timer_t timer{};
      const std::function<bool()>* done;
      uint64_t give_up_at;
      bool gave_up = false;
    } poll{{}, &done, uv_now(&loop_) + 20000};
    uv_timer_init(&loop_, &poll.timer);
    poll.timer.data = &poll;
    uv_timer_start(
        &poll.timer,
        [](uv_timer_t* timer) {
          auto* p = static_cast<Poll*>(timer->data);
          p->gave_up = !(*p->done)() && uv_now(timer->loop) > p->give_up_at;
          if (p->gave_up || (*p->done)()) uv_stop(timer->loop);
        },
        1, 1);
    while (!done() && !poll.gave_up) uv_run(&loop_, UV_RUN_DEFAULT);
    uv_close(reinterpret_cast<uv_handle_t*>(&poll.timer), nullptr);
    uv_run(&loop_, UV_RUN_NOWAIT);  // finishes the close
    ASSERT_FALSE(poll.gave_up) << "the loop never reached the expected state";
  }

  AlertSinkStats Stats(const std::string& name) const {
    for (const AlertSinkStats& stats : dispatcher_->stats()) {
      if (stats.name == name) return stats;
    }
    ADD_FAILURE() << "no sink " << name;
    return {};
  }

  // Every delivery of the sink has ended (delivered, failed or dropped).
  std::function<bool()> Settled(const std::string& name) {
    return [this, name] { return Stats(name).queued == 0; };
  }

  std::vector<Json> Bodies(const std::string& target) const {
    std::vector<Json> bodies;
    for (const auto& request : server_->requests()) {
      if (request.method == "POST" && request.target == target) {
        bodies.push_back(Json::parse(request.body));
      }
    }
    return bodies;
  }

  uv_loop_t loop_{};
  std::unique_ptr<HttpTestServer> server_;
  AlertDispatcher::Options options_;
  std::unique_ptr<AlertDispatcher> dispatcher_;
};

TEST_F(AlertDispatcherTest, SinksGetOnlyTheEventTypesTheyWant) {
  server_->Script("POST", "/breaches", {Answer(200)});
  server_->Script("POST", "/all", {Answer(200)});
  Start({Sink("breaches", AlertSinkType::kWebhook, server_->url() + "/breaches", {"SLA_BREACH"}),
         Sink("all", AlertSinkType::kWebhook, server_->url() + "/all")});
  dispatcher_->Notify(Event("JOB_TRIGGERED"), kEventTime);
  dispatcher_->Notify(Event("SLA_BREACH"), kEventTime);
  RunUntil([&] { return Stats("breaches").queued == 0 && Stats("all").queued == 0; });
  ASSERT_EQ(Bodies("/breaches").size(), 1u);
  EXPECT_EQ(Bodies("/breaches")[0]["type"], "SLA_BREACH");
  ASSERT_EQ(Bodies("/all").size(), 2u);
  EXPECT_EQ(Bodies("/all")[0]["type"], "JOB_TRIGGERED");
  EXPECT_EQ(Bodies("/all")[1]["type"], "SLA_BREACH");
  EXPECT_EQ(Stats("breaches").delivered, 1u);
  EXPECT_EQ(Stats("all").delivered, 2u);
}

TEST_F(AlertDispatcherTest, SlackPayloadIsAReadableMessageWithTheThreadPrefix) {
  server_->Script("POST", "/slack", {Answer(200)});
  Start({Sink("slack", AlertSinkType::kSlack, server_->url() + "/slack")});
  dispatcher_->Notify(Event("SLA_WARNING", "SLA deadline approaching",
                            Json{{"status", "running"},
                                 {"source", "schedule"},
                                 {"breachAt", "2026-03-03T09:00:00Z"},
                                 {"actionHint", "pipeline running <may> complete & more"}}),
                      kEventTime);
  dispatcher_->Notify(PipelineEvent{"WATCHDOG_DEGRADED", "", "", "", "", Json::object()},
                      kEventTime);
  RunUntil(Settled("slack"));
  std::vector<Json> bodies = Bodies("/slack");
  ASSERT_EQ(bodies.size(), 2u);
  const std::string text =
      "[orders 2026-03-03] :large_yellow_circle: *SLA_WARNING*\n"
      "SLA deadline approaching\n"
      "Breach at 2026-03-03T09:00:00Z · Status: running · Source: schedule\n"
      "→ pipeline running &lt;may&gt; complete &amp; more";
  const Json section{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", text}}}};
  EXPECT_EQ(bodies[0], (Json{{"text", text}, {"blocks", Json::array({section})}}));
  EXPECT_EQ(bodies[1]["text"], ":information_source: *WATCHDOG_DEGRADED*");  // no run: no prefix
  EXPECT_EQ(server_->requests()[0].headers.at("content-type"), "application/json");
}

TEST_F(AlertDispatcherTest, WebhookPayloadIsTheEventWithItsThread) {
  server_->Script("POST", "/hook", {Answer(204)});
  AlertSink sink = Sink("hook", AlertSinkType::kWebhook, server_->url() + "/hook");
  sink.headers = {{"Authorization", "Bearer s3cret"}};
  Start({sink});
  dispatcher_->Notify(
      Event("JOB_FAILED", "job failed: exit 3", Json{{"runId", "r-1"}, {"category", "PERMANENT"}}),
      kEventTime + 123456789);
  dispatcher_->Notify(PipelineEvent{"WATCHDOG_DEGRADED", "", "", "", "", nullptr}, kEventTime);
  RunUntil(Settled("hook"));
  std::vector<Json> bodies = Bodies("/hook");
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[0], Json::parse(R"({"type": "JOB_FAILED", "pipeline": "orders",
    "schedule": "cron", "date": "2026-03-03", "time": "2026-03-03T07:00:00.123Z",
    "message": "job failed: exit 3", "detail": {"runId": "r-1", "category": "PERMANENT"},
    "thread": "orders/cron/2026-03-03"})"));
  EXPECT_EQ(bodies[1]["thread"], nullptr);
  EXPECT_EQ(bodies[1]["detail"], Json::object());
  EXPECT_EQ(server_->requests()[0].headers.at("authorization"), "Bearer s3cret");
  EXPECT_EQ(server_->requests()[0].headers.at("content-type"), "application/json");
  EXPECT_EQ(Stats("hook").delivered, 2u);
}

TEST_F(AlertDispatcherTest, ServerErrorsAndRateLimitsAreRetried) {
  server_->Script("POST", "/hook", {Answer(500), Answer(429), Answer(200)});
  Start({Sink("hook", AlertSinkType::kWebhook, server_->url() + "/hook")});
  dispatcher_->Notify(Event("SLA_BREACH"), kEventTime);
  RunUntil(Settled("hook"));
  EXPECT_EQ(server_->Count("POST", "/hook"), 3);
  AlertSinkStats stats = Stats("hook");
  EXPECT_EQ(stats.delivered, 1u);
  EXPECT_EQ(stats.retried, 2u);
  EXPECT_EQ(stats.failed, 0u);
}

TEST_F(AlertDispatcherTest, ClientErrorsAreNotRetried) {
  server_->Script("POST", "/hook", {Answer(400), Answer(200)});
  Start({Sink("hook", AlertSinkType::kSlack, server_->url() + "/hook")});
  dispatcher_->Notify(Event("SLA_BREACH"), kEventTime);
  RunUntil(Settled("hook"));
  EXPECT_EQ(server_->Count("POST", "/hook"), 1);
  AlertSinkStats stats = Stats("hook");
  EXPECT_EQ(stats.failed, 1u);
  EXPECT_EQ(stats.retried, 0u);
  EXPECT_EQ(stats.delivered, 0u);
}

TEST_F(AlertDispatcherTest, TimeoutsAreRetried) {
  server_->Script("POST", "/hook", {Answer(200, 2000), Answer(200)});
  AlertSink sink = Sink("hook", AlertSinkType::kWebhook, server_->url() + "/hook");
  sink.timeout_ms = 100;
  Start({sink});
  dispatcher_->Notify(Event("SLA_BREACH"), kEventTime);
  RunUntil(Settled("hook"));
  EXPECT_EQ(server_->Count("POST", "/hook"), 2);
  EXPECT_EQ(Stats("hook").delivered, 1u);
  EXPECT_EQ(Stats("hook").retried, 1u);
}

TEST_F(AlertDispatcherTest, GivesUpAfterTheLastAttempt) {
  server_->Script("POST", "/hook", {Answer(503)});
  options_.max_attempts = 3;
  Start({Sink("hook", AlertSinkType::kWebhook, server_->url() + "/hook")});
  dispatcher_->Notify(Event("SLA_BREACH"), kEventTime);
  RunUntil(Settled("hook"));
  EXPECT_EQ(server_->Count("POST", "/hook"), 3);
  EXPECT_EQ(Stats("hook").failed, 1u);
  EXPECT_EQ(Stats("hook").retried, 2u);
}

TEST_F(AlertDispatcherTest, ADeadSinkHoldsBackNeitherNotifyNorOtherSinks) {
  std::string dead_url;
  {
    HttpTestServer gone(&loop_);  // a port that refuses connections once it is closed
    dead_url = gone.url() + "/hook";
  }
  uv_run(&loop_, UV_RUN_NOWAIT);
  server_->Script("POST", "/hook", {Answer(200)});
  options_.max_attempts = 2;
  Start({Sink("dead", AlertSinkType::kWebhook, dead_url),
         Sink("live", AlertSinkType::kWebhook, server_->url() + "/hook")});
  for (const char* type : {"SLA_WARNING", "SLA_BREACH", "JOB_FAILED"}) {
    dispatcher_->Notify(Event(type), kEventTime);
  }
  // Notify only queued: nothing has been attempted to an end yet.
  EXPECT_EQ(Stats("dead").queued, 3u);
  EXPECT_EQ(Stats("dead").failed, 0u);
  EXPECT_EQ(Stats("live").delivered, 0u);
  RunUntil([&] { return Stats("live").delivered == 3; });
  RunUntil(Settled("dead"));
  AlertSinkStats dead = Stats("dead");
  EXPECT_EQ(dead.failed, 3u);
  EXPECT_EQ(dead.retried, 3u);
  EXPECT_EQ(dead.delivered, 0u);
}

TEST_F(AlertDispatcherTest, AFullQueueDropsTheOldestAndCountsIt) {
  server_->Script("POST", "/hook", {Answer(200)});
  options_.queue_capacity = 2;
  Start({Sink("hook", AlertSinkType::kWebhook, server_->url() + "/hook")});
  for (const char* message : {"1", "2", "3", "4", "5"}) {
    dispatcher_->Notify(Event("SLA_BREACH", message), kEventTime);
  }
  EXPECT_EQ(Stats("hook").dropped, 2u);
  EXPECT_EQ(Stats("hook").queued, 3u);  // one in flight, two waiting
  RunUntil(Settled("hook"));
  std::vector<std::string> delivered;
  for (const Json& body : Bodies("/hook")) delivered.push_back(body["message"]);
  EXPECT_EQ(delivered, (std::vector<std::string>{"1", "4", "5"}));
  EXPECT_EQ(Stats("hook").delivered, 3u);
  EXPECT_EQ(Stats("hook").dropped, 2u);
}

TEST_F(AlertDispatcherTest, CloseLetsInFlightDeliveriesFinish) {
  server_->Script("POST", "/hook", {Answer(200, 100)});
  Start({Sink("hook", AlertSinkType::kWebhook, server_->url() + "/hook")});
  dispatcher_->Notify(Event("SLA_BREACH", "first"), kEventTime);
  dispatcher_->Notify(Event("SLA_BREACH", "second"), kEventTime);
  bool closed = false;
  dispatcher_->Close([&] { closed = true; });
  dispatcher_->Notify(Event("SLA_BREACH", "after close"), kEventTime);
  EXPECT_FALSE(closed);
  RunUntil([&] { return closed; });
  EXPECT_EQ(server_->Count("POST", "/hook"), 2);
  AlertSinkStats stats = Stats("hook");
  EXPECT_EQ(stats.delivered, 2u);
  EXPECT_EQ(stats.dropped, 1u);  // the one after Close
  EXPECT_EQ(stats.queued, 0u);
}

TEST_F(AlertDispatcherTest, CloseCancelsWhatIsLeftAtTheDeadline) {
  server_->Script("POST", "/hook", {Answer(200, 10000)});
  options_.close_timeout_ms = 20;
  Start({Sink("hook", AlertSinkType::kWebhook, server_->url() + "/hook")});
  dispatcher_->Notify(Event("SLA_BREACH", "in flight"), kEventTime);
  dispatcher_->Notify(Event("SLA_BREACH", "waiting"), kEventTime);
  EXPECT_EQ(Stats("hook").queued, 2u);
  std::optional<AlertSinkStats> at_close;
  dispatcher_->Close([&] {
    at_close = Stats("hook");
    dispatcher_.reset();  // destroying the dispatcher inside `done` is allowed
  });
  RunUntil([&] { return at_close.has_value(); });
  EXPECT_EQ(at_close->delivered, 0u);
  EXPECT_EQ(at_close->dropped, 2u);
  EXPECT_EQ(at_close->queued, 0u);
  EXPECT_EQ(server_->Count("POST", "/hook"), 1);  // the waiting one was never sent
}

TEST_F(AlertDispatcherTest, CloseWhenIdleAnswersOnALaterTurn) {
  Start({Sink("hook", AlertSinkType::kWebhook, server_->url() + "/hook")});
  bool closed = false;
  dispatcher_->Close([&] { closed = true; });
  EXPECT_FALSE(closed);
  RunUntil([&] { return closed; });
  bool closed_again = false;  // a later Close answers too
  dispatcher_->Close([&] { closed_again = true; });
  EXPECT_FALSE(closed_again);
  RunUntil([&] { return closed_again; });
  dispatcher_->Notify(Event("SLA_BREACH"), kEventTime);
  EXPECT_EQ(Stats("hook").dropped, 1u);
  EXPECT_EQ(Stats("hook").queued, 0u);
  EXPECT_EQ(server_->requests().size(), 0u);
}

}  // namespace
}  // namespace sluice::engine
