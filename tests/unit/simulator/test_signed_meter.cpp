// Signed meter data (--signed-meter): the OCMF documents a 1.6 charge point and
// a 2.0.1 station put in their transaction readings verify as one transaction
// with ocpp::ocmf::check_session, and tamper mode makes them fail.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ocpp/ocmf.hpp"
#include "simulator/options.hpp"
#include "simulator/signed_meter.hpp"
#include "test_v201_support.hpp"

using namespace simulator;
using simtest::Rig;
using simtest::Rig201;
using simtest::Sent;
using simtest::text_at;

namespace {

void signing(StationSettings& s) {
  s.signed_meter = true;
  s.power_w = 3600.0;  // 1 Wh a second
  s.meter_interval_s = 10;
}

void tampering(StationSettings& s) {
  signing(s);
  s.signed_meter_tamper = true;
}

Step step(StepKind kind, const std::string& tag = "TAG") {
  Step s = simtest::make_step(kind, 1);
  s.id_tag = tag;
  s.reason = "Local";
  return s;
}

/// The SignedData sampled values of a 1.6 meter value array, in order.
void collect_signed(const rapidjson::Value& meter_values, std::vector<std::string>& out) {
  for (const auto& mv : meter_values.GetArray()) {
    for (const auto& v : mv["sampledValue"].GetArray()) {
      if (v.HasMember("format") && text_at(v["format"]) == "SignedData") {
        CHECK(text_at(v["measurand"]) == "Energy.Active.Import.Register");
        CHECK(text_at(v["unit"]) == "Wh");
        out.push_back(text_at(v["value"]));
      }
    }
  }
}

/// Every OCMF document a 1.6 charge point sent, in the order sent.
std::vector<std::string> ocmf_16(const Rig& rig) {
  std::vector<std::string> out;
  for (const auto& text : rig.link.sent) {
    Sent s = simtest::parse_sent(text);
    if (s.type != 2) continue;
    if (s.action == "MeterValues") collect_signed(s.payload()["meterValue"], out);
    if (s.action == "StopTransaction") collect_signed(s.payload()["transactionData"], out);
  }
  return out;
}

/// One 1.6 session of 25 s: begin, two periodic readings, end.
void run_16_session(Rig& rig) {
  REQUIRE(rig.run(step(StepKind::Start)).ok);
  rig.advance(Duration(25000));
  REQUIRE(rig.run(step(StepKind::Stop)).ok);
}

/// The OCMF documents of a 2.0.1 transaction's events, checking the wrapping.
std::vector<std::string> ocmf_201(const Rig201& rig, const std::string& public_key_base64,
                                  bool tampered = false) {
  std::vector<std::string> out;
  for (const auto& event : rig.tx_events()) {
    if (!event.has("meterValue")) continue;
    for (const auto& v : event.payload()["meterValue"][0]["sampledValue"].GetArray()) {
      if (!v.HasMember("signedMeterValue")) continue;
      CHECK(text_at(v["measurand"]) == "Energy.Active.Import.Register");
      const auto& signed_value = v["signedMeterValue"];
      CHECK(text_at(signed_value["signingMethod"]) == "ECDSA-secp256r1-SHA256");
      CHECK(text_at(signed_value["encodingMethod"]) == "OCMF");
      CHECK(text_at(signed_value["publicKey"]) == public_key_base64);
      auto document = ocpp::ocmf::base64_decode(text_at(signed_value["signedMeterData"]));
      REQUIRE(document);
      // The document's reading is the sampled value's (bar a tampered end).
      auto parsed = ocpp::ocmf::parse(*document);
      REQUIRE(parsed);
      const double claimed_wh = *ocpp::ocmf::reading_wh(parsed->readings.at(0));
      if (!tampered || parsed->readings.at(0).type != "E") {
        CHECK(claimed_wh == Approx(v["value"].GetDouble()));
      } else {
        CHECK(claimed_wh == Approx(v["value"].GetDouble() + 1000));
      }
      out.push_back(*document);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("signed meter 1.6: begin, periodic and end readings verify as one transaction") {
  Rig rig(1, signing);
  rig.boot();
  const SignedMeter* meter = rig.station->signed_meter();
  REQUIRE(meter);
  const Event* announced = rig.events.last("signed_meter");
  REQUIRE(announced);
  CHECK(*announced->string("publicKey") == meter->public_key_hex());

  run_16_session(rig);
  // StartTransaction has no sampled values: the begin reading follows it as
  // MeterValues with context Transaction.Begin and the CSMS's transactionId.
  auto meter_values = rig.calls("MeterValues");
  REQUIRE(meter_values.size() == 3);
  const auto& begin = meter_values[0];
  CHECK(begin.num("transactionId") == 101);
  const auto& begin_values = begin.payload()["meterValue"][0]["sampledValue"];
  REQUIRE(begin_values.Size() == 2);
  CHECK(text_at(begin_values[0]["value"]) == "0");  // the plain register first
  CHECK(text_at(begin_values[1]["context"]) == "Transaction.Begin");

  const auto documents = ocmf_16(rig);
  REQUIRE(documents.size() == 4);
  auto check = ocpp::ocmf::check_session(documents, meter->public_key_hex());
  INFO(check.problem);
  CHECK(check.ok);
  CHECK(check.begin_wh == Approx(0));
  CHECK(check.end_wh == Approx(25));
  CHECK(check.meter_serial == "SIM-CP1-1");
  CHECK(ocpp::ocmf::parse(documents[1])->readings.at(0).type == "C");
  CHECK(ocpp::ocmf::parse(documents[1])->identification == "TAG");
  // The periodic readings are those of the plain register.
  CHECK(*ocpp::ocmf::reading_wh(ocpp::ocmf::parse(documents[2])->readings.at(0)) == Approx(20));
  // The end rides in StopTransaction.transactionData next to the plain reading.
  const auto stop = rig.calls("StopTransaction").at(0);
  CHECK(stop.num("meterStop") == 25);
  const auto& end_values = stop.payload()["transactionData"][0]["sampledValue"];
  CHECK(text_at(end_values[0]["value"]) == "25");
  CHECK(text_at(end_values[end_values.Size() - 1]["context"]) == "Transaction.End");

  // The next session continues the meter's pagination and verifies on its own.
  run_16_session(rig);
  const auto all = ocmf_16(rig);
  REQUIRE(all.size() == 8);
  const std::vector<std::string> second(all.begin() + 4, all.end());
  auto next = ocpp::ocmf::check_session(second, meter->public_key_hex());
  INFO(next.problem);
  CHECK(next.ok);
  CHECK(ocpp::ocmf::parse(second[0])->pagination == "T5");
  CHECK(next.end_wh - next.begin_wh == Approx(25));
  // Both together are two transactions, not one.
  CHECK_FALSE(ocpp::ocmf::check_session(all, meter->public_key_hex()).ok);
}

TEST_CASE("signed meter 1.6: tamper mode makes the end reading fail verification") {
  Rig rig(1, tampering);
  rig.boot();
  run_16_session(rig);
  const auto documents = ocmf_16(rig);
  REQUIRE(documents.size() == 4);
  auto check = ocpp::ocmf::check_session(documents, rig.station->signed_meter()->public_key_hex());
  CHECK_FALSE(check.ok);
  CHECK(check.problem == "signature of page T4 does not verify: signature mismatch");
  // What was tampered with is the end alone.
  const std::vector<std::string> first_three(documents.begin(), documents.begin() + 3);
  CHECK(ocpp::ocmf::check_session(first_three, rig.station->signed_meter()->public_key_hex())
            .problem.find("is not an end") != std::string::npos);
}

TEST_CASE("signed meter 1.6: off by default - no SignedData values, no begin MeterValues") {
  Rig rig(1, [](StationSettings& s) { s.meter_interval_s = 10; });
  rig.boot();
  CHECK_FALSE(rig.station->signed_meter());
  run_16_session(rig);
  CHECK(ocmf_16(rig).empty());
  CHECK(rig.calls("MeterValues").size() == 2);
  CHECK(rig.events.count("signed_meter") == 0);
}

TEST_CASE("signed meter 2.0.1: Started, Updated and Ended carry OCMF that verifies") {
  Rig201 rig(1, signing);
  rig.boot();
  const SignedMeter* meter = rig.station->signed_meter();
  REQUIRE(meter);
  REQUIRE(rig.run(simtest::start_step()).ok);
  rig.advance(Duration(25000));
  REQUIRE(rig.run(simtest::stop_step()).ok);
  const auto documents = ocmf_201(rig, meter->public_key_base64());
  REQUIRE(documents.size() == 4);
  // The publicKey sent is base64 of the DER whose hex the station logs.
  auto check = ocpp::ocmf::check_session(documents, meter->public_key_base64());
  INFO(check.problem);
  CHECK(check.ok);
  CHECK(check.begin_wh == Approx(0));
  CHECK(check.end_wh == Approx(25));
  CHECK(check.meter_serial == "SIM-CS1-1");
  CHECK(ocpp::ocmf::check_session(documents, meter->public_key_hex()).ok);
  const auto types = [&documents] {
    std::string out;
    for (const auto& d : documents) out += ocpp::ocmf::parse(d)->readings.at(0).type;
    return out;
  }();
  CHECK(types == "BCCE");
}

TEST_CASE("signed meter 2.0.1: an energy reading is added to sign when the measurands lack one") {
  Rig201 rig(1, signing);
  rig.boot();
  rig.csms_call(
      "SetVariables",
      R"({"setVariableData":[{"component":{"name":"SampledDataCtrlr"},"variable":{"name":"TxStartedMeasurands"},"attributeValue":"Power.Active.Import"}]})");
  REQUIRE(rig.run(simtest::start_step()).ok);
  const auto started = rig.tx_events().at(0);
  const auto& values = started.payload()["meterValue"][0]["sampledValue"];
  bool signed_energy = false;
  for (const auto& v : values.GetArray()) {
    if (text_at(v["measurand"]) == "Energy.Active.Import.Register") {
      signed_energy = v.HasMember("signedMeterValue");
    }
  }
  CHECK(signed_energy);
}

TEST_CASE("signed meter 2.0.1: tamper mode makes the Ended reading fail verification") {
  Rig201 rig(1, tampering);
  rig.boot();
  const SignedMeter* meter = rig.station->signed_meter();
  REQUIRE(rig.run(simtest::start_step()).ok);
  rig.advance(Duration(15000));
  REQUIRE(rig.run(simtest::stop_step()).ok);
  const auto documents = ocmf_201(rig, meter->public_key_base64(), true);
  REQUIRE(documents.size() == 3);
  auto check = ocpp::ocmf::check_session(documents, meter->public_key_base64());
  CHECK_FALSE(check.ok);
  CHECK(check.problem.find("signature of page T3 does not verify") == 0);
}

TEST_CASE("signed meter: a given PEM key is used and a bad one is refused") {
  const auto keys = ocpp::ocmf::generate_key_pair();
  SignedMeter meter("CP9", keys.private_key_pem, false);
  CHECK(meter.public_key_hex() == keys.public_key_hex);
  CHECK(meter.meter_serial(2) == "SIM-CP9-2");
  const auto when = *ocpp::DateTime::parse("2024-03-01T10:00:00Z");
  auto b = meter.reading(2, "TAG", when, SignedMeter::Kind::Begin, 100);
  auto e = meter.reading(2, "TAG", when, SignedMeter::Kind::End, 250);
  auto check = ocpp::ocmf::check_session({b, e}, keys.public_key_hex);
  CHECK(check.ok);
  CHECK(check.end_wh - check.begin_wh == Approx(150));
  // Each connector's meter has its own pagination.
  CHECK(ocpp::ocmf::parse(meter.reading(1, "TAG", when, SignedMeter::Kind::Begin, 0))->pagination ==
        "T1");
  CHECK_THROWS_AS(SignedMeter("CP9", "not a key", false), std::invalid_argument);
}

TEST_CASE("signed meter: --signed-meter, --meter-key and --signed-meter-tamper") {
  std::string error;
  const std::vector<std::string> base = {"--url", "ws://h/ocpp", "--id", "CP1"};
  auto with = [&base, &error](std::vector<std::string> extra) {
    extra.insert(extra.begin(), base.begin(), base.end());
    return parse_options(extra, error);
  };
  auto plain = with({});
  REQUIRE(plain);
  CHECK_FALSE(plain->signed_meter);
  auto on = with({"--signed-meter"});
  REQUIRE(on);
  CHECK(on->signed_meter);
  CHECK_FALSE(on->signed_meter_tamper);
  auto keyed = with({"--meter-key", "meter.pem"});
  REQUIRE(keyed);
  CHECK(keyed->signed_meter);
  CHECK(keyed->meter_key_file == "meter.pem");
  auto tamper = with({"--signed-meter-tamper"});
  REQUIRE(tamper);
  CHECK(tamper->signed_meter);
  CHECK(tamper->signed_meter_tamper);
  CHECK_FALSE(with({"--signed-meter=yes"}));
  CHECK_FALSE(with({"--meter-key"}));
  CHECK(usage().find("--signed-meter") != std::string::npos);
}
