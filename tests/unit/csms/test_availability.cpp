// Availability from constructed histories: Faulted and offline are downtime,
// Unavailable by the operator's choice is left out of the denominator.
#include <catch2/catch.hpp>

#include "services/availability.hpp"

using csms::compute_availability;
using storage::ConnectorStatus;
using storage::DateTime;

namespace {

DateTime t(const char* text) {
  return *DateTime::parse(text);
}

storage::StatusChange status(int connector, ConnectorStatus s, const char* when) {
  return {"CS1", 0, connector, s, "", "", "", t(when)};
}

}  // namespace

TEST_CASE("month ranges are whole UTC months", "[availability]") {
  DateTime from;
  DateTime to;
  REQUIRE(csms::month_range("2026-11", from, to));
  CHECK(from.to_string() == t("2026-11-01T00:00:00Z").to_string());
  CHECK(to.to_string() == t("2026-12-01T00:00:00Z").to_string());
  REQUIRE(csms::month_range("2026-12", from, to));
  CHECK(to.to_string() == t("2027-01-01T00:00:00Z").to_string());
  CHECK_FALSE(csms::month_range("2026-13", from, to));
  CHECK_FALSE(csms::month_range("26-11", from, to));
  CHECK_FALSE(csms::month_range("2026-1x", from, to));
}

TEST_CASE("Faulted time counts as unavailable", "[availability]") {
  storage::AvailabilityHistory h;
  h.statuses = {status(1, ConnectorStatus::Available, "2026-10-20T00:00:00Z"),
                status(1, ConnectorStatus::Faulted, "2026-11-01T06:00:00Z"),
                status(1, ConnectorStatus::Available, "2026-11-01T12:00:00Z")};
  auto r = compute_availability(h, t("2026-11-01T00:00:00Z"), t("2026-11-02T00:00:00Z"));
  REQUIRE(r.size() == 1);
  REQUIRE(r[0].connectors.size() == 1);
  const auto& f = r[0].connectors[0].figures;
  CHECK(f.available_s == Approx(18 * 3600));
  CHECK(f.unavailable_s == Approx(6 * 3600));
  CHECK(*f.share() == Approx(0.75));
}

TEST_CASE("an operator's Inoperative is excluded, a station's own Unavailable is not",
          "[availability]") {
  storage::AvailabilityHistory h;
  h.statuses = {status(1, ConnectorStatus::Available, "2026-11-01T00:00:00Z"),
                status(1, ConnectorStatus::Unavailable, "2026-11-01T04:00:00Z"),
                status(1, ConnectorStatus::Available, "2026-11-01T08:00:00Z"),
                status(1, ConnectorStatus::Unavailable, "2026-11-01T10:00:00Z"),
                status(1, ConnectorStatus::Available, "2026-11-01T12:00:00Z")};
  h.operator_changes = {{"CS1", 0, 1, false, t("2026-11-01T03:59:59Z")},
                        {"CS1", 0, 1, true, t("2026-11-01T08:00:00Z")}};
  auto r = compute_availability(h, t("2026-11-01T00:00:00Z"), t("2026-11-02T00:00:00Z"));
  REQUIRE(r.size() == 1);
  const auto& f = r[0].connectors[0].figures;
  CHECK(f.excluded_s == Approx(4 * 3600));
  CHECK(f.unavailable_s == Approx(2 * 3600));
  CHECK(f.available_s == Approx(18 * 3600));
  CHECK(*f.share() == Approx(18.0 / 20.0));
}

TEST_CASE("a disconnected station is unavailable whatever its last status", "[availability]") {
  storage::AvailabilityHistory h;
  h.statuses = {status(1, ConnectorStatus::Available, "2026-11-01T00:00:00Z"),
                status(2, ConnectorStatus::Charging, "2026-11-01T00:00:00Z")};
  h.links = {{"CS1", true, t("2026-10-31T00:00:00Z")},
             {"CS1", false, t("2026-11-01T20:00:00Z")},
             {"CS1", true, t("2026-11-01T22:00:00Z")}};
  auto r = compute_availability(h, t("2026-11-01T00:00:00Z"), t("2026-11-02T00:00:00Z"));
  REQUIRE(r.size() == 1);
  REQUIRE(r[0].connectors.size() == 2);
  for (const auto& c : r[0].connectors) {
    CHECK(c.figures.unavailable_s == Approx(2 * 3600));
    CHECK(c.figures.available_s == Approx(22 * 3600));
  }
  CHECK(r[0].figures.available_s == Approx(44 * 3600));
  CHECK(*r[0].figures.share() == Approx(22.0 / 24.0));
}

TEST_CASE("time before anything is known is neither up nor down", "[availability]") {
  storage::AvailabilityHistory h;
  h.statuses = {status(1, ConnectorStatus::Available, "2026-11-01T12:00:00Z")};
  auto r = compute_availability(h, t("2026-11-01T00:00:00Z"), t("2026-11-02T00:00:00Z"));
  REQUIRE(r.size() == 1);
  const auto& f = r[0].connectors[0].figures;
  CHECK(f.unknown_s == Approx(12 * 3600));
  CHECK(f.available_s == Approx(12 * 3600));
  CHECK(*f.share() == Approx(1.0));
}

TEST_CASE("a 1.6 connector 0 Faulted takes every connector down", "[availability]") {
  storage::AvailabilityHistory h;
  h.statuses = {status(1, ConnectorStatus::Available, "2026-11-01T00:00:00Z"),
                status(0, ConnectorStatus::Faulted, "2026-11-01T18:00:00Z")};
  auto r = compute_availability(h, t("2026-11-01T00:00:00Z"), t("2026-11-02T00:00:00Z"));
  REQUIRE(r.size() == 1);
  REQUIRE(r[0].connectors.size() == 1);  // connector 0 is not a connector of its own
  CHECK(r[0].connectors[0].figures.unavailable_s == Approx(6 * 3600));
}
