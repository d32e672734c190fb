#include "simulator/certificate_store.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace simulator {

namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

std::string hex(const unsigned char* data, std::size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 15]);
  }
  return out;
}

std::string sha256_hex(const unsigned char* data, std::size_t size) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data, size, md, &len, EVP_sha256(), nullptr) != 1) return {};
  return hex(md, len);
}

std::string openssl_error(const char* what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  char buf[256] = {0};
  if (code != 0) ERR_error_string_n(code, buf, sizeof buf);
  return code != 0 ? std::string(what) + ": " + buf : std::string(what);
}

std::vector<X509Ptr> read_certificates(const std::string& pem, std::string& error) {
  std::vector<X509Ptr> out;
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    error = "out of memory";
    return {};
  }
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
    out.emplace_back(cert);
  ERR_clear_error();
  std::size_t begins = 0;
  const std::string marker = "-----BEGIN CERTIFICATE-----";
  for (auto at = pem.find(marker); at != std::string::npos; at = pem.find(marker, at + 1)) ++begins;
  if (out.empty() || out.size() != begins) {
    error = "not a readable PEM X.509 certificate" + std::string(begins > 1 ? " chain" : "");
    return {};
  }
  return out;
}

std::string name_hash(const X509_NAME* name) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_NAME(name, &der);
  if (len <= 0) return {};
  std::string out = sha256_hex(der, static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string key_hash(const X509* cert) {
  const ASN1_BIT_STRING* key = X509_get0_pubkey_bitstr(cert);
  if (key == nullptr) return {};
  return sha256_hex(key->data, static_cast<std::size_t>(key->length));
}

std::string serial_hex(const X509* cert) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  BIGNUM* bn = ASN1_INTEGER_to_BN(serial, nullptr);
  if (bn == nullptr) return {};
  char* text = BN_bn2hex(bn);
  BN_free(bn);
  if (text == nullptr) return {};
  std::string out(text);
  OPENSSL_free(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto first = out.find_first_not_of('0');
  return first == std::string::npos ? "0" : out.substr(first);
}

bool same_hex(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool same(const CertificateHash& a, const CertificateHash& b) {
  // Serial numbers may come with leading zeros.
  auto trim = [](const std::string& s) {
    const auto first = s.find_first_not_of('0');
    return first == std::string::npos ? std::string("0") : s.substr(first);
  };
  return same_hex(a.issuer_name_hash, b.issuer_name_hash) &&
         same_hex(a.issuer_key_hash, b.issuer_key_hash) &&
         same_hex(trim(a.serial_number), trim(b.serial_number));
}

}  // namespace

std::optional<std::vector<CertificateHash>> certificate_hashes(
    const std::string& pem, std::string& error, const std::vector<std::string>& known) {
  std::vector<X509Ptr> chain = read_certificates(pem, error);
  if (chain.empty()) return std::nullopt;
  std::vector<X509Ptr> others;
  for (const auto& k : known) {
    std::string ignored;
    for (auto& c : read_certificates(k, ignored)) others.push_back(std::move(c));
  }
  std::vector<CertificateHash> out;
  for (const auto& cert : chain) {
    const X509_NAME* issuer_name = X509_get_issuer_name(cert.get());
    // The issuer's key: from the chain, else an installed certificate; a
    // certificate whose issuer is unknown is taken as its own issuer.
    const X509* issuer = cert.get();
    auto find_in = [&](const std::vector<X509Ptr>& pool) {
      for (const auto& c : pool) {
        if (c.get() != cert.get() &&
            X509_NAME_cmp(X509_get_subject_name(c.get()), issuer_name) == 0)
          return static_cast<const X509*>(c.get());
      }
      return static_cast<const X509*>(nullptr);
    };
    if (X509_NAME_cmp(X509_get_subject_name(cert.get()), issuer_name) != 0) {
      if (const X509* found = find_in(chain)) {
        issuer = found;
      } else if (const X509* known_issuer = find_in(others)) {
        issuer = known_issuer;
      }
    }
    CertificateHash h;
    h.issuer_name_hash = name_hash(issuer_name);
    h.issuer_key_hash = key_hash(issuer);
    h.serial_number = serial_hex(cert.get());
    if (h.issuer_name_hash.empty() || h.issuer_key_hash.empty() || h.serial_number.empty()) {
      error = openssl_error("cannot hash the certificate");
      return std::nullopt;
    }
    out.push_back(std::move(h));
  }
  return out;
}

bool CertificateStore::install(const std::string& type, const std::string& pem, bool chain,
                               std::string& error) {
  std::vector<std::string> known;
  for (const auto& c : certificates_) known.push_back(c.pem);
  auto hashes = certificate_hashes(pem, error, known);
  if (!hashes) return false;
  if (!chain && hashes->size() != 1) {
    error = "expected one certificate, got " + std::to_string(hashes->size());
    return false;
  }
  InstalledCertificate entry;
  entry.type = type;
  entry.pem = pem;
  entry.hash = hashes->front();
  entry.children.assign(hashes->begin() + 1, hashes->end());
  remove(entry.hash);
  certificates_.push_back(std::move(entry));
  return true;
}

std::vector<const InstalledCertificate*> CertificateStore::list(
    const std::vector<std::string>& types) const {
  std::vector<const InstalledCertificate*> out;
  for (const auto& c : certificates_) {
    if (types.empty() || std::find(types.begin(), types.end(), c.type) != types.end())
      out.push_back(&c);
  }
  return out;
}

bool CertificateStore::remove(const CertificateHash& hash) {
  auto it = std::find_if(certificates_.begin(), certificates_.end(),
                         [&hash](const InstalledCertificate& c) { return same(c.hash, hash); });
  if (it == certificates_.end()) return false;
  certificates_.erase(it);
  return true;
}

CertificateStore::Deletion CertificateStore::delete_unless_own(const CertificateHash& hash,
                                                               const std::string& own_type) {
  const auto type = type_of(hash);
  if (!type) return Deletion::NotFound;
  if (*type == own_type) return Deletion::OwnCertificate;
  remove(hash);
  return Deletion::Deleted;
}

std::optional<std::string> CertificateStore::type_of(const CertificateHash& hash) const {
  for (const auto& c : certificates_) {
    if (same(c.hash, hash)) return c.type;
  }
  return std::nullopt;
}

std::string make_csr(const std::string& common_name, const std::string& organization,
                     std::string& error, std::string* key_pem) {
  std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) {
    error = openssl_error("cannot generate a key");
    return {};
  }
  std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>> req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), 0) != 1) {
    error = openssl_error("cannot make a CSR");
    return {};
  }
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  auto add = [name](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                      0) == 1;
  };
  if (!add("CN", common_name) || !add("O", organization) ||
      X509_REQ_set_pubkey(req.get(), key.get()) != 1 ||
      X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0) {
    error = openssl_error("cannot sign the CSR");
    return {};
  }
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_X509_REQ(out.get(), req.get()) != 1) {
    error = openssl_error("cannot write the CSR");
    return {};
  }
  if (key_pem) {
    BioPtr key_out(BIO_new(BIO_s_mem()));
    if (!key_out || PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                             nullptr) != 1) {
      error = openssl_error("cannot write the CSR's key");
      return {};
    }
    char* key_data = nullptr;
    const long key_len = BIO_get_mem_data(key_out.get(), &key_data);
    *key_pem = std::string(key_data, static_cast<std::size_t>(key_len));
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace simulator
