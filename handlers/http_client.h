// HttpClient: asynchronous HTTP(S) requests on a libuv loop, for task handlers and pipeline jobs.
//
// libcurl does the protocol work; the loop does the waiting. The client drives one curl multi
// handle through its socket API: curl says which sockets to watch (a uv_poll_t each) and when to
// wake it (one uv_timer_t), and the loop calls curl_multi_socket_action when a socket is ready or
// the timer fires. Nothing blocks the loop thread (name resolution runs on curl's resolver
// thread), and any number of requests share the loop.
//
// Contract (libuv style): Send() always calls back exactly once, on a later loop turn, unless
// Cancel() comes first or the client is destroyed; after either, the callback is never called.
// A request that cannot even be set up (an unsupported URL scheme, say) fails through the
// callback like any other error.
//
// A response is any answer from the server, whatever its status; an error is a request that got
// no answer (could not connect, resolve, or send; the connection dropped; the timeout passed).
// Redirects are not followed. Response bodies beyond Options::max_body_bytes are dropped and
// the response is marked truncated.
//
// Ownership: destroying the client cancels every request and closes its handles; the loop must
// still be alive then and must run once more for the closes to finish.
//
// Thread rule: loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "asl/result.h"

typedef struct uv_loop_s uv_loop_t;

namespace sluice::handlers {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";  // any token; GET and HEAD send no body
  std::string url;             // http:// or https://
  HttpHeaders headers;
  std::string body;
  int64_t timeout_ms = 30000;  // the whole request, connect to last byte; > 0
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // of the final response, names as sent
  std::string body;
  bool body_truncated = false;

  // The first header named `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

struct HttpError {
  bool timed_out = false;
  std::string message;  // e.g. "could not connect to 127.0.0.1:9 (Connection refused)"
};

class HttpClient {
 public:
  struct Options {
    size_t max_body_bytes = 8 * 1024 * 1024;
  };
  using Callback = std::function<void(Result<HttpResponse, HttpError>)>;

  explicit HttpClient(uv_loop_t* loop);
  HttpClient(uv_loop_t* loop, Options options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts the request; returns its id (for Cancel).
  uint64_t Send(const HttpRequest& request, Callback done);

  // Aborts the request and drops its callback. Unknown or finished ids are ignored.
  void Cancel(uint64_t id);

  // Requests sent and not yet answered or cancelled.
  size_t in_flight() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::handlers
