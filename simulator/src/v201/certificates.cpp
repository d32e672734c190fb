// The certificates block of the 2.0.1 charging station: the 2.0.1 wire types
// over CertificateKeeper (InstallCertificate, GetInstalledCertificateIds,
// DeleteCertificate, CertificateSigned, SignCertificate with a real CSR).
#include <string>
#include <utility>
#include <vector>

#include "ocpp/v201/codec.hpp"
#include "rpc.hpp"
#include "simulator/v201/certificates.hpp"
#include "v201/commands.hpp"

namespace simulator::v201 {

using namespace ocpp::v201;

namespace {

// Where CertificateSigned puts what it gets: the V2G chain is listed by
// GetInstalledCertificateIds, the station's own certificate is not.
constexpr const char* kStationCertificate = "ChargingStationCertificate";

}  // namespace

Certificates::Certificates(StationPort& station)
    : CertificatesBlock(station, "CSMSRootCertificate", kStationCertificate) {}

CallAnswer Certificates::on_install(const ocpp::Frame& call) {
  return answer<InstallCertificateRequest>(call, [this](const auto& req) {
    Outcome<InstallCertificateResponse> out{{}, {}};
    std::string error;
    if (keeper_.install(std::string(to_string(req.certificateType)), req.certificate, error)) {
      out.response.status = InstallCertificateStatusEnumType::Accepted;
    } else {
      out.response.status = InstallCertificateStatusEnumType::Rejected;
      out.response.statusInfo = status_info("InvalidCertificate", error);
    }
    return out;
  });
}

CallAnswer Certificates::on_get_installed_ids(const ocpp::Frame& call) {
  return answer<GetInstalledCertificateIdsRequest>(call, [this](const auto& req) {
    Outcome<GetInstalledCertificateIdsResponse> out{{}, {}};
    std::vector<std::string> types;
    if (req.certificateType) {
      for (auto t : *req.certificateType) types.emplace_back(to_string(t));
    }
    std::vector<CertificateHashDataChainType> chains;
    for (const InstalledCertificate* c : keeper_.store().list(types)) {
      CertificateHashDataChainType chain;
      if (!from_string(c->type, chain.certificateType)) continue;  // the station's own
      chain.certificateHashData = wire_hash<CertificateHashDataType>(c->hash);
      if (!c->children.empty()) {
        std::vector<CertificateHashDataType> children;
        for (const auto& h : c->children) children.push_back(wire_hash<CertificateHashDataType>(h));
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

CallAnswer Certificates::on_delete(const ocpp::Frame& call) {
  return answer<DeleteCertificateRequest>(call, [this](const auto& req) {
    Outcome<DeleteCertificateResponse> out{{}, {}};
    const auto& h = req.certificateHashData;
    out.response.status = delete_status<DeleteCertificateStatusEnumType>(
        keeper_.remove(h.hashAlgorithm == HashAlgorithmEnumType::SHA256,
                       {h.issuerNameHash, h.issuerKeyHash, h.serialNumber}));
    return out;
  });
}

CallAnswer Certificates::on_signed(const ocpp::Frame& call) {
  return answer<CertificateSignedRequest>(call, [this](const auto& req) {
    Outcome<CertificateSignedResponse> out{{}, {}};
    const bool v2g = req.certificateType == CertificateSigningUseEnumType::V2GCertificate;
    std::string error;
    if (keeper_.install_signed(v2g ? "V2GCertificateChain" : kStationCertificate,
                               v2g ? "V2GCertificate" : kStationCertificate, req.certificateChain,
                               error, out.then)) {
      out.response.status = CertificateSignedStatusEnumType::Accepted;
    } else {
      out.response.status = CertificateSignedStatusEnumType::Rejected;
      out.response.statusInfo = status_info("InvalidCertChain", error);
    }
    return out;
  });
}

void Certificates::send_sign_certificate(std::optional<CertificateSigningUseEnumType> type) {
  // The V2G key is the car's business; the station keeps the one of its own certificate.
  auto csr = keeper_.new_csr(type != CertificateSigningUseEnumType::V2GCertificate);
  if (!csr) return;
  SignCertificateRequest req;
  req.csr = std::move(*csr);
  req.certificateType = type;
  const std::string kind = type ? std::string(to_string(*type)) : "Combined";
  OutgoingCall c = make_call(req);
  c.on_reply = [this, kind](const CallReply& reply) {
    keeper_.sign_answered(kind, reply,
                          [](const rapidjson::Value& result, Event& e, std::string& why) {
                            auto res = decode<SignCertificateResponse>(result, why);
                            if (!res) return false;
                            e.add("status", to_string(res->status));
                            if (res->statusInfo) e.add("reasonCode", res->statusInfo->reasonCode);
                            return true;
                          });
  };
  station_.send_triggered(std::move(c));
}

}  // namespace simulator::v201
