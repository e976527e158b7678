// HttpServer (engine/server/http_server.h): each test runs the server on its own loop and a
// client (libcurl easy API, or a raw blocking socket for what curl will not send) on a thread.
#include "engine/server/http_server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <cerrno>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sluice::engine::server {
namespace {

// A blocking client socket on 127.0.0.1 (every read gives up after 10 s, so a broken server
// fails the test instead of hanging it).
class RawClient {
 public:
  struct Response {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
  };

  explicit RawClient(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    timeval timeout{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawClient() { close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // The next response (a HEAD response has no body); nullopt when the connection ends first.
  std::optional<Response> Read(bool head = false) {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    Response response;
    std::string_view head_text = std::string_view(buffer_).substr(0, end);
    const size_t line_end = head_text.find("\r\n");
    const std::string_view status_line = head_text.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    response.status = std::stoi(std::string(status_line.substr(9, 3)));
    while (line_end != std::string_view::npos && !head_text.empty()) {
      const size_t next = head_text.find("\r\n");
      if (next == std::string_view::npos) break;
      head_text.remove_prefix(next + 2);
      const std::string_view line = head_text.substr(0, head_text.find("\r\n"));
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      response.headers[name] = std::string(value);
    }
    buffer_.erase(0, end + 4);
    size_t length = 0;
    if (!head && response.headers.count("content-length")) {
      length = std::stoul(response.headers["content-length"]);
    }
    while (buffer_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  // Reads (and drops) until the server closes the connection: true at EOF or a reset, false
  // when the read times out.
  bool ClosedByServer() {
    char chunk[4096];
    for (;;) {
      const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

 private:
  bool Fill() {
    char chunk[4096];
    const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  bool connected_ = false;
  std::string buffer_;
};

// One answer of the curl client.
struct CurlReply {
  long status = 0;  // 0: no answer (curl's error is in `error`)
  std::string body;
  std::string headers;  // the raw header block
  long new_connections = -1;
  std::string error;
};

size_t Append(char* data, size_t size, size_t count, void* into) {
  static_cast<std::string*>(into)->append(data, size * count);
  return size * count;
}

// A request through `curl` (reused, so its connection is kept alive between calls).
CurlReply CurlFetch(CURL* curl, const std::string& method, const std::string& url,
                    const std::string& body = "", const std::vector<std::string>& headers = {}) {
  CurlReply reply;
  curl_slist* list = nullptr;
  for (const std::string& header : headers) list = curl_slist_append(list, header.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
  if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) reply.error = curl_easy_strerror(code);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &reply.new_connections);
  curl_slist_free_all(list);
  return reply;
}

CurlReply CurlFetchOnce(const std::string& method, const std::string& url,
                        const std::string& body = "",
                        const std::vector<std::string>& headers = {}) {
  CURL* curl = curl_easy_init();
  CurlReply reply = CurlFetch(curl, method, url, body, headers);
  curl_easy_cleanup(curl);
  return reply;
}

class HttpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_DEFAULT); }

  void SetUp() override { uv_loop_init(&loop_); }
  void TearDown() override {
    server_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  // Starts a server on an ephemeral loopback port.
  void Start(ServerOptions options, HttpHandler handler) {
    server_ = std::make_unique<HttpServer>(&loop_, std::move(options), std::move(handler));
    Status<> listening = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(listening.ok()) << listening.error();
    ASSERT_GT(server_->port(), 0);
  }

  std::string Url(const std::string& target) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + target;
  }

  // Runs `client` on a thread while the loop serves it; returns once the client is done.
  void RunClient(std::function<void()> client) {
    uv_async_t finished;
    uv_async_init(&loop_, &finished, [](uv_async_t* async) { uv_stop(async->loop); });
    std::thread thread([&] {
      client();
      uv_async_send(&finished);
    });
    uv_run(&loop_, UV_RUN_DEFAULT);
    thread.join();
    uv_close(reinterpret_cast<uv_handle_t*>(&finished), nullptr);
    uv_run(&loop_, UV_RUN_NOWAIT);
  }

  // Runs the loop until `done` holds or nothing is left to run.
  void RunUntil(const std::function<bool()>& done) {
    while (!done() && uv_run(&loop_, UV_RUN_ONCE) != 0) {
    }
  }

  // Calls `fn` on the loop `ms` from now.
  void After(uint64_t ms, std::function<void()> fn) {
    struct Timer {
      uv_timer_t handle;
      std::function<void()> fn;
    };
    auto* timer = new Timer{{}, std::move(fn)};
    uv_timer_init(&loop_, &timer->handle);
    timer->handle.data = timer;
    uv_timer_start(
        &timer->handle,
        [](uv_timer_t* handle) {
          auto* self = static_cast<Timer*>(handle->data);
          self->fn();
          uv_close(reinterpret_cast<uv_handle_t*>(handle),
                   [](uv_handle_t* h) { delete static_cast<Timer*>(h->data); });
        },
        ms, 0);
  }

  static HttpResponse Text(const std::string& body, int status = 200) {
    return HttpResponse{status, {{"Content-Type", "text/plain"}}, body};
  }

  uv_loop_t loop_{};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, GetAndPostRoundTrip) {
  std::vector<HttpRequest> seen;
  Start({}, [&](const HttpRequest& request, Responder responder) {
    seen.push_back(request);
    HttpResponse response = Text(request.method + " " + request.path + " " + request.body, 201);
    response.headers.emplace_back("X-Reply", "yes");
    responder.Send(std::move(response));
  });
  CurlReply get, post;
  RunClient([&] {
    get = CurlFetchOnce("GET", Url("/hello?name=a%20b&x=1&x=2&flag&sp=c+d"), "",
                        {"X-Thing: one", "X-Thing: two"});
    post = CurlFetchOnce("POST", Url("/echo"), R"({"a":1})", {"Content-Type: application/json"});
  });
  ASSERT_EQ(get.status, 201) << get.error;
  EXPECT_EQ(get.body, "GET /hello ");
  EXPECT_NE(get.headers.find("X-Reply: yes"), std::string::npos) << get.headers;
  EXPECT_NE(get.headers.find("Content-Length: 11"), std::string::npos) << get.headers;
  ASSERT_EQ(post.status, 201) << post.error;
  EXPECT_EQ(post.body, R"(POST /echo {"a":1})");

  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].target, "/hello?name=a%20b&x=1&x=2&flag&sp=c+d");
  EXPECT_EQ(seen[0].query, (std::map<std::string, std::string>{
                               {"name", "a b"}, {"x", "1"}, {"flag", ""}, {"sp", "c d"}}));
  EXPECT_EQ(seen[0].headers.at("x-thing"), "one, two");
  EXPECT_EQ(seen[0].Header("X-THING"), "one, two");
  EXPECT_EQ(seen[0].Header("missing"), "");
  EXPECT_EQ(seen[1].method, "POST");
  EXPECT_EQ(seen[1].body, R"({"a":1})");
  EXPECT_EQ(seen[1].Header("content-type"), "application/json");
}

TEST_F(HttpServerTest, KeepAliveReusesTheConnectionForThreeRequests) {
  std::vector<uint64_t> connection_ids;
  Start({}, [&](const HttpRequest& request, Responder responder) {
    connection_ids.push_back(request.connection_id);
    responder.Send(Text(request.path));
  });
  std::vector<CurlReply> replies;
  RunClient([&] {
    CURL* curl = curl_easy_init();
    for (const char* path : {"/1", "/2", "/3"})
      replies.push_back(CurlFetch(curl, "GET", Url(path)));
    curl_easy_cleanup(curl);
  });
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0].body, "/1");
  EXPECT_EQ(replies[2].body, "/3");
  EXPECT_EQ(replies[0].new_connections, 1);
  EXPECT_EQ(replies[1].new_connections, 0);
  EXPECT_EQ(replies[2].new_connections, 0);
  ASSERT_EQ(connection_ids.size(), 3u);
  EXPECT_EQ(connection_ids[0], connection_ids[1]);
  EXPECT_EQ(connection_ids[1], connection_ids[2]);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  int in_handler = 0;
  int overlaps = 0;
  Start({}, [&](const HttpRequest& request, Responder responder) {
    if (in_handler++ > 0) ++overlaps;  // a connection's requests come one at a time
    HttpResponse response = Text(request.path + ":" + request.body);
    if (request.path == "/slow") {
      After(30, [&, responder, response] {
        --in_handler;
        responder.Send(response);
      });
    } else {
      --in_handler;
      responder.Send(response);
    }
  });
  std::vector<std::string> bodies;
  RunClient([&] {
    RawClient client(server_->port());
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(
        client.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
                    "POST /fast HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                    "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "2\r\nde\r\n1\r\nf\r\n0\r\n\r\n"));
    for (int i = 0; i < 3; ++i) {
      std::optional<RawClient::Response> response = client.Read();
      ASSERT_TRUE(response.has_value());
      EXPECT_EQ(response->status, 200);
      EXPECT_EQ(response->headers.count("connection"), 0u);  // kept alive
      bodies.push_back(response->body);
    }
  });
  EXPECT_EQ(bodies, (std::vector<std::string>{"/slow:", "/fast:abc", "/chunked:def"}));
  EXPECT_EQ(overlaps, 0);
}

