// Certificate management of the 1.6 charge point (Security Whitepaper):
// InstallCertificate, GetInstalledCertificateIds, DeleteCertificate,
// CertificateSigned, and the SignCertificateRequest it sends with a real CSR.
#include <utility>

#include "ocpp/v16/codec.hpp"
#include "rpc.hpp"
#include "simulator/v16/charge_point.hpp"

namespace simulator::v16 {

using namespace ocpp::v16;

namespace {

constexpr const char* kChargePointCertificate = "ChargePointCertificate";

template <typename Request, typename Fn>
CallAnswer answer(const ocpp::Frame& call, Fn&& fn) {
  return simulator::answer<Request>(call, ocpp::Version::v16, std::forward<Fn>(fn));
}

CertificateHashDataType wire_hash(const CertificateHash& h) {
  CertificateHashDataType out;
  out.hashAlgorithm = HashAlgorithmEnumType::SHA256;
  out.issuerNameHash = h.issuer_name_hash;
  out.issuerKeyHash = h.issuer_key_hash;
  out.serialNumber = h.serial_number;
  return out;
}

}  // namespace

CallAnswer ChargePoint::on_install_certificate(const ocpp::Frame& call) {
  return answer<InstallCertificateRequest>(call, [this](const auto& req) {
    Outcome<InstallCertificateResponse> out{{}, {}};
    std::string error;
    if (certificates_.install(std::string(to_string(req.certificateType)), req.certificate, false,
                              error)) {
      out.response.status = InstallCertificateStatusEnumType::Accepted;
      log_.info("installed a {}", to_string(req.certificateType));
      if (req.certificateType == CertificateUseEnumType::CentralSystemRootCertificate) {
        // From the next connection on these verify the CSMS (unless --ca-file says otherwise).
        std::string roots;
        for (const InstalledCertificate* c : certificates_.list({"CentralSystemRootCertificate"}))
          roots += c->pem;
        link_.set_installed_roots(roots);
      }
    } else {
      out.response.status = InstallCertificateStatusEnumType::Rejected;
      log_.warn("InstallCertificate rejected: {}", error);
    }
    return out;
  });
}

CallAnswer ChargePoint::on_get_installed_certificate_ids(const ocpp::Frame& call) {
  return answer<GetInstalledCertificateIdsRequest>(call, [this](const auto& req) {
    Outcome<GetInstalledCertificateIdsResponse> out{{}, {}};
    std::vector<CertificateHashDataType> hashes;
    for (const InstalledCertificate* c :
         certificates_.list({std::string(to_string(req.certificateType))}))
      hashes.push_back(wire_hash(c->hash));
    out.response.status = hashes.empty() ? GetInstalledCertificateStatusEnumType::NotFound
                                         : GetInstalledCertificateStatusEnumType::Accepted;
    if (!hashes.empty()) out.response.certificateHashData = std::move(hashes);
    return out;
  });
}

CallAnswer ChargePoint::on_delete_certificate(const ocpp::Frame& call) {
  return answer<DeleteCertificateRequest>(call, [this](const auto& req) {
    Outcome<DeleteCertificateResponse> out{{}, {}};
    const auto& h = req.certificateHashData;
    // Identities are kept as SHA-256 hashes: another algorithm names none of them.
    out.response.status =
        h.hashAlgorithm != HashAlgorithmEnumType::SHA256
            ? DeleteCertificateStatusEnumType::NotFound
            : delete_status<DeleteCertificateStatusEnumType>(certificates_.delete_unless_own(
                  {h.issuerNameHash, h.issuerKeyHash, h.serialNumber}, kChargePointCertificate));
    return out;
  });
}

CallAnswer ChargePoint::on_certificate_signed(const ocpp::Frame& call) {
  return answer<CertificateSignedRequest>(call, [this](const auto& req) {
    Outcome<CertificateSignedResponse> out{{}, {}};
    std::string error;
    bool reconnect = false;
    // The chain must carry the key of our CSR: else it is someone else's certificate.
    if (install_client_certificate(req.certificateChain, error, reconnect) &&
        certificates_.install(kChargePointCertificate, req.certificateChain, true, error)) {
      out.response.status = CertificateSignedStatusEnumType::Accepted;
      events_.emit(Event("certificate_signed").add("certificateType", kChargePointCertificate));
      if (reconnect) out.then = [this] { reconnect_with_new_credentials(); };
    } else {
      out.response.status = CertificateSignedStatusEnumType::Rejected;
      log_.warn("CertificateSigned rejected: {}", error);
    }
    return out;
  });
}

void ChargePoint::send_sign_certificate() {
  if (!ready()) return;  // before an accepted boot only the boot goes out
  std::string error;
  SignCertificateRequest req;
  std::string key_pem;
  req.csr = make_csr(settings_.id, settings_.vendor, error, &key_pem);
  if (req.csr.empty()) {
    emit_error("cannot make a CSR: " + error);
    return;
  }
  credentials_.csr_key_pem = std::move(key_pem);
  OutgoingCall c = make_call(req);
  c.on_reply = [this](const CallReply& reply) {
    Event e("sign_certificate");
    e.add("certificateType", kChargePointCertificate);
    if (!reply.ok()) {
      log_.warn("SignCertificate {}", describe_failure(reply));
      e.add("error", describe_failure(reply));
    } else {
      std::string why;
      auto res = decode<SignCertificateResponse>(*reply.result, why);
      if (!res) {
        emit_error("SignCertificate answer invalid: " + why);
        return;
      }
      e.add("status", to_string(res->status));
    }
    events_.emit(e);
  };
  messenger_.call(std::move(c));
}

}  // namespace simulator::v16
