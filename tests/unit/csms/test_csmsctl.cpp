// csmsctl: command line -> admin API request, CSV import, answer formatting.
#include "cli.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "csms/version.hpp"

namespace {

using csms::cli::Format;
using csms::cli::InputError;
using csms::cli::Invocation;
using csms::cli::UsageError;

Invocation parse(std::vector<std::string> args, const std::string& env_url = "",
                 const std::string& env_token = "") {
  return csms::cli::parse_command_line(args, env_url, env_token);
}

std::string printed(const Invocation& inv, const std::string& body) {
  std::ostringstream out;
  csms::cli::print_answer(inv, body, out);
  return out.str();
}

}  // namespace

TEST_CASE("csmsctl: URL and token come from the environment, flags override anywhere",
          "[csmsctl]") {
  auto defaults = parse({"station", "list"});
  CHECK(defaults.url == "http://127.0.0.1:8181");
  CHECK(defaults.token.empty());
  CHECK_FALSE(defaults.json);

  auto env = parse({"station", "list"}, "http://csms:9000", "envtoken");
  CHECK(env.url == "http://csms:9000");
  CHECK(env.token == "envtoken");

  auto flags = parse({"station", "--url", "http://h:1", "list", "--token=t2", "--json"},
                     "http://csms:9000", "envtoken");
  CHECK(flags.url == "http://h:1");
  CHECK(flags.token == "t2");
  CHECK(flags.json);
}

TEST_CASE("csmsctl: station commands map to the station routes", "[csmsctl]") {
  auto add = parse({"station", "add", "CP1", "--password", "secret-password-1"});
  CHECK(add.method == "POST");
  CHECK(add.target == "/api/stations");
  CHECK(add.body == R"({"id":"CP1","password":"secret-password-1"})");
  CHECK(parse({"station", "add", "CP1"}).body == R"({"id":"CP1"})");

  auto list = parse({"station", "list"});
  CHECK(list.method == "GET");
  CHECK(list.target == "/api/stations");
  CHECK(list.format == Format::Table);

  CHECK(parse({"station", "show", "CP/1"}).target == "/api/stations/CP%2F1");
  auto remove = parse({"station", "remove", "CP|1"});
  CHECK(remove.method == "DELETE");
  CHECK(remove.target == "/api/stations/CP%7C1");
  CHECK(remove.done_message == "removed station CP|1");
}

TEST_CASE("csmsctl: idtag commands map to the idtag routes", "[csmsctl]") {
  auto add = parse({"idtag", "add", "T1", "--status", "Blocked", "--expiry", "2030-01-01T00:00:00Z",
                    "--parent", "G"});
  CHECK(add.method == "POST");
  CHECK(add.target == "/api/idtags");
  CHECK(add.body ==
        R"({"idTag":"T1","status":"Blocked","expiry":"2030-01-01T00:00:00Z","parentIdTag":"G"})");
  CHECK(parse({"idtag", "list"}).target == "/api/idtags");
  auto block = parse({"idtag", "block", "T 1"});
  CHECK(block.method == "POST");
  CHECK(block.target == "/api/idtags/T%201/block");
  auto remove = parse({"idtag", "remove", "T1"});
  CHECK(remove.method == "DELETE");
  CHECK(remove.target == "/api/idtags/T1");
}

TEST_CASE("csmsctl: tx list turns options into query parameters", "[csmsctl]") {
  CHECK(parse({"tx", "list"}).target == "/api/transactions");
  auto all =
      parse({"tx", "list", "--station", "CP1", "--idtag", "T+1", "--from", "2024-01-01T00:00:00Z",
             "--to", "2024-02-01T00:00:00+01:00", "--active", "--limit", "5"});
  CHECK(all.target ==
        "/api/transactions?stationId=CP1&idTag=T%2B1&from=2024-01-01T00%3A00%3A00Z"
        "&to=2024-02-01T00%3A00%3A00%2B01%3A00&active=true&limit=5");
  CHECK(parse({"tx", "show", "42"}).target == "/api/transactions/42");
  CHECK(parse({"tx", "show", "tx-1", "--station", "CP2"}).target ==
        "/api/transactions/tx-1?stationId=CP2");
  CHECK_THROWS_AS(parse({"tx", "list", "--limit", "many"}), UsageError);
  CHECK_THROWS_AS(parse({"tx", "list", "--active=yes"}), UsageError);
}

