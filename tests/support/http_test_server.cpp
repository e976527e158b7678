#include "tests/support/http_test_server.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace sluice::testing {
namespace {

std::string Key(const std::string& method, const std::string& target) {
  return method + " " + target;
}

}  // namespace

// An answer held back for its delay_ms; owns itself until its timer is closed.
struct HttpTestServer::DelayedAnswer {
  HttpTestServer* server;
  uv_timer_t timer{};
  engine::server::Responder responder;
  engine::server::HttpResponse response;

  void Close() {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer),
             [](uv_handle_t* h) { delete static_cast<DelayedAnswer*>(h->data); });
  }
};

HttpTestServer::HttpTestServer(uv_loop_t* loop) : loop_(loop) {
  server_ = std::make_unique<engine::server::HttpServer>(
      loop, engine::server::ServerOptions{},
      [this](const engine::server::HttpRequest& request, engine::server::Responder responder) {
        Answer(request, std::move(responder));
      });
  Status<> listening = server_->Listen("127.0.0.1", 0);
  if (!listening.ok()) std::abort();  // a test machine without loopback: nothing can work
}

HttpTestServer::~HttpTestServer() {
  for (DelayedAnswer* delayed : delayed_) delayed->Close();
  server_.reset();
}

std::string HttpTestServer::url() const { return "http://127.0.0.1:" + std::to_string(port()); }

void HttpTestServer::Answer(const engine::server::HttpRequest& request,
                            engine::server::Responder responder) {
  TestResponse next =
      Next(TestRequest{request.method, request.target, request.headers, request.body});
  if (next.close_without_answer) return responder.Drop();
  engine::server::HttpResponse response{next.status, std::move(next.headers), std::move(next.body)};
  if (next.delay_ms <= 0) return responder.Send(std::move(response));
  auto* delayed = new DelayedAnswer{this, {}, std::move(responder), std::move(response)};
  delayed_.insert(delayed);
  uv_timer_init(loop_, &delayed->timer);
  delayed->timer.data = delayed;
  uv_timer_start(
      &delayed->timer,
      [](uv_timer_t* timer) {
        auto* self = static_cast<DelayedAnswer*>(timer->data);
        self->server->delayed_.erase(self);
        self->responder.Send(std::move(self->response));
        self->Close();
      },
      static_cast<uint64_t>(next.delay_ms), 0);
}

void HttpTestServer::Script(const std::string& method, const std::string& target,
                            std::vector<TestResponse> responses) {
  routes_[Key(method, target)] = Route{std::move(responses), 0};
}

TestResponse HttpTestServer::Next(const TestRequest& request) {
  requests_.push_back(request);
  const std::string key = Key(request.method, request.target);
  ++counts_[key];
  auto found = routes_.find(key);
  if (found == routes_.end() || found->second.responses.empty()) {
    return TestResponse{404, R"({"error": "no route for )" + key + "\"}"};
  }
  Route& route = found->second;
  const TestResponse& response = route.responses[std::min(route.next, route.responses.size() - 1)];
  ++route.next;
  return response;
}

int HttpTestServer::Count(const std::string& method, const std::string& target) const {
  auto found = counts_.find(Key(method, target));
  return found == counts_.end() ? 0 : found->second;
}

void HttpTestServer::PlayAirflow(const std::string& dag_id, const std::string& run_id,
                                 const std::vector<std::string>& states) {
  const std::string runs = "/api/v1/dags/" + dag_id + "/dagRuns";
  nlohmann::json created = {{"dag_id", dag_id}, {"dag_run_id", run_id}, {"state", "queued"}};
  Script("POST", runs, {TestResponse{200, created.dump()}});
  std::vector<TestResponse> polls;
  for (const std::string& state : states) {
    polls.push_back(
        TestResponse{200, nlohmann::json{{"dag_run_id", run_id}, {"state", state}}.dump()});
  }
  Script("GET", runs + "/" + run_id, std::move(polls));
}

void HttpTestServer::PlayDatabricks(
    int64_t run_id, const std::vector<std::pair<std::string, std::string>>& states) {
  Script("POST", "/api/2.1/jobs/runs/submit",
         {TestResponse{200, nlohmann::json{{"run_id", run_id}}.dump()}});
  std::vector<TestResponse> polls;
  for (const auto& [life_cycle, result] : states) {
    nlohmann::json state = {{"life_cycle_state", life_cycle}};
    if (!result.empty()) state["result_state"] = result;
    polls.push_back(TestResponse{200, nlohmann::json{{"run_id", run_id}, {"state", state}}.dump()});
  }
  Script("GET", "/api/2.1/jobs/runs/get?run_id=" + std::to_string(run_id), std::move(polls));
}

}  // namespace sluice::testing
