// OCMF parsing, ECDSA signing and verification (OpenSSL 3 EVP), and the
// transaction-level checks a verifier makes.

#include "ocpp/ocmf.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <new>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ocpp/common/datetime.hpp"
#include "ocpp/common/json.hpp"

namespace ocpp::ocmf {
namespace {

// A document far beyond any meter's (OCPP 2.0.1 caps signedMeterData at 2500
// characters) is refused before it is parsed.
constexpr std::size_t kMaxDocument = 64 * 1024;
constexpr std::string_view kDefaultAlgorithm = "ECDSA-secp256r1-SHA256";

void set_error(std::string* error, std::string message) {
  if (error) *error = std::move(message);
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Bio = std::unique_ptr<BIO, BioFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// OpenSSL's error queue is per thread; what our failures leave there must not
// surface in someone else's later error report.
struct ClearErrors {
  ~ClearErrors() { ERR_clear_error(); }
};

Bio memory_bio(std::string_view text) {
  if (text.size() > static_cast<std::size_t>(INT32_MAX)) return nullptr;
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Never prompt on a terminal for the password of an encrypted PEM.
int no_password(char*, int, int, void*) {
  return 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The DER SubjectPublicKeyInfo prefixes of the uncompressed points some meters
// publish bare (65 bytes for P-256, 97 for P-384).
constexpr std::string_view kP256SpkiPrefix = "3059301306072a8648ce3d020106082a8648ce3d030107034200";
constexpr std::string_view kP384SpkiPrefix = "3076301006072a8648ce3d020106052b81040022036200";

Pkey key_from_der(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  if (der.empty() || der.size() > 4096) return nullptr;
  Pkey key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  // Trailing bytes mean it was not one SPKI.
  if (key && p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) return nullptr;
  return key;
}

// A bare point wrapped into an SPKI; empty when `bytes` is none.
std::string spki_of_point(std::string_view bytes) {
  if (bytes.empty() || static_cast<unsigned char>(bytes[0]) != 0x04) return {};
  if (bytes.size() == 65) return *hex_decode(kP256SpkiPrefix) + std::string(bytes);
  if (bytes.size() == 97) return *hex_decode(kP384SpkiPrefix) + std::string(bytes);
  return {};
}

Pkey key_from_bytes(std::string_view bytes) {
  if (Pkey key = key_from_der(bytes)) return key;
  const std::string wrapped = spki_of_point(bytes);
  return wrapped.empty() ? nullptr : key_from_der(wrapped);
}

Pkey load_public_key(std::string_view text, std::string* error) {
  ClearErrors clear;
  text = trim(text);
  if (text.empty()) {
    set_error(error, "bad public key: empty");
    return nullptr;
  }
  if (text.size() > 16 * 1024) {
    set_error(error, "bad public key: too long");
    return nullptr;
  }
  if (text.rfind("-----BEGIN", 0) == 0) {
    Bio bio = memory_bio(text);
    if (!bio) {
      set_error(error, "bad public key: out of memory");
      return nullptr;
    }
    if (text.rfind("-----BEGIN CERTIFICATE-----", 0) == 0) {
      std::unique_ptr<X509, X509Free> cert(
          PEM_read_bio_X509(bio.get(), nullptr, no_password, nullptr));
      if (cert) return Pkey(X509_get_pubkey(cert.get()));
      set_error(error, "bad public key: the PEM certificate does not parse");
      return nullptr;
    }
    Pkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_password, nullptr));
    if (!key) set_error(error, "bad public key: the PEM holds no public key");
    return key;
  }
  if (auto bytes = hex_decode(text)) {
    if (Pkey key = key_from_bytes(*bytes)) return key;
  }
  if (auto bytes = base64_decode(text)) {
    if (Pkey key = key_from_bytes(*bytes)) return key;
  }
  set_error(error,
            "bad public key: not hex or base64 of a DER SubjectPublicKeyInfo or EC point, nor PEM");
  return nullptr;
}

std::string group_of(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC") != 1) return {};
  std::array<char, 80> name{};
  std::size_t length = 0;
  if (EVP_PKEY_get_group_name(key, name.data(), name.size(), &length) != 1) return {};
  return std::string(name.data(), std::min(length, name.size()));
}

std::string der_of(EVP_PKEY* key) {
  const int n = i2d_PUBKEY(key, nullptr);
  if (n <= 0) return {};
  std::string der(static_cast<std::size_t>(n), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_PUBKEY(key, &p) != n) return {};
  return der;
}

struct Algorithm {
  std::string group;  // OpenSSL's group name
  const EVP_MD* digest = nullptr;
};

// "ECDSA-<curve>-<hash>" as OCMF and OCPP 2.0.1 name them.
std::optional<Algorithm> algorithm_of(std::string_view name) {
  static const std::array<std::pair<std::string_view, std::string_view>, 6> curves = {{
      {"secp256r1", "prime256v1"},
      {"secp384r1", "secp384r1"},
      {"secp521r1", "secp521r1"},
      {"secp256k1", "secp256k1"},
      {"brainpool256r1", "brainpoolP256r1"},
      {"brainpool384r1", "brainpoolP384r1"},
  }};
  constexpr std::string_view prefix = "ECDSA-";
  if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
  name.remove_prefix(prefix.size());
  const auto dash = name.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const std::string_view curve = name.substr(0, dash);
  const std::string_view hash = name.substr(dash + 1);
  Algorithm a;
  for (const auto& [ocmf_name, group] : curves) {
    if (curve == ocmf_name) a.group = std::string(group);
  }
  if (hash == "SHA256") a.digest = EVP_sha256();
  if (hash == "SHA384") a.digest = EVP_sha384();
  if (hash == "SHA512") a.digest = EVP_sha512();
  if (a.group.empty() || a.digest == nullptr) return std::nullopt;
  return a;
}

// --- Parsing helpers: a member of `object` that must have a type when present.

const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// The string member `name`; false (with *error) when present but not a string.
bool optional_string(const rapidjson::Value& object, const char* name, const std::string& where,
                     std::string& out, std::string* error) {
  const rapidjson::Value* v = member(object, name);
  if (v == nullptr) return true;
  if (!v->IsString()) {
    set_error(error, where + name + " is not a string");
    return false;
  }
  out.assign(v->GetString(), v->GetStringLength());
  return true;
}

bool required_string(const rapidjson::Value& object, const char* name, const std::string& where,
                     std::string& out, std::string* error) {
  if (member(object, name) == nullptr) {
    set_error(error, where + "missing " + name);
    return false;
  }
  return optional_string(object, name, where, out, error);
}

std::optional<Document> parse_unguarded(std::string_view text, std::string* error) {
  if (text.size() > kMaxDocument) {
    set_error(error, "OCMF: longer than " + std::to_string(kMaxDocument) + " bytes");
    return std::nullopt;
  }
  constexpr std::string_view header = "OCMF|";
  if (text.substr(0, header.size()) != header) {
    set_error(error, "OCMF: does not start with \"OCMF|\"");
    return std::nullopt;
  }
  // The signature section holds no '|'; the payload may (in identification
  // strings), so the last one divides them.
  const auto last = text.rfind('|');
  if (last < header.size()) {
    set_error(error, "OCMF: no '|' between payload and signature");
    return std::nullopt;
  }
  Document doc;
  doc.payload = std::string(text.substr(header.size(), last - header.size()));
  const std::string_view signature_text = text.substr(last + 1);

  rapidjson::Document payload;
  if (auto r = parse_json(doc.payload, payload); r.IsError()) {
    set_error(error, std::string("OCMF payload: invalid JSON (") +
                         rapidjson::GetParseError_En(r.Code()) + " at offset " +
                         std::to_string(r.Offset()) + ")");
    return std::nullopt;
  }
  if (!payload.IsObject()) {
    set_error(error, "OCMF payload: not a JSON object");
    return std::nullopt;
  }
  const std::string p = "OCMF payload: ";
  if (!required_string(payload, "PG", p, doc.pagination, error) ||
      !optional_string(payload, "MS", p, doc.meter_serial, error) ||
      !optional_string(payload, "ID", p, doc.identification, error)) {
    return std::nullopt;
  }
  const rapidjson::Value* rd = member(payload, "RD");
  if (rd == nullptr) {
    set_error(error, p + "missing RD (readings)");
    return std::nullopt;
  }
  if (!rd->IsArray() || rd->Empty()) {
    set_error(error, p + "RD is not a non-empty array");
    return std::nullopt;
  }
  for (rapidjson::SizeType i = 0; i < rd->Size(); ++i) {
    const rapidjson::Value& entry = (*rd)[i];
    const std::string where = p + "RD[" + std::to_string(i) + "] ";
    if (!entry.IsObject()) {
      set_error(error, where + "is not an object");
      return std::nullopt;
    }
    Reading r;
    // Unit and OBIS id may be left out where they repeat the previous reading.
    if (!doc.readings.empty()) {
      r.unit = doc.readings.back().unit;
      r.obis = doc.readings.back().obis;
    }
    if (!required_string(entry, "TM", where, r.time, error) ||
        !optional_string(entry, "TX", where, r.type, error) ||
        !optional_string(entry, "RU", where, r.unit, error) ||
        !optional_string(entry, "RI", where, r.obis, error) ||
        !optional_string(entry, "ST", where, r.status, error)) {
      return std::nullopt;
    }
    const rapidjson::Value* rv = member(entry, "RV");
    if (rv == nullptr) {
      set_error(error, where + "missing RV");
      return std::nullopt;
    }
    if (!rv->IsNumber() || !std::isfinite(rv->GetDouble())) {
      set_error(error, where + "RV is not a number");
      return std::nullopt;
    }
    r.value = rv->GetDouble();
    if (r.unit.empty()) {
      set_error(error, where + "missing RU");
      return std::nullopt;
    }
    doc.readings.push_back(std::move(r));
  }

  rapidjson::Document signature;
  if (auto r = parse_json(signature_text, signature); r.IsError()) {
    set_error(error, std::string("OCMF signature: invalid JSON (") +
                         rapidjson::GetParseError_En(r.Code()) + " at offset " +
                         std::to_string(r.Offset()) + ")");
    return std::nullopt;
  }
  if (!signature.IsObject()) {
    set_error(error, "OCMF signature: not a JSON object");
    return std::nullopt;
  }
  const std::string s = "OCMF signature: ";
  std::string mime;
  if (!required_string(signature, "SD", s, doc.signature, error) ||
      !optional_string(signature, "SA", s, doc.signature_algorithm, error) ||
      !optional_string(signature, "SE", s, doc.signature_encoding, error) ||
      !optional_string(signature, "SM", s, mime, error)) {
    return std::nullopt;
  }
  if (!mime.empty() && mime != "application/x-der") {
    set_error(error, s + "SM \"" + mime + "\" is not application/x-der");
    return std::nullopt;
  }
  if (doc.signature_algorithm.empty()) doc.signature_algorithm = std::string(kDefaultAlgorithm);
  if (doc.signature_encoding.empty()) doc.signature_encoding = "hex";
  return doc;
}

bool verify_unguarded(const Document& doc, std::string_view public_key, std::string* error) {
  ClearErrors clear;
  const auto algorithm = algorithm_of(doc.signature_algorithm);
  if (!algorithm) {
    set_error(error, "unsupported signature algorithm \"" + doc.signature_algorithm + "\"");
    return false;
  }
  std::optional<std::string> sig;
  if (doc.signature_encoding == "hex") {
    sig = hex_decode(doc.signature);
  } else if (doc.signature_encoding == "base64") {
    sig = base64_decode(doc.signature);
  } else {
    set_error(error, "unsupported signature encoding \"" + doc.signature_encoding + "\"");
    return false;
  }
  if (!sig || sig->empty()) {
    set_error(error, "signature (SD) is not " + doc.signature_encoding);
    return false;
  }
  Pkey key = load_public_key(public_key, error);
  if (!key) return false;
  const std::string group = group_of(key.get());
  if (group.empty()) {
    set_error(error, "bad public key: not an EC key");
    return false;
  }
  if (group != algorithm->group) {
    set_error(error, "bad public key: on curve " + group + ", but " + doc.signature_algorithm +
                         " needs " + algorithm->group);
    return false;
  }
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, algorithm->digest, nullptr, key.get()) != 1) {
    set_error(error, "cannot set up the verification");
    return false;
  }
  const int r = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
      reinterpret_cast<const unsigned char*>(doc.payload.data()), doc.payload.size());
  if (r == 1) return true;
  set_error(error,
            r == 0 ? "signature mismatch" : "signature mismatch (not a DER ECDSA signature)");
  return false;
}

