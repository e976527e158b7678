#include "handlers/command_runner.h"

#include <signal.h>
#include <uv.h>

#include <array>
#include <cstring>
#include <mutex>
#include <string_view>
#include <unordered_map>

extern char** environ;

namespace sluice::handlers {
namespace {

void IgnoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      signal(SIGPIPE, SIG_IGN);
    }
  });
}

std::string_view EnvName(std::string_view entry) { return entry.substr(0, entry.find('=')); }

// The child's environment: ours, with `additions` added or replacing same-named variables.
std::vector<std::string> BuildEnvironment(
    const std::vector<std::pair<std::string, std::string>>& additions) {
  std::vector<std::string> entries;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view name = EnvName(*e);
    bool replaced = false;
    for (const auto& [key, value] : additions) replaced = replaced || key == name;
    if (!replaced) entries.emplace_back(*e);
  }
  for (const auto& [key, value] : additions) entries.push_back(key + "=" + value);
  return entries;
}

std::vector<char*> PointersTo(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

std::string CommandResult::Describe() const {
  if (term_signal != 0) {
    return "was killed by signal " + std::to_string(term_signal) + " (" + strsignal(term_signal) +
           ")";
  }
  return "exited with status " + std::to_string(exit_status);
}

// One spawned command and its four handles (process, stdin, stdout, stderr).
//
// Lifecycle:
//   spawned ──(exit + stdout EOF + stderr EOF)──► reported (callback runs)
//      └──────────(Cancel)────────────────────► cancelled (no callback)
//   ...then, once the last handle's close callback runs, the Process deletes itself.
struct Process {
  CommandRunner::Impl* owner;  // null once the runner is destroyed
  uint64_t id;
  size_t max_output;
  CommandRunner::Callback done;

  uv_process_t process{};
  uv_pipe_t in{}, out{}, err{};
  uv_write_t write_request{};
  std::string stdin_data;
  std::array<char, 64 * 1024> out_buffer{}, err_buffer{};

  CommandResult result;
  bool exited = false, out_closed = false, err_closed = false;
  bool reported = false, cancelled = false;
  int open_handles = 0;

  Process(CommandRunner::Impl* owner_in, uint64_t id_in, size_t max_output_in,
          CommandRunner::Callback done_in)
      : owner(owner_in), id(id_in), max_output(max_output_in), done(std::move(done_in)) {}

  bool live() const { return !reported && !cancelled; }

  void InitHandles(uv_loop_t* loop) {
    for (uv_pipe_t* pipe : {&in, &out, &err}) {
      uv_pipe_init(loop, pipe, 0);
      pipe->data = this;
    }
    process.data = this;
    open_handles = 4;  // uv_spawn initialises the process handle even when it fails
  }

  void Close(uv_handle_t* handle) {
    if (!uv_is_closing(handle)) uv_close(handle, &Process::OnClosed);
  }
  void Close(uv_pipe_t* pipe) { Close(reinterpret_cast<uv_handle_t*>(pipe)); }
  void CloseAll() {
    Close(&in);
    Close(&out);
    Close(&err);
    Close(reinterpret_cast<uv_handle_t*>(&process));
  }

  static void OnClosed(uv_handle_t* handle);
  static void OnExit(uv_process_t* handle, int64_t exit_status, int term_signal);
  static void OnWritten(uv_write_t* request, int status);
  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);

  void Append(std::string& data, bool& truncated, const char* bytes, size_t n) {
    size_t room = data.size() < max_output ? max_output - data.size() : 0;
    if (n > room) truncated = true;
    data.append(bytes, std::min(n, room));
  }

  void WriteStdin() {
    if (stdin_data.empty()) {
      Close(&in);
      return;
    }
    uv_buf_t buf = uv_buf_init(stdin_data.data(), static_cast<unsigned>(stdin_data.size()));
    write_request.data = this;
    if (uv_write(&write_request, reinterpret_cast<uv_stream_t*>(&in), &buf, 1, &OnWritten) != 0) {
      Close(&in);
    }
  }

  void StartReading() {
    for (uv_pipe_t* pipe : {&out, &err}) {
      if (uv_read_start(reinterpret_cast<uv_stream_t*>(pipe), &OnAlloc, &OnRead) != 0) {
        (pipe == &out ? out_closed : err_closed) = true;
        Close(pipe);
      }
    }
  }

  void Kill() {
    // The child leads its own process group: kill it and everything it started.
    if (kill(-process.pid, SIGKILL) != 0 && !exited) uv_process_kill(&process, SIGKILL);
  }

  void MaybeReport();
};

struct CommandRunner::Impl {
  uv_loop_t* loop;
  Options options;
  uint64_t next_id = 1;
  // Every process whose handles are not all closed yet, reported or not.
  std::unordered_map<uint64_t, Process*> processes;

  Impl(uv_loop_t* loop_in, Options options_in) : loop(loop_in), options(options_in) {}

  ~Impl() {
    for (auto& [id, process] : processes) {
      Cancel(process);
      process->owner = nullptr;
    }
  }

  void Cancel(Process* p) {
    if (!p->live()) return;
    p->cancelled = true;
    p->done = nullptr;
    p->Kill();
    // Close the pipes instead of draining them: a grandchild that escaped the kill must not
    // keep this process alive. The process handle stays open until the exit is reaped.
    p->Close(&p->in);
    p->Close(&p->out);
    p->Close(&p->err);
  }
};

