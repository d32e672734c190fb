// Hand-written cases for the generated codecs: the error codes and paths an
// operator will see in logs, and the per-version spellings.
#include <catch2/catch.hpp>

#include "ocpp/common/json.hpp"
#include "ocpp/v16/actions.hpp"
#include "ocpp/v16/codec.hpp"
#include "ocpp/v201/actions.hpp"
#include "ocpp/v201/codec.hpp"

namespace {

template <class T>
ocpp::DecodeContext decode_into(const char* json, T& out) {
  rapidjson::Document doc;
  REQUIRE_FALSE(ocpp::parse_json(json, doc).IsError());
  ocpp::DecodeContext ctx;
  read(doc, out, ctx);
  return ctx;
}

}  // namespace

TEST_CASE("a valid 1.6 BootNotification decodes into the typed request", "[codec]") {
  ocpp::v16::BootNotificationRequest req;
  auto ctx = decode_into(
      R"({"chargePointVendor":"ACME","chargePointModel":"X1","firmwareVersion":"1.2"})", req);
  REQUIRE_FALSE(ctx.failed());
  CHECK(req.chargePointVendor == "ACME");
  CHECK(req.chargePointModel == "X1");
  CHECK(req.firmwareVersion == std::optional<std::string>("1.2"));
  CHECK_FALSE(req.chargePointSerialNumber.has_value());
}

TEST_CASE("a missing required field is an occurrence violation naming the field", "[codec]") {
  ocpp::v16::BootNotificationRequest req;
  auto ctx = decode_into(R"({"chargePointVendor":"ACME"})", req);
  REQUIRE(ctx.failed());
  CHECK(ctx.code() == ocpp::ErrorCode::OccurrenceConstraintViolation);
  CHECK(ctx.failed_path() == "chargePointModel");
  CHECK(ocpp::to_string(ctx.code(), ocpp::Version::v16) == "OccurenceConstraintViolation");
  CHECK(ocpp::to_string(ctx.code(), ocpp::Version::v201) == "OccurrenceConstraintViolation");
}

TEST_CASE("a nested violation names the full path with array indices", "[codec]") {
  ocpp::v16::MeterValuesRequest req;
  auto ctx = decode_into(
      R"({"connectorId":1,"meterValue":[{"timestamp":"2026-01-01T00:00:00Z",
          "sampledValue":[{"value":"1"},{"value":"2","unit":"Parsec"}]}]})",
      req);
  REQUIRE(ctx.failed());
  CHECK(ctx.code() == ocpp::ErrorCode::PropertyConstraintViolation);
  CHECK(ctx.failed_path() == "meterValue[0].sampledValue[1].unit");
  CHECK_THAT(ctx.description(), Catch::Contains("Parsec") && Catch::Contains("UnitOfMeasure"));
}

TEST_CASE("string length is counted in characters, not bytes", "[codec]") {
  ocpp::v16::AuthorizeRequest req;
  // 20 characters, 40 bytes: within idTag's maxLength of 20.
  std::string tag;
  for (int i = 0; i < 20; ++i) tag += "\xc3\xa9";
  auto ok = decode_into(("{\"idTag\":\"" + tag + "\"}").c_str(), req);
  CHECK_FALSE(ok.failed());
  auto bad = decode_into(("{\"idTag\":\"" + tag + "x\"}").c_str(), req);
  REQUIRE(bad.failed());
  CHECK(bad.code() == ocpp::ErrorCode::PropertyConstraintViolation);
}

TEST_CASE("wrong JSON types, non-integers and unknown properties get their own codes", "[codec]") {
  ocpp::v16::HeartbeatResponse hb;
  auto type = decode_into(R"({"currentTime":12})", hb);
  CHECK(type.code() == ocpp::ErrorCode::TypeConstraintViolation);

  ocpp::v16::StatusNotificationRequest sn;
  auto frac = decode_into(R"({"connectorId":1.5,"errorCode":"NoError","status":"Available"})", sn);
  CHECK(frac.code() == ocpp::ErrorCode::PropertyConstraintViolation);
  auto whole = decode_into(R"({"connectorId":2.0,"errorCode":"NoError","status":"Available"})", sn);
  CHECK_FALSE(whole.failed());
  CHECK(sn.connectorId == 2);

  auto extra = decode_into(R"({"currentTime":"2026-01-01T00:00:00Z","x":1})", hb);
  CHECK(extra.code() == ocpp::ErrorCode::FormatViolation);
  CHECK(ocpp::to_string(extra.code(), ocpp::Version::v16) == "FormationViolation");
  CHECK_THAT(extra.description(), Catch::Contains("\"x\""));
}

TEST_CASE("null is not accepted for an optional field", "[codec]") {
  ocpp::v16::BootNotificationRequest req;
  auto ctx = decode_into(R"({"chargePointVendor":"A","chargePointModel":"B","iccid":null})", req);
  CHECK(ctx.code() == ocpp::ErrorCode::TypeConstraintViolation);
  CHECK(ctx.failed_path() == "iccid");
}