TEST_F(HttpServerTest, ARequestArrivingWhileOneIsInFlightWaitsItsTurn) {
  // Client on this thread: loopback delivers each send before it returns, so one turn of the loop
  // reads it.
  std::vector<std::string> handed;
  Responder slow;
  Start({}, [&](const HttpRequest& request, Responder responder) {
    handed.push_back(request.path);
    if (request.path == "/slow") {
      slow = responder;
    } else {
      responder.Send(Text(request.path));
    }
  });
  RawClient client(server_->port());
  ASSERT_TRUE(client.Send("GET /slow HTTP/1.1\r\n\r\n"));
  RunUntil([&] { return !handed.empty(); });
  ASSERT_TRUE(client.Send("GET /fast HTTP/1.1\r\n\r\n"));
  for (int i = 0; i < 3; ++i) uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_EQ(handed, std::vector<std::string>{"/slow"});  // /fast is read but not handed over
  slow.Send(Text("/slow"));
  RunUntil([&] { return handed.size() == 2; });
  for (int i = 0; i < 3; ++i) uv_run(&loop_, UV_RUN_NOWAIT);  // the second write completes
  std::optional<RawClient::Response> first = client.Read();
  std::optional<RawClient::Response> second = client.Read();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "/slow");
  EXPECT_EQ(second->body, "/fast");
}

