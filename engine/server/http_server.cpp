#include "engine/server/http_server.h"

#include <http_parser.h>
#include <uv.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <deque>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

namespace sluice::engine::server {
namespace {

// One read buffer serves every connection: libuv hands it to one read callback at a time.
constexpr size_t kReadBufferBytes = 64 * 1024;
// Complete requests parsed ahead of the handler before the server stops reading a connection.
constexpr size_t kMaxQueuedRequests = 8;
// After an answer that closes the connection, the server half-closes and keeps reading (and
// discarding) for this long: closing a socket with unread input sends a reset, which can destroy
// the answer before the client reads it (the 413 case: the client is still sending its body).
constexpr uint64_t kLingerMs = 2000;
constexpr int kBacklog = 128;

const char* Reason(int status) {
  static const std::map<int, const char*> kReasons = {
      {200, "OK"},
      {201, "Created"},
      {202, "Accepted"},
      {204, "No Content"},
      {301, "Moved Permanently"},
      {302, "Found"},
      {304, "Not Modified"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {408, "Request Timeout"},
      {409, "Conflict"},
      {413, "Content Too Large"},
      {415, "Unsupported Media Type"},
      {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
  };
  auto found = kReasons.find(status);
  return found == kReasons.end() ? "" : found->second;  // the reason phrase is optional
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Compares in time that depends only on `expected`'s length, so a client cannot find the token
// byte by byte by timing the answers.
bool ConstantTimeEquals(std::string_view given, std::string_view expected) {
  volatile unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    const char g = i < given.size() ? given[i] : 0;
    diff = diff | static_cast<unsigned char>(g ^ expected[i]);
  }
  return diff == 0;
}

// Whether `authorization` ("Bearer TOKEN", the scheme in any case) carries `token`.
bool BearerMatches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kScheme = "bearer ";
  authorization = Trim(authorization);
  if (authorization.size() < kScheme.size() ||
      Lower(authorization.substr(0, kScheme.size())) != kScheme) {
    return false;
  }
  return ConstantTimeEquals(Trim(authorization.substr(kScheme.size())), token);
}

HttpResponse ErrorResponse(int status, const char* type, const std::string& message) {
  HttpResponse response;
  response.status = status;
  response.headers = {{"Content-Type", "application/json"}};
  response.body = nlohmann::json{{"__type", type}, {"message", message}}.dump();
  return response;
}

// "a=1&b=x%20y" -> {a: "1", b: "x y"}; the first value of a repeated name wins.
std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string value =
        eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
    params.emplace(PercentDecode(pair.substr(0, eq), true), std::move(value));
  }
  return params;
}

// Splits the request target into path and query; false when it is not a valid target.
bool ParseTarget(HttpRequest& request, bool is_connect) {
  http_parser_url url;
  http_parser_url_init(&url);
  if (http_parser_parse_url(request.target.data(), request.target.size(), is_connect, &url) != 0) {
    return false;
  }
  auto field = [&](int which) {
    if (!(url.field_set & (1 << which))) return std::string_view();
    return std::string_view(request.target)
        .substr(url.field_data[which].off, url.field_data[which].len);
  };
  request.path = field(UF_PATH);
  if (request.path.empty() && !is_connect) request.path = "/";
  request.query = ParseQuery(field(UF_QUERY));
  return true;
}

bool IsServerHeader(const std::string& name) {
  const std::string lower = Lower(name);
  return lower == "content-length" || lower == "connection" || lower == "transfer-encoding";
}

bool AsksToClose(const HttpResponse& response) {
  for (const auto& [name, value] : response.headers) {
    if (Lower(name) == "connection" && Lower(Trim(value)) == "close") return true;
  }
  return false;
}

// Header text must not break the framing: CR and LF become spaces.
std::string HeaderText(std::string_view text) {
  std::string out(text);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return out;
}

std::string Serialize(const HttpResponse& response, bool keep_alive, bool http_1_0, bool head) {
  const bool bodyless = response.status == 204 || response.status == 304;
  std::string out =
      "HTTP/1.1 " + std::to_string(response.status) + " " + Reason(response.status) + "\r\n";
  for (const auto& [name, value] : response.headers) {
    if (IsServerHeader(name)) continue;
    out += HeaderText(name) + ": " + HeaderText(value) + "\r\n";
  }
  if (!bodyless) out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (http_1_0) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  if (!head && !bodyless) out += response.body;
  return out;
}

struct WriteRequest {
  uv_write_t request;
  std::string data;
};

// A request parsed and waiting for its turn.
struct Pending {
  HttpRequest request;
  std::optional<HttpResponse> canned;  // the server's own answer (an error); closes afterwards
  bool keep_alive = false;
  bool http_1_0 = false;
  bool head = false;
};

class Connection;

}  // namespace

