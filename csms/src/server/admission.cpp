#include "server/admission.hpp"

#include <algorithm>
#include <cmath>

namespace csms {

namespace {

using Seconds = std::chrono::duration<double>;

int whole_seconds_up(Seconds s) {
  return static_cast<int>(std::ceil(s.count()));
}

}  // namespace

// ---- TokenBucket --------------------------------------------------------------

TokenBucket::TokenBucket(double rate, double burst, AdmissionClock::time_point now)
    : rate_(rate), burst_(std::max(1.0, burst)), tokens_(burst_), last_(now) {}

void TokenBucket::refill(AdmissionClock::time_point now) {
  if (now <= last_) return;  // a clock that stands still (or a test's) earns nothing
  tokens_ = std::min(burst_, tokens_ + Seconds(now - last_).count() * rate_);
  last_ = now;
}

bool TokenBucket::try_take(AdmissionClock::time_point now) {
  if (unlimited()) return true;
  refill(now);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

Seconds TokenBucket::take_reserved(AdmissionClock::time_point now) {
  if (unlimited()) return Seconds(0);
  refill(now);
  tokens_ -= 1;
  return tokens_ >= 0 ? Seconds(0) : Seconds(-tokens_ / rate_);
}

Seconds TokenBucket::time_to_token(AdmissionClock::time_point now) {
  if (unlimited()) return Seconds(0);
  refill(now);
  return tokens_ >= 1 ? Seconds(0) : Seconds((1 - tokens_) / rate_);
}

// ---- UpgradeAdmission -----------------------------------------------------------

UpgradeAdmission::UpgradeAdmission(double per_second, double burst, NowFunction now,
                                   std::uint32_t seed)
    : now_(std::move(now)), bucket_(per_second, burst, now_()), horizon_(now_()), rng_(seed) {}

UpgradeAdmission::Verdict UpgradeAdmission::admit() {
  const auto now = now_();
  if (bucket_.try_take(now)) return {};
  // Each refusal pushes the backlog out by one token's time, so the refused
  // clients are told to come back spread over the time it takes to admit them
  // all; the jitter keeps those told the same second from arriving together.
  horizon_ = std::max(horizon_, now);
  const Seconds backlog = horizon_ - now;
  if (backlog.count() < kMaxRetryAfterS)
    horizon_ += std::chrono::duration_cast<AdmissionClock::duration>(Seconds(1.0 / bucket_.rate()));
  const int base = std::max(1, whole_seconds_up(horizon_ - now));
  std::uniform_int_distribution<int> jitter(0, (base + 1) / 2);
  Verdict v;
  v.admitted = false;
  v.retry_after_s = std::min(kMaxRetryAfterS, base + jitter(rng_));
  return v;
}

// ---- BootPacer --------------------------------------------------------------------

BootPacer::BootPacer(double per_second, double burst, NowFunction now)
    : now_(std::move(now)), bucket_(per_second, burst, now_()), last_prune_(now_()) {}

void BootPacer::prune(AdmissionClock::time_point now) {
  // Slots of stations that never came back; bounded by the registered stations
  // anyway (only authenticated stations boot), this keeps it small.
  if (now - last_prune_ < std::chrono::seconds(10)) return;
  last_prune_ = now;
  for (auto it = slots_.begin(); it != slots_.end();)
    it = now - it->second > std::chrono::seconds(kSlotGraceS) ? slots_.erase(it) : std::next(it);
}

BootPacer::Verdict BootPacer::boot(const std::string& station_id) {
  if (bucket_.unlimited()) return {};
  const auto now = now_();
  prune(now);
  Verdict v;
  v.accept = false;
  if (auto it = slots_.find(station_id); it != slots_.end()) {
    // Its token was taken when the slot was handed out. A little early still
    // counts: station timers are not precise.
    if (now + std::chrono::milliseconds(500) >= it->second) {
      slots_.erase(it);
      return {};
    }
    v.retry_in_s = std::max(1, whole_seconds_up(it->second - now));
    return v;
  }
  if (bucket_.try_take(now)) return {};
  if (bucket_.time_to_token(now).count() >= kMaxIntervalS) {
    // The queue is an hour long already: no slot, just come back later.
    v.retry_in_s = kMaxIntervalS;
    return v;
  }
  const Seconds wait = bucket_.take_reserved(now);
  slots_[station_id] = now + std::chrono::duration_cast<AdmissionClock::duration>(wait);
  v.retry_in_s = std::max(1, whole_seconds_up(wait));
  return v;
}

}  // namespace csms
