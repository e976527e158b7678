#include "handlers/http_client.h"

#include <curl/curl.h>
#include <uv.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "handlers/deferred_calls.h"

namespace sluice::handlers {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoringCase(key, name)) return value;
  }
  return "";
}

// One request in flight: its easy handle and everything the handle points into.
struct Transfer {
  uint64_t id = 0;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  char error_buffer[CURL_ERROR_SIZE] = {};
  size_t max_body = 0;
  HttpResponse response;
  HttpClient::Callback done;

  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (header_list != nullptr) curl_slist_free_all(header_list);
  }

  static size_t OnBody(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t n = size * count;
    const size_t room =
        t->response.body.size() < t->max_body ? t->max_body - t->response.body.size() : 0;
    if (n > room) t->response.body_truncated = true;
    t->response.body.append(data, std::min(n, room));
    return n;
  }

  static size_t OnHeader(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t n = size * count;
    std::string_view line = Trim(std::string_view(data, n));
    if (line.rfind("HTTP/", 0) == 0) {
      t->response.headers.clear();  // a new response (after a 100 Continue, say)
    } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
      t->response.headers.emplace_back(std::string(Trim(line.substr(0, colon))),
                                       std::string(Trim(line.substr(colon + 1))));
    }
    return n;
  }

  // Sets the easy handle up; false when curl refuses an option.
  bool Configure(const HttpRequest& request, int64_t timeout_ms) {
    easy = curl_easy_init();
    if (easy == nullptr) return false;
    for (const auto& [name, value] : request.headers) {
      header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
    }
    header_list = curl_slist_append(header_list, "Expect:");  // no 100-continue round trip
    bool ok = curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str()) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok =
        ok && curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms)) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_HTTPHEADER, header_list) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::OnBody) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_WRITEDATA, this) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_HEADERDATA, this) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_PRIVATE, this) == CURLE_OK;
    return ok && ConfigureMethod(request);
  }

  bool ConfigureMethod(const HttpRequest& request) {
    if (request.method == "GET") return curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L) == CURLE_OK;
    if (request.method == "HEAD") return curl_easy_setopt(easy, CURLOPT_NOBODY, 1L) == CURLE_OK;
    bool ok = true;
    if (request.method == "POST" || !request.body.empty()) {
      ok = curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                            static_cast<curl_off_t>(request.body.size())) == CURLE_OK;
      ok = ok && curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, request.body.c_str()) == CURLE_OK;
    }
    if (request.method != "POST") {
      ok = ok && curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str()) == CURLE_OK;
    }
    return ok;
  }

  Result<HttpResponse, HttpError> Finish(CURLcode code) {
    if (code != CURLE_OK) {
      std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
      return Fail(HttpError{code == CURLE_OPERATION_TIMEDOUT, std::move(detail)});
    }
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    return std::move(response);
  }
};

// A socket curl asked us to watch.
struct SocketWatch {
  uv_poll_t poll{};
  curl_socket_t fd = CURL_SOCKET_BAD;
  HttpClient::Impl* owner = nullptr;
};