struct Responder::Exchange {
  std::weak_ptr<Connection> connection;
  uint64_t id = 0;
  bool done = false;  // answered, dropped, or the connection closed
  bool gone = false;  // the connection closed first
  std::function<void()> on_gone;
  ~Exchange();
};

struct HttpServer::Impl {
  Impl(uv_loop_t* l, ServerOptions o, HttpHandler h)
      : loop(l),
        options(std::move(o)),
        handler(std::make_shared<HttpHandler>(std::move(h))),
        buffer(new char[kReadBufferBytes]) {}
  ~Impl();

  static void OnConnection(uv_stream_t* listener, int status);
  void AcceptOne();
  void Forget(Connection* connection);  // its handles are closed
  void CloseListener();
  void MaybeDone();

  uv_loop_t* loop;
  ServerOptions options;
  std::shared_ptr<HttpHandler> handler;  // shared: a handler may destroy the server mid-call
  std::unique_ptr<char[]> buffer;
  uv_tcp_t* listener = nullptr;  // heap: freed by its close callback
  int port = 0;
  uint64_t last_connection_id = 0;
  std::set<Connection*> connections;  // open or closing; each owns itself until closed
  bool accept_pending = false;        // a connection waits in libuv for a free slot
  bool closed = false;                // Close() was called
  std::function<void()> done;
};

