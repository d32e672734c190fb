#pragma once
// The station certificate authority as the server uses it: the built-in CA
// (security/ca.hpp) or an external signing command, SignCertificate handling,
// recording, revocation with its CRL, and the renewal sweep. Key operations and
// the external command run on a worker thread of their own; every callback
// runs on the network thread.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/worker.hpp"
#include "csms/commands.hpp"
#include "security/ca.hpp"
#include "server/context.hpp"

namespace csms {

/// What an external signing command returned, or why it failed.
struct ExternalResult {
  std::string chain_pem;
  std::string problem;  ///< Empty on success.
};

/// Runs `command` through /bin/sh with `csr_pem` on stdin and the station's id
/// in $CSMS_STATION_ID (and as $1); stdout is the PEM chain. Non-zero exit,
/// output that is not a PEM certificate chain or no end within `timeout_s`
/// (the command is killed) give a problem.
ExternalResult run_external_signer(const std::string& command, const std::string& station_id,
                                   const std::string& csr_pem, int timeout_s);

/// The station CA service (one per server).
class CaService {
 public:
  /// Sends a version-neutral operator command to a station (the server's gateway).
  using Execute = std::function<void(const std::string& station_id, const Command& command,
                                     std::function<void(CommandResult)> done)>;
  /// "1.6", "2.0.1", or "" when the station is offline.
  using OnlineVersion = std::function<std::string(const std::string& station_id)>;

  explicit CaService(ServerContext& ctx);
  ~CaService();

  /// Loads the CA if its files exist, wires the gateway and starts the renewal
  /// sweep. Throws security::CaError for CA files that exist but do not load.
  void start(Execute execute, OnlineVersion online_version,
             std::function<void(const std::string&, const std::string&)> disconnect);
  void stop();
  /// Told each CertificateSigned outcome and failed renewal trigger (the
  /// certificate_renewal_failed alert): ok, or why not.
  using Outcome =
      std::function<void(const std::string& station_id, bool ok, const std::string& detail)>;
  void set_outcome_listener(Outcome listener) { outcome_ = std::move(listener); }

  /// A CA that can sign: the built-in one loaded, or ca.external_command set.
  bool available() const {
    return static_cast<bool>(ca_) || !ctx_.config.ca_external_command.empty();
  }
  const security::CertificateAuthority* authority() const { return ca_.get(); }
  std::string cert_file() const;
  std::string key_file() const;
  std::string crl_file() const;

  /// Handles a station's SignCertificate: checks the CSR off the network thread,
  /// then `answer(accepted)`; when accepted, signs it (or runs the external
  /// command) and sends CertificateSigned. `version` is "1.6" or "2.0.1".
  void sign_request(const std::string& station_id, const std::string& version,
                    const std::string& csr_pem, std::function<void(bool accepted)> answer);

  /// `csmsctl ca init`: creates and loads the CA; `done(problem)` ("" on success).
  void init(const std::string& organization, std::function<void(std::string problem)> done);
  /// A server certificate for the CSMS itself (lab setups).
  void issue_server(std::vector<std::string> dns, std::vector<std::string> ips,
                    std::function<void(std::string problem, security::ServerCertificate)> done);
  /// Revokes a station's certificate: records it, rewrites the CRL, calls the
  /// CRL hook and closes the station's connection. `done(status, problem)`:
  /// 0 on success, else an HTTP status naming the problem.
  void revoke(const std::string& station_id, const std::string& serial, const std::string& reason,
              std::function<void(unsigned status, std::string problem)> done);

  /// Finds station certificates expiring within ca.renew_before_days and
  /// triggers their online stations to renew (each at most once a day).
  void sweep();

 private:
  void sign_checked(const std::string& station_id, const std::string& version,
                    const std::string& csr_pem, const std::string& public_key_sha256);
  void deliver(const std::string& station_id, const std::string& version,
               const storage::IssuedCertificate& record, const std::string& chain);
  void trigger_renewal(const std::string& station_id);
  void write_crl(std::function<void(std::string problem)> done);
  void schedule_sweep();

  ServerContext& ctx_;
  std::shared_ptr<const security::CertificateAuthority> ca_;
  Worker worker_;            ///< Signs and writes CRLs off the network thread.
  TimerHandle sweep_timer_;  ///< The hourly renewal sweep.
  Execute execute_;
  OnlineVersion online_version_;
  std::function<void(const std::string&, const std::string&)> disconnect_;
  Outcome outcome_;
  std::map<std::string, std::int64_t> last_trigger_;  ///< Station -> unix seconds.
  bool stopped_ = false;
};

}  // namespace csms
