// HttpTestServer: a scripted HTTP/1.1 server on 127.0.0.1 (an ephemeral port), on the test's
// own libuv loop, for tests of the HTTP client and of the jobs that use it.
//
// Each route ("METHOD target", the target with its query string) answers from a script: a list
// of responses given in order, the last one repeating. A response can be delayed (the client's
// timeout passes first) or replaced by closing the connection without an answer (a network
// error). Unrouted requests get 404. Every request is recorded and counted per route.
//
// PlayAirflow and PlayDatabricks script the REST calls Sluice's airflow and databricks jobs make:
// the trigger answers with a run id, and each status poll answers the next state of a list (the
// last one repeating), e.g. {"running", "running", "success"}.
//
// The transport is the production server (engine/server/http_server.h): keep-alive, pipelining
// and parsing behave as in `sluice serve`. Destroying the server closes its handles; run the loop
// once more afterwards.
//
// Thread rule: loop thread only (the server and the client under test share one loop).
#pragma once

#include <uv.h>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/server/http_server.h"

namespace sluice::testing {

struct TestRequest {
  std::string method;
  std::string target;                          // path and query, as sent
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct TestResponse {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t delay_ms = 0;               // answer this much later
  bool close_without_answer = false;  // drop the connection instead
};

class HttpTestServer {
 public:
  explicit HttpTestServer(uv_loop_t* loop);
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return server_->port(); }
  std::string url() const;  // "http://127.0.0.1:PORT"

  // Answers "METHOD target" with `responses` in order, the last one repeating.
  void Script(const std::string& method, const std::string& target,
              std::vector<TestResponse> responses);

  // Airflow REST API v1: POST /api/v1/dags/DAG/dagRuns answers {"dag_run_id": RUN, ...}; each GET
  // /api/v1/dags/DAG/dagRuns/RUN answers {"state": STATE} with the next of `states`.
  void PlayAirflow(const std::string& dag_id, const std::string& run_id,
                   const std::vector<std::string>& states);

  // Databricks Jobs API 2.1: POST /api/2.1/jobs/runs/submit answers {"run_id": RUN_ID}; each GET
  // /api/2.1/jobs/runs/get?run_id=RUN_ID answers the next {life_cycle_state, result_state}
  // (result_state left out when empty).
  void PlayDatabricks(int64_t run_id,
                      const std::vector<std::pair<std::string, std::string>>& states);

  // Requests received for "METHOD target".
  int Count(const std::string& method, const std::string& target) const;
  const std::vector<TestRequest>& requests() const { return requests_; }

 private:
  struct DelayedAnswer;
  void Answer(const engine::server::HttpRequest& request, engine::server::Responder responder);
  TestResponse Next(const TestRequest& request);

  struct Route {
    std::vector<TestResponse> responses;
    size_t next = 0;
  };

  uv_loop_t* loop_;
  std::map<std::string, Route> routes_;
  std::map<std::string, int> counts_;
  std::vector<TestRequest> requests_;
  std::set<DelayedAnswer*> delayed_;  // answers waiting for their delay
  std::unique_ptr<engine::server::HttpServer> server_;
};

}  // namespace sluice::testing
