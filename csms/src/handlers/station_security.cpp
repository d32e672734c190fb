#include "handlers/station_security.hpp"

#include <openssl/rand.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "csms/log.hpp"
#include "services/services.hpp"
#include "storage/stores.hpp"

namespace csms {

namespace {

// OCPP 2.0.1 passwordString characters (as identifierString).
bool password_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("*-_=:+|@.").find(c) != std::string_view::npos;
}

std::string json_object(const std::function<void(rapidjson::Document&)>& fill) {
  rapidjson::Document doc;
  doc.SetObject();
  fill(doc);
  return ocpp::to_compact_json(doc);
}

rapidjson::Value text(const std::string& s, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value v;
  v.SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
  return v;
}

}  // namespace

std::string check_rotation_password(const std::string& version, std::string_view password) {
  if (version == "1.6") {
    if (password.size() < 16 || password.size() > 20)
      return "an OCPP 1.6 station password (AuthorizationKey) is 16 to 20 bytes";
    for (char c : password)
      if (c < 0x21 || c > 0x7e) return "a station password must be printable ASCII without spaces";
    return "";
  }
  if (password.size() < 16 || password.size() > 40)
    return "an OCPP 2.0.1 station password (BasicAuthPassword) is 16 to 40 characters";
  for (char c : password)
    if (!password_char(c))
      return "an OCPP 2.0.1 station password may hold letters, digits and * - _ = : + | @ . only";
  return "";
}

std::string generate_station_password(const std::string& version) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  // The longest each version takes: 20 or 40 characters of 62 (119 / 238 bits).
  const std::size_t length = version == "1.6" ? 20 : 40;
  std::string out;
  while (out.size() < length) {
    unsigned char b[64];
    if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("no random bytes for a password");
    for (unsigned char c : b) {
      // Rejection sampling keeps every character equally likely.
      if (c >= 248) continue;
      out.push_back(kAlphabet[c % kAlphabet.size()]);
      if (out.size() == length) break;
    }
  }
  return out;
}

std::string hex_encode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(kHex[u >> 4]);
    out.push_back(kHex[u & 15]);
  }
  return out;
}

std::string answered_status(const std::string& response_json) {
  rapidjson::Document doc;
  if (ocpp::parse_json(response_json, doc).IsError() || !doc.IsObject()) return "";
  if (auto it = doc.FindMember("status"); it != doc.MemberEnd() && it->value.IsString())
    return it->value.GetString();
  for (const char* list : {"setVariableResult", "getVariableResult"}) {
    auto it = doc.FindMember(list);
    if (it == doc.MemberEnd() || !it->value.IsArray() || it->value.Empty()) continue;
    const auto& first = it->value[0];
    if (first.IsObject() && first.HasMember("attributeStatus") &&
        first["attributeStatus"].IsString())
      return first["attributeStatus"].GetString();
  }
  return "";
}

std::optional<std::string> rotation_password(Params& p) {
  p.allow({"password"});
  auto given = p.string("password", false);
  if (!p.ok()) return std::nullopt;
  if (given) {
    if (auto problem = check_rotation_password(p.version(), *given); !problem.empty()) {
      p.fail(problem);
      return std::nullopt;
    }
    return given;
  }
  return generate_station_password(p.version());
}