namespace {

// One accepted connection. It owns itself (self_) from Start until both its handles are closed;
// Responders hold it weakly.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(HttpServer::Impl* server, uint64_t id) : server_(server), id_(id) {
    http_parser_init(&parser_, HTTP_REQUEST);
    parser_.data = this;
  }

  // Accepts the pending connection of `listener` and starts reading.
  void Start(uv_stream_t* listener) {
    self_ = shared_from_this();
    uv_tcp_init(server_->loop, &tcp_);
    uv_timer_init(server_->loop, &timer_);
    tcp_.data = this;
    timer_.data = this;
    open_handles_ = 2;
    if (uv_accept(listener, Stream()) != 0) return Close(false);
    ArmIdleTimer();
    StartReading();
  }

  // Closes both handles at once. `notify`: run the in-flight request's OnClientGone callback.
  void Close(bool notify) {
    if (closing_) return;
    closing_ = true;
    queue_.clear();
    std::shared_ptr<Responder::Exchange> exchange = in_flight_ ? exchange_.lock() : nullptr;
    in_flight_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &Connection::OnHandleClosed);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &Connection::OnHandleClosed);
    if (!exchange || exchange->done) return;
    exchange->done = true;
    exchange->gone = true;
    std::function<void()> on_gone = std::move(exchange->on_gone);
    if (notify && on_gone) on_gone();
  }

  // Graceful close: finishes the in-flight answer (for at most `timeout_ms`), then closes.
  void Drain(int64_t timeout_ms) {
    if (closing_ || draining_) return;
    draining_ = true;
    input_done_ = true;
    queue_.clear();
    if (lingering_) return;  // already closing on its own timer
    if (!in_flight_ && !writing_) return Close(true);
    StartTimer(static_cast<uint64_t>(std::max<int64_t>(timeout_ms, 0)));
  }

  // The answer to exchange `id`, if it is still the one awaited.
  void Answer(uint64_t id, HttpResponse response) {
    if (!Awaits(id)) return;
    in_flight_ = false;
    if (response.status < 200 || response.status > 599) {
      response =
          ErrorResponse(500, "InternalError",
                        "the handler answered with status " + std::to_string(response.status));
    }
    const bool keep_alive = in_flight_keep_alive_ && !draining_ && !AsksToClose(response);
    Write(Serialize(response, keep_alive, in_flight_http_1_0_, in_flight_head_), keep_alive);
  }

  void Drop(uint64_t id) {
    if (Awaits(id)) Close(false);
  }

  bool Awaits(uint64_t id) const { return !closing_ && in_flight_ && id == exchange_id_; }

  HttpServer::Impl* server_;  // null once the server is destroyed

 private:
  uv_stream_t* Stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }
  static Connection* Of(http_parser* parser) { return static_cast<Connection*>(parser->data); }

  static void OnHandleClosed(uv_handle_t* handle) {
    auto* self = static_cast<Connection*>(handle->data);
    if (--self->open_handles_ > 0) return;
    if (self->server_) self->server_->Forget(self);
    self->self_.reset();  // may delete this
  }

  // Reading ------------------------------------------------------------------------------------

  void StartReading() {
    if (reading_ || closing_) return;
    reading_ = true;
    uv_read_start(
        Stream(),
        [](uv_handle_t* handle, size_t, uv_buf_t* buf) {
          auto* self = static_cast<Connection*>(handle->data);
          *buf = self->server_ ? uv_buf_init(self->server_->buffer.get(), kReadBufferBytes)
                               : uv_buf_init(nullptr, 0);
        },
        [](uv_stream_t* stream, ssize_t n, const uv_buf_t* buf) {
          auto* self = static_cast<Connection*>(stream->data);
          if (n < 0) return self->Close(true);  // EOF or error: the client is gone
          if (n > 0) self->OnData(buf->base, static_cast<size_t>(n));
        });
  }

  void PauseReading() {
    if (!reading_) return;
    reading_ = false;
    uv_read_stop(Stream());
  }

  void OnData(const char* data, size_t n) {
    if (input_done_) return;  // lingering or draining: discard
    const size_t parsed = http_parser_execute(&parser_, &Settings(), data, n);
    const http_errno error = HTTP_PARSER_ERRNO(&parser_);
    if (reject_) {
      Reject(std::move(*reject_));
      reject_.reset();
    } else if (error == HPE_HEADER_OVERFLOW) {
      Reject(ErrorResponse(431, "RequestHeaderFieldsTooLarge", "request headers are too large"));
    } else if (error != HPE_OK) {
      Reject(
          ErrorResponse(400, "BadRequest",
                        std::string("malformed HTTP request: ") + http_errno_description(error)));
    } else if (parser_.upgrade) {
      // Upgrades (CONNECT, "Upgrade: h2c") are not supported: answer the request, then close.
      if (!queue_.empty()) queue_.back().keep_alive = false;
      input_done_ = true;
    } else if (parsed != n) {
      Reject(ErrorResponse(400, "BadRequest", "malformed HTTP request"));
    }
    Dispatch();
    if (!closing_ && queue_.size() >= kMaxQueuedRequests) PauseReading();
  }

  // Ends the input with the server's own answer, after the requests before it.
  void Reject(HttpResponse response) {
    Pending pending;
    pending.canned = std::move(response);
    pending.head = parser_.method == HTTP_HEAD;
    queue_.push_back(std::move(pending));
    input_done_ = true;
  }

  // Parser callbacks ---------------------------------------------------------------------------

  static const http_parser_settings& Settings() {
    static const http_parser_settings settings = [] {
      http_parser_settings s{};
      s.on_message_begin = [](http_parser* p) { return Of(p)->OnMessageBegin(); };
      s.on_url = [](http_parser* p, const char* at, size_t n) {
        return Of(p)->OnHeaderBytes(Of(p)->request_.target, at, n);
      };
      s.on_header_field = [](http_parser* p, const char* at, size_t n) {
        Connection* self = Of(p);
        if (self->in_value_) self->CommitHeader();
        return self->OnHeaderBytes(self->field_, at, n);
      };
      s.on_header_value = [](http_parser* p, const char* at, size_t n) {
        Of(p)->in_value_ = true;
        return Of(p)->OnHeaderBytes(Of(p)->value_, at, n);
      };
      s.on_headers_complete = [](http_parser* p) { return Of(p)->OnHeadersComplete(); };
      s.on_body = [](http_parser* p, const char* at, size_t n) { return Of(p)->OnBody(at, n); };
      s.on_message_complete = [](http_parser* p) { return Of(p)->OnMessageComplete(); };
      return s;
    }();
    return settings;
  }

  int OnMessageBegin() {
    request_ = HttpRequest{};
    field_.clear();
    value_.clear();
    in_value_ = false;
    header_bytes_ = 0;
    return 0;
  }

  int OnHeaderBytes(std::string& into, const char* at, size_t n) {
    header_bytes_ += n;
    if (header_bytes_ > server_->options.max_header_bytes) {
      reject_ = ErrorResponse(
          431, "RequestHeaderFieldsTooLarge",
          "request headers exceed " + std::to_string(server_->options.max_header_bytes) + " bytes");
      return -1;
    }
    into.append(at, n);
    return 0;
  }

  void CommitHeader() {
    const std::string value(Trim(value_));
    auto [it, inserted] = request_.headers.emplace(Lower(field_), value);
    if (!inserted) it->second += ", " + value;
    field_.clear();
    value_.clear();
    in_value_ = false;
  }

  int OnHeadersComplete() {
    if (in_value_ || !field_.empty()) CommitHeader();
    reject_ = Check();
    if (reject_) return -1;
    const bool has_length = parser_.flags & F_CONTENTLENGTH;
    if (has_length) request_.body.reserve(parser_.content_length);
    if (Lower(request_.Header("expect")) == "100-continue" && !in_flight_ && !writing_ &&
        queue_.empty()) {
      WriteInterim("HTTP/1.1 100 Continue\r\n\r\n");
    }
    return 0;
  }

  // The server's own answer to a request whose headers are in, or nothing if it goes on.
  std::optional<HttpResponse> Check() {
    const ServerOptions& options = server_->options;
    if (parser_.http_major != 1) {
      return ErrorResponse(400, "BadRequest", "only HTTP/1.x is supported");
    }
    if (!ParseTarget(request_, parser_.method == HTTP_CONNECT)) {
      return ErrorResponse(400, "BadRequest", "malformed request target");
    }
    if ((parser_.flags & F_CONTENTLENGTH) && parser_.content_length > options.max_body_bytes) {
      return TooLarge();
    }
    const bool is_public = std::find(options.public_paths.begin(), options.public_paths.end(),
                                     request_.path) != options.public_paths.end();
    if (!options.bearer_token.empty() && !is_public &&
        !BearerMatches(request_.Header("authorization"), options.bearer_token)) {
      HttpResponse response = ErrorResponse(401, "Unauthorized", "missing or wrong bearer token");
      response.headers.emplace_back("WWW-Authenticate", "Bearer");
      return response;
    }
    return std::nullopt;
  }

  HttpResponse TooLarge() const {
    return ErrorResponse(
        413, "RequestEntityTooLarge",
        "request body exceeds " + std::to_string(server_->options.max_body_bytes) + " bytes");
  }

  int OnBody(const char* at, size_t n) {
    if (request_.body.size() + n > server_->options.max_body_bytes) {
      reject_ = TooLarge();
      return -1;
    }
    request_.body.append(at, n);
    return 0;
  }

  int OnMessageComplete() {
    if (in_value_) CommitHeader();  // a chunked body's last trailer
    Pending pending;
    request_.method = http_method_str(static_cast<http_method>(parser_.method));
    request_.connection_id = id_;
    pending.keep_alive = http_should_keep_alive(&parser_) != 0;
    pending.http_1_0 = parser_.http_minor == 0;
    pending.head = parser_.method == HTTP_HEAD;
    pending.request = std::move(request_);
    queue_.push_back(std::move(pending));
    request_ = HttpRequest{};
    return 0;
  }

  // Answering ----------------------------------------------------------------------------------

  // Hands the next queued request to the handler, or writes the server's own answer.
  void Dispatch() {
    if (closing_ || draining_ || in_flight_ || writing_ || queue_.empty()) return;
    Pending next = std::move(queue_.front());
    queue_.pop_front();
    if (!input_done_ && queue_.size() < kMaxQueuedRequests) StartReading();
    if (next.canned) return Write(Serialize(*next.canned, false, false, next.head), false);

    in_flight_ = true;
    in_flight_keep_alive_ = next.keep_alive;
    in_flight_http_1_0_ = next.http_1_0;
    in_flight_head_ = next.head;
    uv_timer_stop(&timer_);  // the handler may take its time (long polls)
    auto exchange = std::make_shared<Responder::Exchange>();
    exchange->connection = weak_from_this();
    exchange->id = ++exchange_id_;
    exchange_ = exchange;
    const Responder responder(std::move(exchange));
    const std::shared_ptr<HttpHandler> handler = server_->handler;
    try {
      (*handler)(next.request, responder);
    } catch (const std::exception& e) {
      responder.Send(
          ErrorResponse(500, "InternalError", std::string("handler failed: ") + e.what()));
    } catch (...) {
      responder.Send(ErrorResponse(500, "InternalError", "handler failed"));
    }
  }

  // Writes an answer; `keep_alive` false closes the connection once it is written.
  void Write(std::string data, bool keep_alive) {
    writing_ = true;
    close_after_write_ = !keep_alive;
    auto* write = new WriteRequest{{}, std::move(data)};
    const uv_buf_t buf = uv_buf_init(write->data.data(), static_cast<unsigned>(write->data.size()));
    if (uv_write(&write->request, Stream(), &buf, 1, &Connection::OnWritten) != 0) {
      delete write;
      writing_ = false;
      return Close(true);
    }
    ArmIdleTimer();  // a client that stops reading cannot hold the connection forever
  }

  static void OnWritten(uv_write_t* request, int status) {
    auto* self = static_cast<Connection*>(request->handle->data);
    delete reinterpret_cast<WriteRequest*>(request);
    self->writing_ = false;
    if (status < 0) return self->Close(true);
    if (self->closing_) return;
    if (self->close_after_write_) return self->Linger();
    if (self->draining_) return self->Close(true);
    self->ArmIdleTimer();
    self->Dispatch();
  }

  // An interim answer (100 Continue), written ahead of the final one.
  void WriteInterim(const char* text) {
    auto* write = new WriteRequest{{}, text};
    const uv_buf_t buf = uv_buf_init(write->data.data(), static_cast<unsigned>(write->data.size()));
    if (uv_write(&write->request, Stream(), &buf, 1, [](uv_write_t* request, int) {
          delete reinterpret_cast<WriteRequest*>(request);
        }) != 0) {
      delete write;
    }
  }

  // Half-closes, then reads and discards until the client closes (or kLingerMs pass).
  void Linger() {
    lingering_ = true;
    input_done_ = true;
    queue_.clear();
    StartReading();
    StartTimer(kLingerMs);
    if (uv_shutdown(&shutdown_, Stream(), [](uv_shutdown_t*, int) {}) != 0) Close(true);
  }

  // Timers: whatever the timer waits for, its end closes the connection.

  void StartTimer(uint64_t ms) {
    uv_timer_start(
        &timer_, [](uv_timer_t* timer) { static_cast<Connection*>(timer->data)->Close(true); }, ms,
        0);
  }

  void ArmIdleTimer() {
    if (closing_ || draining_ || lingering_ || !server_) return;
    const int64_t idle = server_->options.idle_timeout_ms;
    if (idle > 0) {
      StartTimer(static_cast<uint64_t>(idle));
    } else {
      uv_timer_stop(&timer_);
    }
  }

  uint64_t id_;
  std::shared_ptr<Connection> self_;
  uv_tcp_t tcp_{};
  uv_timer_t timer_{};
  uv_shutdown_t shutdown_{};
  int open_handles_ = 0;
  http_parser parser_{};

  // The request being parsed.
  HttpRequest request_;
  std::string field_;
  std::string value_;
  bool in_value_ = false;
  size_t header_bytes_ = 0;
  std::optional<HttpResponse> reject_;  // set by a parser callback that stopped the parse

  std::deque<Pending> queue_;  // parsed, not yet handed over
  bool in_flight_ = false;     // the handler has a request and has not answered
  uint64_t exchange_id_ = 0;   // the in-flight request's
  std::weak_ptr<Responder::Exchange> exchange_;
  bool in_flight_keep_alive_ = false;
  bool in_flight_http_1_0_ = false;
  bool in_flight_head_ = false;

  bool reading_ = false;
  bool writing_ = false;
  bool close_after_write_ = false;
  bool input_done_ = false;  // no more requests will be parsed
  bool draining_ = false;    // the server is closing: finish the answer in flight, then close
  bool lingering_ = false;
  bool closing_ = false;
};

}  // namespace

