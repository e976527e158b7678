// Result<T>: a value or an error, returned by value across module boundaries.
//
// The error type defaults to std::string (a human-readable message). ASL runtime failures use
// Result<T, AslError> (see errors.h) so that they can be routed into Retry/Catch.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace sluice {

template <typename E>
struct Failure {
  E error;
};

// Builds the failure side of a Result: `return Fail(std::string("bad"))`.
template <typename E>
Failure<std::decay_t<E>> Fail(E&& error) {
  return Failure<std::decay_t<E>>{std::forward<E>(error)};
}

template <typename T, typename E = std::string>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <typename F>
  Result(Failure<F> f) : v_(std::in_place_index<1>, E(std::move(f.error))) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const& { return std::get<1>(v_); }
  E&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, E> v_;
};

// Status: success or an error, for operations with no value.
struct Ok {};

template <typename E = std::string>
using Status = Result<Ok, E>;

}  // namespace sluice
