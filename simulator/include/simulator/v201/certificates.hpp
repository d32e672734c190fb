#pragma once
// The certificates block of the 2.0.1 charging station: InstallCertificate,
// GetInstalledCertificateIds, DeleteCertificate, CertificateSigned and the
// SignCertificateRequest a TriggerMessage asks for, on the version-neutral
// CertificateKeeper.

#include <optional>

#include "ocpp/v201/messages.hpp"
#include "simulator/blocks/certificates.hpp"

namespace simulator::v201 {

/// 2.0.1 wire types over the shared certificate rules.
class Certificates : public CertificatesBlock {
 public:
  explicit Certificates(StationPort& station);

  /// SignCertificateRequest with a new CSR; no type: a combined certificate.
  void send_sign_certificate(std::optional<ocpp::v201::CertificateSigningUseEnumType> type);

 private:
  CallAnswer on_install(const ocpp::Frame& call) override;
  CallAnswer on_get_installed_ids(const ocpp::Frame& call) override;
  CallAnswer on_delete(const ocpp::Frame& call) override;
  CallAnswer on_signed(const ocpp::Frame& call) override;
};

}  // namespace simulator::v201
