#pragma once
// Signed meter data (OCMF) for the station's transaction readings, the part
// both OCPP versions share: keys, meter serials, pagination and the tamper
// hook. The versions only wrap the documents into their sampled values.

#include <cstdint>
#include <map>
#include <string>

#include "ocpp/common/datetime.hpp"

namespace simulator {

/// The signing meters of one station: one key pair for the station (its
/// public key is what an operator registers), one meter per connector with its
/// own serial "SIM-<station>-<connector>" and page counter T1, T2, ... (in memory).
class SignedMeter {
 public:
  /// Where in the transaction a reading falls (OCMF TX B, C, E).
  enum class Kind { Begin, Periodic, End };

  static constexpr const char* kSigningMethod = "ECDSA-secp256r1-SHA256";

  /// Signs with `private_key_pem` (an EC P-256 key in PEM), or a fresh key
  /// pair when empty. With `tamper`, each end reading's payload differs from
  /// what was signed (RV raised by 1 kWh after signing), so verification fails.
  /// Throws std::invalid_argument for a key it cannot use.
  SignedMeter(std::string station_id, const std::string& private_key_pem, bool tamper);

  /// The next signed OCMF document of `connector`'s meter: a reading of
  /// `register_wh` at `time` for `id_tag`.
  std::string reading(int connector, const std::string& id_tag, const ocpp::DateTime& time,
                      Kind kind, std::int64_t register_wh);

  /// The public key as hex of its DER SubjectPublicKeyInfo.
  const std::string& public_key_hex() const { return public_key_hex_; }
  /// The same DER in base64 (OCPP 2.0.1 signedMeterValue.publicKey).
  const std::string& public_key_base64() const { return public_key_base64_; }
  std::string meter_serial(int connector) const;

 private:
  std::string station_id_;
  std::string private_key_pem_;
  std::string public_key_hex_;
  std::string public_key_base64_;
  bool tamper_;
  std::map<int, std::int64_t> pages_;  // the last page number per connector
};

}  // namespace simulator
