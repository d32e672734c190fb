#pragma once
// The station's outgoing CALLs in the order they must go out, including the
// transaction-related ones that wait out disconnections.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocpp/common/json_fwd.hpp"

namespace simulator {

/// How a CALL of ours ended.
struct CallReply {
  enum class Kind {
    Result,      ///< CALLRESULT; `result` points at its payload.
    Error,       ///< CALLERROR; `error_code`/`error_description` say which.
    Timeout,     ///< No answer within the call timeout (volatile calls only).
    Dropped,     ///< Never sent or lost with the connection (volatile calls only).
    Unsendable,  ///< The CSMS id it needed never came (its StartTransaction failed).
  };
  Kind kind = Kind::Dropped;
  std::string message_id;
  std::string sent_payload;  ///< The payload as sent (ids filled in); empty if never sent.
  const rapidjson::Value* result = nullptr;
  std::string error_code;
  std::string error_description;

  bool ok() const { return kind == Kind::Result; }
};

/// A CALL the station wants to make.
struct OutgoingCall {
  std::string action;
  std::string payload;  ///< JSON text as created, timestamps and all.
  /// Transaction-related: queued while offline, kept across disconnections and
  /// re-sent until answered, strictly in order. Replies go to the messenger's
  /// transaction handler (the entry may come back from a queue file, so it
  /// cannot carry a callback).
  bool transactional = false;
  /// Goes before everything not yet sent, and is all that is sent while the
  /// gate is closed (the boot notification).
  bool priority = false;
  /// The station-local session this message belongs to (0: none).
  std::int64_t session = 0;
  /// The connector (EVSE) it concerns (0: none or the whole station).
  std::int64_t connector = 0;
  /// Non-empty: the top-level payload member to set to the CSMS's transaction id
  /// for `session` when sending. A 1.6 need (the id is known only once
  /// StartTransaction is answered); 2.0.1 stations choose their transaction ids,
  /// so their entries leave it empty and go exactly as created.
  std::string tx_id_field;
  /// Reply callback for volatile calls (may be empty).
  std::function<void(const CallReply&)> on_reply;
};

/// Outgoing CALLs in order, plus the CSMS transaction ids learnt for sessions
/// (1.6 only).
class CallQueue {
 public:
  /// Appends; a priority call goes after other priority calls but before the
  /// rest, never before the first `keep_first` entries (a CALL in flight).
  void push(OutgoingCall call, std::size_t keep_first = 0);
  bool empty() const { return calls_.empty(); }
  std::size_t size() const { return calls_.size(); }
  OutgoingCall& front() { return calls_.front(); }
  const OutgoingCall& at(std::size_t i) const { return calls_.at(i); }
  void pop_front() { calls_.pop_front(); }
  std::size_t transactional_count() const;
  /// Removes the volatile entries, keeping the others in order; returns them.
  std::vector<OutgoingCall> take_volatile();

  /// A new station-local session number (never reused, even across queue files).
  std::int64_t new_session() { return ++last_session_; }
  void set_transaction_id(std::int64_t session, std::int64_t transaction_id);
  std::optional<std::int64_t> transaction_id(std::int64_t session) const;
  /// The payload to send for `call`, its transaction id filled in; nullopt when
  /// the id is not known.
  std::optional<std::string> render(const OutgoingCall& call) const;

  /// Transactional entries and the ids they need, as JSON (for --queue-file).
  std::string save() const;
  /// Replaces the contents with a save()d state. False (unchanged) on bad input.
  bool load(std::string_view json, std::string* error);

 private:
  std::deque<OutgoingCall> calls_;
  std::map<std::int64_t, std::int64_t> transaction_ids_;  // session -> CSMS id
  std::int64_t last_session_ = 0;
};

}  // namespace simulator
