// Display messages, customer information and certificates on the CSMS side:
// csmsctl's PEM handling (--file, a PEM value that starts with dashes), the
// commands' CALLs and refusals, and the assembly of reports sent in parts.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "admin/station_reports.hpp"
#include "cli.hpp"
#include "handlers/certificate_support.hpp"
#include "ocpp/common/json.hpp"

namespace {

using csms::cli::InputError;
using csms::cli::UsageError;

csms::cli::Invocation parse(std::vector<std::string> args) {
  return csms::cli::parse_command_line(args, "", "");
}

storage::StationNotification note(std::int64_t id, const std::string& action,
                                  const std::string& payload) {
  storage::StationNotification n;
  n.id = id;
  n.station_id = "CS1";
  n.action = action;
  n.received_at = storage::DateTime::now();
  n.payload = payload;
  return n;
}

rapidjson::Document parsed(const std::string& text) {
  rapidjson::Document doc;
  REQUIRE_FALSE(ocpp::parse_json(text, doc).IsError());
  return doc;
}

}  // namespace

TEST_CASE("csmsctl: a PEM value and --file become the certificate parameter", "[csmsctl]") {
  const std::string pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  auto inline_pem =
      parse({"cmd", "CS1", "cert-install", "--type", "CSMSRootCertificate", "--certificate", pem});
  auto body = parsed(inline_pem.body);
  CHECK(std::string(body["certificate"].GetString()) == pem);

  const auto path = std::filesystem::temp_directory_path() /
                    ("csmsctl-cert-" + std::to_string(::getpid()) + ".pem");
  {
    std::ofstream out(path);
    out << pem;
  }
  auto from_file = parsed(parse({"cmd", "CS1", "cert-signed", "--file", path.string()}).body);
  CHECK(std::string(from_file["certificateChain"].GetString()) == pem);
  CHECK_THROWS_AS(parse({"cmd", "CS1", "reset", "--file", path.string()}), UsageError);
  CHECK_THROWS_AS(
      parse({"cmd", "CS1", "cert-install", "--file", path.string(), "--certificate", pem}),
      UsageError);
  std::filesystem::remove(path);
  CHECK_THROWS_AS(parse({"cmd", "CS1", "cert-install", "--file", path.string()}), InputError);
  // Hex that looks like a number stays text.
  auto del = parsed(parse({"cmd", "CS1", "cert-delete", "--serial", "0123", "--issuer-name-hash",
                           "0456", "--issuer-key-hash", "0789"})
                        .body);
  CHECK(std::string(del["serialNumber"].GetString()) == "0123");
  CHECK(std::string(del["issuerNameHash"].GetString()) == "0456");
}

TEST_CASE("certificate checks name what is wrong with the PEM", "[commands]") {
  CHECK(csms::pem_problem("hello", 5500, false, "certificate").find("must be PEM") !=
        std::string::npos);
  CHECK(csms::pem_problem(std::string(6000, 'a'), 5500, false, "certificate").find("at most") !=
        std::string::npos);
  const std::string bad = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
  CHECK(csms::pem_problem(bad, 5500, false, "certificate").find("not a valid") !=
        std::string::npos);
  CHECK(csms::pem_problem(bad + bad, 10000, false, "certificate").find("exactly one") !=
        std::string::npos);
  CHECK(csms::pem_problem("-----BEGIN CERTIFICATE-----\nAAAA\n", 5500, true, "chain")
            .find("unbalanced") != std::string::npos);
}

TEST_CASE("customer information parts are joined by seqNo, a retry once", "[admin]") {
  const char* action = csms::admin::kNotifyCustomerInformation;
  std::vector<storage::StationNotification> notes = {
      note(
          1, action,
          R"({"data":"a","tbc":true,"seqNo":0,"generatedAt":"2030-01-01T00:00:00Z","requestId":5})"),
      note(
          2, action,
          R"({"data":"c","tbc":false,"seqNo":2,"generatedAt":"2030-01-01T00:00:00Z","requestId":5})"),
      note(
          3, action,
          R"({"data":"a","tbc":true,"seqNo":0,"generatedAt":"2030-01-01T00:00:00Z","requestId":5})"),
      note(4, action,
           R"({"data":"x","seqNo":0,"generatedAt":"2030-01-02T00:00:00Z","requestId":6})"),
  };
  auto all = parsed(csms::admin::customer_information_json(notes, std::nullopt));
  REQUIRE(all.Size() == 2);
  CHECK(all[0]["requestId"].GetInt64() == 6);  // newest first
  CHECK(all[0]["complete"].GetBool());
  CHECK(all[1]["parts"].GetInt64() == 2);
  CHECK(std::string(all[1]["data"].GetString()) == "ac");
  CHECK_FALSE(all[1]["complete"].GetBool());  // seqNo 1 is missing
  notes.push_back(note(
      5, action,
      R"({"data":"b","tbc":true,"seqNo":1,"generatedAt":"2030-01-01T00:00:00Z","requestId":5})"));
  auto one = parsed(csms::admin::customer_information_json(notes, 5));
  REQUIRE(one.Size() == 1);
  CHECK(std::string(one[0]["data"].GetString()) == "abc");
  CHECK(one[0]["complete"].GetBool());
}

TEST_CASE("display messages: the newest report's messages, a retried part once", "[admin]") {
  const char* action = csms::admin::kNotifyDisplayMessages;
  const std::string m1 =
      R"({"id":1,"priority":"InFront","message":{"format":"UTF8","content":"one"}})";
  const std::string m2 =
      R"({"id":2,"priority":"NormalCycle","state":"Idle","message":{"format":"ASCII","content":"two"}})";
  std::vector<storage::StationNotification> notes = {
      note(1, action, R"({"requestId":7,"tbc":true,"messageInfo":[)" + m1 + "]}"),
      note(2, action, R"({"requestId":7,"tbc":true,"messageInfo":[)" + m1 + "]}"),
      note(3, action, R"({"requestId":7,"messageInfo":[)" + m2 + "]}"),
      note(4, action, R"({"requestId":8,"tbc":true,"messageInfo":[)" + m2 + "]}"),
  };
  auto newest = parsed(csms::admin::display_messages_json(notes, std::nullopt));
  CHECK(newest["requestId"].GetInt64() == 8);
  CHECK_FALSE(newest["complete"].GetBool());
  auto seven = parsed(csms::admin::display_messages_json(notes, 7));
  CHECK(seven["complete"].GetBool());
  REQUIRE(seven["messages"].Size() == 2);
  CHECK(std::string(seven["messages"][0]["content"].GetString()) == "one");
  CHECK(std::string(seven["messages"][1]["state"].GetString()) == "Idle");
  CHECK(seven["messages"][0]["state"].IsNull());
  auto none = parsed(csms::admin::display_messages_json({}, std::nullopt));
  CHECK(none["requestId"].IsNull());
  CHECK(none["messages"].Size() == 0);
}
