#include "tests/support/http_test_server.h"

#include <http_parser.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace sluice::testing {
namespace {

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Key(const std::string& method, const std::string& target) {
  return method + " " + target;
}

}  // namespace

// One accepted connection: parses requests and writes answers, one at a time.
struct HttpTestServer::Connection {
  HttpTestServer* server;
  uv_tcp_t tcp{};
  uv_timer_t delay{};
  http_parser parser{};
  http_parser_settings settings{};
  TestRequest request;
  std::string header_field;
  bool in_value = false;
  std::vector<TestRequest> queued;  // complete requests not answered yet
  bool answering = false;
  bool closing = false;
  int open_handles = 2;
  char buffer[64 * 1024];

  explicit Connection(HttpTestServer* s) : server(s) {
    uv_tcp_init(s->loop_, &tcp);
    uv_timer_init(s->loop_, &delay);
    tcp.data = this;
    delay.data = this;
    http_parser_init(&parser, HTTP_REQUEST);
    parser.data = this;
    settings.on_url = [](http_parser* p, const char* at, size_t n) {
      Self(p)->request.target.append(at, n);
      return 0;
    };
    settings.on_header_field = [](http_parser* p, const char* at, size_t n) {
      Connection* c = Self(p);
      if (c->in_value) c->header_field.clear();
      c->in_value = false;
      c->header_field.append(at, n);
      return 0;
    };
    settings.on_header_value = [](http_parser* p, const char* at, size_t n) {
      Connection* c = Self(p);
      c->in_value = true;
      c->request.headers[Lower(c->header_field)].append(at, n);
      return 0;
    };
    settings.on_body = [](http_parser* p, const char* at, size_t n) {
      Self(p)->request.body.append(at, n);
      return 0;
    };
    settings.on_message_complete = [](http_parser* p) {
      Connection* c = Self(p);
      c->request.method = http_method_str(static_cast<http_method>(p->method));
      c->queued.push_back(std::move(c->request));
      c->request = TestRequest{};
      c->header_field.clear();
      c->in_value = false;
      return 0;
    };
  }

  static Connection* Self(http_parser* p) { return static_cast<Connection*>(p->data); }

  void Close() {
    if (closing) return;
    closing = true;
    server->connections_.erase(this);
    uv_timer_stop(&delay);
    for (uv_handle_t* h :
         {reinterpret_cast<uv_handle_t*>(&tcp), reinterpret_cast<uv_handle_t*>(&delay)}) {
      uv_close(h, [](uv_handle_t* handle) {
        auto* c = static_cast<Connection*>(handle->data);
        if (--c->open_handles == 0) delete c;
      });
    }
  }

  void Start() {
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&tcp),
        [](uv_handle_t* h, size_t, uv_buf_t* buf) {
          auto* c = static_cast<Connection*>(h->data);
          *buf = uv_buf_init(c->buffer, sizeof(c->buffer));
        },
        [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
          auto* c = static_cast<Connection*>(s->data);
          if (n < 0) return c->Close();
          size_t parsed = http_parser_execute(&c->parser, &c->settings, buf->base, n);
          if (parsed != static_cast<size_t>(n)) return c->Close();
          c->AnswerNext();
        });
  }

  void AnswerNext() {
    if (answering || closing || queued.empty()) return;
    TestRequest next = std::move(queued.front());
    queued.erase(queued.begin());
    TestResponse response = server->Answer(next);
    if (response.close_without_answer) return Close();
    answering = true;
    pending = std::move(response);
    uv_timer_start(
        &delay, [](uv_timer_t* t) { static_cast<Connection*>(t->data)->Write(); },
        static_cast<uint64_t>(std::max<int64_t>(pending.delay_ms, 0)), 0);
  }

  void Write() {
    std::string out = "HTTP/1.1 " + std::to_string(pending.status) + " " + Reason(pending.status) +
                      "\r\nContent-Length: " + std::to_string(pending.body.size()) + "\r\n";
    for (const auto& [name, value] : pending.headers) out += name + ": " + value + "\r\n";
    out += "\r\n" + pending.body;
    auto* write = new WriteRequest{{}, std::move(out), this};
    uv_buf_t buf = uv_buf_init(write->data.data(), static_cast<unsigned>(write->data.size()));
    write->request.data = write;
    uv_write(&write->request, reinterpret_cast<uv_stream_t*>(&tcp), &buf, 1,
             [](uv_write_t* r, int status) {
               auto* w = static_cast<WriteRequest*>(r->data);
               Connection* c = w->connection;
               delete w;
               if (status < 0) return;  // closing (the client went away)
               c->answering = false;
               c->AnswerNext();
             });
  }

  struct WriteRequest {
    uv_write_t request;
    std::string data;
    Connection* connection;
  };
  TestResponse pending;
};

HttpTestServer::HttpTestServer(uv_loop_t* loop) : loop_(loop), listener_(new uv_tcp_t) {
  uv_tcp_init(loop_, listener_);
  listener_->data = this;
  sockaddr_in address{};
  uv_ip4_addr("127.0.0.1", 0, &address);
  uv_tcp_bind(listener_, reinterpret_cast<const sockaddr*>(&address), 0);
  uv_listen(reinterpret_cast<uv_stream_t*>(listener_), 64, &HttpTestServer::OnConnection);
  sockaddr_in bound{};
  int length = sizeof(bound);
  uv_tcp_getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &length);
  port_ = ntohs(bound.sin_port);
}

HttpTestServer::~HttpTestServer() {
  while (!connections_.empty()) (*connections_.begin())->Close();
  uv_close(reinterpret_cast<uv_handle_t*>(listener_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
}

std::string HttpTestServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void HttpTestServer::OnConnection(uv_stream_t* listener, int status) {
  if (status < 0) return;
  auto* self = static_cast<HttpTestServer*>(listener->data);
  auto* connection = new Connection(self);
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&connection->tcp)) != 0) {
    connection->Close();
    return;
  }
  self->connections_.insert(connection);
  connection->Start();
}

void HttpTestServer::Script(const std::string& method, const std::string& target,
                            std::vector<TestResponse> responses) {
  routes_[Key(method, target)] = Route{std::move(responses), 0};
}

TestResponse HttpTestServer::Answer(const TestRequest& request) {
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
