#include <catch2/catch.hpp>

#include "storage/model.hpp"

using namespace storage;

TEST_CASE("registration statuses are spelled as their enumerators and parse back") {
  for (auto v :
       {RegistrationStatus::Accepted, RegistrationStatus::Pending, RegistrationStatus::Rejected}) {
    CHECK(registration_status_from_string(to_string(v)) == v);
  }
  CHECK(to_string(RegistrationStatus::Pending) == "Pending");
  CHECK_FALSE(registration_status_from_string("accepted").has_value());
  CHECK_FALSE(registration_status_from_string("").has_value());
}

TEST_CASE("connector statuses round-trip, and an unknown spelling reads as Unknown") {
  for (auto v :
       {ConnectorStatus::Available, ConnectorStatus::Preparing, ConnectorStatus::Charging,
        ConnectorStatus::SuspendedEVSE, ConnectorStatus::SuspendedEV, ConnectorStatus::Finishing,
        ConnectorStatus::Reserved, ConnectorStatus::Unavailable, ConnectorStatus::Faulted,
        ConnectorStatus::Occupied, ConnectorStatus::Unknown}) {
    CHECK(connector_status_from_string(to_string(v)) == v);
  }
  CHECK(to_string(ConnectorStatus::SuspendedEVSE) == "SuspendedEVSE");
  CHECK(connector_status_from_string("Exploded") == ConnectorStatus::Unknown);
  CHECK(connector_status_from_string("") == ConnectorStatus::Unknown);
}

TEST_CASE("token statuses round-trip and an unknown spelling is rejected") {
  for (auto v : {TokenStatus::Accepted, TokenStatus::Blocked, TokenStatus::Expired,
                 TokenStatus::Invalid, TokenStatus::ConcurrentTx}) {
    CHECK(token_status_from_string(to_string(v)) == v);
  }
  CHECK(to_string(TokenStatus::ConcurrentTx) == "ConcurrentTx");
  CHECK_FALSE(token_status_from_string("Stolen").has_value());
}

TEST_CASE("directions are spelled In and Out") {
  CHECK(to_string(Direction::In) == "In");
  CHECK(to_string(Direction::Out) == "Out");
}
