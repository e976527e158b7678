// HttpServer: the HTTP/1.1 transport of `sluice serve`, on a libuv loop.
//
// The server accepts TCP connections, parses requests with libhttp-parser and hands each complete
// request to one handler, which answers through a Responder: at once, or later (after a long
// poll, after a commit). It knows nothing of routes or JSON APIs; the API layer above it does.
//
// Requests
//   Each request arrives whole: method, target as sent ("/path?query"), the path, the decoded
//   query parameters, the headers (names lower-cased, repeated headers joined with ", ") and the
//   body (chunked bodies are de-chunked). A connection's requests reach the handler one at a
//   time, in order: the next one is handed over once the previous answer has been written. So
//   pipelined requests are answered in order, and a handler never sees two requests of one
//   connection at once. Clients may pipeline; the server parses ahead a few requests and then
//   stops reading until the handler catches up (backpressure).
//
// Answers
//   Responder::Send answers the request; the first call counts, later calls are ignored. Send
//   after the connection closed (the client went away, the server was closed or destroyed) does
//   nothing, safely: a Responder may outlive the connection and the server. If every copy of a
//   Responder is dropped unanswered, the server answers 500 itself, so a connection never hangs
//   on a forgotten request. The server sets Content-Length (omitted for 204 and 304, which carry
//   no body) and Connection; a HEAD answer carries the headers without the body. A response
//   header "Connection: close" closes the connection after the answer.
//
// Keep-alive (RFC 9112): HTTP/1.1 connections stay open unless the request says
// "Connection: close"; HTTP/1.0 ones only with "Connection: keep-alive". A client that
// half-closes its side (EOF) is taken to have gone away: pending answers are dropped.
//
// Errors the server answers by itself, before any handler sees the request. The body is JSON in
// the AWS JSON protocol's error shape, {"__type": NAME, "message": TEXT}, and the connection is
// closed after it (the rest of the input cannot be trusted or is not worth reading):
//   400 BadRequest                  the bytes are not HTTP/1.x (a parse error, a bad target)
//   401 Unauthorized                bearer token required and missing or wrong
//                                   (with WWW-Authenticate: Bearer)
//   413 RequestEntityTooLarge       the body is longer than max_body_bytes: rejected on its
//                                   Content-Length, before the body is read (chunked bodies
//                                   once the limit is passed), never buffered whole
//   431 RequestHeaderFieldsTooLarge the request line and headers exceed max_header_bytes
//   500 InternalError               the handler threw, or dropped its Responder unanswered
//                                   (this one does not close the connection)
// Requests pipelined before the bad one are answered first, in order. After an error answer the
// server half-closes and reads (and discards) what the client still sends for a moment before
// closing, so the client reads the answer instead of a connection reset.
//
// Limits (ServerOptions, defaults below) and why they exist:
//   max_body_bytes      memory per request; the default fits AWS's largest request (a 1 MiB
//                       state machine definition) and its JSON envelope.
//   max_header_bytes    request line plus headers; libhttp-parser also stops at 80 KiB.
//   idle_timeout_ms     a connection that is not waiting on the handler (waiting for a request,
//                       receiving one, or writing an answer) is closed after this long without
//                       completing the step. A slow client cannot pin a connection forever by
//                       trickling bytes; a handler's long poll is not limited.
//   max_connections     open connections at once. Beyond it new connections are not accepted
//                       (they wait in the kernel's listen backlog) until one closes.
//   close_timeout_ms    how long Close() waits for in-flight answers before closing anyway.
//
// Authentication: when ServerOptions::bearer_token is set, a request needs the header
// "Authorization: Bearer <token>" (the scheme case-insensitive, the token compared in constant
// time), except requests whose path is in public_paths (e.g. "/health"). Without it the server
// answers 401. IsLoopbackHost() tells whether an address reaches only this machine (the serve
// command refuses to listen elsewhere without a token or --insecure).
//
// Lifecycle:
//   HttpServer server(loop, options, handler);
//   server.Listen("127.0.0.1", 8083)  -> error "cannot listen on 127.0.0.1:8083: address already
//                                        in use"; port 0 picks a free port (see port()).
//   ... the loop runs ...
//   server.StopAccepting();           // closes the listener; open connections go on
//   server.Close(done);               // StopAccepting, then closes every connection once its
//                                     // in-flight answer is written (undispatched pipelined
//                                     // requests are dropped; idle connections close at once);
//                                     // done() runs when every handle is closed
//   destroying the server             // closes everything at once (answers in flight are lost,
//                                     // no callbacks run); the loop must run once more
// Handlers may call StopAccepting() and Close() themselves; after Close() the handler is not
// called again.
//
// Thread rule: loop thread only, Responders included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "asl/result.h"