// Responder ------------------------------------------------------------------------------------

Responder::Exchange::~Exchange() {
  if (done) return;
  if (std::shared_ptr<Connection> connection = this->connection.lock()) {
    connection->Answer(id, ErrorResponse(500, "InternalError", "the request was left unanswered"));
  }
}

void Responder::Send(HttpResponse response) const {
  if (!exchange_ || exchange_->done) return;
  exchange_->done = true;
  if (std::shared_ptr<Connection> connection = exchange_->connection.lock()) {
    connection->Answer(exchange_->id, std::move(response));
  }
}

void Responder::Drop() const {
  if (!exchange_ || exchange_->done) return;
  exchange_->done = true;
  if (std::shared_ptr<Connection> connection = exchange_->connection.lock()) {
    connection->Drop(exchange_->id);
  }
}

bool Responder::pending() const {
  if (!exchange_ || exchange_->done) return false;
  std::shared_ptr<Connection> connection = exchange_->connection.lock();
  return connection && connection->Awaits(exchange_->id);
}

void Responder::OnClientGone(std::function<void()> callback) const {
  if (!exchange_) return;
  if (exchange_->gone) {
    if (callback) callback();
  } else if (!exchange_->done) {
    exchange_->on_gone = std::move(callback);
  }
}

// HttpServer -----------------------------------------------------------------------------------

