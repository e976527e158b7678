// Benchmark harness: see harness.h.
#include "bench/harness.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace sluice::bench {

namespace {

// The write end of the pipe to the driver, in a RunIsolated child; -1 in the driver.
int report_fd = -1;

// Linux x86-64 and arm64 numbers of the calls libuv blocks in when the loop is idle.
bool IsEpollWait(long number) {
#if defined(__x86_64__)
  return number == 232 || number == 281 || number == 441;  // epoll_wait, epoll_pwait, _pwait2
#elif defined(__aarch64__)
  return number == 22 || number == 441;  // epoll_pwait, epoll_pwait2
#else
  (void)number;
  return false;
#endif
}

// True when thread `tid` is blocked in an epoll wait right now (/proc/self/task/TID/syscall
// holds "running" or the number of the call the thread sleeps in).
bool InEpollWait(pid_t tid) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/syscall");
  std::string first;
  if (!(in >> first)) return false;
  char* end = nullptr;
  long number = std::strtol(first.c_str(), &end, 10);
  return end != first.c_str() && *end == '\0' && IsEpollWait(number);
}

// Reads all of `fd` until end of file.
std::string ReadAll(int fd) {
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

std::vector<double> ParseFigures(const std::string& text) {
  std::istringstream in(text);
  std::vector<double> figures;
  double x;
  while (in >> x) figures.push_back(x);
  return figures;
}

// Runs `measure` in a forked child and returns its report.
std::vector<double> RunChild(const std::function<std::vector<double>()>& measure) {
  int fds[2];
  if (pipe(fds) != 0) Die(std::string("pipe: ") + std::strerror(errno));
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) Die(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    close(fds[0]);
    report_fd = fds[1];
    ReportAndExit(measure());
  }
  close(fds[1]);
  std::string text = ReadAll(fds[0]);
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || text.empty()) {
    Die("a benchmark child process failed (status " + std::to_string(status) + ")");
  }
  return ParseFigures(text);
}

}  // namespace

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void Die(const std::string& message) {
  std::fprintf(stderr, "sluice_bench: %s\n", message.c_str());
  std::fflush(stderr);
  if (report_fd >= 0) _exit(1);
  std::exit(1);
}

Summary Summarize(std::vector<double> values) {
  Summary s;
  s.runs = values.size();
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  size_t mid = values.size() / 2;
  s.median = values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  s.min = values.front();
  s.max = values.back();
  return s;
}

std::vector<double> Column(const std::vector<std::vector<double>>& rows, size_t index) {
  std::vector<double> column;
  for (const auto& row : rows) {
    if (index >= row.size()) Die("a repetition reported too few figures");
    column.push_back(row[index]);
  }
  return column;
}

std::vector<std::vector<double>> RunIsolated(int runs,
                                             const std::function<std::vector<double>()>& measure) {
  std::vector<std::vector<double>> rows;
  for (int i = 0; i < runs; ++i) rows.push_back(RunChild(measure));
  return rows;
}

void ReportAndExit(const std::vector<double>& figures) {
  if (report_fd < 0) Die("ReportAndExit outside a benchmark child");
  std::string text;
  char buf[64];
  for (double x : figures) {
    std::snprintf(buf, sizeof buf, "%.17g\n", x);
    text += buf;
  }
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = write(report_fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(1);
    p += n;
    left -= static_cast<size_t>(n);
  }
  _exit(0);
}

void ExitWhenLoopIdle(std::function<std::vector<double>()> report) {
  const pid_t loop_thread = static_cast<pid_t>(syscall(SYS_gettid));
  std::thread([loop_thread, report = std::move(report)] {
    // Idle = seen in epoll on 3 consecutive polls 20 ms apart (a commit or a burst of work
    // between two polls resets the count). Give up after 15 minutes.
    int idle_polls = 0;
    for (int i = 0; i < 45'000 && idle_polls < 3; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      idle_polls = InEpollWait(loop_thread) ? idle_polls + 1 : 0;
    }
    if (idle_polls < 3) Die("the runtime's loop never went idle");
    ReportAndExit(report());
  }).detach();
}

double ProcStatusBytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = field + ":";
  while (std::getline(in, line)) {
    if (line.compare(0, prefix.size(), prefix) == 0) {
      return std::strtod(line.c_str() + prefix.size(), nullptr) * 1024.0;  // kB
    }
  }
  Die("/proc/self/status has no " + field);
}

std::string MakeTempDir(const std::string& parent) {
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  std::string pattern = parent + "/sluice-bench-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    Die("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  return std::filesystem::absolute(pattern).string();
}

void RemoveDatabase(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::error_code ec;
    std::filesystem::remove(path + suffix, ec);
  }
}

bool CopyFile(const std::string& from, const std::string& to) {
  std::error_code ec;
  if (!std::filesystem::exists(from, ec)) return false;
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) Die("copy " + from + " to " + to + ": " + ec.message());
  return true;
}

namespace {

std::string FormatFigure(double x) {
  char buf[64];
  if (x >= 100) {
    std::snprintf(buf, sizeof buf, "%.0f", x);
  } else if (x >= 1) {
    std::snprintf(buf, sizeof buf, "%.2f", x);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g", x);
  }
  // Thousands separators for the integer part.
  std::string s = buf;
  size_t dot = s.find('.');
  size_t int_end = dot == std::string::npos ? s.size() : dot;
  for (size_t i = int_end; i > 3; i -= 3) s.insert(i - 3, ",");
  return s;
}

}  // namespace

double LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double load = 0;
  in >> load;
  return load;
}

void PrintRow(const std::string& id, const std::string& scenario, const Summary& summary,
              const std::string& unit, const Summary& cpu) {
  const std::string by_cpu = cpu.runs > 0 ? FormatFigure(cpu.median) : "";
  std::printf("| %s | %s | %s | %s | %s | %s | %zu | %s | %.2f |\n", id.c_str(), scenario.c_str(),
              FormatFigure(summary.median).c_str(), FormatFigure(summary.min).c_str(),
              FormatFigure(summary.max).c_str(), unit.c_str(), summary.runs, by_cpu.c_str(),
              LoadAverage());
  std::fflush(stdout);
}

}  // namespace sluice::bench