TEST_CASE("csmsctl: cmd maps options to JSON parameters", "[csmsctl]") {
  auto start = parse({"cmd", "CP1", "remote-start", "--connector", "1", "--idtag", "TAG1"});
  CHECK(start.method == "POST");
  CHECK(start.target == "/api/stations/CP1/commands/remote-start");
  CHECK(start.body == R"({"connector":1,"idTag":"TAG1"})");
  CHECK(start.format == Format::Command);

  CHECK(parse({"cmd", "CP1", "get-config", "HeartbeatInterval", "MeterValueSampleInterval"}).body ==
        R"({"keys":["HeartbeatInterval","MeterValueSampleInterval"]})");
  CHECK(parse({"cmd", "CP1", "remote-stop", "--transaction", "17"}).body ==
        R"({"transactionId":17})");
  CHECK(parse({"cmd", "CP1", "remote-stop", "--transaction", "tx-abc"}).body ==
        R"({"transactionId":"tx-abc"})");
  CHECK(parse({"cmd", "CP1", "set-config", "--key", "HeartbeatInterval", "--value", "60"}).body ==
        R"({"key":"HeartbeatInterval","value":"60"})");
  CHECK(parse({"cmd", "CP1", "data-transfer", "--vendor", "acme", "--message-id", "m", "--data",
               "42"})
            .body == R"({"vendorId":"acme","messageId":"m","data":"42"})");
  CHECK(parse({"cmd", "CP1", "availability", "--evse", "2", "--type", "Inoperative"}).body ==
        R"({"evse":2,"type":"Inoperative"})");
  CHECK(parse({"cmd", "CP1", "reset"}).body == "{}");
}

TEST_CASE("csmsctl: unknown cmd options become camelCase parameters", "[csmsctl]") {
  auto generic = parse(
      {"cmd", "CP1", "future-thing", "--retry-count", "3", "--some-name=x", "--force", "--json"});
  CHECK(generic.body == R"({"retryCount":3,"someName":"x","force":true})");
  CHECK(generic.json);
  CHECK(parse({"cmd", "CP1", "x", "--negative", "-5", "--flag", "false"}).body ==
        R"({"negative":-5,"flag":false})");
  CHECK_THROWS_AS(parse({"cmd", "CP1", "x", "--connector", "one"}), UsageError);
  CHECK_THROWS_AS(parse({"cmd", "CP1", "x", "--idtag"}), UsageError);
  CHECK_THROWS_AS(parse({"cmd", "CP1", "x", "--a", "1", "--a", "2"}), UsageError);
  CHECK_THROWS_AS(parse({"cmd", "CP1"}), UsageError);
}

TEST_CASE("csmsctl: log, events, version", "[csmsctl]") {
  CHECK(parse({"log", "CP1"}).target == "/api/stations/CP1/log");
  CHECK(parse({"log", "CP1", "--limit", "10"}).target == "/api/stations/CP1/log?limit=10");
  CHECK(parse({"events"}).target == "/api/events");
  CHECK(parse({"events", "--station", "CP1", "--limit", "3"}).target ==
        "/api/events?stationId=CP1&limit=3");
  auto version = parse({"version"});
  CHECK(version.target == "/health");
  CHECK(version.format == Format::Version);
}