HttpServer::Impl::~Impl() {
  if (listener) {
    listener->data = nullptr;
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(listener))) CloseListener();
  }
  const std::set<Connection*> open = std::move(connections);
  connections.clear();
  for (Connection* connection : open) {
    connection->server_ = nullptr;
    connection->Close(false);
  }
}

void HttpServer::Impl::OnConnection(uv_stream_t* listener, int status) {
  auto* self = static_cast<Impl*>(listener->data);
  if (!self || status < 0) return;
  const size_t max = self->options.max_connections;
  if (max > 0 && self->connections.size() >= max) {
    // Not accepted: libuv stops watching the listener until uv_accept, so further clients wait
    // in the kernel's backlog. Forget() accepts it when a connection closes.
    self->accept_pending = true;
    return;
  }
  self->AcceptOne();
}

void HttpServer::Impl::AcceptOne() {
  auto connection = std::make_shared<Connection>(this, ++last_connection_id);
  connections.insert(connection.get());
  connection->Start(reinterpret_cast<uv_stream_t*>(listener));
}

void HttpServer::Impl::Forget(Connection* connection) {
  connections.erase(connection);
  if (accept_pending && listener && !uv_is_closing(reinterpret_cast<uv_handle_t*>(listener))) {
    accept_pending = false;
    AcceptOne();
  }
  MaybeDone();
}