CommandDone after_rotation(Services& sv, const std::string& station, std::string password,
                           CommandDone done) {
  return [&sv, station, password = std::move(password), done](CommandResult r) {
    if (r.error != CommandError::None) {
      r.message = (r.message.empty() ? std::string("no answer") : r.message) +
                  "; the station's old password stays";
      log::warn("{}: password rotation not answered: the old password stays", station);
      return done(std::move(r));
    }
    const std::string status = answered_status(r.response_json);
    auto answer = [r, status](bool replaced, const std::string& message) mutable {
      r.response_json = json_object([&](rapidjson::Document& d) {
        auto& a = d.GetAllocator();
        d.AddMember("status", text(status, a), a);
        d.AddMember("passwordReplaced", replaced, a);
        d.AddMember("message", text(message, a), a);
      });
      return r;
    };
    if (status != "Accepted") {
      log::warn("{}: password rotation answered {}: the old password stays", station, status);
      return done(
          answer(false, "the station answered " + status + ": the CSMS keeps its old password"));
    }
    try {
      sv.ctx.registry.set_password(
          station, password, [station, done, answer](std::exception_ptr e) mutable {
            if (e) {
              log::error("{}: the station accepted a new password the CSMS could not store",
                         station);
              return done(answer(false,
                                 "the station accepted the new password but the CSMS could not "
                                 "store it: rotate again"));
            }
            log::info("{}: station password rotated", station);
            done(answer(true, "the station accepted the new password; the CSMS now takes only it"));
          });
    } catch (const std::exception& e) {
      done(answer(false, std::string("the new password was not stored: ") + e.what()));
    }
  };
}

std::optional<UpgradePlan> upgrade_plan(Services& sv, const std::string& station, Params& p) {
  p.allow({"to", "rootCertificate", "force"});
  UpgradePlan plan;
  auto to = p.integer("to", true);
  auto pem = p.string("rootCertificate", false);
  plan.force = p.flag("force");
  if (!p.ok()) return std::nullopt;
  plan.from = sv.ctx.registry.security_profile(station);
  plan.to = static_cast<int>(*to);
  if (plan.to < 2 || plan.to > 3) {
    p.fail("'to' must be 2 or 3");
    return std::nullopt;
  }
  if (plan.to <= plan.from) {
    p.fail("station is on security profile " + std::to_string(plan.from) +
           " already: upgrade-security only raises it (lower it with station set "
           "--allow-downgrade)");
    return std::nullopt;
  }
  if (plan.to == 2 && !sv.ctx.registry.has_password(station)) {
    p.fail("security profile 2 needs a password: set one first (station rotate-password)");
    return std::nullopt;
  }
  if (sv.ctx.config.ocpp_tls_public_url.rfind("wss://", 0) != 0) {
    p.fail("ocpp.tls_public_url is not a wss:// URL: the station needs the URL to move to");
    return std::nullopt;
  }
  if (pem) {
    plan.root_pem = *pem;
  } else if (!sv.ctx.config.tls_cert_file.empty()) {
    // The last certificate of the server's chain is the root stations must trust.
    std::ifstream in(sv.ctx.config.tls_cert_file);
    std::stringstream all;
    all << in.rdbuf();
    const std::string chain = all.str();
    const auto begin = chain.rfind("-----BEGIN CERTIFICATE-----");
    const auto end =
        chain.find("-----END CERTIFICATE-----", begin == std::string::npos ? 0 : begin);
    if (begin != std::string::npos && end != std::string::npos)
      plan.root_pem = chain.substr(begin, end + 25 - begin) + "\n";
  }
  if (plan.root_pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    p.fail(
        "no root certificate to install: pass rootCertificate (csmsctl --root-cert FILE) or set "
        "tls.cert_file");
    return std::nullopt;
  }
  if (plan.to == 3 && plan.force)
    plan.warnings.push_back(
        "forced: the station was not checked for a valid client certificate from the station "
        "CA; without one it cannot reconnect on profile 3");
  return plan;
}

