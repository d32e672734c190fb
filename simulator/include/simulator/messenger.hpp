#pragma once
// OCPP-J RPC for a station, version-neutral: one CALL of ours in flight at a
// time, answers to the CSMS's CALLs at any time, the offline queue, timeouts.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocpp/common/frame.hpp"
#include "ocpp/common/version.hpp"
#include "simulator/call_queue.hpp"
#include "simulator/events.hpp"
#include "simulator/link.hpp"
#include "simulator/log.hpp"
#include "simulator/scheduler.hpp"

namespace simulator {

/// The answer to a CSMS CALL: the frame to send, then what to do once it is
/// sent (a RemoteStart's StartTransaction must follow its CALLRESULT).
struct CallAnswer {
  std::string frame;
  std::function<void()> then;
};

/// Answers the CSMS's CALLs (the version-specific part).
class CallHandler {
 public:
  virtual ~CallHandler() = default;
  virtual CallAnswer handle_call(const ocpp::Frame& call) = 0;
};

/// How a failed call reads in a step error ("answered CALLERROR ...", "not
/// delivered: offline"...).
std::string describe_failure(const CallReply& reply);

/// Sends our CALLs one at a time in queue order and routes every frame that
/// arrives. Emits sent/acked/call_error/timeout/queued/queue_flushed/received/answered.
class Messenger {
 public:
  using TransactionHandler = std::function<void(const OutgoingCall&, const CallReply&)>;

  Messenger(ocpp::Version version, Link& link, Scheduler& scheduler, EventSink& events, Logger log,
            Duration call_timeout);

  void set_call_handler(CallHandler* handler) { handler_ = handler; }
  /// Applies to CALLs sent from now on.
  void set_call_timeout(Duration timeout) { call_timeout_ = timeout; }
  Duration call_timeout() const { return call_timeout_; }
  /// Receives the reply to every transactional call.
  void set_transaction_handler(TransactionHandler handler) { tx_handler_ = std::move(handler); }
  /// Called when a transactional call went unanswered; the station decides what
  /// to do with the connection (it stays at the head either way).
  void set_timeout_handler(std::function<void(const OutgoingCall&)> handler) {
    timeout_handler_ = std::move(handler);
  }
  /// Persists transactional calls in `path` after every change; loads what is
  /// there now. False with `error` set when the file exists but is unusable.
  bool use_queue_file(std::string path, std::string* error);

  /// Queues a CALL. A volatile call while offline is answered Dropped at once
  /// (synchronously); a transactional one waits for the connection.
  void call(OutgoingCall call);
  /// The gate: until open, only priority calls go out (before BootNotification
  /// is accepted a station may send nothing else).
  void set_gate_open(bool open);
  bool gate_open() const { return gate_open_; }

  void on_connected();
  void on_disconnected();
  void on_message(std::string_view text);

  bool connected() const { return connected_; }
  /// A CALL of ours awaits its answer.
  bool in_flight() const { return in_flight_.has_value(); }
  std::size_t pending_transactional() const { return queue_.transactional_count(); }
  /// Runs `fn` once no transactional call is pending, or the connection drops.
  void when_drained(std::function<void()> fn);
  CallQueue& queue() { return queue_; }
  const CallQueue& queue() const { return queue_; }
  ocpp::Version version() const { return version_; }

 private:
  struct InFlight {
    std::string message_id;
    std::string payload;
  };
  void pump();
  void complete(CallReply reply);
  void fire_timeout();
  void check_flushed();
  void check_drained();
  void save_queue();
  void deliver(const OutgoingCall& call, const CallReply& reply);

  ocpp::Version version_;
  Link& link_;
  Scheduler& scheduler_;
  EventSink& events_;
  Logger log_;
  Duration call_timeout_;
  CallHandler* handler_ = nullptr;
  TransactionHandler tx_handler_;
  std::function<void(const OutgoingCall&)> timeout_handler_;
  CallQueue queue_;
  std::optional<InFlight> in_flight_;
  Timer timeout_timer_;
  bool connected_ = false;
  bool gate_open_ = false;
  bool flushing_ = false;
  std::size_t flushed_ = 0;
  std::uint64_t next_message_id_ = 0;
  std::string queue_file_;
  std::vector<std::function<void()>> drain_waiters_;
};

}  // namespace simulator
