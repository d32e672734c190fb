#pragma once
// The certificates block, version-neutral part: the store and what installing,
// deleting and signing change on the station (the CSMS roots its link trusts,
// its own client certificate). v16::Certificates and v201::Certificates put it
// on the wire.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "simulator/block.hpp"
#include "simulator/certificate_store.hpp"

namespace simulator {

/// `h` as the version's CertificateHashDataType (both spell it alike).
template <class Wire>
Wire wire_hash(const CertificateHash& h) {
  Wire out;
  out.hashAlgorithm = decltype(out.hashAlgorithm)::SHA256;
  out.issuerNameHash = h.issuer_name_hash;
  out.issuerKeyHash = h.issuer_key_hash;
  out.serialNumber = h.serial_number;
  return out;
}

/// The certificates a station holds and the rules both versions share.
class CertificateKeeper {
 public:
  /// `csms_root_type`: the type whose certificates verify the CSMS;
  /// `own_type`: the station's own certificate (replaced, never deleted).
  CertificateKeeper(StationPort& station, std::string csms_root_type, std::string own_type);

  const CertificateStore& store() const { return store_; }
  const std::string& own_type() const { return own_type_; }

  /// InstallCertificate of a root of `type`; a CSMS root is trusted from the
  /// next connection (unless --ca-file says otherwise). False with `error` set.
  bool install(const std::string& type, const std::string& pem, std::string& error);
  /// DeleteCertificate; `sha256`: whether the request names SHA-256 hashes,
  /// the only ones identities are kept as.
  CertificateStore::Deletion remove(bool sha256, const CertificateHash& hash);
  /// CertificateSigned of the station's own certificate (`type` own_type()),
  /// which must carry the key of the last CSR, or of another chain kept as
  /// is; `signing_use` names it in the event. `then`: reconnect with it once
  /// answered (security profile 3).
  bool install_signed(const std::string& type, const std::string& signing_use,
                      const std::string& chain, std::string& error, std::function<void()>& then);
  /// A new CSR; `keep_key`: its key is the station's (not a car's).
  /// nullopt (an error event sent) when none can be made.
  std::optional<std::string> new_csr(bool keep_key);
  /// The `sign_certificate` event of a SignCertificate answer of `kind`;
  /// `read` decodes a result into the event (false: invalid, `why` says why).
  void sign_answered(
      const std::string& kind, const CallReply& reply,
      const std::function<bool(const rapidjson::Value&, Event&, std::string&)>& read);

 private:
  StationPort& station_;
  std::string csms_root_type_;
  std::string own_type_;
  CertificateStore store_;
};

/// The certificates block both versions' adapters derive from: the keeper
/// and the four CALLs it answers, which each version decodes itself.
class CertificatesBlock : public Block {
 public:
  CertificatesBlock(StationPort& station, std::string csms_root_type, std::string own_type);

  /// InstallCertificate, GetInstalledCertificateIds, DeleteCertificate, CertificateSigned.
  void add_handlers(BlockHandlers& handlers) override;
  const CertificateStore& store() const { return keeper_.store(); }

 protected:
  virtual CallAnswer on_install(const ocpp::Frame& call) = 0;
  virtual CallAnswer on_get_installed_ids(const ocpp::Frame& call) = 0;
  virtual CallAnswer on_delete(const ocpp::Frame& call) = 0;
  virtual CallAnswer on_signed(const ocpp::Frame& call) = 0;

  CertificateKeeper keeper_;
};

}  // namespace simulator