TEST_CASE("csmsctl: usage errors name the problem", "[csmsctl]") {
  CHECK_THROWS_WITH(parse({}), Catch::Contains("no command given"));
  CHECK_THROWS_WITH(parse({"frobnicate"}), Catch::Contains("unknown command \"frobnicate\""));
  CHECK_THROWS_WITH(parse({"station"}), Catch::Contains("station needs a subcommand"));
  CHECK_THROWS_WITH(parse({"station", "fly"}), Catch::Contains("unknown station command \"fly\""));
  CHECK_THROWS_WITH(parse({"station", "add"}), Catch::Contains("missing arguments"));
  CHECK_THROWS_WITH(parse({"station", "list", "extra"}), Catch::Contains("too many arguments"));
  CHECK_THROWS_WITH(parse({"station", "add", "CP1", "--pasword", "x"}),
                    Catch::Contains("unknown option --pasword"));
  CHECK_THROWS_WITH(parse({"station", "add", "CP1", "--password"}),
                    Catch::Contains("--password needs a value"));
  CHECK_THROWS_WITH(parse({"station", "list", "--url"}), Catch::Contains("--url needs a value"));
  CHECK_THROWS_WITH(parse({"station", "list", "--url", "ftp://x"}), Catch::Contains("http://"));
  CHECK_THROWS_WITH(parse({"station", "list", "--url", "http://h:99999"}),
                    Catch::Contains("bad port"));
}

TEST_CASE("csmsctl: --help works globally and per command", "[csmsctl]") {
  auto global = parse({"--help"});
  CHECK(global.help);
  CHECK(global.help_text.find("station add ID [--password PW]") != std::string::npos);
  CHECK(global.help_text.find("idtag import FILE.csv") != std::string::npos);
  auto one = parse({"station", "add", "--help"});
  CHECK(one.help_text.rfind("usage: csmsctl station add ID [--password PW]", 0) == 0);
  CHECK(parse({"cmd", "--help"}).help_text.find("\"transactionId\"") != std::string::npos);
  CHECK(parse({"help", "tx"}).help_text.find("tx list") != std::string::npos);
}

TEST_CASE("csmsctl: base URLs", "[csmsctl]") {
  auto plain = csms::cli::parse_base_url("http://127.0.0.1:8181");
  CHECK(plain.host == "127.0.0.1");
  CHECK(plain.port == 8181);
  CHECK(plain.path.empty());
  auto prefixed = csms::cli::parse_base_url("http://csms.local/admin/");
  CHECK(prefixed.host == "csms.local");
  CHECK(prefixed.port == 80);
  CHECK(prefixed.path == "/admin");
  auto v6 = csms::cli::parse_base_url("http://[::1]:9");
  CHECK(v6.host == "::1");
  CHECK(v6.port == 9);
  CHECK_FALSE(v6.tls);
  auto secure = csms::cli::parse_base_url("https://csms.example");
  CHECK(secure.tls);
  CHECK(secure.host == "csms.example");
  CHECK(secure.port == 443);
  CHECK(csms::cli::parse_base_url("https://127.0.0.1:8443/admin").port == 8443);
  CHECK_THROWS_AS(csms::cli::parse_base_url("ftp://x"), UsageError);
}

TEST_CASE("csmsctl: the CA file comes from --ca-file or CSMS_CA_FILE", "[csmsctl]") {
  auto from_env = csms::cli::parse_command_line({"station", "list"}, "https://h", "t", "/env.pem");
  CHECK(from_env.ca_file == "/env.pem");
  auto from_flag = csms::cli::parse_command_line({"--ca-file", "/flag.pem", "station", "list"},
                                                 "https://h", "t", "/env.pem");
  CHECK(from_flag.ca_file == "/flag.pem");
}

TEST_CASE("csmsctl: id tag CSV becomes the import array", "[csmsctl][csv]") {
  std::vector<std::size_t> lines;
  const std::string csv =
      "idTag,status,expiry,parentIdTag\r\n"
      "A\n"
      "\n"
      "# comment\n"
      "B, blocked ,2030-01-01T00:00:00Z,G\n"
      "\"C,1\",,,\n";
  CHECK(csms::cli::idtags_csv_to_json(csv, "tags.csv", lines) ==
        R"([{"idTag":"A"},{"idTag":"B","status":"Blocked","expiry":"2030-01-01T00:00:00Z",)"
        R"("parentIdTag":"G"},{"idTag":"C,1"}])");
  CHECK(lines == std::vector<std::size_t>{2, 5, 6});
}

