// The certificates block of the 1.6 charge point (Security Whitepaper): the
// 1.6 wire types over CertificateKeeper (InstallCertificate,
// GetInstalledCertificateIds, DeleteCertificate, CertificateSigned,
// SignCertificate with a real CSR).
#include <string>
#include <utility>
#include <vector>

#include "ocpp/v16/codec.hpp"
#include "rpc.hpp"
#include "simulator/v16/certificates.hpp"

namespace simulator::v16 {

using namespace ocpp::v16;

namespace {

constexpr const char* kChargePointCertificate = "ChargePointCertificate";

template <typename Request, typename Fn>
CallAnswer answer(const ocpp::Frame& call, Fn&& fn) {
  return simulator::answer<Request>(call, ocpp::Version::v16, std::forward<Fn>(fn));
}

}  // namespace

Certificates::Certificates(StationPort& station)
    : CertificatesBlock(station, "CentralSystemRootCertificate", kChargePointCertificate) {}

CallAnswer Certificates::on_install(const ocpp::Frame& call) {
  return answer<InstallCertificateRequest>(call, [this](const auto& req) {
    Outcome<InstallCertificateResponse> out{{}, {}};
    std::string error;
    if (keeper_.install(std::string(to_string(req.certificateType)), req.certificate, error)) {
      out.response.status = InstallCertificateStatusEnumType::Accepted;
    } else {
      out.response.status = InstallCertificateStatusEnumType::Rejected;
      station_.log().warn("InstallCertificate rejected: {}", error);
    }
    return out;
  });
}

CallAnswer Certificates::on_get_installed_ids(const ocpp::Frame& call) {
  return answer<GetInstalledCertificateIdsRequest>(call, [this](const auto& req) {
    Outcome<GetInstalledCertificateIdsResponse> out{{}, {}};
    std::vector<CertificateHashDataType> hashes;
    for (const InstalledCertificate* c :
         keeper_.store().list({std::string(to_string(req.certificateType))}))
      hashes.push_back(wire_hash<CertificateHashDataType>(c->hash));
    out.response.status = hashes.empty() ? GetInstalledCertificateStatusEnumType::NotFound
                                         : GetInstalledCertificateStatusEnumType::Accepted;
    if (!hashes.empty()) out.response.certificateHashData = std::move(hashes);
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
    std::string error;
    if (keeper_.install_signed(kChargePointCertificate, kChargePointCertificate,
                               req.certificateChain, error, out.then)) {
      out.response.status = CertificateSignedStatusEnumType::Accepted;
    } else {
      out.response.status = CertificateSignedStatusEnumType::Rejected;
      station_.log().warn("CertificateSigned rejected: {}", error);
    }
    return out;
  });
}

void Certificates::send_sign_certificate() {
  if (!station_.ready()) return;  // before an accepted boot only the boot goes out
  auto csr = keeper_.new_csr(true);
  if (!csr) return;
  SignCertificateRequest req;
  req.csr = std::move(*csr);
  OutgoingCall c = make_call(req);
  c.on_reply = [this](const CallReply& reply) {
    keeper_.sign_answered(kChargePointCertificate, reply,
                          [](const rapidjson::Value& result, Event& e, std::string& why) {
                            auto res = decode<SignCertificateResponse>(result, why);
                            if (!res) return false;
                            e.add("status", to_string(res->status));
                            return true;
                          });
  };
  station_.send_triggered(std::move(c));
}

}  // namespace simulator::v16