TEST_CASE("2.0.1 customData keeps vendor extensions through a round trip", "[codec]") {
  ocpp::v201::HeartbeatRequest req;
  auto ctx = decode_into(R"({"customData":{"vendorId":"acme","temp":{"c":21.5}}})", req);
  REQUIRE_FALSE(ctx.failed());
  REQUIRE(req.customData);
  CHECK(req.customData->vendorId == "acme");
  CHECK(req.customData->extensions.at("temp").text == R"({"c":21.5})");
  CHECK(ocpp::v201::to_json(req) == R"({"customData":{"vendorId":"acme","temp":{"c":21.5}}})");
}

TEST_CASE("2.0.1 DataTransfer data holds any JSON value", "[codec]") {
  ocpp::v201::DataTransferRequest req;
  auto ctx = decode_into(R"({"vendorId":"v","data":[1,{"a":null}]})", req);
  REQUIRE_FALSE(ctx.failed());
  CHECK(req.data->text == R"([1,{"a":null}])");
}

TEST_CASE("encoding refuses a value the schema forbids and names the field", "[codec]") {
  ocpp::v16::AuthorizeRequest req;
  req.idTag = std::string(21, 'x');
  CHECK_THROWS_WITH(ocpp::v16::to_json(req),
                    Catch::Contains("idTag") && Catch::Contains("longer than 20"));

  ocpp::v16::MeterValuesRequest mv;
  mv.meterValue.resize(1);
  mv.meterValue[0].sampledValue.resize(1);
  mv.meterValue[0].sampledValue[0].unit = static_cast<ocpp::v16::UnitOfMeasure>(999);
  CHECK_THROWS_WITH(ocpp::v16::to_json(mv), Catch::Contains("meterValue[0].sampledValue[0].unit"));
}

TEST_CASE("the action tables hold every action of both versions", "[codec]") {
  CHECK(ocpp::v16::all_actions().size() == 39);
  CHECK(ocpp::v201::all_actions().size() == 64);
  REQUIRE(ocpp::v16::find_action("BootNotification") != nullptr);
  CHECK(ocpp::v16::find_action("BootNotification")->initiator == ocpp::Initiator::Station);
  CHECK(ocpp::v16::find_action("RemoteStartTransaction")->initiator == ocpp::Initiator::Csms);
  CHECK(ocpp::v201::find_action("TransactionEvent") != nullptr);
  CHECK(ocpp::v201::find_action("DataTransfer")->initiator == ocpp::Initiator::Either);
  CHECK(ocpp::v16::find_action("TransactionEvent") == nullptr);
  CHECK(ocpp::v16::find_action("") == nullptr);
}

TEST_CASE("numbers parse exactly, including zero with a long negative exponent", "[codec]") {
  ocpp::v201::SampledValueType sv;
  auto zero = decode_into(R"({"value":0E-0066})", sv);
  REQUIRE_FALSE(zero.failed());
  CHECK(sv.value == 0.0);
  auto tenth = decode_into(R"({"value":0.1})", sv);
  REQUIRE_FALSE(tenth.failed());
  CHECK(sv.value == 0.1);
}

TEST_CASE("integers beyond 32 bits are refused with PropertyConstraintViolation, not truncated",
          "[codec][security]") {
  ocpp::v16::StatusNotificationRequest sn;
  auto big =
      decode_into(R"({"connectorId":4294967297,"errorCode":"NoError","status":"Available"})", sn);
  REQUIRE(big.failed());
  CHECK(big.code() == ocpp::ErrorCode::PropertyConstraintViolation);
  CHECK(big.failed_path() == "connectorId");
  CHECK(ocpp::to_string(big.code(), ocpp::Version::v16) == "PropertyConstraintViolation");
  auto low =
      decode_into(R"({"connectorId":-2147483649,"errorCode":"NoError","status":"Available"})", sn);
  CHECK(low.code() == ocpp::ErrorCode::PropertyConstraintViolation);
  auto max =
      decode_into(R"({"connectorId":2147483647,"errorCode":"NoError","status":"Available"})", sn);
  CHECK_FALSE(max.failed());
  CHECK(sn.connectorId == 2147483647);

  ocpp::v201::StatusNotificationRequest sn201;
  auto evse = decode_into(
      R"({"timestamp":"2026-01-01T00:00:00Z","connectorStatus":"Available","evseId":4294967297,"connectorId":1})",
      sn201);
  REQUIRE(evse.failed());
  CHECK(evse.code() == ocpp::ErrorCode::PropertyConstraintViolation);
  CHECK(evse.failed_path() == "evseId");
  auto as_double = decode_into(
      R"({"timestamp":"2026-01-01T00:00:00Z","connectorStatus":"Available","evseId":1,"connectorId":4294967297.0})",
      sn201);
  CHECK(as_double.code() == ocpp::ErrorCode::PropertyConstraintViolation);
}