TEST_CASE("csmsctl: bad CSV rows are reported with their line numbers", "[csmsctl][csv]") {
  std::vector<std::size_t> lines;
  const std::string csv =
      "A,Accepted\n"
      "B,Sometimes\n"
      "C,,not-a-date\n"
      "A\n"
      ",Accepted\n"
      "D,Accepted,,,extra\n"
      "\"E\n";
  try {
    csms::cli::idtags_csv_to_json(csv, "t.csv", lines);
    FAIL("expected InputError");
  } catch (const InputError& e) {
    const std::string m = e.what();
    CHECK(m.find("t.csv:2: status must be Accepted, Blocked, Expired or Invalid, not "
                 "\"Sometimes\"") != std::string::npos);
    CHECK(m.find("t.csv:3: expiry \"not-a-date\"") != std::string::npos);
    CHECK(m.find("t.csv:4: idTag \"A\" repeats line 1") != std::string::npos);
    CHECK(m.find("t.csv:5: idTag must be 1 to 36 characters") != std::string::npos);
    CHECK(m.find("t.csv:6: expected at most 4 columns") != std::string::npos);
    CHECK(m.find("t.csv:7: unbalanced quotes") != std::string::npos);
    CHECK(m.find("nothing was imported") != std::string::npos);
  }
}

TEST_CASE("csmsctl: idtag import reads the file - a missing file is an input error",
          "[csmsctl][csv]") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("csmsctl-test-" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream out(path);
    out << "T1\nT2,Blocked\n";
  }
  auto inv = parse({"idtag", "import", path.string()});
  std::filesystem::remove(path);
  CHECK(inv.method == "POST");
  CHECK(inv.target == "/api/idtags/import");
  CHECK(inv.body == R"([{"idTag":"T1"},{"idTag":"T2","status":"Blocked"}])");
  CHECK(inv.input_lines == std::vector<std::size_t>{1, 2});
  CHECK_THROWS_AS(parse({"idtag", "import", path.string()}), InputError);
}

TEST_CASE("csmsctl: tables and records are aligned and readable", "[csmsctl][output]") {
  auto list = parse({"idtag", "list"});
  CHECK(printed(list, R"([{"idTag":"A","status":"Accepted","expiry":null,"parentIdTag":null},)"
                      R"({"idTag":"LONGTAG","status":"Blocked","expiry":"2030-01-01T00:00:00Z",)"
                      R"("parentIdTag":"G"}])") ==
        "ID TAG   STATUS    EXPIRY                PARENT ID TAG\n"
        "A        Accepted  -                     -\n"
        "LONGTAG  Blocked   2030-01-01T00:00:00Z  G\n");
  CHECK(printed(list, "[]") == "(none)\n");

  auto show = parse({"station", "show", "CP1"});
  CHECK(printed(show, R"({"id":"CP1","connected":true,"connectors":[)"
                      R"({"evseId":0,"connectorId":1,"status":"Available"}]})") ==
        "id:        CP1\n"
        "connected: yes\n"
        "\n"
        "connectors:\n"
        "  EVSE ID  CONNECTOR ID  STATUS\n"
        "  0        1             Available\n");

  auto remove = parse({"station", "remove", "CP1"});
  CHECK(printed(remove, "") == "removed station CP1\n");
}

TEST_CASE("csmsctl: command answers print the station's response", "[csmsctl][output]") {
  auto start = parse({"cmd", "CP1", "remote-start", "--connector", "1"});
  CHECK(printed(start, R"({"action":"RemoteStartTransaction","response":{"status":"Accepted"}})") ==
        "action: RemoteStartTransaction\n"
        "status: Accepted\n");

  auto config = parse({"cmd", "CP1", "get-config"});
  CHECK(printed(config, R"({"action":"GetConfiguration","response":{"configurationKey":[)"
                        R"({"key":"HeartbeatInterval","readonly":false,"value":"300"}],)"
                        R"("unknownKey":["Foo"]}})") ==
        "action:     GetConfiguration\n"
        "unknownKey: Foo\n"
        "\n"
        "configurationKey:\n"
        "  KEY                VALUE  READONLY\n"
        "  HeartbeatInterval  300    no\n");
}

