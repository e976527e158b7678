#include "engine/run.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "engine/clock.h"
#include "engine/runtime.h"
#include "handlers/task_handler.h"

namespace sluice::engine {

namespace {
constexpr const char* kArnPrefix = "arn:aws:states:local:123456789012:";
}

std::string StateMachineArn(const std::string& machine_name) {
  return std::string(kArnPrefix) + "stateMachine:" + machine_name;
}

std::string ExecutionArn(const std::string& machine_name, const std::string& execution_name) {
  return std::string(kArnPrefix) + "execution:" + machine_name + ":" + execution_name;
}

std::string NewUuid() {
  static std::random_device rd;
  std::mt19937_64 gen((uint64_t(rd()) << 32) ^ rd());
  uint64_t hi = gen(), lo = gen();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", unsigned(hi >> 32),
                unsigned((hi >> 16) & 0xFFFF), unsigned(hi & 0xFFFF), unsigned(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

Result<RunResult> RunToCompletion(const RunRequest& request, const HandlerFactory& make_handler,
                                  RuntimeListener* listener) {
  std::unique_ptr<Clock> clock;
  if (request.virtual_clock) {
    clock = std::make_unique<VirtualClock>();
  } else {
    clock = std::make_unique<RealClock>();
  }
  Runtime runtime(*clock);
  auto handler = make_handler(runtime.loop());
  if (!handler.ok()) return Fail(handler.error());
  runtime.set_handler(handler.value().get());
  runtime.set_listener(listener);

  ExecutionOptions options;
  options.state_machine_name = request.machine_name;
  options.state_machine_arn = StateMachineArn(request.machine_name);
  options.execution_name = request.execution_name.empty() ? NewUuid() : request.execution_name;
  options.execution_arn = ExecutionArn(request.machine_name, options.execution_name);
  options.max_payload_bytes = request.max_payload_bytes;
  options.express = request.express;
  options.seed = request.seed != 0 ? request.seed : std::random_device()() | 1;

  RunResult result;
  result.output = std::make_shared<Json>();
  runtime.Start(request.machine, options, *request.input, [&](const Executor& ex) {
    result.status = ex.status();
    *result.output = ex.output();
    result.error = ex.error();
    result.history = ex.history();
    result.options = ex.options();
  });
  auto ran = runtime.Run();
  if (!ran.ok()) return Fail(ran.error());
  return result;
}

}  // namespace sluice::engine