TEST_F(HttpServerTest, AnswersAsynchronously) {
  std::vector<bool> pending_before, pending_after;
  Start({}, [&](const HttpRequest&, Responder responder) {
    After(50, [&, responder] {
      pending_before.push_back(responder.pending());
      responder.Send(Text("later"));
      pending_after.push_back(responder.pending());
      responder.Send(Text("twice"));  // ignored
    });
  });
  CurlReply reply;
  CurlReply second;
  RunClient([&] {
    CURL* curl = curl_easy_init();
    reply = CurlFetch(curl, "GET", Url("/wait"));
    second = CurlFetch(curl, "GET", Url("/wait"));  // the connection is still in step
    curl_easy_cleanup(curl);
  });
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.body, "later");
  EXPECT_EQ(second.body, "later");
  EXPECT_EQ(second.new_connections, 0);
  EXPECT_EQ(pending_before, (std::vector<bool>{true, true}));
  EXPECT_EQ(pending_after, (std::vector<bool>{false, false}));
}

TEST_F(HttpServerTest, OversizedBodyIs413WithoutReadingIt) {
  int handled = 0;
  ServerOptions options;
  options.max_body_bytes = 1024;
  Start(options, [&](const HttpRequest&, Responder responder) {
    ++handled;
    responder.Send(Text("ok"));
  });
  std::optional<RawClient::Response> declared, whole, chunked;
  bool closed = false;
  RunClient([&] {
    // Declares 10 MB and sends 4 KiB of it: the answer comes without the rest.
    RawClient client(server_->port());
    client.Send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" +
                std::string(4096, 'a'));
    declared = client.Read();
    closed = client.ClosedByServer();

    // Sends all 2 MB before reading: the server reads and drops the rest, so the answer is not
    // lost to a connection reset.
    RawClient eager(server_->port());
    eager.Send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n" +
               std::string(2000000, 'a'));
    whole = eager.Read();

    RawClient chunks(server_->port());
    chunks.Send("POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 3; ++i) chunks.Send("200\r\n" + std::string(512, 'b') + "\r\n");
    chunked = chunks.Read();
  });
  ASSERT_TRUE(declared.has_value());
  EXPECT_EQ(declared->status, 413);
  EXPECT_EQ(declared->headers["connection"], "close");
  EXPECT_EQ(declared->headers["content-type"], "application/json");
  EXPECT_EQ(declared->body,
            R"({"__type":"RequestEntityTooLarge","message":"request body exceeds 1024 bytes"})");
  EXPECT_TRUE(closed);
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(whole->status, 413);
  ASSERT_TRUE(chunked.has_value());
  EXPECT_EQ(chunked->status, 413);
  EXPECT_EQ(handled, 0);
}