TEST_CASE("csmsctl: API errors show the API's message", "[csmsctl][output]") {
  auto inv = parse({"station", "show", "X"});
  CHECK(csms::cli::error_message(inv, 404, "Not Found",
                                 R"({"error":"station \"X\" is not registered"})") ==
        "station \"X\" is not registered");
  CHECK(csms::cli::error_message(inv, 502, "Bad Gateway",
                                 R"({"error":"station refused","code":"NotSupported"})") ==
        "station refused (CALLERROR NotSupported)");
  CHECK(csms::cli::error_message(inv, 401, "Unauthorized", R"({"error":"invalid bearer token"})") ==
        "invalid bearer token (set CSMS_TOKEN or pass --token)");
  CHECK(csms::cli::error_message(inv, 500, "Internal Server Error", "oops") ==
        "HTTP 500 Internal Server Error");

  Invocation import;
  import.input_file = "tags.csv";
  import.input_lines = {2, 7};
  CHECK(csms::cli::error_message(import, 400, "Bad Request",
                                 R"({"error":"item 2: idTag must be 1 to 36 characters"})") ==
        "tags.csv:7: idTag must be 1 to 36 characters");
}

TEST_CASE("csmsctl: site and station carbon commands map to their routes", "[csmsctl][carbon]") {
  auto add = parse({"site", "add", "HUB", "--name", "Hub", "--region", "CN-East", "--lat", "31.5",
                    "--lon", "121"});
  CHECK(add.method == "POST");
  CHECK(add.target == "/api/sites");
  CHECK(add.body ==
        R"({"id":"HUB","name":"Hub","region":"CN-East","latitude":31.5,"longitude":121.0})");
  CHECK_THROWS_WITH(parse({"site", "add", "HUB", "--lat", "north"}),
                    Catch::Contains("--lat needs a number"));
  auto set = parse({"station", "set-site", "CP1", "HUB", "--current-type", "DC"});
  CHECK(set.target == "/api/stations/CP1/carbon");
  CHECK(set.body == R"({"siteId":"HUB","currentType":"DC"})");
  CHECK(parse({"station", "leave-site", "CP1"}).body == R"({"siteId":null})");
  CHECK(parse({"station", "set-meter-key", "CP1", "3059"}).body == R"({"meterPublicKey":"3059"})");
  auto certs = parse({"site", "green-certificate", "HUB", "--month", "2026-12", "--kwh", "120.5",
                      "--ids", "GEC-1, GEC-2"});
  CHECK(certs.target == "/api/sites/HUB/green-certificates");
  CHECK(certs.body == R"({"month":"2026-12","kwh":120.5,"ids":["GEC-1","GEC-2"]})");
  CHECK_THROWS_AS(parse({"site", "green-certificate", "HUB", "--month", "2026-12"}), UsageError);
}

