// Named admin API tokens and roles end to end: csmsctl with a viewer token can
// list but not send a command (403), an operator can, a revoked token gets
// 401 at once, and csmsctl audit lists what happened, without the tokens.
#include <catch2/catch.hpp>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

/// csmsctl token create NAME --role ROLE: the token it printed once.
std::string create_token(Csms& csms, const std::string& name, const std::string& role) {
  auto doc = csms.ctl_json({"token", "create", name, "--role", role});
  REQUIRE(doc.HasMember("token"));
  return str(doc["token"]);
}

RunResult as(Csms& csms, const std::string& token, std::vector<std::string> args) {
  args.insert(args.begin(), {"--token", token});
  return csms.ctl(args);
}

}  // namespace

TEST_CASE("admin roles end to end: viewer reads, operator commands, revoked is refused, audited",
          "[e2e][admin][roles]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "ROLE1"}).code == 0);
  Sim sim(csms, "ROLE1");
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  const std::string viewer = create_token(csms, "viewer1", "viewer");
  const std::string op = create_token(csms, "operator1", "operator");

  // The viewer lists stations but may not send a command.
  auto list = as(csms, viewer, {"station", "list"});
  CHECK(list.code == 0);
  CHECK(list.out.find("ROLE1") != std::string::npos);
  auto refused = as(csms, viewer, {"cmd", "ROLE1", "clear-cache"});
  CHECK(refused.code != 0);
  INFO(refused.out << refused.err);
  CHECK((refused.out + refused.err).find("operator role") != std::string::npos);

  // The operator may; not a security command, nor the token list.
  auto sent = as(csms, op, {"cmd", "ROLE1", "clear-cache", "--json"});
  INFO(sent.out << sent.err);
  CHECK(sent.code == 0);
  CHECK(sent.out.find("Accepted") != std::string::npos);
  CHECK(as(csms, op, {"token", "list"}).code != 0);

  // The list never shows a token.
  auto tokens = csms.ctl({"token", "list"});
  CHECK(tokens.code == 0);
  CHECK(tokens.out.find("operator1") != std::string::npos);
  CHECK(tokens.out.find(op) == std::string::npos);
  CHECK(tokens.out.find(viewer) == std::string::npos);

  // Revoked: refused at once.
  REQUIRE(csms.ctl({"token", "revoke", "operator1"}).code == 0);
  auto revoked = as(csms, op, {"station", "list"});
  CHECK(revoked.code != 0);
  CHECK((revoked.out + revoked.err).find("invalid bearer token") != std::string::npos);

  // The audit log tells who did what.
  auto audit = csms.ctl_json({"audit", "--limit", "50"});
  REQUIRE(audit.IsArray());
  bool viewer_refused = false, operator_sent = false, revocation = false, unauthenticated = false;
  for (const auto& e : audit.GetArray()) {
    const std::string path = str(e["path"]);
    const int status = e["status"].GetInt();
    if (str(e["token"]) == "viewer1" && status == 403) viewer_refused = true;
    if (str(e["token"]) == "operator1" && path == "/api/stations/ROLE1/commands/clear-cache" &&
        status == 200 && str(e["result"]) == "Accepted")
      operator_sent = true;
    if (str(e["token"]) == "bootstrap" && path == "/api/tokens/operator1") revocation = true;
    if (status == 401 && str(e["token"]).empty()) unauthenticated = true;
  }
  CHECK(viewer_refused);
  CHECK(operator_sent);
  CHECK(revocation);
  CHECK(unauthenticated);
  auto text = csms.ctl({"audit"});
  CHECK(text.code == 0);
  CHECK(text.out.find(op) == std::string::npos);
  CHECK(text.out.find(csms.token()) == std::string::npos);

  // Named tokens survive a restart.
  csms.stop();
  csms.restart();
  CHECK(as(csms, viewer, {"station", "list"}).code == 0);
  CHECK(as(csms, op, {"station", "list"}).code != 0);
}
