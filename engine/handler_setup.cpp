#include "engine/handler_setup.h"

#include <nlohmann/json.hpp>

#include "handlers/config_file.h"
#include "handlers/functions_file.h"
#include "handlers/mock_config.h"
#include "handlers/registry.h"

namespace sluice::engine {

Result<std::unique_ptr<handlers::TaskHandler>> BuildHandlers(uv_loop_t* loop,
                                                             const HandlerConfig& config,
                                                             handlers::TaskHandler* builtin) {
  auto registry = std::make_unique<handlers::HandlerRegistry>();
  if (config.builtins) {
    if (builtin == nullptr) {
      return Fail(std::string(
          "the execution needs Sluice's built-in pipeline handlers, which this command does not "
          "provide"));
    }
    registry->Add(handlers::HandlerPriority::kBuiltIn,
                  std::make_unique<handlers::BorrowedHandler>(*builtin));
  }
  if (config.mock_config) {
    auto mocks = handlers::ParseMockConfig(*config.mock_config, config.mock_source);
    if (!mocks.ok()) return Fail(mocks.error());
    auto tc = handlers::CheckTestCase(mocks.value(), config.test_case);
    if (!tc.ok()) return Fail(tc.error());
    if (!config.machine_name.empty()) {
      auto sm =
          handlers::CheckStateMachineTestCase(mocks.value(), config.machine_name, config.test_case);
      if (!sm.ok()) return Fail(sm.error());
    }
    registry->Add(handlers::HandlerPriority::kMock,
                  std::make_unique<handlers::MockHandler>(
                      loop, std::make_shared<const handlers::MockConfig>(std::move(mocks).value()),
                      config.test_case));
  }
  if (config.functions) {
    auto functions = handlers::ParseFunctionsFile(*config.functions, config.functions_source,
                                                  handlers::DirectoryOf(config.functions_source));
    if (!functions.ok()) return Fail(functions.error());
    registry->Add(
        handlers::HandlerPriority::kFunctions,
        std::make_unique<handlers::FunctionsHandler>(
            loop, std::make_shared<const handlers::FunctionsFile>(std::move(functions).value())));
  }
  return std::unique_ptr<handlers::TaskHandler>(std::move(registry));
}

Json FunctionsFromTaskMocks(const Json& task_mocks) {
  auto r = handlers::TaskMocksToFunctionsFile(task_mocks);
  return r.ok() ? std::move(r).value() : Json{{"functions", Json::object()}};
}

}  // namespace sluice::engine
