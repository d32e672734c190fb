// The OCPP 1.6 Security Whitepaper's certificate commands: InstallCertificate,
// GetInstalledCertificateIds, DeleteCertificate and CertificateSigned, with the
// same names and parameters as on 2.0.1 stations where the meaning matches.
#include "handlers/certificate_support.hpp"
#include "handlers/v16/commands.hpp"
#include "ocpp/v16/codec.hpp"

namespace csms::v16 {

namespace w = ocpp::v16;

namespace {

constexpr const char* kTypes = "CentralSystemRootCertificate, ManufacturerRootCertificate";

// A 1.6 CertificateUse; the 2.0.1 spelling of the CSMS root gets a pointed message.
std::optional<w::CertificateUseEnumType> certificate_use(Params& p, const std::string& name) {
  w::CertificateUseEnumType t{};
  if (from_string(name, t)) return t;
  if (name == "CSMSRootCertificate")
    p.fail(
        "'CSMSRootCertificate' is the OCPP 2.0.1 name; OCPP 1.6 stations take "
        "CentralSystemRootCertificate");
  else
    p.fail("'" + name + "' is not an OCPP 1.6 certificate type; use one of " + kTypes);
  return std::nullopt;
}

void cert_install(StationSession& session, Params& p, CommandDone done) {
  p.allow({"type", "certificate"});
  w::InstallCertificateRequest req;
  if (auto t = p.string("type", true)) {
    if (auto use = certificate_use(p, *t)) req.certificateType = *use;
  }
  auto pem = pem_param(p, "certificate", kCertificateMax, false);
  if (!p.ok()) return;
  req.certificate = *pem;
  send(session, req, std::move(done));
}

void cert_list(StationSession& session, Params& p, CommandDone done) {
  p.allow({"type", "keys"});
  auto type = p.first_word_or("type");
  if (p.ok() && p.strings("keys").size() + (p.string("type", false) ? 1 : 0) > 1)
    return p.fail("an OCPP 1.6 station lists one certificate type at a time");
  if (p.ok() && !type)
    return p.fail(std::string("cert-list on an OCPP 1.6 station needs the type: ") + kTypes);
  w::GetInstalledCertificateIdsRequest req;
  if (type) {
    if (auto use = certificate_use(p, *type)) req.certificateType = *use;
  }
  if (!p.ok()) return;
  send(session, req, std::move(done));
}

void cert_delete(StationSession& session, Params& p, CommandDone done) {
  p.allow({"hashAlgorithm", "issuerNameHash", "issuerKeyHash", "serial", "serialNumber"});
  w::DeleteCertificateRequest req;
  auto& h = req.certificateHashData;
  h.hashAlgorithm =
      p.enumeration<w::HashAlgorithmEnumType>("hashAlgorithm", false, "SHA256, SHA384, SHA512")
          .value_or(w::HashAlgorithmEnumType::SHA256);
  if (auto v = hex_param(p, "issuerNameHash", kHashMax)) h.issuerNameHash = *v;
  if (auto v = hex_param(p, "issuerKeyHash", kHashMax)) h.issuerKeyHash = *v;
  if (auto v = serial_param(p)) h.serialNumber = *v;
  if (!p.ok()) return;
  send(session, req, std::move(done));
}

void cert_signed(StationSession& session, Params& p, CommandDone done) {
  p.allow({"certificateChain", "certificate"},
          {{"type", "an OCPP 1.6 station signs only its charge point certificate"}});
  w::CertificateSignedRequest req;
  if (p.ok() && p.string("certificate", false))
    return p.fail("cert-signed takes 'certificateChain' (csmsctl: --certificate-chain or --file)");
  auto pem = pem_param(p, "certificateChain", kCertificateChainMax, true);
  if (!p.ok()) return;
  req.certificateChain = *pem;
  send(session, req, std::move(done));
}

}  // namespace

void add_certificate_commands(CommandTable& table) {
  table["cert-install"] = [](Services&, StationSession& s, Params& p, CommandDone done) {
    cert_install(s, p, std::move(done));
  };
  table["cert-list"] = [](Services&, StationSession& s, Params& p, CommandDone done) {
    cert_list(s, p, std::move(done));
  };
  table["cert-delete"] = [](Services&, StationSession& s, Params& p, CommandDone done) {
    cert_delete(s, p, std::move(done));
  };
  table["cert-signed"] = [](Services&, StationSession& s, Params& p, CommandDone done) {
    cert_signed(s, p, std::move(done));
  };
  // Installing, deleting and issuing a station's certificates is the CA's and
  // the security settings' business: admin only.
  for (const char* name : {"cert-install", "cert-delete", "cert-signed"})
    table[name].role = Role::Admin;
}

}  // namespace csms::v16
