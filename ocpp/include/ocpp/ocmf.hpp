#pragma once
// Signed meter data in the Open Charge Metering Format (OCMF rev 1.2):
// `OCMF|{payload json}|{signature json}`, the payload signed by the meter with
// ECDSA. Parsing, signature checks, a transaction-level verifier and the
// signing side a simulated meter needs. Its own library target (`ocmf`), so
// the protocol library stays free of OpenSSL.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocpp::ocmf {

/// One reading (an RD[] entry). RU and RI, when absent, carry over from the
/// previous reading of the same document (meters leave out what repeats).
struct Reading {
  std::string time;    ///< TM, as sent, e.g. "2024-01-01T10:00:00,000+0000 S".
  std::string type;    ///< TX: B, C, X, E, L, R, A, P, S, T (empty when absent).
  double value = 0;    ///< RV.
  std::string unit;    ///< RU, e.g. "kWh".
  std::string obis;    ///< RI, e.g. "01-00:01.08.00".
  std::string status;  ///< ST, e.g. "G" (empty when absent).
};

/// A parsed OCMF document; `payload` is the exact payload bytes as sent (the
/// signature covers them; they are never re-serialised).
struct Document {
  std::string payload;
  std::string pagination;      ///< PG, e.g. "T12".
  std::string meter_serial;    ///< MS (empty when absent).
  std::string identification;  ///< ID (empty when absent).
  std::vector<Reading> readings;
  std::string signature_algorithm;  ///< SA; "ECDSA-secp256r1-SHA256" when absent.
  std::string signature_encoding;   ///< SE; "hex" when absent.
  std::string signature;            ///< SD, as sent.
};

/// Parses `text`; on failure returns nullopt and sets *error to a message
/// naming the problem. Never throws for bad input.
std::optional<Document> parse(std::string_view text, std::string* error = nullptr);

/// Verifies the signature over doc.payload with `public_key`: hex or base64 of
/// DER SubjectPublicKeyInfo (what meters publish), a bare uncompressed EC point
/// (hex or base64, P-256/P-384), a PEM public key or a PEM certificate.
/// Algorithms ECDSA-<curve>-<hash>: curves secp256r1, secp384r1, secp521r1,
/// secp256k1, brainpool256r1, brainpool384r1; hashes SHA256, SHA384, SHA512.
/// The signature is DER, hex (or base64 when SE says so). Returns false with
/// *error naming why (bad key, unsupported algorithm, signature mismatch).
bool verify(const Document& doc, std::string_view public_key, std::string* error = nullptr);

/// The DER SubjectPublicKeyInfo of a public key in any form verify() accepts;
/// nullopt with *error when it is none.
std::optional<std::string> public_key_der(std::string_view public_key,
                                          std::string* error = nullptr);

/// A fresh ECDSA P-256 key pair: the private key as PEM (PKCS#8) and the
/// public key as hex of its DER SubjectPublicKeyInfo.
struct KeyPair {
  std::string private_key_pem;
  std::string public_key_hex;
};
KeyPair generate_key_pair();

/// The public key (hex DER SubjectPublicKeyInfo) of an EC private key in PEM;
/// nullopt with *error when the PEM holds no usable one.
std::optional<std::string> public_key_hex_of(std::string_view private_key_pem,
                                             std::string* error = nullptr);

/// Signs `payload_json` (its exact bytes) with an EC private key in PEM and
/// returns the whole document
/// `OCMF|payload|{"SA":"ECDSA-secp256r1-SHA256","SD":"<hex DER>"}` (SA names
/// secp384r1 for a P-384 key). Throws std::invalid_argument for a key it
/// cannot use.
std::string sign(std::string_view payload_json, std::string_view private_key_pem);

/// A payload for one reading of a transaction, as an OCMF meter writes it: FV
/// "1.0", GI/GS/GV, PG "T<page>", MV/MM/MS, identification IS/IL/IF/IT/ID of
/// `id_tag`, and one RD entry: TM "YYYY-MM-DDThh:mm:ss,fff+0000 S" of
/// `time_iso8601` (RFC 3339), TX `tx_type`, RV in kWh with 3 decimals, RI
/// "01-00:01.08.00", RU "kWh", RT "AC", ST "G". Throws std::invalid_argument
/// for an unparsable time, an unknown TX or a non-finite or negative register.
std::string reading_payload(const std::string& meter_serial, std::int64_t page,
                            const std::string& id_tag, const std::string& time_iso8601,
                            char tx_type, double register_wh);

/// The energy of a reading in Wh (RU "kWh" or "Wh"); nullopt for other units.
std::optional<double> reading_wh(const Reading& r);

/// Whether TX `type` ends a transaction in OCMF rev 1.2 (E, L, R, A, P).
bool is_end_type(std::string_view type);

/// What a verifier found over one transaction's signed documents.
struct SessionCheck {
  bool ok = false;
  std::string problem;  ///< The first failing check; empty when ok.
  double begin_wh = 0;  ///< The register at the begin reading.
  double end_wh = 0;    ///< The register at the end reading.
  std::string meter_serial;
  std::size_t documents = 0;
};

/// Checks a transaction's OCMF documents in the order received: each parses
/// and its signature verifies with `public_key`; pagination has one prefix and
/// numbers rising by exactly one; one meter serial throughout; the first
/// reading is a begin (TX "B") and only the first, the last an end (E, L, R, A,
/// P) and only the last; energy readings never fall. Never throws for bad input.
SessionCheck check_session(const std::vector<std::string>& ocmf_texts, std::string_view public_key);

/// Standard base64 with padding (OCPP 2.0.1 signedMeterData, publicKey).
std::string base64_encode(std::string_view bytes);
/// Strict base64 decode: nullopt for a wrong length, a stray character,
/// misplaced padding or non-zero unused bits. No whitespace allowed.
std::optional<std::string> base64_decode(std::string_view text);

/// Lower-case hex of `bytes`.
std::string hex_encode(std::string_view bytes);
/// Hex (either case, even length) decoded; nullopt otherwise.
std::optional<std::string> hex_decode(std::string_view text);

}  // namespace ocpp::ocmf
