#pragma once
// The display-messages block of the 2.0.1 charging station: SetDisplayMessage,
// GetDisplayMessages (answered with NotifyDisplayMessages parts) and
// ClearDisplayMessage, with the messages it holds.

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "ocpp/v201/messages.hpp"
#include "simulator/block.hpp"

namespace simulator::v201 {

/// The messages a station shows, by id, and the CALLs that manage them.
class DisplayMessages : public Block {
 public:
  /// `transaction_known`: whether a transaction of that id runs on the station.
  DisplayMessages(StationPort& station, std::function<bool(const std::string&)> transaction_known);

  void add_handlers(BlockHandlers& handlers) override;

  const std::map<std::int64_t, ocpp::v201::MessageInfoType>& messages() const { return messages_; }

 private:
  CallAnswer on_set(const ocpp::Frame& call);
  CallAnswer on_get(const ocpp::Frame& call);
  CallAnswer on_clear(const ocpp::Frame& call);

  std::function<bool(const std::string&)> transaction_known_;
  std::map<std::int64_t, ocpp::v201::MessageInfoType> messages_;  // by id
};

}  // namespace simulator::v201
