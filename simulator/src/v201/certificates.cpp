// Certificate management of the 2.0.1 charging station: InstallCertificate,
// GetInstalledCertificateIds, DeleteCertificate, CertificateSigned, and the
// SignCertificateRequest a TriggerMessage asks for (with a real CSR).
#include <utility>

#include <fmt/format.h>

#include "ocpp/v201/codec.hpp"
#include "rpc.hpp"
#include "simulator/v201/charging_station.hpp"
#include "v201/commands.hpp"

namespace simulator::v201 {

using namespace ocpp::v201;

namespace {

// Where CertificateSigned puts what it gets: the V2G chain is listed by
// GetInstalledCertificateIds, the station's own certificate is not.
constexpr const char* kStationCertificate = "ChargingStationCertificate";

CertificateHashDataType wire_hash(const CertificateHash& h) {
  CertificateHashDataType out;
  out.hashAlgorithm = HashAlgorithmEnumType::SHA256;
  out.issuerNameHash = h.issuer_name_hash;
  out.issuerKeyHash = h.issuer_key_hash;
  out.serialNumber = h.serial_number;
  return out;
}

}  // namespace

CallAnswer ChargingStation::on_install_certificate(const ocpp::Frame& call) {
  return answer<InstallCertificateRequest>(call, [this](const auto& req) {
    Outcome<InstallCertificateResponse> out{{}, {}};
    std::string error;
    if (certificates_.install(std::string(to_string(req.certificateType)), req.certificate, false,
                              error)) {
      out.response.status = InstallCertificateStatusEnumType::Accepted;
      log_.info("installed a {}", to_string(req.certificateType));
      if (req.certificateType == InstallCertificateUseEnumType::CSMSRootCertificate) {
        // From the next connection on these verify the CSMS (unless --ca-file says otherwise).
        std::string roots;
        for (const InstalledCertificate* c : certificates_.list({"CSMSRootCertificate"}))
          roots += c->pem;
        link_.set_installed_roots(roots);
      }
    } else {
      out.response.status = InstallCertificateStatusEnumType::Rejected;
      out.response.statusInfo = status_info("InvalidCertificate", error);
    }
    return out;
  });
}

CallAnswer ChargingStation::on_get_installed_certificate_ids(const ocpp::Frame& call) {
  return answer<GetInstalledCertificateIdsRequest>(call, [this](const auto& req) {
    Outcome<GetInstalledCertificateIdsResponse> out{{}, {}};
    std::vector<std::string> types;
    if (req.certificateType) {
      for (auto t : *req.certificateType) types.emplace_back(to_string(t));
    }
    std::vector<CertificateHashDataChainType> chains;
    for (const InstalledCertificate* c : certificates_.list(types)) {
      CertificateHashDataChainType chain;
      if (!from_string(c->type, chain.certificateType)) continue;  // the station's own
      chain.certificateHashData = wire_hash(c->hash);
      if (!c->children.empty()) {
        std::vector<CertificateHashDataType> children;
        for (const auto& h : c->children) children.push_back(wire_hash(h));
        chain.childCertificateHashData = std::move(children);
      }
      chains.push_back(std::move(chain));
    }
    out.response.status = chains.empty() ? GetInstalledCertificateStatusEnumType::NotFound
                                         : GetInstalledCertificateStatusEnumType::Accepted;
    if (!chains.empty()) out.response.certificateHashDataChain = std::move(chains);
    return out;
  });
}

CallAnswer ChargingStation::on_delete_certificate(const ocpp::Frame& call) {
  return answer<DeleteCertificateRequest>(call, [this](const auto& req) {
    Outcome<DeleteCertificateResponse> out{{}, {}};
    const auto& h = req.certificateHashData;
    // Identities are kept as SHA-256 hashes: another algorithm names none of them.
    out.response.status =
        h.hashAlgorithm != HashAlgorithmEnumType::SHA256
            ? DeleteCertificateStatusEnumType::NotFound
            : delete_status<DeleteCertificateStatusEnumType>(certificates_.delete_unless_own(
                  {h.issuerNameHash, h.issuerKeyHash, h.serialNumber}, kStationCertificate));
    return out;
  });
}

CallAnswer ChargingStation::on_certificate_signed(const ocpp::Frame& call) {
  return answer<CertificateSignedRequest>(call, [this](const auto& req) {
    Outcome<CertificateSignedResponse> out{{}, {}};
    const bool v2g = req.certificateType == CertificateSigningUseEnumType::V2GCertificate;
    std::string error;
    bool reconnect = false;
    // The station's own certificate must carry the key of its CSR (A02/A03);
    // the next connection uses it, so reconnect promptly under profile 3.
    if ((v2g || install_client_certificate(req.certificateChain, error, reconnect)) &&
        certificates_.install(v2g ? "V2GCertificateChain" : kStationCertificate,
                              req.certificateChain, true, error)) {
      out.response.status = CertificateSignedStatusEnumType::Accepted;
      events_.emit(Event("certificate_signed")
                       .add("certificateType", v2g ? "V2GCertificate" : kStationCertificate));
      if (reconnect) out.then = [this] { reconnect_with_new_credentials(); };
    } else {
      out.response.status = CertificateSignedStatusEnumType::Rejected;
      out.response.statusInfo = status_info("InvalidCertChain", error);
    }
    return out;
  });
}

void ChargingStation::send_sign_certificate(std::optional<CertificateSigningUseEnumType> type) {
  std::string error;
  SignCertificateRequest req;
  std::string key_pem;
  req.csr = make_csr(settings_.id, settings_.vendor, error, &key_pem);
  if (req.csr.empty()) {
    emit_error("cannot make a CSR: " + error);
    return;
  }
  // The V2G key is the car's business; the station keeps the one of its own certificate.
  if (type != CertificateSigningUseEnumType::V2GCertificate)
    credentials_.csr_key_pem = std::move(key_pem);
  req.certificateType = type;
  const std::string kind = type ? std::string(to_string(*type)) : "Combined";
  OutgoingCall c = make_call(req);
  c.on_reply = [this, kind](const CallReply& reply) {
    Event e("sign_certificate");
    e.add("certificateType", kind);
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
      if (res->statusInfo) e.add("reasonCode", res->statusInfo->reasonCode);
    }
    events_.emit(e);
  };
  send_triggered(std::move(c));
}

}  // namespace simulator::v201
