// Version-neutral domain rules: token verdicts and energy.
#include <catch2/catch.hpp>

#include "services/services.hpp"

using storage::DateTime;
using storage::TokenStatus;

TEST_CASE("an unknown token is Invalid - an expired Accepted token is Expired", "[services]") {
  auto now = DateTime::from_unix_micros(1'800'000'000'000'000);
  CHECK(csms::evaluate_token(std::nullopt, now).status == TokenStatus::Invalid);
  storage::IdToken t;
  t.id_tag = "T";
  t.status = TokenStatus::Accepted;
  t.parent_id_tag = "GROUP";
  auto ok = csms::evaluate_token(t, now);
  CHECK(ok.status == TokenStatus::Accepted);
  CHECK(ok.parent_id_tag == std::optional<std::string>("GROUP"));
  t.expiry = DateTime::from_unix_micros(now.unix_micros() - 1);
  CHECK(csms::evaluate_token(t, now).status == TokenStatus::Expired);
  t.status = TokenStatus::Blocked;
  CHECK(csms::evaluate_token(t, now).status == TokenStatus::Blocked);
}

TEST_CASE("energy is the register difference, never negative, flagged when it goes back",
          "[services]") {
  bool anomaly = false;
  CHECK(csms::energy_between(1000, 4500, anomaly) == 3500.0);
  CHECK_FALSE(anomaly);
  CHECK(csms::energy_between(5000, 4000, anomaly) == 0.0);
  CHECK(anomaly);
}

TEST_CASE("energy register samples convert to Wh - other measurands do not count", "[services]") {
  storage::MeterSample s;
  s.value = "12.5";
  s.unit = "kWh";
  CHECK(csms::energy_register_wh(s) == std::optional<double>(12500.0));
  s.unit = "Wh";
  CHECK(csms::energy_register_wh(s) == std::optional<double>(12.5));
  s.phase = "L1";
  CHECK_FALSE(csms::energy_register_wh(s));
  s.phase.clear();
  s.measurand = "Power.Active.Import";
  CHECK_FALSE(csms::energy_register_wh(s));
  s.measurand = "Energy.Active.Import.Register";
  s.value = "abc";
  CHECK_FALSE(csms::energy_register_wh(s));
}
