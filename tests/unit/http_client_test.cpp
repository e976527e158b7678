// HttpClient (libcurl on the libuv loop) against the loopback test server, on one loop.
#include "handlers/http_client.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <memory>
#include <optional>

#include "tests/support/http_test_server.h"

namespace sluice::handlers {
namespace {

using testing::HttpTestServer;
using testing::TestResponse;

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    server_ = std::make_unique<HttpTestServer>(&loop_);
    client_ = std::make_unique<HttpClient>(&loop_);
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  // Runs the loop until `done` holds (callbacks that make it hold call uv_stop: the server's
  // listener keeps the loop alive, so a plain UV_RUN_ONCE could block in its poll).
  template <typename Predicate>
  void RunUntil(Predicate done) {
    while (!done()) uv_run(&loop_, UV_RUN_DEFAULT);
  }

  // Sends `request` and runs the loop until it is answered.
  Result<HttpResponse, HttpError> Fetch(HttpRequest request) {
    std::optional<Result<HttpResponse, HttpError>> answer;
    client_->Send(request, [&](Result<HttpResponse, HttpError> r) {
      answer = std::move(r);
      uv_stop(&loop_);
    });
    RunUntil([&] { return answer.has_value(); });
    return std::move(*answer);
  }

  uv_loop_t loop_{};
  std::unique_ptr<HttpTestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(HttpClientTest, PostsBodyAndHeadersAndReadsTheAnswer) {
  server_->Script("POST", "/run?x=1", {TestResponse{201, R"({"ok":true})", {{"X-Reply", "yes"}}}});
  HttpRequest request{"POST", server_->url() + "/run?x=1", {{"X-Token", "abc"}}, R"({"a":1})"};
  Result<HttpResponse, HttpError> answer = Fetch(request);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->status, 201);
  EXPECT_EQ(answer->body, R"({"ok":true})");
  EXPECT_EQ(answer->Header("x-reply"), "yes");
  ASSERT_EQ(server_->requests().size(), 1u);
  EXPECT_EQ(server_->requests()[0].body, R"({"a":1})");
  EXPECT_EQ(server_->requests()[0].headers.at("x-token"), "abc");
}

TEST_F(HttpClientTest, OtherMethodsAndErrorStatusesAreResponses) {
  server_->Script("GET", "/missing", {TestResponse{404, "nope"}});
  server_->Script("DELETE", "/thing", {TestResponse{503, "busy"}});
  Result<HttpResponse, HttpError> get = Fetch({"GET", server_->url() + "/missing"});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->status, 404);
  EXPECT_EQ(get->body, "nope");
  Result<HttpResponse, HttpError> del = Fetch({"DELETE", server_->url() + "/thing"});
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->status, 503);
  EXPECT_EQ(server_->Count("DELETE", "/thing"), 1);
}

TEST_F(HttpClientTest, ManyRequestsShareTheLoop) {
  server_->Script("GET", "/a", {TestResponse{200, "a", {}, 50}});
  server_->Script("GET", "/b", {TestResponse{200, "b"}});
  std::vector<std::string> order;
  for (const char* path : {"/a", "/b"}) {
    client_->Send({"GET", server_->url() + path}, [&](Result<HttpResponse, HttpError> r) {
      order.push_back(r.ok() ? r->body : r.error().message);
      uv_stop(&loop_);
    });
  }
  EXPECT_EQ(client_->in_flight(), 2u);
  RunUntil([&] { return order.size() == 2; });
  EXPECT_EQ(order, (std::vector<std::string>{"b", "a"}));  // the slow one answers last
  EXPECT_EQ(client_->in_flight(), 0u);
}

TEST_F(HttpClientTest, TimeoutIsAnError) {
  server_->Script("GET", "/slow", {TestResponse{200, "late", {}, 2000}});
  HttpRequest request{"GET", server_->url() + "/slow"};
  request.timeout_ms = 100;
  Result<HttpResponse, HttpError> answer = Fetch(request);
  ASSERT_FALSE(answer.ok());
  EXPECT_TRUE(answer.error().timed_out) << answer.error().message;
}

TEST_F(HttpClientTest, NetworkErrorsAreErrors) {
  server_->Script("GET", "/drop", {TestResponse{.close_without_answer = true}});
  Result<HttpResponse, HttpError> dropped = Fetch({"GET", server_->url() + "/drop"});
  ASSERT_FALSE(dropped.ok());
  EXPECT_FALSE(dropped.error().timed_out);
  EXPECT_FALSE(dropped.error().message.empty());

  Result<HttpResponse, HttpError> bad_scheme = Fetch({"GET", "ftp://127.0.0.1/x"});
  ASSERT_FALSE(bad_scheme.ok());
}

TEST_F(HttpClientTest, CancelDropsTheCallback) {
  server_->Script("GET", "/slow", {TestResponse{200, "late", {}, 200}});
  server_->Script("GET", "/fast", {TestResponse{200, "fast"}});
  bool cancelled_called = false;
  uint64_t id = client_->Send({"GET", server_->url() + "/slow"},
                              [&](Result<HttpResponse, HttpError>) { cancelled_called = true; });
  client_->Cancel(id);
  EXPECT_EQ(client_->in_flight(), 0u);
  Result<HttpResponse, HttpError> fast = Fetch({"GET", server_->url() + "/fast"});
  ASSERT_TRUE(fast.ok());
  EXPECT_FALSE(cancelled_called);
}

TEST_F(HttpClientTest, DestroyingTheClientDropsCallbacks) {
  server_->Script("GET", "/slow", {TestResponse{200, "late", {}, 100}});
  bool called = false;
  client_->Send({"GET", server_->url() + "/slow"},
                [&](Result<HttpResponse, HttpError>) { called = true; });
  uv_run(&loop_, UV_RUN_NOWAIT);
  client_.reset();
  uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace sluice::handlers
