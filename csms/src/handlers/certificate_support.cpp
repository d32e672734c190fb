#include "handlers/certificate_support.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cctype>
#include <memory>

namespace csms {

namespace {

constexpr const char* kBegin = "-----BEGIN CERTIFICATE-----";
constexpr const char* kEnd = "-----END CERTIFICATE-----";

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size()))
    ++n;
  return n;
}

bool is_hex(const std::string& s) {
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

std::string pem_problem(const std::string& pem, std::size_t max_chars, bool chain,
                        const char* what) {
  const std::string name(what);
  if (pem.size() > max_chars)
    return name + " is " + std::to_string(pem.size()) + " characters; OCPP allows at most " +
           std::to_string(max_chars);
  const auto first = pem.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || pem.compare(first, std::string(kBegin).size(), kBegin) != 0)
    return name + " must be PEM, starting with " + kBegin;
  const std::size_t begins = count_of(pem, kBegin);
  if (begins != count_of(pem, kEnd)) return name + " has unbalanced BEGIN/END CERTIFICATE lines";
  if (!chain && begins != 1)
    return name + " must hold exactly one certificate, not " + std::to_string(begins);
  // Every block must be a certificate OpenSSL can read (base64 and DER intact).
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return "out of memory reading " + name;
  std::size_t parsed = 0;
  for (;;) {
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    X509_free(cert);
    ++parsed;
  }
  ERR_clear_error();
  if (parsed != begins)
    return name + ": certificate " + std::to_string(parsed + 1) +
           " is not a valid PEM X.509 certificate";
  return {};
}

std::optional<std::string> pem_param(Params& p, const char* param, std::size_t max_chars,
                                     bool chain) {
  auto pem = p.string(param, false);
  if (!p.ok()) return std::nullopt;
  if (!pem) {
    p.fail(std::string("'") + param + "' is required (csmsctl: --" +
           (std::string(param) == "certificateChain" ? "certificate-chain" : "certificate") +
           " PEM or --file PATH)");
    return std::nullopt;
  }
  if (auto problem = pem_problem(*pem, max_chars, chain, param); !problem.empty()) {
    p.fail(problem);
    return std::nullopt;
  }
  return pem;
}

std::optional<std::string> hex_param(Params& p, const char* name, std::size_t max_chars) {
  auto v = p.string(name, true);
  if (!v) return std::nullopt;
  if (v->empty() || v->size() > max_chars || !is_hex(*v)) {
    p.fail("'" + std::string(name) + "' must be 1 to " + std::to_string(max_chars) +
           " hexadecimal characters");
    return std::nullopt;
  }
  return v;
}

std::optional<std::string> serial_param(Params& p) {
  auto long_form = p.string("serialNumber", false);
  auto short_form = p.string("serial", false);
  if (long_form && short_form) {
    p.fail("give 'serialNumber' or 'serial', not both");
    return std::nullopt;
  }
  if (!long_form && !short_form && p.ok()) {
    p.fail("'serialNumber' is required (csmsctl: --serial HEX)");
    return std::nullopt;
  }
  auto v = long_form ? long_form : short_form;
  if (!v) return std::nullopt;
  if (v->empty() || v->size() > kSerialMax || !is_hex(*v)) {
    p.fail("the serial number must be 1 to 40 hexadecimal characters");
    return std::nullopt;
  }
  return v;
}

}  // namespace csms