void HttpServer::Impl::CloseListener() {
  accept_pending = false;
  uv_close(reinterpret_cast<uv_handle_t*>(listener), [](uv_handle_t* handle) {
    auto* self = static_cast<Impl*>(handle->data);
    delete reinterpret_cast<uv_tcp_t*>(handle);
    if (!self) return;
    self->listener = nullptr;
    self->MaybeDone();
  });
}

void HttpServer::Impl::MaybeDone() {
  if (!closed || !done || listener || !connections.empty()) return;
  std::function<void()> callback = std::move(done);
  done = nullptr;
  callback();  // may destroy the server
}

HttpServer::HttpServer(uv_loop_t* loop, ServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(loop, std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() = default;

namespace {

// "127.0.0.1" / "::1" / "[::1]" / "localhost" -> a socket address; false for anything else.
bool ParseListenAddress(const std::string& host, int port, sockaddr_storage& address) {
  std::string literal = host;
  if (literal.size() >= 2 && literal.front() == '[' && literal.back() == ']') {
    literal = literal.substr(1, literal.size() - 2);
  }
  if (Lower(literal) == "localhost") literal = "127.0.0.1";
  if (uv_ip4_addr(literal.c_str(), port, reinterpret_cast<sockaddr_in*>(&address)) == 0) {
    return true;
  }
  return uv_ip6_addr(literal.c_str(), port, reinterpret_cast<sockaddr_in6*>(&address)) == 0;
}

int BoundPort(const uv_tcp_t* listener) {
  sockaddr_storage bound{};
  int length = sizeof(bound);
  if (uv_tcp_getsockname(listener, reinterpret_cast<sockaddr*>(&bound), &length) != 0) return 0;
  if (bound.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
}

}  // namespace

Status<> HttpServer::Listen(const std::string& host, int port) {
  const bool bare_ipv6 = host.find(':') != std::string::npos && host.front() != '[';
  const std::string where = (bare_ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  auto fail = [&](const std::string& why) {
    return Fail("cannot listen on " + where + ": " + why);
  };
  if (impl_->closed) return fail("the server is closed");
  if (impl_->listener) return fail("already listening");
  if (port < 0 || port > 65535) return fail("the port must be between 0 and 65535");
  sockaddr_storage address{};
  if (!ParseListenAddress(host, port, address)) {
    return fail("not an IP address or localhost (host names are not resolved)");
  }
  auto* listener = new uv_tcp_t;
  uv_tcp_init(impl_->loop, listener);
  listener->data = impl_.get();
  int rc = uv_tcp_bind(listener, reinterpret_cast<const sockaddr*>(&address), 0);
  if (rc == 0)
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener), kBacklog, &Impl::OnConnection);
  if (rc != 0) {
    listener->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(listener),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_tcp_t*>(handle); });
    return fail(uv_strerror(rc));
  }
  impl_->listener = listener;
  impl_->port = BoundPort(listener);
  return Ok{};
}