TEST_F(HttpServerTest, MalformedRequestIs400AfterTheRequestsBeforeIt) {
  int handled = 0;
  Start({}, [&](const HttpRequest&, Responder responder) {
    ++handled;
    responder.Send(Text("ok"));
  });
  std::optional<RawClient::Response> good, bad, bad_alone;
  bool closed = false;
  RunClient([&] {
    RawClient client(server_->port());
    client.Send("GET /ok HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP AT ALL\r\n\r\n");
    good = client.Read();
    bad = client.Read();
    closed = client.ClosedByServer();
    RawClient other(server_->port());
    other.Send("GET /x HTTP/1.1\r\nContent-Length: nope\r\n\r\n");
    bad_alone = other.Read();
  });
  ASSERT_TRUE(good.has_value());
  EXPECT_EQ(good->status, 200);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(bad->headers["connection"], "close");
  EXPECT_NE(bad->body.find(R"("__type":"BadRequest")"), std::string::npos) << bad->body;
  EXPECT_TRUE(closed);
  ASSERT_TRUE(bad_alone.has_value());
  EXPECT_EQ(bad_alone->status, 400);
  EXPECT_EQ(handled, 1);
}

TEST_F(HttpServerTest, OversizedHeadersAre431) {
  ServerOptions options;
  options.max_header_bytes = 512;
  Start(options, [&](const HttpRequest&, Responder responder) { responder.Send(Text("ok")); });
  std::optional<RawClient::Response> big, small;
  RunClient([&] {
    RawClient client(server_->port());
    client.Send("GET / HTTP/1.1\r\nX-Big: " + std::string(2000, 'h') + "\r\n\r\n");
    big = client.Read();
    RawClient other(server_->port());
    other.Send("GET / HTTP/1.1\r\nX-Small: " + std::string(100, 'h') + "\r\n\r\n");
    small = other.Read();
  });
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(big->status, 431);
  ASSERT_TRUE(small.has_value());
  EXPECT_EQ(small->status, 200);
}

