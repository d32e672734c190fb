// The station certificate authority's routes: create and show the CA, a lab
// server certificate, a station's certificates and their revocation.

#include <ctime>

#include "admin/api.hpp"
#include "admin/bodies.hpp"
#include "admin/json_out.hpp"
#include "admin/request.hpp"
#include "services/ca_service.hpp"

namespace csms::admin {

namespace {

CaService& ca_of(CommandGateway& gateway) {
  CaService* ca = gateway.ca();
  if (ca == nullptr) throw ApiError(503, "this server has no station certificate authority");
  return *ca;
}

void certificate_object(JsonOut& out, const storage::IssuedCertificate& c) {
  out.object();
  out.key("serial").str(c.serial);
  out.key("stationId").str(c.station_id);
  out.key("subject").str(c.subject);
  out.key("notBefore").time(c.not_before);
  out.key("notAfter").time(c.not_after);
  out.key("sha256").str(c.sha256);
  out.key("issuedAt").time(c.issued_at);
  out.key("how").str(c.how);
  out.key("delivery").str_or_null(c.delivery);
  out.key("revoked").flag(c.revoked_at.has_value());
  out.key("revokedAt").time(c.revoked_at);
  out.key("revocationReason").str_or_null(c.revocation_reason);
  out.key("pem").str(c.pem);
  out.end_object();
}

void ca_object(JsonOut& out, const CaService& ca) {
  const auto* authority = ca.authority();
  out.object();
  out.key("certFile").str(ca.cert_file());
  out.key("crlFile").str(ca.crl_file());
  out.key("subject").str(authority->facts().subject);
  out.key("serial").str(authority->facts().serial);
  out.key("notAfter")
      .time(storage::DateTime::from_unix_micros(authority->facts().not_after * 1000000));
  out.key("sha256").str(authority->facts().sha256);
  out.key("pem").str(authority->certificate_pem());
  out.end_object();
}

}  // namespace

void Api::ca_show(Call& call) {
  no_query(call.request);
  auto& ca = ca_of(deps_.commands);
  if (ca.authority() == nullptr)
    throw ApiError(404, deps_.config.ca_external_command.empty()
                            ? "no station CA: create one with csmsctl ca init --org ORG"
                            : "station certificates are signed by ca.external_command; "
                              "there is no built-in CA");
  JsonOut out;
  ca_object(out, ca);
  call.reply(json_response(200, out.text()));
}

void Api::ca_init(Call& call) {
  no_query(call.request);
  auto body = parse_body(call.request.body, false);
  expect_object(body, "", bodies::ca_init);
  const auto org = required_string(body, "organization", "");
  if (org.empty() || org.size() > 64)
    throw ApiError(400, "organization must be 1 to 64 characters");
  auto& ca = ca_of(deps_.commands);
  ca.init(org, [reply = call.reply, &ca](std::string problem) {
    if (!problem.empty()) {
      const unsigned status = problem.find("already") != std::string::npos ? 409 : 500;
      return reply(error_response(status, problem));
    }
    JsonOut out;
    ca_object(out, ca);
    reply(json_response(201, out.text()));
  });
}

void Api::ca_issue_server(Call& call) {
  no_query(call.request);
  auto body = parse_body(call.request.body, false);
  expect_object(body, "", bodies::server_certificate);
  std::vector<std::string> dns;
  std::vector<std::string> ips;
  for (auto [name, list] : {std::pair<const char*, std::vector<std::string>*>{"dns", &dns},
                            std::pair<const char*, std::vector<std::string>*>{"ip", &ips}}) {
    if (!body.HasMember(name)) continue;
    const auto& v = body[name];
    if (!v.IsArray()) throw ApiError(400, std::string(name) + " must be an array of strings");
    for (const auto& item : v.GetArray()) {
      if (!item.IsString() || item.GetStringLength() == 0 || item.GetStringLength() > 253)
        throw ApiError(400, std::string(name) + " must hold non-empty strings");
      list->emplace_back(item.GetString(), item.GetStringLength());
    }
  }
  if (dns.empty() && ips.empty()) throw ApiError(400, "give at least one dns name or ip address");
  ca_of(deps_.commands)
      .issue_server(dns, ips,
                    [reply = call.reply](std::string problem, security::ServerCertificate cert) {
                      if (!problem.empty()) {
                        const unsigned status = problem.find("not a") != std::string::npos ||
                                                        problem.find("needs") != std::string::npos
                                                    ? 400
                                                    : 409;
                        return reply(error_response(status, problem));
                      }
                      JsonOut out;
                      out.object().key("files").array();
                      out.object().key("name").str("server.pem");
                      out.key("content").str(cert.chain_pem).end_object();
                      out.object().key("name").str("server.key");
                      out.key("content").str(cert.key_pem).end_object();
                      out.end_array().end_object();
                      reply(json_response(200, out.text()));
                    });
}

void Api::station_certificates(Call& call) {
  const Query query(call.request, {"expired"});
  const bool expired_only = query.flag("expired").value_or(false);
  read_station(
      call.reply, call.params[0],
      [](storage::Session& s, const std::string& id) { return s.certificates.for_station(id); },
      [expired_only](const std::vector<storage::IssuedCertificate>& certificates) {
        const auto now = storage::DateTime::now().unix_micros();
        JsonOut out;
        out.array();
        for (const auto& c : certificates) {
          if (expired_only && c.not_after.unix_micros() > now) continue;
          certificate_object(out, c);
        }
        out.end_array();
        return json_response(200, out.text());
      });
}

void Api::revoke_station_certificate(Call& call) {
  no_query(call.request);
  auto body = parse_body(call.request.body, true);
  expect_object(body, "", bodies::revoke_certificate);
  const std::string reason = optional_string(body, "reason", "").value_or("unspecified");
  if (reason.size() > 200) throw ApiError(400, "reason must be at most 200 characters");
  const std::string id = call.params[0];
  std::string serial = call.params[1];
  for (auto& ch : serial) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (serial.empty() || serial.size() > 40 ||
      serial.find_first_not_of("0123456789ABCDEF") != std::string::npos)
    throw ApiError(400, "the serial must be 1 to 40 hexadecimal digits");
  ca_of(deps_.commands)
      .revoke(id, serial, reason,
              [reply = call.reply, serial](unsigned status, std::string problem) {
                if (status != 0) return reply(error_response(status, problem));
                JsonOut out;
                out.object().key("serial").str(serial).key("revoked").flag(true).end_object();
                reply(json_response(200, out.text()));
              });
}

}  // namespace csms::admin