std::string client_certificate_problem(const std::vector<storage::IssuedCertificate>& certificates,
                                       std::int64_t now_micros) {
  if (certificates.empty())
    return "the station holds no certificate from the station CA: have it sign one first "
           "(a SignCertificate, e.g. triggered with cmd ID trigger SignChargePointCertificate)";
  std::string why;
  for (const auto& c : certificates) {  // newest first: the first reason is the newest's
    std::string problem;
    if (c.revoked_at)
      problem = "revoked";
    else if (c.not_after.unix_micros() <= now_micros)
      problem = "expired";
    else if (c.not_before.unix_micros() > now_micros)
      problem = "not valid yet";
    else if (c.delivery != "Accepted")
      problem = c.delivery.empty() ? "not delivered yet"
                                   : "not installed (the station answered " + c.delivery + ")";
    if (problem.empty()) return "";
    if (why.empty()) why = "its newest certificate (serial " + c.serial + ") is " + problem;
  }
  return "the station holds no valid certificate from the station CA: " + why +
         "; have it sign a new one, or pass --force";
}

void when_certificate_checked(Services& sv, const std::string& station, const UpgradePlan& plan,
                              std::function<void(std::string problem)> next) {
  if (plan.to < 3 || plan.force) return next("");
  auto list = std::make_shared<std::vector<storage::IssuedCertificate>>();
  sv.ctx.db.read(
      [list, station](storage::Session& s) { *list = s.certificates.for_station(station); },
      sv.ctx.on_io([list, next = std::move(next)](std::exception_ptr error) {
        if (error) return next("the station's certificates could not be read; try again");
        // X.509 validity is stamped from the machine's clock: check it on that.
        next(client_certificate_problem(*list, storage::DateTime::now().unix_micros()));
      }));
}

void run_upgrade(const UpgradePlan& plan, std::vector<UpgradeStep> steps, CommandDone done) {
  struct State {
    UpgradePlan plan;
    std::vector<UpgradeStep> steps;
    std::size_t next = 0;
    std::vector<std::pair<std::string, std::string>> answers;  // step, status
    CommandDone done;
  };
  auto state = std::make_shared<State>(State{plan, std::move(steps), 0, {}, std::move(done)});
  auto finish = [](const std::shared_ptr<State>& s, const std::string& failed) {
    CommandResult r;
    r.action = "UpgradeSecurity";
    const bool completed = failed.empty();
    const std::string message =
        completed ? "every step accepted: the station reconnects on profile " +
                        std::to_string(s->plan.to) + ", which the CSMS then records"
                  : "stopped: " + failed + " was not accepted";
    r.response_json = json_object([&](rapidjson::Document& d) {
      auto& a = d.GetAllocator();
      d.AddMember("from", s->plan.from, a);
      d.AddMember("to", s->plan.to, a);
      d.AddMember("completed", completed, a);
      rapidjson::Value list(rapidjson::kArrayType);
      for (const auto& [step, status] : s->answers) {
        rapidjson::Value o(rapidjson::kObjectType);
        o.AddMember("step", text(step, a), a);
        o.AddMember("status", text(status, a), a);
        list.PushBack(o, a);
      }
      d.AddMember("steps", list, a);
      rapidjson::Value warnings(rapidjson::kArrayType);
      for (const auto& w : s->plan.warnings) warnings.PushBack(text(w, a), a);
      d.AddMember("warnings", warnings, a);
      d.AddMember("message", text(message, a), a);
    });
    s->done(std::move(r));
  };
  auto step = std::make_shared<std::function<void()>>();
  *step = [state, finish, step] {
    const UpgradeStep& current = state->steps[state->next++];
    const std::string name = current.name;
    current.run([state, finish, step, name](CommandResult r) {
      std::string status;
      if (r.error == CommandError::None)
        status = answered_status(r.response_json);
      else
        status = r.error == CommandError::Timeout ? "no answer" : "failed: " + r.message;
      if (status.empty()) status = "Accepted";  // a step with nothing to accept
      state->answers.emplace_back(name, status);
      const bool last = state->next == state->steps.size();
      if (status != "Accepted" || last) {
        auto keep = step;  // the chain ends here: break the cycle after finishing
        finish(state, status != "Accepted" ? name : "");
        *keep = nullptr;
        return;
      }
      (*step)();
    });
  };
  (*step)();
}

}  // namespace csms
