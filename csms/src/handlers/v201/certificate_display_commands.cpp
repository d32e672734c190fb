// The 2.0.1 commands of display messages (SetDisplayMessage, GetDisplayMessages,
// ClearDisplayMessage), customer information (CustomerInformation) and
// certificate management (InstallCertificate, GetInstalledCertificateIds,
// DeleteCertificate, CertificateSigned). What the station reports later
// (NotifyDisplayMessages, NotifyCustomerInformation) is kept under the
// requestId these commands add to their answer.
#include <cstdlib>

#include "handlers/certificate_support.hpp"
#include "handlers/v201/commands.hpp"
#include "ocpp/v201/codec.hpp"

namespace csms::v201 {

namespace w = ocpp::v201;

namespace {

constexpr std::size_t kContentMax = 512;       // MessageContentType.content
constexpr std::size_t kLanguageMax = 8;        // MessageContentType.language
constexpr std::size_t kTransactionIdMax = 36;  // MessageInfoType.transactionId
constexpr std::size_t kIdTokenMax = 36;        // IdTokenType.idToken
constexpr std::size_t kCustomerIdMax = 64;     // customerIdentifier
constexpr const char* kPriorities = "AlwaysFront, InFront, NormalCycle";
constexpr const char* kStates = "Charging, Faulted, Idle, Unavailable";
constexpr const char* kInstallTypes =
    "V2GRootCertificate, MORootCertificate, CSMSRootCertificate, ManufacturerRootCertificate";
constexpr const char* kListTypes =
    "V2GRootCertificate, MORootCertificate, CSMSRootCertificate, V2GCertificateChain, "
    "ManufacturerRootCertificate";

// Adds "name": value to a successful answer (the id the CSMS chose).
CommandDone with_member(const char* name, std::int64_t value, CommandDone done) {
  return [name, value, done = std::move(done)](CommandResult r) {
    rapidjson::Document doc;
    if (r.error == CommandError::None && !ocpp::parse_json(r.response_json, doc).IsError() &&
        doc.IsObject() && !doc.HasMember(name)) {
      doc.AddMember(rapidjson::StringRef(name), value, doc.GetAllocator());
      r.response_json = ocpp::to_compact_json(doc);
    }
    done(std::move(r));
  };
}

std::optional<std::string> bounded(Params& p, const char* name, bool required, std::size_t max) {
  auto v = p.string(name, required);
  if (v && (v->empty() || v->size() > max)) {
    p.fail("'" + std::string(name) + "' must be 1 to " + std::to_string(max) + " characters");
    return std::nullopt;
  }
  return v;
}

std::optional<ocpp::DateTime> time_param(Params& p, const char* name) {
  auto text = p.string(name, false);
  if (!text) return std::nullopt;
  auto t = ocpp::DateTime::parse(*text);
  if (!t)
    p.fail("'" + std::string(name) + "' must be an RFC 3339 date-time, e.g. 2030-01-01T00:00:00Z");
  return t;
}

std::optional<std::int64_t> id_param(Params& p, const char* name, bool required) {
  auto id = p.integer(name, required);
  if (id && *id < 0) {
    p.fail("'" + std::string(name) + "' must not be negative");
    return std::nullopt;
  }
  return id;
}

void display_set(StationSession& session, Params& p, CommandDone done) {
  p.allow({"message", "priority", "id", "state", "start", "end", "transactionId", "format",
           "language"});
  w::SetDisplayMessageRequest req;
  w::MessageInfoType& m = req.message;
  if (auto text = p.string("message", true)) m.message.content = *text;
  if (p.ok() && (m.message.content.empty() || m.message.content.size() > kContentMax))
    p.fail("'message' must be 1 to 512 characters");
  if (auto pr = p.enumeration<w::MessagePriorityEnumType>("priority", true, kPriorities))
    m.priority = *pr;
  auto id = id_param(p, "id", false);
  m.state = p.enumeration<w::MessageStateEnumType>("state", false, kStates);
  m.startDateTime = time_param(p, "start");
  m.endDateTime = time_param(p, "end");
  if (p.ok() && m.startDateTime && m.endDateTime && !(*m.startDateTime < *m.endDateTime))
    p.fail("'end' must be after 'start'");
  m.transactionId = bounded(p, "transactionId", false, kTransactionIdMax);
  m.message.format =
      p.enumeration<w::MessageFormatEnumType>("format", false, "ASCII, HTML, URI, UTF8")
          .value_or(w::MessageFormatEnumType::UTF8);
  m.message.language = bounded(p, "language", false, kLanguageMax);
  if (!p.ok()) return;
  // The CSMS chooses the id when the operator does not (the answer names it).
  m.id = id ? *id : next_request_id();
  send(session, req, with_member("id", m.id, std::move(done)));
}

void display_get(StationSession& session, Params& p, CommandDone done) {
  p.allow({"id", "keys", "priority", "state"});
  w::GetDisplayMessagesRequest req;
  std::vector<std::int64_t> ids;
  if (auto id = id_param(p, "id", false)) ids.push_back(*id);
  for (const auto& word : p.strings("keys")) {
    char* end = nullptr;
    const long long n = std::strtoll(word.c_str(), &end, 10);
    if (word.empty() || *end != '\0' || n < 0) {
      p.fail("display-get takes message ids (numbers) as words, not '" + word + "'");
      break;
    }
    ids.push_back(n);
  }
  if (!ids.empty()) req.id = ids;
  req.priority = p.enumeration<w::MessagePriorityEnumType>("priority", false, kPriorities);
  req.state = p.enumeration<w::MessageStateEnumType>("state", false, kStates);
  if (!p.ok()) return;
  req.requestId = next_request_id();
  send(session, req, with_request_id(req.requestId, std::move(done)));
}

void display_clear(StationSession& session, Params& p, CommandDone done) {
  p.allow({"id", "keys"});
  w::ClearDisplayMessageRequest req;
  auto id = id_param(p, "id", false);
  if (!id && p.ok()) {
    auto word = p.first_word_or("id");
    if (word) {
      char* end = nullptr;
      const long long n = std::strtoll(word->c_str(), &end, 10);
      if (!word->empty() && *end == '\0' && n >= 0) id = n;
    }
    if (!id && p.ok()) p.fail("display-clear needs the message 'id' (a number)");
  }
  if (!p.ok()) return;
  req.id = *id;
  send(session, req, std::move(done));
}

void customer_info(StationSession& session, Params& p, CommandDone done) {
  p.allow({"idTag", "tokenType", "customerId", "customerIdentifier", "report", "clear"});
  w::CustomerInformationRequest req;
  auto tag = bounded(p, "idTag", false, kIdTokenMax);
  auto type = p.enumeration<w::IdTokenEnumType>(
      "tokenType", false,
      "Central, eMAID, ISO14443, ISO15693, KeyCode, Local, MacAddress, NoAuthorization");
  if (type && !tag && p.ok()) p.fail("'tokenType' goes with 'idTag'");
  auto customer = bounded(p, "customerId", false, kCustomerIdMax);
  if (auto other = bounded(p, "customerIdentifier", false, kCustomerIdMax)) {
    if (customer) p.fail("give 'customerId' or 'customerIdentifier', not both");
    customer = other;
  }
  req.report = p.flag("report");
  req.clear = p.flag("clear");
  if (!p.ok()) return;
  // N09.FR.03: exactly one way of naming the customer.
  if (tag && customer) return p.fail("name the customer by 'idTag' or by 'customerId', not both");
  if (!tag && !customer)
    return p.fail(
        "customer-info needs the customer: --idtag TAG [--token-type T] or --customer-id X");
  if (!req.report && !req.clear) return p.fail("customer-info needs --report, --clear or both");
  if (tag) {
    w::IdTokenType token;
    token.idToken = *tag;
    token.type = type.value_or(w::IdTokenEnumType::Central);
    req.idToken = token;
  }
  req.customerIdentifier = customer;
  req.requestId = next_request_id();
  send(session, req, with_request_id(req.requestId, std::move(done)));
}

void cert_install(StationSession& session, Params& p, CommandDone done) {
  p.allow({"type", "certificate"});
  w::InstallCertificateRequest req;
  if (auto t = p.string("type", true); t && !from_string(*t, req.certificateType)) {
    if (*t == "CentralSystemRootCertificate")
      p.fail(
          "'CentralSystemRootCertificate' is the OCPP 1.6 name; OCPP 2.0.1 stations take "
          "CSMSRootCertificate");
    else
      p.fail(std::string("'type' must be one of ") + kInstallTypes);
  }
  auto pem = pem_param(p, "certificate", kCertificateMax, false);
  if (!p.ok()) return;
  req.certificate = *pem;
  send(session, req, std::move(done));
}

void cert_list(StationSession& session, Params& p, CommandDone done) {
  p.allow({"type", "keys"});
  std::vector<std::string> names = p.strings("keys");
  if (auto t = p.string("type", false)) names.insert(names.begin(), *t);
  std::vector<w::GetCertificateIdUseEnumType> types;
  for (const auto& name : names) {
    w::GetCertificateIdUseEnumType t{};
    if (!from_string(name, t)) {
      p.fail("'" + name + "' is not a certificate type; OCPP 2.0.1 lists " + kListTypes);
      break;
    }
    types.push_back(t);
  }
  if (!p.ok()) return;
  w::GetInstalledCertificateIdsRequest req;
  if (!types.empty()) req.certificateType = types;
  send(session, req, std::move(done));
}

void cert_delete(StationSession& session, Params& p, CommandDone done) {
  p.allow({"hashAlgorithm", "issuerNameHash", "issuerKeyHash", "serial", "serialNumber"});
  w::DeleteCertificateRequest req;
  auto& h = req.certificateHashData;
  h.hashAlgorithm =
      p.enumeration<w::HashAlgorithmEnumType>("hashAlgorithm", false, "SHA256, SHA384, SHA512")
          .value_or(w::HashAlgorithmEnumType::SHA256);
  if (auto v = hex_param(p, "issuerNameHash", kHashMax)) h.issuerNameHash = *v;
  if (auto v = hex_param(p, "issuerKeyHash", kHashMax)) h.issuerKeyHash = *v;
  if (auto v = serial_param(p)) h.serialNumber = *v;
  if (!p.ok()) return;
  send(session, req, std::move(done));
}

void cert_signed(StationSession& session, Params& p, CommandDone done) {
  p.allow({"certificateChain", "certificate", "type"});
  w::CertificateSignedRequest req;
  req.certificateType = p.enumeration<w::CertificateSigningUseEnumType>(
      "type", false, "ChargingStationCertificate, V2GCertificate");
  if (p.ok() && p.string("certificate", false))
    return p.fail("cert-signed takes 'certificateChain' (csmsctl: --certificate-chain or --file)");
  auto pem = pem_param(p, "certificateChain", kCertificateChainMax, true);
  if (!p.ok()) return;
  req.certificateChain = *pem;
  send(session, req, std::move(done));
}

}  // namespace

void add_certificate_display_commands(CommandTable& table) {
  table["display-set"] = [](Services&, StationSession& s, Params& p, CommandDone done) {
    display_set(s, p, std::move(done));
  };
  table["display-get"] = [](Services&, StationSession& s, Params& p, CommandDone done) {
    display_get(s, p, std::move(done));
  };
  table["display-clear"] = [](Services&, StationSession& s, Params& p, CommandDone done) {
    display_clear(s, p, std::move(done));
  };
  table["customer-info"] = [](Services&, StationSession& s, Params& p, CommandDone done) {
    customer_info(s, p, std::move(done));
  };
  table["cert-install"] = [](Services&, StationSession& s, Params& p, CommandDone done) {
    cert_install(s, p, std::move(done));
  };
  table["cert-list"] = [](Services&, StationSession& s, Params& p, CommandDone done) {
    cert_list(s, p, std::move(done));
  };
  table["cert-delete"] = [](Services&, StationSession& s, Params& p, CommandDone done) {
    cert_delete(s, p, std::move(done));
  };
  table["cert-signed"] = [](Services&, StationSession& s, Params& p, CommandDone done) {
    cert_signed(s, p, std::move(done));
  };
  // Installing, deleting and issuing a station's certificates is the CA's and
  // the security settings' business: admin only.
  for (const char* name : {"cert-install", "cert-delete", "cert-signed"})
    table[name].role = Role::Admin;
}

}  // namespace csms::v201
