#pragma once
// Reports a 2.0.1 station sends in parts under a requestId, assembled from
// the notifications kept as received (NotifyDisplayMessages,
// NotifyCustomerInformation): what GET /api/stations/{id}/display-messages
// and /customer-information answer.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/model.hpp"

namespace csms::admin {

/// The notification actions these views read.
inline constexpr const char* kNotifyDisplayMessages = "NotifyDisplayMessages";
inline constexpr const char* kNotifyCustomerInformation = "NotifyCustomerInformation";

/// {requestId, parts, complete, receivedAt, messages: [{id, priority, state,
/// startDateTime, endDateTime, transactionId, format, language, content}]} of
/// the newest report (or of `request_id`); requestId null and no messages when
/// there is none. `notes`: the station's NotifyDisplayMessages, any order.
std::string display_messages_json(const std::vector<storage::StationNotification>& notes,
                                  std::optional<std::int64_t> request_id);

/// [{requestId, parts, complete, generatedAt, receivedAt, data}], newest
/// request first (only `request_id` when set): each report's data is its
/// parts' data joined in seqNo order; a retried part counts once; complete
/// when the part without tbc and every part before it arrived.
std::string customer_information_json(const std::vector<storage::StationNotification>& notes,
                                      std::optional<std::int64_t> request_id);

}  // namespace csms::admin
