// Log-bucket latency histogram for the fleet's statistics.
#include <algorithm>
#include <cmath>

#include "simulator/fleet.hpp"

namespace simulator::fleet {

namespace {
const double kLogGrowth = std::log(LatencyHistogram::kGrowth);
}

// Bucket 0 holds [0, 1 µs]; bucket k >= 1 holds [g^(k-1), g^k) µs.
std::size_t LatencyHistogram::bucket_of(double us) {
  if (!(us > kMinUs)) return 0;
  const double k = std::floor(std::log(us / kMinUs) / kLogGrowth) + 1;
  return std::min(kBuckets - 1, static_cast<std::size_t>(k));
}

void LatencyHistogram::record_us(double us) {
  if (!(us >= 0)) us = 0;  // also catches NaN
  ++buckets_[bucket_of(us)];
  if (count_ == 0 || us < min_us_) min_us_ = us;
  if (count_ == 0 || us > max_us_) max_us_ = us;
  ++count_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  min_us_ = count_ ? std::min(min_us_, other.min_us_) : other.min_us_;
  max_us_ = count_ ? std::max(max_us_, other.max_us_) : other.max_us_;
  count_ += other.count_;
}

double LatencyHistogram::percentile_ms(double p) const {
  if (count_ == 0) return 0;
  if (p >= 1) return max_ms();
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(std::max(0.0, p) * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  std::size_t k = 0;
  for (; k < kBuckets; ++k) {
    seen += buckets_[k];
    if (seen >= rank) break;
  }
  // The bucket's geometric middle: within half a bucket (~1%) of any value in it.
  const double us = k == 0 ? kMinUs : kMinUs * std::pow(kGrowth, static_cast<double>(k) - 0.5);
  return std::clamp(us, min_us_, max_us_) / 1000.0;
}

}  // namespace simulator::fleet
