#pragma once
// The version-neutral life of a simulated station: the connection and its
// events, the boot gate and its retries, heartbeats, resets (offline for a
// while, then a new boot), steps waiting for the answers to their transaction
// messages, and a shutdown that drains the offline queue. The OCPP 1.6 and
// 2.0.1 adapters derive from it and supply the messages.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ocpp/common/json.hpp"
#include "ocpp/common/version.hpp"
#include "simulator/block.hpp"
#include "simulator/events.hpp"
#include "simulator/link.hpp"
#include "simulator/log.hpp"
#include "simulator/messenger.hpp"
#include "simulator/scenario.hpp"
#include "simulator/scheduler.hpp"
#include "simulator/signed_meter.hpp"
#include "simulator/station.hpp"

namespace simulator {

/// A step waiting for the answers to its (possibly repeated) transaction message.
struct StepWaiter {
  StepDone done;
  int pending = 0;
  std::optional<StepResult> result;  ///< From the first answer.
  std::string expect;                ///< start: the authorization status that counts as success.
};

/// Steps waiting, by the CallQueue session their messages belong to.
using StepWaiters = std::map<std::int64_t, StepWaiter>;

/// The station machinery every OCPP version shares; adapters fill in the hooks.
class StationCore : public Station, public LinkObserver, public CallHandler, public StationPort {
 public:
  StationCore(ocpp::Version version, StationSettings settings, Link& link, Scheduler& scheduler,
              EventSink& events, Logger log);
  ~StationCore() override;
  StationCore(const StationCore&) = delete;
  StationCore& operator=(const StationCore&) = delete;

  /// Loads (and from now on keeps) the offline queue in settings.queue_file.
  bool open_queue_file(std::string* error);

  // Station
  void start() override;
  void set_ready_handler(std::function<void()> handler) override {
    ready_handler_ = std::move(handler);
  }
  void set_fatal_handler(std::function<void(const std::string&)> handler) override {
    fatal_handler_ = std::move(handler);
  }
  bool online() const override { return messenger_.connected(); }
  bool ready() const override { return online() && booted_; }
  std::size_t pending_transaction_messages() const override {
    return messenger_.pending_transactional();
  }
  void go_offline(std::optional<Duration> duration) override;
  void go_online() override;
  void shutdown(bool drain, std::function<void()> done) override;

  // LinkObserver
  void on_link_up() override;
  void on_link_message(std::string_view text) override;
  void on_link_down() override;
  void on_link_failure(const LinkFailure& failure) override;

  // StationPort: what the station's blocks see of it.
  void send_triggered(OutgoingCall call) override;
  Scheduler& scheduler() override { return scheduler_; }
  EventSink& events() override { return events_; }
  const Logger& log() const override { return log_; }
  void set_installed_roots(const std::string& pem) override;
  void keep_csr_key(std::string key_pem) override { credentials_.csr_key_pem = std::move(key_pem); }

  bool booted() const { return booted_; }
  Messenger& messenger() { return messenger_; }
  const StationSettings& settings() const override { return settings_; }
  /// The signing meters with --signed-meter, else nullptr.
  const SignedMeter* signed_meter() const { return signed_meter_.get(); }

 protected:
  /// What a BootNotification response said.
  struct BootAnswer {
    std::string status;
    std::int64_t interval = 0;
    bool accepted = false;
  };

  // --- What each version supplies.
  /// This version's BootNotification as it stands now.
  virtual OutgoingCall boot_request() const = 0;
  /// Decodes a BootNotification response; nullopt with `error` set when invalid.
  virtual std::optional<BootAnswer> read_boot_answer(const rapidjson::Value& payload,
                                                     std::string& error) const = 0;
  virtual void send_heartbeat() = 0;
  /// The current heartbeat interval in s (0: none).
  virtual std::int64_t heartbeat_interval_s() const = 0;
  /// Boot accepted with this interval (> 0) and no --heartbeat: adopt it.
  virtual void adopt_heartbeat_interval(std::int64_t interval_s) = 0;
  /// Reports statuses: all of them (after a boot) or those changed while offline.
  virtual void report_statuses(bool all) = 0;
  virtual void on_transaction_reply(const OutgoingCall& call, const CallReply& reply) = 0;
  /// Shutdown: stop periodic activity (meter sampling).
  virtual void stop_activity() {}
  /// A reset completes: back to the power-up state before going offline.
  virtual void reset_state() {}

  // --- Shared machinery.
  /// Queues a BootNotification (priority: the only CALL allowed before acceptance).
  void send_boot();
  void schedule_heartbeat();
  /// A reset of `type`: ends sessions with `end_sessions`, delivers what that
  /// queued (bounded), closes, reset_state(), reconnects after the reset delay.
  void reboot(const std::string& type, const std::function<void()>& end_sessions);
  bool rebooting() const { return rebooting_; }
  /// Makes `done` wait for `count` answers of `session` when online; offline
  /// the message waits in the queue and the step goes on at once.
  void wait_for_answers(StepWaiters& waiters, std::int64_t session, StepDone done, int count,
                        std::string expect = {});
  /// One answer for `session` (the first result counts); the step ends after the last.
  void finish_waiter(StepWaiters& waiters, std::int64_t session, std::optional<StepResult> result);
  /// The authorization status the start step waiting for `session` counts as success.
  std::string expected_start_status(std::int64_t session) const;
  /// The answer to a transaction message `what` on `where` (connector or EVSE)
  /// that a step may wait for in `waiters`: true for a CALLRESULT; otherwise
  /// it is reported (unless the messenger already did: Unsendable) and fails the step.
  bool transaction_answered(StepWaiters& waiters, const OutgoingCall& call, const CallReply& reply,
                            std::string_view what, std::string_view where);
  /// A CALLRESULT to transaction message `action` that did not decode: reported; fails the step.
  void transaction_answer_invalid(StepWaiters& waiters, const OutgoingCall& call,
                                  std::string_view action, const std::string& error);