Pkey load_private_key(std::string_view pem, std::string* error) {
  ClearErrors clear;
  Bio bio = memory_bio(pem);
  if (!bio) {
    set_error(error, "bad private key: out of memory");
    return nullptr;
  }
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
  if (!key) {
    set_error(error, "bad private key: no (unencrypted) private key in the PEM");
    return nullptr;
  }
  const std::string group = group_of(key.get());
  if (group != "prime256v1" && group != "secp384r1") {
    set_error(error, "bad private key: not an EC key on P-256 or P-384");
    return nullptr;
  }
  return key;
}

// The page number of "T12" with its prefix "T"; nullopt when malformed.
std::optional<std::pair<std::string, std::uint64_t>> split_pagination(const std::string& pg) {
  std::size_t digits = 0;
  while (digits < pg.size() && !std::isdigit(static_cast<unsigned char>(pg[digits]))) ++digits;
  if (digits == 0 || digits == pg.size()) return std::nullopt;
  std::uint64_t n = 0;
  const char* end = pg.data() + pg.size();
  auto [ptr, ec] = std::from_chars(pg.data() + digits, end, n);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return std::make_pair(pg.substr(0, digits), n);
}

std::string page_name(const Document& doc, std::size_t index) {
  return doc.pagination.empty() ? "#" + std::to_string(index + 1) : doc.pagination;
}

