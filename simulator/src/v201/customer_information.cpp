// Customer information of the 2.0.1 charging station (CustomerInformation
// answered with NotifyCustomerInformation parts): what the station holds of a
// customer spans its authorization cache, transactions and certificates.
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "ocpp/v201/codec.hpp"
#include "rpc.hpp"
#include "simulator/v201/charging_station.hpp"
#include "v201/commands.hpp"

namespace simulator::v201 {

using namespace ocpp::v201;

namespace {

constexpr std::size_t kDataMax = 512;  // NotifyCustomerInformation.data

}  // namespace

CallAnswer ChargingStation::on_customer_information(const ocpp::Frame& call) {
  return answer<CustomerInformationRequest>(call, [this](const auto& req) {
    Outcome<CustomerInformationResponse> out{{}, {}};
    const int named = (req.idToken ? 1 : 0) + (req.customerIdentifier ? 1 : 0) +
                      (req.customerCertificate ? 1 : 0);
    if (named != 1 || (!req.report && !req.clear)) {
      // N09.FR.03: exactly one customer reference, and something to do.
      out.response.status = CustomerInformationStatusEnumType::Invalid;
      out.response.statusInfo =
          status_info("InvalidRequest",
                      named != 1 ? "name the customer exactly once" : "neither report nor clear");
      return out;
    }
    std::string who;
    std::vector<std::string> known;
    if (req.idToken) {
      const std::string& token = req.idToken->idToken;
      who = fmt::format("idToken {} ({})", token, to_string(req.idToken->type));
      if (auto it = auth_cache_.find(token); it != auth_cache_.end())
        known.push_back(fmt::format("authorization cache: {}", to_string(it->second.status)));
      for (int n = 1; n <= evse_count(); ++n) {
        const auto& tx = evses_[static_cast<std::size_t>(n)].tx;
        if (tx && tx->id_token.idToken == token)
          known.push_back(fmt::format("EVSE {}: transaction {} ongoing, {:.0f} Wh so far", n,
                                      tx->id, energy_wh(n)));
      }
    } else if (req.customerIdentifier) {
      who = "customer " + *req.customerIdentifier;  // nothing is kept by customer id here
    } else {
      const auto& h = req.customerCertificate;
      CertificateHash hash{h->issuerNameHash, h->issuerKeyHash, h->serialNumber};
      who = "certificate " + h->serialNumber;
      if (auto type = certificates_.store().type_of(hash)) known.push_back("installed as " + *type);
    }
    std::vector<std::string> lines;
    if (req.report) {
      lines.push_back(fmt::format("customer information of {} held by {}", who, settings_.id));
      if (known.empty()) lines.push_back("no data held");
      lines.insert(lines.end(), known.begin(), known.end());
    }
    if (req.clear) {
      // Clearing forgets the cached authorization; transactions stay (billing needs them).
      if (req.idToken) auth_cache_.erase(req.idToken->idToken);
      lines.push_back(fmt::format("cleared what {} held of {}", settings_.id, who));
    }
    out.response.status = CustomerInformationStatusEnumType::Accepted;
    out.then = [this, id = req.requestId, lines = std::move(lines)]() mutable {
      send_customer_information(id, std::move(lines));
    };
    return out;
  });
}

void ChargingStation::send_customer_information(std::int64_t request_id,
                                                std::vector<std::string> lines) {
  const ocpp::DateTime generated_at = scheduler_.wall_now();
  const std::size_t parts = lines.size();
  for (std::size_t part = 0; part < parts; ++part) {
    NotifyCustomerInformationRequest notify;
    notify.requestId = request_id;
    notify.seqNo = static_cast<std::int64_t>(part);
    notify.tbc = part + 1 < parts;
    notify.generatedAt = generated_at;
    notify.data = lines[part].substr(0, kDataMax - 1);  // room for the newline
    if (part + 1 < parts) notify.data += "\n";
    OutgoingCall c = make_call(notify);
    c.on_reply = [this, request_id, part, parts](const CallReply& reply) {
      if (!reply.ok()) {
        log_.warn("NotifyCustomerInformation {} part {} {}", request_id, part,
                  describe_failure(reply));
      } else if (part + 1 == parts) {
        events_.emit(
            Event("customer_information_sent").add("requestId", request_id).add("parts", parts));
      }
    };
    send_triggered(std::move(c));
  }
}

}  // namespace simulator::v201
