// The certificates block, version-neutral part (see blocks/certificates.hpp).
#include <utility>

#include "simulator/blocks/certificates.hpp"

namespace simulator {

CertificateKeeper::CertificateKeeper(StationPort& station, std::string csms_root_type,
                                     std::string own_type)
    : station_(station),
      csms_root_type_(std::move(csms_root_type)),
      own_type_(std::move(own_type)) {}

bool CertificateKeeper::install(const std::string& type, const std::string& pem,
                                std::string& error) {
  if (!store_.install(type, pem, false, error)) return false;
  station_.log().info("installed a {}", type);
  if (type == csms_root_type_) {
    std::string roots;
    for (const InstalledCertificate* c : store_.list({csms_root_type_})) roots += c->pem;
    station_.set_installed_roots(roots);
  }
  return true;
}

CertificateStore::Deletion CertificateKeeper::remove(bool sha256, const CertificateHash& hash) {
  if (!sha256) return CertificateStore::Deletion::NotFound;
  return store_.delete_unless_own(hash, own_type_);
}

bool CertificateKeeper::install_signed(const std::string& type, const std::string& signing_use,
                                       const std::string& chain, std::string& error,
                                       std::function<void()>& then) {
  bool reconnect = false;
  // The station's own certificate must carry the key of its CSR (else it is
  // someone else's); the next connection uses it, so reconnect promptly under
  // profile 3.
  if (type == own_type_ && !station_.install_client_certificate(chain, error, reconnect))
    return false;
  if (!store_.install(type, chain, true, error)) return false;
  station_.events().emit(Event("certificate_signed").add("certificateType", signing_use));
  if (reconnect) then = [this] { station_.reconnect_with_new_credentials(); };
  return true;
}

std::optional<std::string> CertificateKeeper::new_csr(bool keep_key) {
  std::string error;
  std::string key_pem;
  const StationSettings& s = station_.settings();
  std::string csr = make_csr(s.id, s.vendor, error, &key_pem);
  if (csr.empty()) {
    station_.emit_error("cannot make a CSR: " + error);
    return std::nullopt;
  }
  if (keep_key) station_.keep_csr_key(std::move(key_pem));
  return csr;
}

void CertificateKeeper::sign_answered(
    const std::string& kind, const CallReply& reply,
    const std::function<bool(const rapidjson::Value&, Event&, std::string&)>& read) {
  Event e("sign_certificate");
  e.add("certificateType", kind);
  if (!reply.ok()) {
    station_.log().warn("SignCertificate {}", describe_failure(reply));
    e.add("error", describe_failure(reply));
  } else {
    std::string why;
    if (!read(*reply.result, e, why)) {
      station_.emit_error("SignCertificate answer invalid: " + why);
      return;
    }
  }
  station_.events().emit(e);
}

CertificatesBlock::CertificatesBlock(StationPort& station, std::string csms_root_type,
                                     std::string own_type)
    : Block(station), keeper_(station, std::move(csms_root_type), std::move(own_type)) {}

void CertificatesBlock::add_handlers(BlockHandlers& handlers) {
  handlers["InstallCertificate"] = [this](const ocpp::Frame& call) { return on_install(call); };
  handlers["GetInstalledCertificateIds"] = [this](const ocpp::Frame& call) {
    return on_get_installed_ids(call);
  };
  handlers["DeleteCertificate"] = [this](const ocpp::Frame& call) { return on_delete(call); };
  handlers["CertificateSigned"] = [this](const ocpp::Frame& call) { return on_signed(call); };
}

}  // namespace simulator
