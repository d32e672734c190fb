// The simulator's display messages, customer information and certificates,
// without sockets: what a 2.0.1 station answers and sends in parts, and the
// certificate store's identities and CSRs.
#include <catch2/catch.hpp>

#include "simulator/certificate_store.hpp"
#include "test_v201_support.hpp"

using simtest::Rig201;
using simtest::Sent;

namespace {

std::string set_message(Rig201& rig, int id, const std::string& extra = "") {
  return rig
      .csms_call("SetDisplayMessage",
                 R"({"message":{"id":)" + std::to_string(id) +
                     R"(,"priority":"NormalCycle","message":{"format":"UTF8","content":"m)" +
                     std::to_string(id) + "\"}" + extra + "}}")
      .str("status");
}

}  // namespace

TEST_CASE("v201 display messages: kept, reported two a part with tbc, cleared") {
  Rig201 rig;
  rig.responses["NotifyDisplayMessages"] = [](const Sent&) { return std::string("{}"); };
  rig.boot();
  for (int id : {1, 2, 3}) CHECK(set_message(rig, id) == "Accepted");
  CHECK(set_message(rig, 4, R"(,"transactionId":"NO-SUCH-TX")") == "UnknownTransaction");
  CHECK(
      rig.csms_call(
             "SetDisplayMessage",
             R"({"message":{"id":5,"priority":"InFront","message":{"format":"HTML","content":"<b>x</b>"}}})")
          .str("status") == "NotSupportedMessageFormat");

  CHECK(rig.csms_call("GetDisplayMessages", R"({"requestId":9})").str("status") == "Accepted");
  rig.answer();
  const auto parts = rig.calls("NotifyDisplayMessages");
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].payload()["tbc"].GetBool());
  CHECK(parts[0].payload()["messageInfo"].Size() == 2);
  CHECK_FALSE(parts[1].payload()["tbc"].GetBool());
  CHECK(parts[1].num("requestId") == 9);

  CHECK(rig.csms_call("GetDisplayMessages", R"({"requestId":10,"id":[42]})").str("status") ==
        "Unknown");
  CHECK(rig.csms_call("ClearDisplayMessage", R"({"id":2})").str("status") == "Accepted");
  CHECK(rig.csms_call("ClearDisplayMessage", R"({"id":2})").str("status") == "Unknown");
}

TEST_CASE("v201 customer information: one part a line, Invalid without a customer") {
  Rig201 rig;
  rig.responses["NotifyCustomerInformation"] = [](const Sent&) { return std::string("{}"); };
  rig.boot();
  CHECK(rig.csms_call("CustomerInformation", R"({"requestId":1,"report":true,"clear":false})")
            .str("status") == "Invalid");
  CHECK(rig.csms_call("CustomerInformation",
                      R"({"requestId":2,"report":false,"clear":false,"customerIdentifier":"c"})")
            .str("status") == "Invalid");
  CHECK(rig.csms_call("CustomerInformation",
                      R"({"requestId":3,"report":true,"clear":true,"customerIdentifier":"c"})")
            .str("status") == "Accepted");
  rig.answer();
  const auto parts = rig.calls("NotifyCustomerInformation");
  REQUIRE(parts.size() == 3);  // who, "no data held", what was cleared
  for (std::size_t i = 0; i < parts.size(); ++i) {
    CHECK(parts[i].num("seqNo") == static_cast<std::int64_t>(i));
    CHECK(parts[i].num("requestId") == 3);
    CHECK(parts[i].payload()["tbc"].GetBool() == (i + 1 < parts.size()));
  }
  CHECK(parts[1].str("data").find("no data") != std::string::npos);
}

TEST_CASE("certificate store: identities, chains, replacement and removal") {
  std::string error;
  simulator::CertificateStore store;
  CHECK_FALSE(store.install("CSMSRootCertificate", "not a certificate", false, error));
  CHECK_FALSE(error.empty());
  CHECK(store.size() == 0);
  // A CSR is not a certificate either; the store stays empty.
  const std::string csr = simulator::make_csr("CS1", "ocpp-sim", error);
  REQUIRE(csr.rfind("-----BEGIN CERTIFICATE REQUEST-----", 0) == 0);
  CHECK_FALSE(store.install("CSMSRootCertificate", csr, false, error));
  CHECK(store.list({}).empty());
  CHECK_FALSE(store.remove({"aa", "bb", "1"}));
  CHECK_FALSE(store.type_of({"aa", "bb", "1"}));
}
