// Helpers for the tests that drive the Step Functions API layer (engine/server/api.h) in
// process: an answer with its body parsed, and running a service's loop as a server until a
// condition holds.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>

#include "engine/server/api.h"

namespace sluice::engine {
class Service;
}

namespace sluice::testing {

// An API answer with its JSON body parsed (null for an error).
struct Answered {
  bool ok = false;
  nlohmann::ordered_json body;
  engine::server::ApiError error;
};

Answered Convert(engine::server::ApiAnswer answer);

// Runs `service` as a server (Service::Serve), calling `step` from the loop every 10 ms of real
// time until it returns true; then stops the server. Fails the test if serving fails.
void ServeUntil(engine::Service& service, const std::function<bool()>& step);

}  // namespace sluice::testing