typedef struct uv_loop_s uv_loop_t;

namespace sluice::engine::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", … (as libhttp-parser names it)
  std::string target;  // as sent: path and query, e.g. "/executions?maxResults=10"
  std::string path;    // the target's path, not decoded: "/executions"
  // Query parameters, names and values percent-decoded ('+' is a space). A name given twice
  // keeps its first value; a name without '=' has the value "".
  std::map<std::string, std::string> query;
  // Header names lower-cased; a header given twice has its values joined with ", ".
  std::map<std::string, std::string> headers;
  std::string body;
  uint64_t connection_id = 0;  // which connection it came on (1, 2, …), for logs and metrics

  // The header `name` (any case), or "".
  std::string Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  // Content-Length, Connection and Transfer-Encoding are the server's: given here they are
  // ignored (except "Connection: close", which closes the connection after this answer).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Answers one request; cheap to copy, every copy answers the same request.
class Responder {
 public:
  Responder() = default;  // answers nothing

  // Writes `response`. Only the first Send or Drop counts; later calls, and calls after the
  // connection closed, do nothing.
  void Send(HttpResponse response) const;
  // Closes the connection without an answer (the client sees a network error).
  void Drop() const;
  // Whether Send would still reach the client (not answered, connection open).
  bool pending() const;
  // `callback` runs once if the connection closes before the request is answered: the client
  // went away, or the server gave up waiting in Close(). Not run when the server is destroyed.
  // For long polls that should hand their work to another client.
  void OnClientGone(std::function<void()> callback) const;

  struct Exchange;  // the request's shared state (http_server.cpp)
  explicit Responder(std::shared_ptr<Exchange> exchange) : exchange_(std::move(exchange)) {}

 private:
  std::shared_ptr<Exchange> exchange_;
};

using HttpHandler = std::function<void(const HttpRequest&, Responder)>;

struct ServerOptions {
  size_t max_body_bytes = 1024 * 1024 + 64 * 1024;  // over it: 413
  size_t max_header_bytes = 64 * 1024;              // request line + headers; over it: 431
  int64_t idle_timeout_ms = 60000;                  // see the limits above
  size_t max_connections = 1024;
  int64_t close_timeout_ms = 10000;  // Close() waits this long for in-flight answers
  // When not empty, requests need "Authorization: Bearer <bearer_token>"...
  std::string bearer_token;
  // ...except these paths (exact match on HttpRequest::path), e.g. {"/health"}.
  std::vector<std::string> public_paths;
};

class HttpServer {
 public:
  HttpServer(uv_loop_t* loop, ServerOptions options, HttpHandler handler);
  ~HttpServer();  // closes every handle at once; run the loop afterwards
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. `host` is an IPv4 or IPv6 literal ("127.0.0.1", "::1", "[::1]", "0.0.0.0")
  // or "localhost" (127.0.0.1); names are not resolved. Port 0 picks a free port. Fails with
  // "cannot listen on HOST:PORT: REASON"; once listening, a second call fails too.
  Status<> Listen(const std::string& host, int port);

  int port() const;  // the bound port once listening, else 0

  // Stops accepting connections (closes the listener); open connections are served on.
  void StopAccepting();

  // Graceful shutdown, see the lifecycle above. `done` runs once, after every handle of the
  // server is closed (at once, inside Close, if there is none). Calling Close again only
  // replaces `done`.
  void Close(std::function<void()> done);

  size_t connections() const;  // open connections (accepted, not yet fully closed)

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Whether `host` names this machine only: "localhost", 127.0.0.0/8, ::1 (also "[::1]" and
// ::ffff:127.x.x.x). Anything else, names included, is not loopback.
bool IsLoopbackHost(std::string_view host);

// Percent-decodes `text` ("%2F" -> "/"; with plus_is_space, '+' -> ' '). Malformed escapes are
// kept as they are.
std::string PercentDecode(std::string_view text, bool plus_is_space = false);

}  // namespace sluice::engine::server
