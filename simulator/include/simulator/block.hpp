#pragma once
// Station blocks: each topic of a station (display messages, certificates,
// ...) is a class that owns its state and answers its CSMS CALLs; the station
// composes blocks and dispatches to them. A block reaches the station only
// through the small StationPort below, so the same block serves 1.6 and 2.0.1
// where the logic is the same.

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "ocpp/common/frame.hpp"
#include "simulator/call_queue.hpp"
#include "simulator/events.hpp"
#include "simulator/log.hpp"
#include "simulator/messenger.hpp"
#include "simulator/scheduler.hpp"
#include "simulator/station.hpp"

namespace simulator {

/// What a block may ask of the station that holds it.
class StationPort {
 public:
  virtual ~StationPort() = default;
  /// Queues a CALL the CSMS asked for (allowed before the boot is accepted).
  virtual void send_triggered(OutgoingCall call) = 0;
  virtual Scheduler& scheduler() = 0;
  virtual EventSink& events() = 0;
  virtual const Logger& log() const = 0;
  virtual const StationSettings& settings() const = 0;
  /// Online with an accepted boot.
  virtual bool ready() const = 0;
  /// Reports a fault of the station (an `error` event).
  virtual void emit_error(const std::string& message) = 0;

  // The station's TLS credentials, which certificate blocks change.
  /// The CSMS roots the link trusts from the next connection.
  virtual void set_installed_roots(const std::string& pem) = 0;
  /// Keeps the private key of the CSR just sent: a signed certificate must carry it.
  virtual void keep_csr_key(std::string key_pem) = 0;
  /// Installs a signed chain as the client certificate when it carries the
  /// key of the last CSR; `reconnect`: call reconnect_with_new_credentials().
  virtual bool install_client_certificate(const std::string& chain_pem, std::string& error,
                                          bool& reconnect) = 0;
  virtual void reconnect_with_new_credentials() = 0;
};

/// The CSMS CALLs a block answers, by action.
using BlockHandlers = std::map<std::string_view, std::function<CallAnswer(const ocpp::Frame&)>>;

/// One topic of a station: its state and the CALLs it answers.
class Block {
 public:
  explicit Block(StationPort& station) : station_(station) {}
  virtual ~Block() = default;
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  /// Adds the block's handlers to `handlers` (the station's dispatch table).
  virtual void add_handlers(BlockHandlers& handlers) = 0;

 protected:
  StationPort& station_;
};

}  // namespace simulator