TEST_F(HttpServerTest, BearerTokenIsRequiredExceptOnPublicPaths) {
  ServerOptions options;
  options.bearer_token = "s3cret-token";
  options.public_paths = {"/health"};
  std::vector<std::string> handled;
  Start(options, [&](const HttpRequest& request, Responder responder) {
    handled.push_back(request.path);
    responder.Send(Text("ok"));
  });
  CurlReply none, wrong, prefix, right, lower, health;
  RunClient([&] {
    none = CurlFetchOnce("GET", Url("/api"));
    wrong = CurlFetchOnce("GET", Url("/api"), "", {"Authorization: Bearer s3cret-tokex"});
    prefix = CurlFetchOnce("GET", Url("/api"), "", {"Authorization: Bearer s3cret"});
    right = CurlFetchOnce("POST", Url("/api"), "{}", {"Authorization: Bearer s3cret-token"});
    lower = CurlFetchOnce("GET", Url("/api?x=1"), "", {"Authorization: bearer s3cret-token"});
    health = CurlFetchOnce("GET", Url("/health"));
  });
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.headers.find("WWW-Authenticate: Bearer"), std::string::npos) << none.headers;
  EXPECT_EQ(none.body, R"({"__type":"Unauthorized","message":"missing or wrong bearer token"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(prefix.status, 401);
  EXPECT_EQ(right.status, 200);
  EXPECT_EQ(lower.status, 200);
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(handled, (std::vector<std::string>{"/api", "/api", "/health"}));
}

TEST_F(HttpServerTest, GarbageBytesDoNotCrashTheServer) {
  ServerOptions options;
  options.idle_timeout_ms = 100;  // garbage that looks like a partial request waits this long
  int handled = 0;
  Start(options, [&](const HttpRequest&, Responder responder) {
    ++handled;
    responder.Send(Text("ok"));
  });
  const std::string valid =
      "POST /path?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nX-A: b\r\n\r\nbody";
  int closed = 0;
  CurlReply after;
  RunClient([&] {
    std::mt19937 rng(20240607);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int i = 0; i < 150; ++i) {
      std::string bytes;
      if (i % 2 == 0) {  // random bytes
        bytes.resize(1 + rng() % 2048);
        for (char& c : bytes) c = static_cast<char>(byte(rng));
      } else {  // a valid request with a few bytes changed
        bytes = valid + valid;
        for (int k = 0; k < 3; ++k) bytes[rng() % bytes.size()] = static_cast<char>(byte(rng));
      }
      RawClient client(server_->port());
      client.Send(bytes);
      closed += client.ClosedByServer() ? 1 : 0;
    }
    after = CurlFetchOnce("GET", Url("/still-alive"));
  });
  EXPECT_EQ(closed, 150);  // every connection ended (answered, rejected or timed out)
  EXPECT_EQ(after.status, 200) << after.error;
  EXPECT_GE(handled, 1);
}

TEST_F(HttpServerTest, CloseFinishesTheRequestInFlight) {
  bool done = false;
  Start({}, [&](const HttpRequest& request, Responder responder) {
    if (request.path != "/slow") return responder.Send(Text("quick"));
    // Close while the answer is pending; the answer still goes out, then the connection closes.
    After(20, [&] { server_->Close([&] { done = true; }); });
    After(60, [responder] { responder.Send(Text("finished")); });
  });
  std::optional<RawClient::Response> answer, idle_answer;
  bool idle_closed = false, closed = false, refused = false;
  RunClient([&] {
    RawClient idle(server_->port());  // a keep-alive connection with nothing in flight
    idle.Send("GET /quick HTTP/1.1\r\n\r\n");
    idle_answer = idle.Read();
    RawClient client(server_->port());
    client.Send("GET /slow HTTP/1.1\r\n\r\n");
    answer = client.Read();
    closed = client.ClosedByServer();
    idle_closed = idle.ClosedByServer();
    RawClient late(server_->port());
    refused = !late.connected();
  });
  RunUntil([&] { return done; });
  ASSERT_TRUE(idle_answer.has_value());
  EXPECT_EQ(idle_answer->body, "quick");
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->body, "finished");
  EXPECT_EQ(answer->headers["connection"], "close");
  EXPECT_TRUE(closed);
  EXPECT_TRUE(idle_closed);
  EXPECT_TRUE(refused);
  EXPECT_TRUE(done);
  EXPECT_EQ(server_->connections(), 0u);
}