void Process::OnClosed(uv_handle_t* handle) {
  auto* p = static_cast<Process*>(handle->data);
  if (--p->open_handles > 0) return;
  if (p->owner != nullptr) p->owner->processes.erase(p->id);
  delete p;
}

void Process::OnExit(uv_process_t* handle, int64_t exit_status, int term_signal) {
  auto* p = static_cast<Process*>(handle->data);
  p->exited = true;
  p->result.exit_status = exit_status;
  p->result.term_signal = term_signal;
  p->Close(reinterpret_cast<uv_handle_t*>(handle));
  p->MaybeReport();
}

void Process::OnWritten(uv_write_t* request, int /*status*/) {
  // A failed write (EPIPE: the child exited without reading) is not an error of the command;
  // its exit status tells what happened.
  auto* p = static_cast<Process*>(request->data);
  p->Close(&p->in);
}

void Process::OnAlloc(uv_handle_t* handle, size_t /*suggested*/, uv_buf_t* buf) {
  auto* p = static_cast<Process*>(handle->data);
  auto& buffer = handle == reinterpret_cast<uv_handle_t*>(&p->out) ? p->out_buffer : p->err_buffer;
  *buf = uv_buf_init(buffer.data(), static_cast<unsigned>(buffer.size()));
}

void Process::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* p = static_cast<Process*>(stream->data);
  bool is_out = stream == reinterpret_cast<uv_stream_t*>(&p->out);
  if (nread > 0) {
    if (is_out) {
      p->Append(p->result.stdout_data, p->result.stdout_truncated, buf->base, nread);
    } else {
      p->Append(p->result.stderr_data, p->result.stderr_truncated, buf->base, nread);
    }
    return;
  }
  if (nread == 0) return;  // EAGAIN: nothing this time
  // EOF, or a read error: either way this stream is finished.
  (is_out ? p->out_closed : p->err_closed) = true;
  p->Close(reinterpret_cast<uv_handle_t*>(stream));
  p->MaybeReport();
}

void Process::MaybeReport() {
  if (!live() || !exited || !out_closed || !err_closed) return;
  reported = true;
  Close(&in);  // normally closed already, after the write
  CommandRunner::Callback callback = std::move(done);
  done = nullptr;
  // Last: the callback may destroy the runner, or start or cancel other commands.
  if (callback) callback(std::move(result));
}

CommandRunner::CommandRunner(uv_loop_t* loop) : CommandRunner(loop, Options{}) {}

CommandRunner::CommandRunner(uv_loop_t* loop, Options options)
    : impl_(std::make_unique<Impl>(loop, options)) {
  IgnoreSigpipeOnce();
}

CommandRunner::~CommandRunner() = default;

Result<uint64_t> CommandRunner::Start(const CommandSpec& spec, Callback done) {
  if (spec.argv.empty() || spec.argv[0].empty()) {
    return Fail(std::string("cannot run a command with an empty argv"));
  }
  uint64_t id = impl_->next_id++;
  auto* p = new Process(impl_.get(), id, impl_->options.max_output_bytes, std::move(done));
  p->stdin_data = spec.stdin_data;
  p->InitHandles(impl_->loop);

  std::vector<std::string> args = spec.argv;
  std::vector<char*> argv = PointersTo(args);
  std::vector<std::string> env_entries = BuildEnvironment(spec.env);
  std::vector<char*> env = PointersTo(env_entries);

  uv_stdio_container_t stdio[3];
  stdio[0].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_READABLE_PIPE);
  stdio[0].data.stream = reinterpret_cast<uv_stream_t*>(&p->in);
  stdio[1].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
  stdio[1].data.stream = reinterpret_cast<uv_stream_t*>(&p->out);
  stdio[2].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
  stdio[2].data.stream = reinterpret_cast<uv_stream_t*>(&p->err);

  uv_process_options_t options{};
  options.exit_cb = &Process::OnExit;
  options.file = argv[0];
  options.args = argv.data();
  options.env = env.data();
  options.cwd = spec.cwd.empty() ? nullptr : spec.cwd.c_str();
  options.flags = UV_PROCESS_DETACHED;  // setsid(): its own process group, for Cancel()
  options.stdio_count = 3;
  options.stdio = stdio;

  impl_->processes[id] = p;
  int rc = uv_spawn(impl_->loop, &p->process, &options);
  if (rc != 0) {
    p->done = nullptr;
    p->cancelled = true;
    p->CloseAll();
    std::string where = spec.cwd.empty() ? "" : " in '" + spec.cwd + "'";
    return Fail("cannot run '" + spec.argv[0] + "'" + where + ": " + uv_strerror(rc));
  }
  p->WriteStdin();
  p->StartReading();
  return id;
}

void CommandRunner::Cancel(uint64_t run_id) {
  auto it = impl_->processes.find(run_id);
  if (it != impl_->processes.end()) impl_->Cancel(it->second);
}

size_t CommandRunner::running() const {
  size_t n = 0;
  for (const auto& [id, process] : impl_->processes) n += process->live() ? 1 : 0;
  return n;
}

}  // namespace sluice::handlers
