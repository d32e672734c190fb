#include "simulator/backoff.hpp"

#include <algorithm>

namespace simulator {

Backoff::Backoff(Duration min, Duration max, std::uint64_t seed)
    : min_(std::max(min, Duration(1))), max_(std::max(max, min_)), rng_(seed) {}

Duration Backoff::next() {
  // Doubling stops once the ceiling reaches max (and long before overflow).
  Duration ceiling = min_;
  for (int i = 0; i < attempt_ && ceiling < max_; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, max_);
  if (attempt_ < 64) ++attempt_;
  const Duration floor = std::max(min_, ceiling / 2);
  std::uniform_int_distribution<Duration::rep> pick(floor.count(), ceiling.count());
  return Duration(pick(rng_));
}

}  // namespace simulator