SessionCheck check_unguarded(const std::vector<std::string>& texts, std::string_view public_key) {
  SessionCheck out;
  out.documents = texts.size();
  auto fail = [&out](std::string why) {
    out.ok = false;
    out.problem = std::move(why);
    return out;
  };
  if (texts.empty()) return fail("no signed meter documents");
  std::vector<Document> docs;
  std::string prefix;
  std::uint64_t last_page = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    std::string error;
    auto doc = parse(texts[i], &error);
    if (!doc) return fail("document " + std::to_string(i + 1) + " does not parse: " + error);
    const std::string page = page_name(*doc, i);
    if (!verify(*doc, public_key, &error)) {
      return fail("signature of page " + page + " does not verify: " + error);
    }
    if (doc->meter_serial.empty()) return fail("page " + page + " names no meter serial (MS)");
    if (i == 0) {
      out.meter_serial = doc->meter_serial;
    } else if (doc->meter_serial != out.meter_serial) {
      return fail("page " + page + " is from meter " + doc->meter_serial + ", not " +
                  out.meter_serial);
    }
    auto pg = split_pagination(doc->pagination);
    if (!pg) return fail("page " + page + ": pagination is not a prefix and a number");
    if (i == 0) {
      prefix = pg->first;
    } else if (pg->first != prefix) {
      return fail("page " + page + ": pagination prefix " + pg->first + ", not " + prefix);
    } else if (pg->second != last_page + 1) {
      return fail("pagination gap: page " + page + " follows " + prefix +
                  std::to_string(last_page));
    }
    last_page = pg->second;
    docs.push_back(std::move(*doc));
  }

  const Reading& first = docs.front().readings.front();
  const Reading& last = docs.back().readings.back();
  std::optional<double> previous_wh;
  for (std::size_t d = 0; d < docs.size(); ++d) {
    const auto& readings = docs[d].readings;
    for (std::size_t r = 0; r < readings.size(); ++r) {
      const Reading& reading = readings[r];
      const bool is_first = &reading == &first;
      const bool is_last = &reading == &last;
      const std::string where =
          "page " + page_name(docs[d], d) + " reading " + std::to_string(r + 1);
      if (is_first && reading.type != "B") {
        return fail("the first reading (" + where + ") is not a begin (TX \"B\") but \"" +
                    reading.type + "\"");
      }
      if (!is_first && reading.type == "B") return fail(where + " begins another transaction");
      if (is_last && !is_end_type(reading.type)) {
        return fail("the last reading (" + where + ") is not an end (TX E, L, R, A or P) but \"" +
                    reading.type + "\"");
      }
      if (!is_last && is_end_type(reading.type)) {
        return fail(where + " ends the transaction before the last reading");
      }
      auto wh = reading_wh(reading);
      if ((is_first || is_last) && !wh) {
        return fail(where + " is not an energy reading (RU \"" + reading.unit + "\")");
      }
      if (!wh) continue;
      if (previous_wh && *wh < *previous_wh) {
        return fail(where + ": the register falls from " + std::to_string(*previous_wh) +
                    " Wh to " + std::to_string(*wh) + " Wh");
      }
      previous_wh = wh;
      if (is_first) out.begin_wh = *wh;
      if (is_last) out.end_wh = *wh;
    }
  }
  out.ok = true;
  out.problem.clear();
  return out;
}

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::optional<Document> parse(std::string_view text, std::string* error) {
  try {
    return parse_unguarded(text, error);
  } catch (const std::bad_alloc&) {
    set_error(error, "OCMF: out of memory");
  } catch (const std::exception& e) {
    set_error(error, std::string("OCMF: ") + e.what());
  }
  return std::nullopt;
}