TEST_F(HttpServerTest, ResponderOutlivesItsConnectionAndTheServer) {
  Responder kept;
  bool gone = false;
  Start({}, [&](const HttpRequest&, Responder responder) {
    responder.OnClientGone([&] { gone = true; });
    kept = responder;
  });
  RunClient([&] {
    RawClient client(server_->port());
    client.Send("GET /poll HTTP/1.1\r\n\r\n");
  });  // the client hangs up without waiting
  RunUntil([&] { return gone; });
  ASSERT_TRUE(gone);
  EXPECT_FALSE(kept.pending());
  kept.Send(Text("too late"));  // no-op
  bool late_gone = false;
  kept.OnClientGone([&] { late_gone = true; });  // already gone: runs at once
  EXPECT_TRUE(late_gone);

  // Answering after the server is destroyed is a no-op too. (The client is on this thread: the
  // kernel completes its connect and buffers its request until the loop runs.)
  Responder orphan;
  bool handled = false;
  Start({}, [&](const HttpRequest&, Responder responder) {
    orphan = responder;
    handled = true;
  });
  RawClient client(server_->port());
  ASSERT_TRUE(client.Send("GET /poll HTTP/1.1\r\n\r\n"));
  RunUntil([&] { return handled; });
  ASSERT_TRUE(handled);
  EXPECT_TRUE(orphan.pending());
  server_.reset();
  EXPECT_FALSE(orphan.pending());
  orphan.Send(Text("after the server"));
  EXPECT_TRUE(client.ClosedByServer());
  uv_run(&loop_, UV_RUN_DEFAULT);
  orphan = Responder();
}

TEST_F(HttpServerTest, UnansweredOrFailedHandlersAnswer500) {
  Start({}, [&](const HttpRequest& request, Responder) {
    if (request.path == "/throw") throw std::runtime_error("boom");
    // Otherwise the Responder is dropped unanswered.
  });
  CurlReply dropped, thrown;
  RunClient([&] {
    CURL* curl = curl_easy_init();
    dropped = CurlFetch(curl, "GET", Url("/drop"));
    thrown = CurlFetch(curl, "GET", Url("/throw"));
    curl_easy_cleanup(curl);
  });
  EXPECT_EQ(dropped.status, 500);
  EXPECT_EQ(dropped.body,
            R"({"__type":"InternalError","message":"the request was left unanswered"})");
  EXPECT_EQ(thrown.status, 500);
  EXPECT_EQ(thrown.body, R"({"__type":"InternalError","message":"handler failed: boom"})");
  EXPECT_EQ(thrown.new_connections, 0);  // a 500 keeps the connection
}

TEST_F(HttpServerTest, HeadHttp10AndExpectContinue) {
  Start({}, [&](const HttpRequest& request, Responder responder) {
    responder.Send(Text(request.method + ":" + request.body));
  });
  std::optional<RawClient::Response> head, old, interim, final_answer;
  bool old_closed = false;
  RunClient([&] {
    RawClient client(server_->port());
    client.Send("HEAD /h HTTP/1.1\r\n\r\n");
    head = client.Read(/*head=*/true);
    client.Send("POST /e HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    interim = client.Read();
    client.Send("hello");
    final_answer = client.Read();

    RawClient http10(server_->port());
    http10.Send("GET /old HTTP/1.0\r\n\r\n");
    old = http10.Read();
    old_closed = http10.ClosedByServer();
  });
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->headers["content-length"], "5");  // "HEAD:" without the body
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(final_answer.has_value());
  EXPECT_EQ(final_answer->body, "POST:hello");
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->body, "GET:");
  EXPECT_EQ(old->headers["connection"], "close");
  EXPECT_TRUE(old_closed);
}