TEST_CASE("csmsctl: factor and carbon commands map to their routes", "[csmsctl][carbon]") {
  auto factor = parse({"factor", "add", "--kind", "grid", "--value", "0.5", "--region", "CN-East",
                       "--vintage", "2024", "--source", "MEE"});
  CHECK(factor.target == "/api/carbon/factors");
  CHECK(factor.body ==
        R"({"kind":"grid","value":0.5,"region":"CN-East","vintage":2024,"source":"MEE"})");
  CHECK(parse({"factor", "list", "--kind", "grid"}).target == "/api/carbon/factors?kind=grid");
  CHECK(parse({"carbon", "tx", "42"}).target == "/api/carbon/transactions/42");
  CHECK(parse({"carbon", "account", "TAG 1"}).target == "/api/carbon/accounts/TAG%201");
  CHECK(parse({"carbon", "ledger"}).target == "/api/carbon/ledger");
  CHECK(parse({"carbon", "ledger", "TAG", "--from", "2026-12-01T00:00:00Z"}).target ==
        "/api/carbon/ledger?from=2026-12-01T00%3A00%3A00Z&account=TAG");
  auto redeem = parse({"carbon", "redeem", "TAG", "--points", "10", "--reason", "mug"});
  CHECK(redeem.target == "/api/carbon/accounts/TAG/redeem");
  CHECK(redeem.body == R"({"points":10,"reason":"mug"})");
  CHECK_THROWS_WITH(parse({"carbon", "redeem", "TAG", "--points", "ten"}),
                    Catch::Contains("--points needs an integer"));
  CHECK(parse({"carbon", "donate", "TAG", "--points", "5", "--to", "forest"}).body ==
        R"({"points":5,"to":"forest"})");
  auto report = parse({"carbon", "report", "--site", "HUB", "--month", "2026-12"});
  CHECK(report.target == "/api/carbon/report?site=HUB&month=2026-12");
  CHECK(report.format == Format::Record);
  auto csv = parse({"carbon", "report", "--site", "HUB", "--month", "2026-12", "--csv"});
  CHECK(csv.target == "/api/carbon/report?site=HUB&month=2026-12&format=csv");
  CHECK(csv.format == Format::Raw);
  auto bundle = parse({"carbon", "bundle", "--site", "HUB", "--month", "2026-12", "--out", "b"});
  CHECK(bundle.format == Format::Files);
  CHECK(bundle.output_file == "b");
  CHECK_THROWS_WITH(parse({"carbon", "bundle", "--site", "HUB", "--month", "2026-12"}),
                    Catch::Contains("--out DIR"));
}

TEST_CASE("csmsctl: a bundle answer's files must be plain names", "[csmsctl][carbon]") {
  auto files = csms::cli::answer_files(R"({"files":[{"name":"a.json","content":"{}"}]})");
  REQUIRE(files.size() == 1);
  CHECK(files[0].first == "a.json");
  CHECK_THROWS_AS(csms::cli::answer_files(R"({"files":[{"name":"../x","content":""}]})"),
                  InputError);
  CHECK_THROWS_AS(csms::cli::answer_files(R"({"files":[{"name":".hidden","content":""}]})"),
                  InputError);
  CHECK_THROWS_AS(csms::cli::answer_files(R"({"nope":1})"), InputError);
}

TEST_CASE("csmsctl: control characters are escaped for the terminal - printable UTF-8 is kept",
          "[csmsctl][security]") {
  using csms::cli::terminal_safe;
  CHECK(terminal_safe("plain ASCII, é and ☃") == "plain ASCII, é and ☃");
  CHECK(terminal_safe("\x1b]0;owned\x07") == "\\u001b]0;owned\\u0007");
  CHECK(terminal_safe("a\nb\tc\rd") == "a\\u000ab\\u0009c\\u000dd");
  CHECK(terminal_safe("del\x7f") == "del\\u007f");
  CHECK(terminal_safe("csi\xc2\x9b"
                      "31m") == "csi\\u009b31m");  // C1 CSI as UTF-8
  CHECK(terminal_safe("raw\x9b"
                      "31m") == "raw\\x9b31m");  // a lone 8-bit CSI byte
  CHECK(terminal_safe("cut\xe2\x98") == "cut\\xe2\\x98");
  CHECK(terminal_safe(std::string("nul\0!", 5)) == "nul\\u0000!");
}