int HttpServer::port() const { return impl_->port; }

void HttpServer::StopAccepting() {
  if (impl_->listener && !uv_is_closing(reinterpret_cast<uv_handle_t*>(impl_->listener))) {
    impl_->CloseListener();
  }
}

void HttpServer::Close(std::function<void()> done) {
  impl_->closed = true;
  impl_->done = std::move(done);
  StopAccepting();
  const std::set<Connection*> open = impl_->connections;
  for (Connection* connection : open) connection->Drain(impl_->options.close_timeout_ms);
  impl_->MaybeDone();
}

size_t HttpServer::connections() const { return impl_->connections.size(); }

// Helpers --------------------------------------------------------------------------------------

std::string HttpRequest::Header(std::string_view name) const {
  auto found = headers.find(Lower(name));
  return found == headers.end() ? std::string() : found->second;
}

bool IsLoopbackHost(std::string_view host) {
  std::string literal(host);
  if (literal.size() >= 2 && literal.front() == '[' && literal.back() == ']') {
    literal = literal.substr(1, literal.size() - 2);
  }
  if (Lower(literal) == "localhost") return true;
  unsigned char ip[16];
  if (uv_inet_pton(AF_INET, literal.c_str(), ip) == 0) return ip[0] == 127;
  if (uv_inet_pton(AF_INET6, literal.c_str(), ip) != 0) return false;
  static const unsigned char kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static const unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(ip, kLoopback, 16) == 0) return true;
  return std::memcmp(ip, kMappedPrefix, 12) == 0 && ip[12] == 127;
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += plus_is_space && c == '+' ? ' ' : c;
    }
  }
  return out;
}

}  // namespace sluice::engine::server