TEST_F(HttpServerTest, IdleConnectionsAreClosed) {
  ServerOptions options;
  options.idle_timeout_ms = 100;
  Start(options, [&](const HttpRequest&, Responder responder) { responder.Send(Text("ok")); });
  bool silent_closed = false, partial_closed = false;
  RunClient([&] {
    RawClient silent(server_->port());
    RawClient partial(server_->port());
    partial.Send("GET / HTTP/1.1\r\nHost:");  // never finishes its request
    silent_closed = silent.ClosedByServer();
    partial_closed = partial.ClosedByServer();
  });
  EXPECT_TRUE(silent_closed);
  EXPECT_TRUE(partial_closed);
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitWaitForAFreeSlot) {
  ServerOptions options;
  options.max_connections = 1;
  size_t most_connections = 0;
  std::vector<uint64_t> served_on;
  Start(options, [&](const HttpRequest& request, Responder responder) {
    most_connections = std::max(most_connections, server_->connections());
    served_on.push_back(request.connection_id);
    responder.Send(Text(request.path));
  });
  std::optional<RawClient::Response> first, second, waiting;
  RunClient([&] {
    auto a = std::make_unique<RawClient>(server_->port());
    a->Send("GET /a1 HTTP/1.1\r\n\r\n");
    first = a->Read();
    RawClient b(server_->port());
    b.Send("GET /b HTTP/1.1\r\n\r\n");
    a->Send("GET /a2 HTTP/1.1\r\n\r\n");
    second = a->Read();
    a.reset();  // frees the slot
    waiting = b.Read();
  });
  ASSERT_TRUE(first && second && waiting);
  EXPECT_EQ(first->body, "/a1");
  EXPECT_EQ(second->body, "/a2");
  EXPECT_EQ(waiting->body, "/b");
  EXPECT_EQ(most_connections, 1u);
  ASSERT_EQ(served_on.size(), 3u);
  EXPECT_EQ(served_on[0], served_on[1]);
  EXPECT_NE(served_on[1], served_on[2]);
}

TEST_F(HttpServerTest, EphemeralPortAndListenErrors) {
  Start({}, [](const HttpRequest&, Responder responder) { responder.Send(Text("ok")); });
  const int port = server_->port();

  HttpServer second(&loop_, {}, [](const HttpRequest&, Responder) {});
  Status<> in_use = second.Listen("127.0.0.1", port);
  ASSERT_FALSE(in_use.ok());
  EXPECT_EQ(in_use.error(),
            "cannot listen on 127.0.0.1:" + std::to_string(port) + ": address already in use");
  Status<> name = second.Listen("example.com", 80);
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.error(),
            "cannot listen on example.com:80: not an IP address or localhost (host names are not "
            "resolved)");
  EXPECT_FALSE(second.Listen("127.0.0.1", 70000).ok());

  Status<> localhost = second.Listen("localhost", 0);
  ASSERT_TRUE(localhost.ok()) << localhost.error();
  EXPECT_GT(second.port(), 0);
  EXPECT_NE(second.port(), port);
  Status<> again = second.Listen("localhost", 0);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error(), "cannot listen on localhost:0: already listening");
}

TEST_F(HttpServerTest, ListensOnIpv6Loopback) {
  server_ = std::make_unique<HttpServer>(
      &loop_, ServerOptions{},
      [](const HttpRequest& request, Responder responder) { responder.Send(Text(request.path)); });
  Status<> listening = server_->Listen("::1", 0);
  if (!listening.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << listening.error();
  CurlReply reply;
  RunClient([&] {
    reply = CurlFetchOnce("GET", "http://[::1]:" + std::to_string(server_->port()) + "/six");
  });
  EXPECT_EQ(reply.body, "/six") << reply.error;
}

TEST(HttpServerHelpers, IsLoopbackHost) {
  for (const char* host : {"localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "::1", "[::1]",
                           "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "128.0.0.1", "::2",
                           "example.com", "localhost.example.com", "", "127.0.0.1:80"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(HttpServerHelpers, PercentDecode) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc"), "a b/c");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("100%"), "100%");    // malformed escapes stay
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");  // …as they are
  EXPECT_EQ(PercentDecode("%e2%82%AC"), "\xe2\x82\xac");
}

}  // namespace
}  // namespace sluice::engine::server