bool verify(const Document& doc, std::string_view public_key, std::string* error) {
  try {
    return verify_unguarded(doc, public_key, error);
  } catch (const std::exception& e) {
    set_error(error, std::string("verification failed: ") + e.what());
  }
  return false;
}

std::optional<std::string> public_key_der(std::string_view public_key, std::string* error) {
  try {
    Pkey key = load_public_key(public_key, error);
    if (!key) return std::nullopt;
    std::string der = der_of(key.get());
    if (der.empty()) {
      set_error(error, "bad public key: cannot be encoded");
      return std::nullopt;
    }
    return der;
  } catch (const std::exception& e) {
    set_error(error, std::string("bad public key: ") + e.what());
  }
  return std::nullopt;
}

KeyPair generate_key_pair() {
  ClearErrors clear;
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) throw std::runtime_error("OCMF: EC key generation failed");
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw std::runtime_error("OCMF: cannot write the private key");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  KeyPair pair;
  pair.private_key_pem.assign(data, static_cast<std::size_t>(std::max(0L, n)));
  pair.public_key_hex = hex_encode(der_of(key.get()));
  if (pair.public_key_hex.empty()) throw std::runtime_error("OCMF: cannot encode the public key");
  return pair;
}

std::optional<std::string> public_key_hex_of(std::string_view private_key_pem, std::string* error) {
  Pkey key = load_private_key(private_key_pem, error);
  if (!key) return std::nullopt;
  std::string der = der_of(key.get());
  if (der.empty()) {
    set_error(error, "bad private key: its public key cannot be encoded");
    return std::nullopt;
  }
  return hex_encode(der);
}