TEST_CASE("csmsctl: station list and log print station-supplied text escaped, --json as is",
          "[csmsctl][security]") {
  const std::string stations =
      R"([{"id":"CP1","vendor":"\u001b]0;owned\u0007","model":"M\u009b2J","connected":true}])";
  const auto table = printed(parse({"station", "list"}), stations);
  CHECK(table.find('\x1b') == std::string::npos);
  CHECK(table.find('\x07') == std::string::npos);
  CHECK(table.find("\xc2\x9b") == std::string::npos);
  CHECK(table.find("\\u001b]0;owned\\u0007") != std::string::npos);
  const std::string log =
      R"([{"timestamp":"2026-01-01T00:00:00Z","direction":"in","frame":"[2,\"1\",\"X\",{\"a\":\"\u001b[2J\u007f\"}]"}])";
  const auto frames = printed(parse({"log", "CP1"}), log);
  CHECK(frames.find('\x1b') == std::string::npos);
  CHECK(frames.find('\x7f') == std::string::npos);
  CHECK(frames.find("\\u001b[2J\\u007f") != std::string::npos);
  // --json prints the API's answer, where JSON escapes do the same.
  auto json = parse({"station", "list", "--json"});
  CHECK(json.json);
}

TEST_CASE("the station CA commands map to their routes", "[csmsctl][ca]") {
  auto init = parse({"ca", "init", "--org", "Acme"});
  CHECK(init.method == "POST");
  CHECK(init.target == "/api/ca");
  CHECK(init.body == R"({"organization":"Acme"})");
  auto server =
      parse({"ca", "issue-server", "--dns", "a.lab,b.lab", "--ip", "10.0.0.1", "--out", "certs"});
  CHECK(server.target == "/api/ca/server-certificate");
  CHECK(server.body == R"({"dns":["a.lab","b.lab"],"ip":["10.0.0.1"]})");
  CHECK(server.format == csms::cli::Format::Files);
  CHECK(server.output_file == "certs");
  CHECK_THROWS_AS(parse({"ca", "issue-server", "--dns", "a.lab"}), csms::cli::UsageError);
  auto list = parse({"station", "certificates", "CP1", "--expired"});
  CHECK(list.method == "GET");
  CHECK(list.target == "/api/stations/CP1/certificates?expired=true");
  auto revoke =
      parse({"station", "revoke-certificate", "CP1", "0ABC", "--reason", "keyCompromise"});
  CHECK(revoke.target == "/api/stations/CP1/certificates/0ABC/revoke");
  CHECK(revoke.body == R"({"reason":"keyCompromise"})");
}

TEST_CASE("csmsctl --version prints its own version without asking the server", "[csmsctl]") {
  auto inv = parse({"--version"});
  CHECK(inv.version_only);
  CHECK(inv.target.empty());
  CHECK(parse({"--url", "http://h:1", "--version"}).version_only);
  CHECK_FALSE(parse({"version"}).version_only);
  CHECK(std::string(csms::kVersion).find('.') != std::string::npos);
}

TEST_CASE("csmsctl: --csv prints a list as RFC 4180 CSV with the field names as header",
          "[csmsctl][csv][output]") {
  auto inv = parse({"tx", "list", "--csv", "--limit", "2"});
  CHECK(inv.csv);
  CHECK(inv.target == "/api/transactions?limit=2");
  const std::string body =
      R"([{"id":7,"stationId":"CP,1","connectorId":1,"idTag":"say \"hi\"","startTime":"2026-01-01T00:00:00Z",)"
      R"("stopTime":null,"energyWh":12.5,"stopReason":"line\nbreak","extra":"dropped"}])";
  CHECK(printed(inv, body) ==
        "id,stationId,connectorId,idTag,startTime,stopTime,energyWh,stopReason\r\n"
        "7,\"CP,1\",1,\"say \"\"hi\"\"\",2026-01-01T00:00:00Z,,12.5,\"line\nbreak\"\r\n");
  // An empty list is the header alone.
  CHECK(printed(inv, "[]") ==
        "id,stationId,connectorId,idTag,startTime,stopTime,energyWh,stopReason\r\n");
  // Every list command takes it; the others refuse it before any request.
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"station", "list", "--csv"},
                                             {"idtag", "list", "--csv"},
                                             {"events", "--csv"},
                                             {"notifications", "--csv"},
                                             {"files", "list", "--csv"},
                                             {"reservation", "list", "--csv"},
                                             {"site", "list", "--csv"},
                                             {"carbon", "ledger", "--csv"},
                                             {"site", "circuit", "list", "S1", "--csv"}}) {
    INFO(args[0]);
    CHECK(parse(args).csv);
  }
  CHECK_THROWS_WITH(parse({"station", "show", "CP1", "--csv"}),
                    Catch::Contains("--csv is for the commands that print a table"));
  CHECK_THROWS_WITH(parse({"tx", "list", "--csv", "--json"}), Catch::Contains("not both"));
  // carbon report keeps its own --csv: the server's CSV as it comes.
  auto report = parse({"carbon", "report", "--site", "S1", "--month", "2026-01", "--csv"});
  CHECK(report.format == Format::Raw);
  CHECK_FALSE(report.csv);
}

