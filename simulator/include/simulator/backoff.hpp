#pragma once
// Randomized exponential back-off for reconnecting.

#include <cstdint>
#include <random>

#include "simulator/scheduler.hpp"

namespace simulator {

/// Delays between reconnection attempts: attempt k waits a random time in
/// [ceiling/2, ceiling] where ceiling = min(max, min * 2^k), never below min.
/// The jitter keeps a fleet that lost its server from reconnecting in lockstep.
class Backoff {
 public:
  Backoff(Duration min, Duration max, std::uint64_t seed);

  /// The delay before the next attempt; each call grows the ceiling.
  Duration next();
  /// After a successful connection: start from `min` again.
  void reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }
  Duration min() const { return min_; }
  Duration max() const { return max_; }

 private:
  Duration min_;
  Duration max_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace simulator
