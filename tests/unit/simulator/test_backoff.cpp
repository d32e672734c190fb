// Reconnection back-off: bounded, growing, randomized, reset after success.
#include <catch2/catch.hpp>

#include <set>

#include "simulator/backoff.hpp"

using simulator::Backoff;
using simulator::Duration;

TEST_CASE("backoff: every delay is within [min, max]") {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    Backoff b(Duration(500), Duration(30000), seed);
    for (int i = 0; i < 40; ++i) {
      auto d = b.next();
      CHECK(d >= Duration(500));
      CHECK(d <= Duration(30000));
    }
  }
}

TEST_CASE("backoff: the ceiling doubles per attempt until max") {
  Backoff b(Duration(100), Duration(1000), 7);
  CHECK(b.next() == Duration(100));  // attempt 0: exactly min
  auto d1 = b.next();
  CHECK((d1 >= Duration(100) && d1 <= Duration(200)));
  auto d2 = b.next();
  CHECK((d2 >= Duration(200) && d2 <= Duration(400)));
  for (int i = 0; i < 10; ++i) b.next();
  auto late = b.next();
  CHECK((late >= Duration(500) && late <= Duration(1000)));
}

TEST_CASE("backoff: delays are randomized (a fleet does not reconnect in lockstep)") {
  std::set<Duration::rep> seen;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    Backoff b(Duration(500), Duration(30000), seed);
    for (int i = 0; i < 5; ++i) b.next();
    seen.insert(b.next().count());
  }
  CHECK(seen.size() > 5);
}

TEST_CASE("backoff: reset starts over from min") {
  Backoff b(Duration(500), Duration(30000), 1);
  for (int i = 0; i < 10; ++i) b.next();
  b.reset();
  CHECK(b.attempts() == 0);
  CHECK(b.next() == Duration(500));
}

TEST_CASE("backoff: max below min is raised to min") {
  Backoff b(Duration(800), Duration(100), 3);
  CHECK(b.next() == Duration(800));
  CHECK(b.next() == Duration(800));
}
