#pragma once
// One station's OCPP-J RPC session: frames in, CALLs routed to handlers,
// CALLRESULT/CALLERROR back; CSMS-initiated CALLs one at a time with a timeout.

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/executor.hpp"
#include "ocpp/common/frame.hpp"
#include "server/admission.hpp"
#include "transport/transport.hpp"

namespace csms {

class Router;
struct ServerContext;

/// What the message log keeps of a junk frame: at most `max_prefix` bytes of it
/// (never cutting a UTF-8 sequence) and a marker with the reason and its size.
std::string junk_log_record(std::string_view text, std::string_view why,
                            std::size_t max_prefix = 256);

/// How a CSMS-initiated CALL ended.
struct CallOutcome {
  enum class Kind { Result, Error, Timeout, Closed };
  Kind kind = Kind::Closed;
  std::optional<ocpp::Frame> frame;  ///< The CALLRESULT or CALLERROR.
  std::string message;               ///< For Timeout/Closed.
};
using CallCallback = std::function<void(CallOutcome)>;

/// A connected station. Network thread only.
///
/// Per-station limits (docs/configuration.md, "limits"): CALLs are served at up
/// to limits.max_calls_per_s after a burst of limits.call_burst, faster ones
/// wait their turn in order; a station with limits.max_calls_in_flight CALLs
/// unanswered (waiting or being handled) gets a GenericError for each further
/// one without it being run or logged, and after limits.flood_close_after such
/// refusals (counted until it has nothing outstanding again) is closed with 1008.
///
/// Frames that are not CALLs the station may send (malformed frames, CALLRESULTs
/// and CALLERRORs for no CALL of ours, CALLs refused without being run) are junk:
/// each takes a token of the same rate (over it, it counts as a refusal towards
/// limits.flood_close_after), is logged only as a short prefix with its size,
/// and more than ocpp.max_bad_frames of them within a minute close the
/// connection with 1008 and a security event, however much valid traffic comes
/// in between.
class StationSession : public std::enable_shared_from_this<StationSession> {
 public:
  StationSession(ServerContext& ctx, std::shared_ptr<transport::Connection> connection,
                 std::string station_id, ocpp::Version version, const Router& router);

  const std::string& station_id() const { return station_id_; }
  ocpp::Version version() const { return version_; }
  transport::Connection& connection() { return *connection_; }
  const std::shared_ptr<transport::Connection>& connection_ptr() const { return connection_; }

  /// CALLs from the station not yet answered (being handled or waiting).
  std::size_t outstanding() const { return unanswered_.size() + waiting_.size(); }

  /// A text frame from the station.
  void handle_text(std::string_view text);
  /// Like handle_text, with the frame already parsed (on its I/O thread) for
  /// this session's version.
  void handle_frame(std::string_view text, ocpp::ParseResult parsed);
  /// The socket is gone: fails the outstanding and queued CALLs.
  void closed();

  /// Sends a CALL to the station; queued while another is outstanding.
  void call(std::string action, std::string payload_json, CallCallback done);

  void send_result(const std::string& id, const std::string& payload_json);
  void send_error(const std::string& id, ocpp::ErrorCode code, std::string_view description);

 private:
  struct OutboundCall {
    std::string id;
    std::string action;
    std::string payload;
    CallCallback done;
  };

  /// Applies the per-station limits to an incoming CALL: runs it now, queues it,
  /// or refuses it.
  void admit_call(ocpp::Frame frame, std::string_view text);
  void refuse_call(const ocpp::Frame& frame);
  void serve_waiting();
  void schedule_waiting();
  /// A CALL from the station was answered (CALLRESULT or CALLERROR).
  void answered(const std::string& id);
  void handle_call(const ocpp::Frame& frame);
  void handle_response(ocpp::Frame frame);
  void send_next();
  void finish_in_flight(CallOutcome outcome);
  void send_frame(const std::string& text);
  void send_error_frame(const std::string& id, ocpp::ErrorCode code, std::string_view description,
                        bool log);
  /// A junk frame (see above) arrived: logs its prefix, charges the limits.
  void junk_frame(std::string_view text, std::string_view why);
  /// Counts a bad frame in the one-minute window; closes when over the limit.
  void bad_frame();
  /// Counts one frame over the per-station limits; closes when over the limit.
  void over_limit(std::string_view what);
  /// Whether `action` would be refused without being run (unknown, not from a
  /// station, or before an accepted boot), without using up a trigger.
  bool refused_unrun(const std::string& action) const;
  /// Whether a not-yet-accepted station may send `action` because the CSMS asked
  /// for it (a report, or a TriggerMessage for that message, used up once).
  bool requested_by_csms(const std::string& action);

  ServerContext& ctx_;
  std::shared_ptr<transport::Connection> connection_;
  std::string station_id_;
  ocpp::Version version_;
  const Router& router_;
  std::deque<OutboundCall> queue_;
  std::optional<OutboundCall> in_flight_;
  TimerHandle timeout_;
  std::uint64_t next_id_ = 1;
  std::deque<std::chrono::steady_clock::time_point> bad_frames_;  ///< In the last minute.
  /// Ids of our CALLs that timed out, so a late answer is not taken for junk.
  std::deque<std::string> expired_ids_;
  std::set<std::string> triggered_;
  bool closed_ = false;
  // Per-station limits.
  TokenBucket call_rate_;
  std::deque<ocpp::Frame> waiting_;  ///< CALLs held back by the rate limit, in order.
  TimerHandle waiting_timer_;
  bool waiting_timer_armed_ = false;
  std::multiset<std::string> unanswered_;  ///< Ids of CALLs being handled.
  int refused_ = 0;
  bool flood_closing_ = false;
};

}  // namespace csms
