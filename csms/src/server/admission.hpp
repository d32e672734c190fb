#pragma once
// Admission control: how fast new connections and BootNotifications are let in,
// so a reconnect storm (a power cut, a CSMS restart) is spread out over time
// instead of slowing every station down. Network thread only.

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <unordered_map>

namespace csms {

/// The clock admission decisions read; injectable so tests need not sleep.
using AdmissionClock = std::chrono::steady_clock;
using NowFunction = std::function<AdmissionClock::time_point()>;

/// A token bucket: `rate` tokens a second, at most `burst` saved up. Rate 0 is
/// unlimited. It can go into debt (take_reserved) to hand out future slots.
class TokenBucket {
 public:
  TokenBucket(double rate, double burst, AdmissionClock::time_point now);

  bool unlimited() const { return rate_ <= 0; }
  double rate() const { return rate_; }
  /// Takes a token if one is there now.
  bool try_take(AdmissionClock::time_point now);
  /// Takes a token whether or not one is there; returns how long until it
  /// would have been earned (zero if it was there), so callers can hand the
  /// caller a slot in the future. Later takers queue behind it.
  std::chrono::duration<double> take_reserved(AdmissionClock::time_point now);
  /// How long until a token is there (zero if one is).
  std::chrono::duration<double> time_to_token(AdmissionClock::time_point now);

 private:
  void refill(AdmissionClock::time_point now);
  double rate_;
  double burst_;
  double tokens_;
  AdmissionClock::time_point last_;
};

/// Decides whether a WebSocket upgrade may go on, before any authentication
/// work: above the rate the client gets 503 and a Retry-After that spreads the
/// refused clients over the time it takes to admit them all.
class UpgradeAdmission {
 public:
  /// The longest Retry-After ever given, seconds.
  static constexpr int kMaxRetryAfterS = 300;

  /// The decision on one upgrade.
  struct Verdict {
    bool admitted = true;
    int retry_after_s = 0;  ///< When refused: seconds to wait, >= 1.
  };

  /// `per_second` 0: unlimited. `seed` makes the jitter reproducible in tests.
  UpgradeAdmission(double per_second, double burst, NowFunction now = AdmissionClock::now,
                   std::uint32_t seed = std::random_device{}());

  Verdict admit();

 private:
  NowFunction now_;
  TokenBucket bucket_;
  /// When every client refused so far could be admitted at the configured rate:
  /// the backlog the Retry-After values are spread over.
  AdmissionClock::time_point horizon_;
  std::mt19937 rng_;
};

/// Paces BootNotifications that would be Accepted: at most `per_second` after a
/// burst of `burst`. A boot over the rate gets a slot in the future
/// and the interval that brings it back at that slot; coming back on time it is
/// accepted without competing again, so a storm drains evenly and in order.
class BootPacer {
 public:
  /// The longest interval ever given, seconds; beyond it no slot is reserved.
  static constexpr int kMaxIntervalS = 3600;
  /// A slot not used within this many seconds after it is forgotten.
  static constexpr int kSlotGraceS = 60;

  /// The decision on one boot.
  struct Verdict {
    bool accept = true;
    int retry_in_s = 0;  ///< When not accepted: the interval to answer with, >= 1.
  };

  /// `per_second` 0: every boot is accepted.
  BootPacer(double per_second, double burst, NowFunction now = AdmissionClock::now);

  Verdict boot(const std::string& station_id);
  /// Stations holding a slot now (for tests).
  std::size_t reserved() const { return slots_.size(); }

 private:
  void prune(AdmissionClock::time_point now);
  NowFunction now_;
  TokenBucket bucket_;
  std::unordered_map<std::string, AdmissionClock::time_point> slots_;
  AdmissionClock::time_point last_prune_;
};

}  // namespace csms
