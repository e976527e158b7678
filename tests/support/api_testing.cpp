// API test helpers: see api_testing.h.
#include "tests/support/api_testing.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <utility>

#include "engine/runtime.h"
#include "engine/service.h"

namespace sluice::testing {

Answered Convert(engine::server::ApiAnswer answer) {
  Answered out;
  out.ok = answer.ok;
  if (answer.ok) out.body = nlohmann::ordered_json::parse(answer.body);
  out.error = std::move(answer.error);
  return out;
}

void ServeUntil(engine::Service& service, const std::function<bool()>& step) {
  uv_timer_t timer;
  uv_timer_init(service.runtime().loop(), &timer);
  struct Ctx {
    const std::function<bool()>* step;
    engine::Service* service;
  } ctx{&step, &service};
  timer.data = &ctx;
  uv_timer_start(
      &timer,
      [](uv_timer_t* t) {
        auto* c = static_cast<Ctx*>(t->data);
        if ((*c->step)()) c->service->RequestStop();
      },
      10, 10);
  EXPECT_TRUE(service.Serve().ok());
  uv_timer_stop(&timer);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
  uv_run(service.runtime().loop(), UV_RUN_NOWAIT);
}

}  // namespace sluice::testing
