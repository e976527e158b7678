// Clock: the engine's only source of time. Injected so that tests and `--clock virtual` runs
// can move time forward instantly.
#pragma once

#include <cstdint>

namespace sluice::engine {

class Clock {
 public:
  virtual ~Clock() = default;
  // Nanoseconds since the Unix epoch.
  virtual int64_t Now() const = 0;
  // True when the runtime may jump time forward to the next due timer when nothing is runnable.
  virtual bool IsVirtual() const = 0;
  // Moves a virtual clock forward to `epoch_nanos` (never backward). No-op on a real clock.
  virtual void AdvanceTo(int64_t epoch_nanos) = 0;
};

class RealClock final : public Clock {
 public:
  int64_t Now() const override;
  bool IsVirtual() const override { return false; }
  void AdvanceTo(int64_t) override {}
};

// Starts at the given instant (by default the real time at construction) and moves only when
// told to.
class VirtualClock final : public Clock {
 public:
  VirtualClock();
  explicit VirtualClock(int64_t start) : now_(start) {}
  int64_t Now() const override { return now_; }
  bool IsVirtual() const override { return true; }
  void AdvanceTo(int64_t epoch_nanos) override {
    if (epoch_nanos > now_) now_ = epoch_nanos;
  }

 private:
  int64_t now_;
};

}  // namespace sluice::engine
