// Random: the only source of randomness the asl layer may use (States.UUID, States.MathRandom
// without a seed, retry jitter). The engine injects one per execution, seeded from a value that
// is recorded in history, so a replay draws the same numbers.
#pragma once

#include <cstdint>

namespace sluice::asl {

class Random {
 public:
  virtual ~Random() = default;
  // A uniformly distributed 64-bit value.
  virtual uint64_t Next() = 0;
};

// SplitMix64: small, fast, deterministic for a given seed.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  uint64_t Next() override {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t state() const { return state_; }

 private:
  uint64_t state_;
};

}  // namespace sluice::asl