TEST_CASE("csmsctl: CSV fields are quoted by RFC 4180 and never start a formula",
          "[csmsctl][csv]") {
  using csms::cli::csv_field;
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("") == "");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("a\"b") == "\"a\"\"b\"");
  CHECK(csv_field("a\r\nb") == "\"a\r\nb\"");
  CHECK(csv_field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"");
  CHECK(csv_field("+1") == "'+1");
  CHECK(csv_field("@SUM") == "'@SUM");
}

TEST_CASE("csmsctl: station CSV becomes the import array, bad rows named by line",
          "[csmsctl][csv]") {
  std::vector<std::size_t> lines;
  CHECK(csms::cli::stations_csv_to_json("id,password\n# comment\nCP1,long-enough-pass-1\n\n"
                                        "\"CP2\"\nCP3,\n",
                                        "s.csv", lines) ==
        R"([{"id":"CP1","password":"long-enough-pass-1"},{"id":"CP2"},{"id":"CP3"}])");
  CHECK(lines == std::vector<std::size_t>{3, 5, 6});
  const std::string bad =
      "CP1,long-enough-pass-1\n"
      "bad:id\n"
      "CP2,short\n"
      "CP1\n"
      "CP4,a,b\n"
      "\"CP5\n";
  try {
    csms::cli::stations_csv_to_json(bad, "s.csv", lines);
    FAIL("expected InputError");
  } catch (const InputError& e) {
    const std::string m = e.what();
    CHECK(m.find("s.csv:2: ") != std::string::npos);
    CHECK(m.find("s.csv:3: ") != std::string::npos);
    CHECK(m.find("short") == std::string::npos);  // The message never echoes a password.
    CHECK(m.find("s.csv:4: station \"CP1\" repeats line 1") != std::string::npos);
    CHECK(m.find("s.csv:5: expected at most 2 columns") != std::string::npos);
    CHECK(m.find("s.csv:6: unbalanced quotes") != std::string::npos);
    CHECK(m.find("nothing was imported") != std::string::npos);
  }
  const auto path = std::filesystem::temp_directory_path() /
                    ("csmsctl-stations-" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream out(path);
    out << "CP9,long-enough-pass-9\n";
  }
  auto inv = parse({"station", "import", path.string()});
  std::filesystem::remove(path);
  CHECK(inv.method == "POST");
  CHECK(inv.target == "/api/stations/import");
  CHECK(inv.input_lines == std::vector<std::size_t>{1});
}

TEST_CASE("csmsctl completion prints a script made from the command table", "[csmsctl]") {
  auto bash = parse({"completion", "bash"});
  CHECK(bash.help);  // Printed, no request.
  CHECK(bash.help_text.find("complete -F _csmsctl csmsctl") != std::string::npos);
  // Every command word and option of the table is offered.
  const std::string help = csms::cli::usage_text();
  for (const char* word : {"station", "idtag", "backup", "import", "--csv", "--active", "--out",
                           "set-limit", "--import-kw", "completion"})
    CHECK(bash.help_text.find(word) != std::string::npos);
  auto zsh = parse({"completion", "zsh"});
  CHECK(zsh.help_text.rfind("#compdef csmsctl", 0) == 0);
  CHECK(zsh.help_text.find("bashcompinit") != std::string::npos);
  CHECK_THROWS_AS(parse({"completion", "fish"}), UsageError);
  CHECK_THROWS_AS(parse({"completion"}), UsageError);
}
