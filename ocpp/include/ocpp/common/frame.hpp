#pragma once
// OCPP-J RPC framing: parse and serialize CALL, CALLRESULT and CALLERROR.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "ocpp/common/error.hpp"
#include "ocpp/common/json_fwd.hpp"
#include "ocpp/common/version.hpp"

namespace ocpp {

/// OCPP-J message type numbers.
enum class MessageType { Call = 2, CallResult = 3, CallError = 4 };

/// Message ids are at most 36 characters (OCPP-J 1.6 §4.1.3, 2.0.1 Part 4 §4.1.3).
constexpr std::size_t kMaxMessageIdLength = 36;

/// A parsed frame. Owns the parsed JSON document; `payload()` points into it.
class Frame {
 public:
  Frame(MessageType type, std::shared_ptr<rapidjson::Document> doc);

  MessageType type() const { return type_; }
  const std::string& id() const { return id_; }
  /// CALL only: the action name.
  const std::string& action() const { return action_; }
  /// CALL and CALLRESULT: the payload value (any JSON type; the typed decoder
  /// checks it is an object). CALLERROR: the details value.
  const rapidjson::Value& payload() const;
  /// CALLERROR only: the code as sent (may be unknown) and the description.
  const std::string& error_code() const { return error_code_; }
  const std::string& error_description() const { return error_description_; }

 private:
  friend struct FrameParser;
  MessageType type_;
  std::shared_ptr<rapidjson::Document> doc_;
  std::string id_;
  std::string action_;
  std::string error_code_;
  std::string error_description_;
};

/// Why a frame could not be parsed, and how to answer it.
struct FrameError {
  ErrorCode code;           ///< The CALLERROR code to answer with.
  std::string description;  ///< Names the problem; never echoes the raw input.
  /// The id to answer with; nullopt when the frame must not be answered (it was a
  /// CALLRESULT/CALLERROR, or 1.6 and no id could be read). 2.0.1 uses "-1" when
  /// the id cannot be read (Part 4 §4.2.3).
  std::optional<std::string> reply_id;
};

using ParseResult = std::variant<Frame, FrameError>;

/// Parses one WebSocket text message. Never throws; memory is bounded by the
/// input size. `version` selects error codes and the "-1" reply convention.
ParseResult parse_frame(std::string_view text, Version version);

/// `[2,"id","Action",payload]`; `payload_json` must be one serialized JSON value.
std::string make_call(std::string_view id, std::string_view action, std::string_view payload_json);
/// `[3,"id",payload]`.
std::string make_call_result(std::string_view id, std::string_view payload_json);
/// `[4,"id","Code","description",details]`; details defaults to `{}`.
/// The description is truncated to 255 characters (2.0.1 limit).
std::string make_call_error(std::string_view id, ErrorCode code, Version version,
                            std::string_view description, std::string_view details_json = "{}");

}  // namespace ocpp
