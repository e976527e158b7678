#include "engine/clock.h"

#include <chrono>

namespace sluice::engine {

int64_t RealClock::Now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

VirtualClock::VirtualClock() : now_(RealClock().Now()) {}

}  // namespace sluice::engine
