#pragma once
// The certificates block of the 1.6 charge point (Security Whitepaper):
// InstallCertificate, GetInstalledCertificateIds, DeleteCertificate,
// CertificateSigned and the SignCertificateRequest, on the version-neutral
// CertificateKeeper.

#include "ocpp/v16/messages.hpp"
#include "simulator/blocks/certificates.hpp"

namespace simulator::v16 {

/// 1.6 wire types over the shared certificate rules.
class Certificates : public CertificatesBlock {
 public:
  explicit Certificates(StationPort& station);

  /// SignCertificateRequest with a new CSR (only once the boot is accepted).
  void send_sign_certificate();

 private:
  CallAnswer on_install(const ocpp::Frame& call) override;
  CallAnswer on_get_installed_ids(const ocpp::Frame& call) override;
  CallAnswer on_delete(const ocpp::Frame& call) override;
  CallAnswer on_signed(const ocpp::Frame& call) override;
};

}  // namespace simulator::v16