  /// Answers a CSMS CALL with `handler`; without one, NotSupported when the
  /// action is `known` to this OCPP version (not played by this `station`
  /// kind), else NotImplemented. An exception it throws is an InternalError.
  CallAnswer answer_call(const ocpp::Frame& call, const std::function<CallAnswer()>& handler,
                         bool known, std::string_view station);

  /// A charge step: the transaction on `where` (there must be one) runs for the step's seconds.
  void charge_step(const Step& step, bool has_transaction, std::string_view where, StepDone done);
  /// What a status step makes of its StatusNotification's answer.
  static std::function<void(const CallReply&)> status_step_reply(StepDone done);
  /// A status not sent for want of a connection: `on_reply` hears Dropped (it
  /// goes with the statuses reported when the connection is back).
  static void status_not_sent(const std::function<void(const CallReply&)>& on_reply);

  void emit_error(const std::string& message) override;
  Clock::time_point now() const { return scheduler_.now(); }

  // ---- credentials (security profiles, password rotation, client certificate) ----

  /// How the station authenticates now; changes apply from the next connection.
  struct Credentials {
    int profile = 0;                      ///< 0..3, see StationSettings::security_profile.
    std::optional<std::string> password;  ///< Basic auth (profiles 1 and 2).
    std::string cert_pem;                 ///< Client certificate chain (profile 3).
    std::string key_pem;                  ///< Its key.
    std::string csr_key_pem;              ///< The key of the last CSR sent.
  };
  /// Tells the link what the current profile presents: a password for 1 and
  /// 2, the client certificate for 3.
  void apply_credentials();
  /// Why a new Basic-auth password is refused (quirk rejects-password), else nullopt.
  std::optional<std::string> password_refusal() const;
  /// Uses `password` from the next connection on. Never logged.
  void rotate_password(std::string password);
  /// Installs a CertificateSigned chain as the client certificate when its leaf
  /// carries the key of the last CSR. False with `error` set otherwise. Under
  /// profile 3 `reconnect` is set: the caller reconnects after its answer.
  bool install_client_certificate(const std::string& chain_pem, std::string& error,
                                  bool& reconnect) override;
  /// Closes and reconnects shortly (after a CALLRESULT already queued): the
  /// next connection uses the new credentials.
  void reconnect_with_new_credentials() override;
  /// Connects to `url` with security `profile` from the next connection on;
  /// should that endpoint fail kFallbackAfter attempts before it ever
  /// connects, the station goes back to where it was (1.6 whitepaper, 2.0.1
  /// B09/A05). False with `error` set when the URL is unusable.
  bool switch_endpoint(const std::string& url, int profile, std::string& error);
  /// A switched endpoint connected: the profile is now the station's (2.0.1
  /// updates SecurityCtrlr.SecurityProfile).
  virtual void security_profile_changed(int profile) { (void)profile; }
  static constexpr int kFallbackAfter = 3;
  Credentials credentials_;
  struct Endpoint {
    std::string url;
    int profile = 0;
  };
  std::optional<Endpoint> fallback_;  ///< Set while a switched endpoint has not connected.
  int switch_failures_ = 0;

  const ocpp::Version version_;
  StationSettings settings_;
  Link& link_;
  Scheduler& scheduler_;
  EventSink& events_;
  Logger log_;
  Messenger messenger_;
  StepWaiters start_waiters_;
  StepWaiters stop_waiters_;
  bool booted_ = false;
  bool shutting_down_ = false;
  std::uint64_t epoch_ = 0;  // bumped by a reset: callbacks from before it are void
  Timer boot_timer_;
  Timer heartbeat_timer_;
  Timer step_timer_;
  std::unique_ptr<SignedMeter> signed_meter_;  // with settings_.signed_meter

 private:
  void on_boot_reply(const CallReply& reply);
  /// A BootNotification went unanswered or failed: retry later (not when dropped:
  /// the next connection boots anyway).
  void boot_failed(const CallReply& reply);
  /// The boot answer could not be decoded: report and retry later.
  void boot_invalid(const std::string& why);
  /// A decoded boot answer: `boot` event, then accepted or retry after `interval`.
  void boot_answered(std::string_view status, std::int64_t interval, bool accepted);
  void on_booted();
  void complete_reboot();
  void release_waiters();
  void wait_for_drain();

  bool rebooting_ = false;
  Timer reboot_timer_;
  Timer shutdown_timer_;
  std::function<void()> close_now_;   // set by shutdown()
  std::function<void()> drain_then_;  // shutdown waiting for the queue to empty
  std::function<void()> ready_handler_;
  std::function<void(const std::string&)> fatal_handler_;
};

}  // namespace simulator
