// The display-messages block of the 2.0.1 charging station (SetDisplayMessage,
// GetDisplayMessages answered with NotifyDisplayMessages parts,
// ClearDisplayMessage).
#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "ocpp/v201/codec.hpp"
#include "rpc.hpp"
#include "simulator/v201/display_messages.hpp"
#include "v201/commands.hpp"

namespace simulator::v201 {

using namespace ocpp::v201;

namespace {

// Messages per NotifyDisplayMessages: small, so a few messages already show
// how a station splits a long answer (tbc).
constexpr std::size_t kMessagesPerPart = 2;

bool wanted(const MessageInfoType& m, const GetDisplayMessagesRequest& req) {
  if (req.id && !req.id->empty() &&
      std::find(req.id->begin(), req.id->end(), m.id) == req.id->end())
    return false;
  if (req.priority && m.priority != *req.priority) return false;
  if (req.state && m.state != req.state) return false;
  return true;
}

}  // namespace

DisplayMessages::DisplayMessages(StationPort& station,
                                 std::function<bool(const std::string&)> transaction_known)
    : Block(station), transaction_known_(std::move(transaction_known)) {}

void DisplayMessages::add_handlers(BlockHandlers& handlers) {
  handlers["SetDisplayMessage"] = [this](const ocpp::Frame& call) { return on_set(call); };
  handlers["GetDisplayMessages"] = [this](const ocpp::Frame& call) { return on_get(call); };
  handlers["ClearDisplayMessage"] = [this](const ocpp::Frame& call) { return on_clear(call); };
}

CallAnswer DisplayMessages::on_set(const ocpp::Frame& call) {
  return answer<SetDisplayMessageRequest>(call, [this](const auto& req) {
    Outcome<SetDisplayMessageResponse> out{{}, {}};
    const MessageInfoType& m = req.message;
    out.response.status = DisplayMessageStatusEnumType::Accepted;
    if (m.message.format == MessageFormatEnumType::HTML ||
        m.message.format == MessageFormatEnumType::URI) {
      // A text display: plain text only.
      out.response.status = DisplayMessageStatusEnumType::NotSupportedMessageFormat;
    } else if (m.transactionId && m.state &&
               (*m.state == MessageStateEnumType::Faulted ||
                *m.state == MessageStateEnumType::Unavailable)) {
      // A transaction's message cannot wait for a state no transaction runs in.
      out.response.status = DisplayMessageStatusEnumType::Rejected;
      out.response.statusInfo =
          status_info("InvalidState", "a transaction's message cannot be shown when " +
                                          std::string(to_string(*m.state)));
    } else if (m.transactionId) {
      if (!transaction_known_(*m.transactionId))
        out.response.status = DisplayMessageStatusEnumType::UnknownTransaction;
    }
    if (out.response.status == DisplayMessageStatusEnumType::Accepted) {
      messages_[m.id] = m;  // the same id replaces the message
      station_.log().info("display message {} set: {}", m.id, m.message.content);
    }
    return out;
  });
}

CallAnswer DisplayMessages::on_get(const ocpp::Frame& call) {
  return answer<GetDisplayMessagesRequest>(call, [this](const auto& req) {
    Outcome<GetDisplayMessagesResponse> out{{}, {}};
    std::vector<MessageInfoType> selected;
    for (const auto& [id, m] : messages_) {
      if (wanted(m, req)) selected.push_back(m);
    }
    if (selected.empty()) {
      out.response.status = GetDisplayMessagesStatusEnumType::Unknown;
      return out;
    }
    out.response.status = GetDisplayMessagesStatusEnumType::Accepted;
    out.then = [this, request_id = req.requestId, selected = std::move(selected)] {
      const std::size_t parts = (selected.size() + kMessagesPerPart - 1) / kMessagesPerPart;
      for (std::size_t part = 0; part < parts; ++part) {
        NotifyDisplayMessagesRequest notify;
        notify.requestId = request_id;
        notify.tbc = part + 1 < parts;
        const auto first = selected.begin() + static_cast<std::ptrdiff_t>(part * kMessagesPerPart);
        const auto last = selected.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                 selected.size(), (part + 1) * kMessagesPerPart));
        notify.messageInfo = std::vector<MessageInfoType>(first, last);
        OutgoingCall c = make_call(notify);
        c.on_reply = [this, request_id, part, parts](const CallReply& reply) {
          if (!reply.ok()) {
            station_.log().warn("NotifyDisplayMessages {} part {} {}", request_id, part,
                                describe_failure(reply));
          } else if (part + 1 == parts) {
            station_.events().emit(
                Event("display_messages_sent").add("requestId", request_id).add("parts", parts));
          }
        };
        station_.send_triggered(std::move(c));
      }
    };
    return out;
  });
}

CallAnswer DisplayMessages::on_clear(const ocpp::Frame& call) {
  return answer<ClearDisplayMessageRequest>(call, [this](const auto& req) {
    Outcome<ClearDisplayMessageResponse> out{{}, {}};
    out.response.status = messages_.erase(req.id) > 0 ? ClearMessageStatusEnumType::Accepted
                                                      : ClearMessageStatusEnumType::Unknown;
    return out;
  });
}

}  // namespace simulator::v201
