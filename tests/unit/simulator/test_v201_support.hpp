#pragma once
// A v201::ChargingStation on virtual time whose CSMS answers from a table, for
// the test_v201_*.cpp files (the link double and frame parsing come from
// support.hpp).

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simulator/v201/charging_station.hpp"
#include "support.hpp"

namespace simtest {

/// A JSON string value as text (empty when it is not a string).
inline std::string text_at(const rapidjson::Value& v) {
  return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : std::string();
}

/// A 2.0.1 ChargingStation driven by a scripted CSMS.
class Rig201 : public StationRig<simulator::v201::ChargingStation> {
 public:
  explicit Rig201(int evses = 1, std::function<void(simulator::StationSettings&)> tweak = {})
      : StationRig("CS1", evses, [&tweak](simulator::StationSettings& s) {
          s.seed = 42;
          if (tweak) tweak(s);
        }) {
    for (const char* empty :
         {"NotifyReport", "FirmwareStatusNotification", "LogStatusNotification"}) {
      responses[empty] = [](const Sent&) { return std::string("{}"); };
    }
    responses["Authorize"] = [](const Sent& s) {
      const std::string token = text_at(s.payload()["idToken"]["idToken"]);
      return std::string(R"({"idTokenInfo":{"status":")") +
             (token == "BAD" ? "Invalid" : "Accepted") + "\"}}";
    };
    responses["TransactionEvent"] = [](const Sent&) { return std::string("{}"); };
  }

  /// The connector statuses reported for `evse`, in order.
  std::vector<std::string> statuses(int evse) const {
    std::vector<std::string> out;
    for (const auto& s : calls("StatusNotification")) {
      if (s.num("evseId") == evse) out.push_back(s.str("connectorStatus"));
    }
    return out;
  }
  /// The TransactionEvents sent, optionally of one transaction.
  std::vector<Sent> tx_events(const std::string& transaction_id = {}) const {
    std::vector<Sent> out;
    for (const auto& s : calls("TransactionEvent")) {
      if (transaction_id.empty() ||
          text_at(s.payload()["transactionInfo"]["transactionId"]) == transaction_id) {
        out.push_back(s);
      }
    }
    return out;
  }
};

inline simulator::Step start_step(int evse = 1, const std::string& tag = "TAG", int repeat = 1) {
  simulator::Step s = make_step(simulator::StepKind::Start, evse);
  s.id_tag = tag;
  s.repeat = repeat;
  return s;
}

inline simulator::Step stop_step(int evse = 1, const std::string& reason = "Local",
                                 int repeat = 1) {
  simulator::Step s = make_step(simulator::StepKind::Stop, evse);
  s.reason = reason;
  s.repeat = repeat;
  return s;
}

}  // namespace simtest