struct HttpClient::Impl {
  uv_loop_t* loop;
  Options options;
  CURLM* multi = nullptr;
  uv_timer_t* timer = nullptr;  // curl's timeout; heap: closed after the Impl is gone
  // Wakes curl on the next loop turn after a request is added. curl calls the timer function
  // only when its next timeout changes, so a new request does not always get a call.
  uv_timer_t* kick = nullptr;
  DeferredCalls deferred;
  uint64_t next_id = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Transfer>> transfers;
  std::unordered_set<SocketWatch*> watches;  // open until curl reports the socket removed
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);

  Impl(uv_loop_t* loop_in, Options options_in)
      : loop(loop_in), options(options_in), deferred(loop_in) {
    GlobalInitOnce();
    multi = curl_multi_init();
    for (uv_timer_t** t : {&timer, &kick}) {
      *t = new uv_timer_t;
      uv_timer_init(loop, *t);
      (*t)->data = this;
    }
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::OnSocket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::OnTimerChange);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
  }

  ~Impl() {
    *alive = false;
    for (auto& [id, transfer] : transfers) curl_multi_remove_handle(multi, transfer->easy);
    transfers.clear();
    curl_multi_cleanup(multi);
    for (SocketWatch* watch : watches) CloseWatch(watch);  // any curl did not report removed
    for (uv_timer_t* t : {timer, kick}) {
      uv_close(reinterpret_cast<uv_handle_t*>(t),
               [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
    }
  }

  static void CloseWatch(SocketWatch* watch) {
    uv_poll_stop(&watch->poll);
    uv_close(reinterpret_cast<uv_handle_t*>(&watch->poll),
             [](uv_handle_t* handle) { delete static_cast<SocketWatch*>(handle->data); });
  }

  static int OnSocket(CURL* /*easy*/, curl_socket_t fd, int what, void* user, void* socket_data) {
    auto* self = static_cast<Impl*>(user);
    auto* watch = static_cast<SocketWatch*>(socket_data);
    if (what == CURL_POLL_REMOVE) {
      if (watch != nullptr) {
        self->watches.erase(watch);
        CloseWatch(watch);
        curl_multi_assign(self->multi, fd, nullptr);
      }
      return 0;
    }
    if (watch == nullptr) {
      watch = new SocketWatch;
      watch->fd = fd;
      watch->owner = self;
      watch->poll.data = watch;
      if (uv_poll_init_socket(self->loop, &watch->poll, fd) != 0) {
        delete watch;
        return -1;
      }
      curl_multi_assign(self->multi, fd, watch);
      self->watches.insert(watch);
    }
    int events = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) events |= UV_READABLE;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) events |= UV_WRITABLE;
    uv_poll_start(&watch->poll, events, &Impl::OnPoll);
    return 0;
  }

  static int OnTimerChange(CURLM* /*multi*/, long timeout_ms, void* user) {
    auto* self = static_cast<Impl*>(user);
    if (timeout_ms < 0) {
      uv_timer_stop(self->timer);
    } else {
      // Never act from inside curl: even a zero timeout fires on the next loop turn.
      uv_timer_start(self->timer, &Impl::OnTimer, static_cast<uint64_t>(timeout_ms), 0);
    }
    return 0;
  }

  static void OnPoll(uv_poll_t* poll, int status, int events) {
    auto* watch = static_cast<SocketWatch*>(poll->data);
    int flags = 0;
    if (status < 0) flags |= CURL_CSELECT_ERR;
    if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
    Impl* self = watch->owner;
    int running = 0;
    curl_multi_socket_action(self->multi, watch->fd, flags, &running);
    self->ReportFinished();
  }

  static void OnTimer(uv_timer_t* timer) {
    auto* self = static_cast<Impl*>(timer->data);
    int running = 0;
    curl_multi_socket_action(self->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    self->ReportFinished();
  }

  // Delivers finished transfers one at a time: a callback may send, cancel, or destroy the
  // client, so nothing of `this` is touched after a callback unless the client is still alive.
  void ReportFinished() {
    std::shared_ptr<bool> still_alive = alive;
    int left = 0;
    while (*still_alive) {
      CURLMsg* message = curl_multi_info_read(multi, &left);
      if (message == nullptr) return;
      if (message->msg != CURLMSG_DONE) continue;
      Transfer* raw = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &raw);
      const CURLcode code = message->data.result;
      curl_multi_remove_handle(multi, message->easy_handle);
      auto found = transfers.find(raw->id);
      if (found == transfers.end()) continue;
      std::unique_ptr<Transfer> transfer = std::move(found->second);
      transfers.erase(found);
      Result<HttpResponse, HttpError> result = transfer->Finish(code);
      Callback callback = std::move(transfer->done);
      transfer.reset();
      callback(std::move(result));
    }
  }

  uint64_t Send(const HttpRequest& request, Callback done) {
    const uint64_t id = next_id++;
    auto transfer = std::make_unique<Transfer>();
    transfer->id = id;
    transfer->max_body = options.max_body_bytes;
    transfer->done = std::move(done);
    const int64_t timeout_ms = std::max<int64_t>(request.timeout_ms, 1);
    if (!transfer->Configure(request, timeout_ms) ||
        curl_multi_add_handle(multi, transfer->easy) != CURLM_OK) {
      FailLater(id, std::move(transfer->done), "cannot set up the request to " + request.url);
      return id;
    }
    transfers.emplace(id, std::move(transfer));
    uv_timer_start(kick, &Impl::OnTimer, 0, 0);
    return id;
  }

  void FailLater(uint64_t id, Callback done, std::string message) {
    deferred.Post(id, [done = std::move(done), message = std::move(message)] {
      done(Fail(HttpError{false, message}));
    });
  }

  void Cancel(uint64_t id) {
    deferred.Cancel(id);
    auto found = transfers.find(id);
    if (found == transfers.end()) return;
    curl_multi_remove_handle(multi, found->second->easy);
    transfers.erase(found);
  }
};

HttpClient::HttpClient(uv_loop_t* loop) : HttpClient(loop, Options{}) {}

HttpClient::HttpClient(uv_loop_t* loop, Options options)
    : impl_(std::make_unique<Impl>(loop, options)) {}

HttpClient::~HttpClient() = default;

uint64_t HttpClient::Send(const HttpRequest& request, Callback done) {
  return impl_->Send(request, std::move(done));
}

void HttpClient::Cancel(uint64_t id) { impl_->Cancel(id); }

size_t HttpClient::in_flight() const { return impl_->transfers.size() + impl_->deferred.pending(); }

}  // namespace sluice::handlers