std::string sign(std::string_view payload_json, std::string_view private_key_pem) {
  std::string error;
  Pkey key = load_private_key(private_key_pem, &error);
  if (!key) throw std::invalid_argument("OCMF sign: " + error);
  ClearErrors clear;
  const bool p384 = group_of(key.get()) == "secp384r1";
  MdCtx ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(payload_json.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, data, payload_json.size()) != 1) {
    throw std::runtime_error("OCMF sign: cannot set up the signature");
  }
  std::string sig(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &length, data,
                     payload_json.size()) != 1) {
    throw std::runtime_error("OCMF sign: signing failed");
  }
  sig.resize(length);
  std::string out = "OCMF|";
  out.append(payload_json);
  out += R"(|{"SA":"ECDSA-)";
  out += p384 ? "secp384r1" : "secp256r1";
  out += R"(-SHA256","SD":")";
  out += hex_encode(sig);
  out += "\"}";
  return out;
}

std::string reading_payload(const std::string& meter_serial, std::int64_t page,
                            const std::string& id_tag, const std::string& time_iso8601,
                            char tx_type, double register_wh) {
  const auto when = DateTime::parse(time_iso8601);
  if (!when) throw std::invalid_argument("OCMF: not an RFC 3339 time: " + time_iso8601);
  if (std::string_view("BCXELRAPST").find(tx_type) == std::string_view::npos || tx_type == '\0') {
    throw std::invalid_argument(std::string("OCMF: unknown TX \"") + tx_type + "\"");
  }
  if (!std::isfinite(register_wh) || register_wh < 0) {
    throw std::invalid_argument("OCMF: the register must be a finite number >= 0");
  }
  // OCMF time: local time with milliseconds after a comma, the UTC offset and
  // the clock's sync state (S: synchronised). We write UTC.
  const std::string iso = when->to_string();  // YYYY-MM-DDTHH:MM:SS[.fff[fff]]Z
  const std::int64_t micros = ((when->unix_micros() % 1000000) + 1000000) % 1000000;
  std::array<char, 8> millis{};
  std::snprintf(millis.data(), millis.size(), ",%03d", static_cast<int>(micros / 1000));
  const std::string tm = iso.substr(0, 19) + millis.data() + "+0000 S";
  // Three decimals of kWh, as meters print them (so 1 Wh resolution).
  std::array<char, 64> kwh{};
  const int kwh_length = std::snprintf(kwh.data(), kwh.size(), "%.3f", register_wh / 1000.0);
  if (kwh_length <= 0 || static_cast<std::size_t>(kwh_length) >= kwh.size()) {
    throw std::invalid_argument("OCMF: the register is too large");
  }
  const bool identified = !id_tag.empty();

  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  auto field = [&w](const char* name, std::string_view value) {
    w.Key(name);
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  w.StartObject();
  field("FV", "1.0");
  field("GI", "ocpp-sim");
  field("GS", meter_serial);
  field("GV", "1.0");
  field("PG", "T" + std::to_string(page));
  field("MV", "ocpp-sim");
  field("MM", "SIM-METER");
  field("MS", meter_serial);
  w.Key("IS");
  w.Bool(identified);
  field("IL", identified ? "TRUSTED" : "NONE");
  w.Key("IF");
  w.StartArray();
  for (const char* flag : identified ? std::array<const char*, 2>{"RFID_PLAIN", "OCPP_AUTH"}
                                     : std::array<const char*, 2>{"RFID_NONE", "OCPP_NONE"}) {
    w.String(flag);
  }
  w.EndArray();
  field("IT", identified ? "ISO14443" : "NONE");
  field("ID", id_tag);
  w.Key("RD");
  w.StartArray();
  w.StartObject();
  field("TM", tm);
  field("TX", std::string(1, tx_type));
  w.Key("RV");
  w.RawValue(kwh.data(), static_cast<std::size_t>(kwh_length), rapidjson::kNumberType);
  field("RI", "01-00:01.08.00");
  field("RU", "kWh");
  field("RT", "AC");
  field("EF", "");
  field("ST", "G");
  w.EndObject();
  w.EndArray();
  w.EndObject();
  if (!w.IsComplete()) throw std::invalid_argument("OCMF: meter serial or id tag is not UTF-8");
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<double> reading_wh(const Reading& r) {
  if (r.unit == "kWh") return r.value * 1000.0;
  if (r.unit == "Wh") return r.value;
  return std::nullopt;
}

bool is_end_type(std::string_view type) {
  return type.size() == 1 && std::string_view("ELRAP").find(type[0]) != std::string_view::npos;
}

SessionCheck check_session(const std::vector<std::string>& ocmf_texts,
                           std::string_view public_key) {
  try {
    return check_unguarded(ocmf_texts, public_key);
  } catch (const std::exception& e) {
    SessionCheck out;
    out.documents = ocmf_texts.size();
    out.problem = std::string("verification failed: ") + e.what();
    return out;
  }
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                            (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                            std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out += kBase64[(n >> 18) & 63];
    out += kBase64[(n >> 12) & 63];
    out += kBase64[(n >> 6) & 63];
    out += kBase64[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (rest == 2) n |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out += kBase64[(n >> 18) & 63];
    out += kBase64[(n >> 12) & 63];
    out += rest == 2 ? kBase64[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  if (padding == 1 && text.back() != '=') return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  const std::size_t data_chars = text.size() - padding;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < data_chars; ++i) {
    const auto at = kBase64.find(text[i]);
    if (at == std::string_view::npos) return std::nullopt;  // includes '=' inside
    buffer = (buffer << 6) | static_cast<std::uint32_t>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  // Unused low bits of the last character must be zero: one canonical text per value.
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string hex_encode(std::string_view bytes) {
  constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

std::optional<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = hex_digit(text[i]);
    const int lo = hex_digit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace ocpp::ocmf
