#include "services/ca_service.hpp"

#include <fcntl.h>
#include <poll.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>

#include "csms/log.hpp"

namespace csms {

namespace {

constexpr int kExternalTimeoutS = 30;
constexpr std::size_t kExternalOutputMax = 64 * 1024;
constexpr int kCrlDays = 30;
constexpr std::int64_t kDay = 86400;

std::string beside_db(const Config& config, const std::string& set, const char* name) {
  if (!set.empty()) return set;
  return (std::filesystem::path(config.db_path).parent_path() / "ca" / name).string();
}

/// Renewal windows compare against X.509 validity, which OpenSSL stamps from
/// the machine's clock: the real clock, not the context's.
std::int64_t now_s() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

std::string command_json(const std::string& chain, bool v201) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("certificateChain");
  w.String(chain.c_str(), static_cast<rapidjson::SizeType>(chain.size()));
  if (v201) {
    w.Key("type");
    w.String("ChargingStationCertificate");
  }
  w.EndObject();
  return buf.GetString();
}

storage::IssuedCertificate record_of(const security::CertificateFacts& f,
                                     const std::string& station_id, const char* how) {
  storage::IssuedCertificate r;
  r.serial = f.serial;
  r.station_id = station_id;
  r.subject = f.subject;
  r.not_before = storage::DateTime::from_unix_micros(f.not_before * 1000000);
  r.not_after = storage::DateTime::from_unix_micros(f.not_after * 1000000);
  r.sha256 = f.sha256;
  r.public_key_sha256 = f.public_key_sha256;
  r.pem = f.pem;
  // Next to the X.509 validity OpenSSL just stamped from the machine's clock.
  r.issued_at = storage::DateTime::now();
  r.how = how;
  return r;
}

}  // namespace

ExternalResult run_external_signer(const std::string& command, const std::string& station_id,
                                   const std::string& csr_pem, int timeout_s) {
  ExternalResult out;
  // A command that exits without reading its stdin must not kill the server
  // with SIGPIPE: the write then fails with EPIPE instead.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { std::signal(SIGPIPE, SIG_IGN); });
  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return {"", "cannot create a pipe"};
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return {"", "cannot create a pipe"};
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) ::close(fd);
    return {"", "cannot start the command"};
  }
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::setpgid(0, 0);
    ::setenv("CSMS_STATION_ID", station_id.c_str(), 1);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), "csms-ca", station_id.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  std::size_t written = 0;
  int in_fd = in_pipe[1];
  bool timed_out = false;
  bool too_long = false;
  std::string output;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {in_fd, POLLOUT, 0}};
    const int n = ::poll(fds, in_fd >= 0 ? 2 : 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (in_fd >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t w = ::write(in_fd, csr_pem.data() + written, csr_pem.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      if (w < 0 || written == csr_pem.size()) {
        ::close(in_fd);
        in_fd = -1;
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[4096];
      const ssize_t r = ::read(out_pipe[0], buf, sizeof buf);
      if (r <= 0) break;  // end of output
      output.append(buf, static_cast<std::size_t>(r));
      if (output.size() > kExternalOutputMax) {
        too_long = true;
        break;
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  ::close(out_pipe[0]);
  int status = 0;
  if (timed_out || too_long) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  } else {
    // Output ended: the command should exit now; give it until the deadline.
    for (;;) {
      const pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        timed_out = true;
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
        break;
      }
      ::usleep(10000);
    }
  }
  if (timed_out || too_long) {
    ::waitpid(pid, &status, 0);
    out.problem = timed_out ? "the external signing command did not finish within " +
                                  std::to_string(timeout_s) + " s (killed)"
                            : "the external signing command wrote more than 64 KiB";
    return out;
  }
  if (WIFSIGNALED(status))
    return {"", "the external signing command was killed by signal " +
                    std::to_string(WTERMSIG(status))};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return {"", "the external signing command exited with status " +
                    std::to_string(WEXITSTATUS(status))};
  if (output.find("PRIVATE KEY") != std::string::npos)
    return {"", "the external signing command's output holds a private key; refused"};
  out.chain_pem = output;
  return out;
}

CaService::CaService(ServerContext& ctx) : ctx_(ctx) {}

CaService::~CaService() {
  worker_.join();
}

std::string CaService::cert_file() const {
  return beside_db(ctx_.config, ctx_.config.ca_cert_file, "ca.pem");
}
std::string CaService::key_file() const {
  return beside_db(ctx_.config, ctx_.config.ca_key_file, "ca.key");
}
std::string CaService::crl_file() const {
  return (std::filesystem::path(cert_file()).parent_path() / "crl.pem").string();
}

void CaService::start(Execute execute, OnlineVersion online_version,
                      std::function<void(const std::string&, const std::string&)> disconnect) {
  execute_ = std::move(execute);
  online_version_ = std::move(online_version);
  disconnect_ = std::move(disconnect);
  std::error_code ec;
  if (std::filesystem::exists(cert_file(), ec) || std::filesystem::exists(key_file(), ec)) {
    ca_ = std::make_shared<const security::CertificateAuthority>(
        security::CertificateAuthority::load(cert_file(), key_file()));
    log::info("station CA loaded from {} (SHA-256 {})", cert_file(), ca_->facts().sha256);
  } else if (!ctx_.config.ca_external_command.empty()) {
    log::info("station certificates are signed by the external command (ca.external_command)");
  }
  schedule_sweep();
}

void CaService::stop() {
  stopped_ = true;
  sweep_timer_.cancel();
}

void CaService::sign_request(const std::string& station_id, const std::string& version,
                             const std::string& csr_pem, std::function<void(bool)> answer) {
  if (!available()) {
    log::info("{}: SignCertificate rejected: no CA (csmsctl ca init, or ca.external_command)",
              station_id);
    return answer(false);
  }
  struct Facts {
    std::string serial_number;
    std::vector<std::string> keys;
  };
  auto facts = std::make_shared<Facts>();
  ctx_.db.read(
      [facts, station_id](storage::Session& s) {
        if (auto st = s.stations.get(station_id)) facts->serial_number = st->serial_number;
        facts->keys = s.certificates.keys_of_others(station_id);
      },
      ctx_.on_io([this, facts, station_id, version, csr_pem,
                  answer = std::move(answer)](std::exception_ptr error) mutable {
        if (error) {
          log::error("{}: SignCertificate rejected: cannot read the station's records", station_id);
          return answer(false);
        }
        security::CsrRules rules;
        rules.expected_cn =
            ctx_.config.station_cert_cn == "serial" ? facts->serial_number : station_id;
        rules.organization = ctx_.config.organization;
        rules.keys_of_others = std::move(facts->keys);
        if (rules.expected_cn.empty()) {
          ctx_.security_event(station_id, "InvalidCsr",
                              "SignCertificate rejected: security.station_cert_cn is 'serial' "
                              "and the station reported no serial number",
                              "");
          return answer(false);
        }
        worker_.post([this, rules = std::move(rules), station_id, version, csr_pem,
                      answer = std::move(answer)]() mutable {
          auto check = security::check_csr(csr_pem, rules);
          ctx_.executor.post([this, check = std::move(check), station_id, version, csr_pem,
                              answer = std::move(answer)]() {
            if (!check.problem.empty()) {
              ctx_.security_event(station_id, "InvalidCsr",
                                  "SignCertificate rejected: " + check.problem, "");
              return answer(false);
            }
            answer(true);
            sign_checked(station_id, version, csr_pem, check.public_key_sha256);
          });
        });
      }));
}

void CaService::sign_checked(const std::string& station_id, const std::string& version,
                             const std::string& csr_pem, const std::string& public_key_sha256) {
  auto ca = ca_;
  const std::string external = ca ? std::string() : ctx_.config.ca_external_command;
  const int days = ctx_.config.ca_cert_validity_days;
  worker_.post([this, ca, external, days, station_id, version, csr_pem, public_key_sha256]() {
    std::string problem;
    std::string chain;
    storage::IssuedCertificate record;
    try {
      if (ca) {
        auto facts = ca->sign_station(csr_pem, days);
        chain = facts.pem + ca->certificate_pem();
        record = record_of(facts, station_id, "built-in");
      } else {
        auto result = run_external_signer(external, station_id, csr_pem, kExternalTimeoutS);
        problem = result.problem;
        if (problem.empty()) {
          auto facts = security::certificate_facts(result.chain_pem);
          if (facts.public_key_sha256 != public_key_sha256)
            problem = "the external command's certificate is not for the CSR's key";
          chain = result.chain_pem;
          record = record_of(facts, station_id, "external");
        }
      }
    } catch (const std::exception& e) {
      problem = std::string(ca ? "signing failed: " : "the external command's output: ") + e.what();
    }
    ctx_.executor.post([this, problem, chain, record, station_id, version]() {
      if (!problem.empty()) {
        log::error("{}: no certificate issued: {}", station_id, problem);
        ctx_.security_event(station_id, "CertificateSigningFailed", problem, "");
        return;
      }
      ctx_.db.write([record](storage::Session& s) { s.certificates.add_issued(record); },
                    ctx_.on_io([this, record, chain, station_id, version](std::exception_ptr e) {
                      if (e) {
                        log::error("{}: certificate {} could not be recorded; not sent", station_id,
                                   record.serial);
                        return;
                      }
                      log::info("{}: issued certificate {} ({}), valid until {}", station_id,
                                record.serial, record.how, record.not_after.to_string());
                      deliver(station_id, version, record, chain);
                    }));
    });
  });
}

void CaService::deliver(const std::string& station_id, const std::string& version,
                        const storage::IssuedCertificate& record, const std::string& chain) {
  if (!execute_) return;
  Command cmd{"cert-signed", command_json(chain, version == "2.0.1")};
  const std::string serial = record.serial;
  execute_(station_id, cmd, [this, station_id, serial](CommandResult r) {
    std::string status;
    if (r.error != CommandError::None) {
      status = "NotDelivered";
      log::warn("{}: CertificateSigned for {} not answered: {}", station_id, serial, r.message);
    } else {
      status = r.response_json.find("\"Accepted\"") != std::string::npos ? "Accepted" : "Rejected";
      if (status == "Rejected")
        log::warn("{}: the station rejected CertificateSigned for {}: {}", station_id, serial,
                  r.response_json);
    }
    if (outcome_)
      outcome_(station_id, status == "Accepted",
               status == "Accepted" ? "" : "CertificateSigned for " + serial + ": " + status);
    // The sweep runs again once the answer is recorded, so a validity shorter
    // than the renewal window shows at once.
    ctx_.db.write([serial, status, now = ctx_.now()](
                      storage::Session& s) { s.certificates.add_delivery(serial, now, status); },
                  ctx_.on_io([this](std::exception_ptr) { sweep(); }));
  });
}

void CaService::init(const std::string& organization, std::function<void(std::string)> done) {
  if (ca_) return done("a CA is already loaded (" + cert_file() + "); refusing to overwrite it");
  const auto cert = cert_file();
  const auto key = key_file();
  worker_.post([this, organization, cert, key, done = std::move(done)]() {
    std::string problem;
    std::shared_ptr<const security::CertificateAuthority> loaded;
    try {
      security::CertificateAuthority::create(organization, cert, key);
      loaded = std::make_shared<const security::CertificateAuthority>(
          security::CertificateAuthority::load(cert, key));
    } catch (const std::exception& e) {
      problem = e.what();
    }
    ctx_.executor.post([this, problem, loaded, done]() {
      if (loaded) {
        ca_ = loaded;
        log::info("station CA created in {} (SHA-256 {})", cert_file(), ca_->facts().sha256);
        // An empty CRL from the start, so tls.crl_files can name it at once.
        return write_crl([done](std::string p) { done(p); });
      }
      done(problem);
    });
  });
}

void CaService::issue_server(std::vector<std::string> dns, std::vector<std::string> ips,
                             std::function<void(std::string, security::ServerCertificate)> done) {
  auto ca = ca_;
  if (!ca) return done("no built-in CA: run csmsctl ca init first", {});
  const int days = ctx_.config.ca_cert_validity_days;
  worker_.post(
      [this, ca, dns = std::move(dns), ips = std::move(ips), days, done = std::move(done)]() {
        std::string problem;
        security::ServerCertificate out;
        try {
          out = ca->issue_server(dns, ips, days);
        } catch (const std::exception& e) {
          problem = e.what();
        }
        ctx_.executor.post([problem, out, done]() { done(problem, out); });
      });
}

void CaService::write_crl(std::function<void(std::string)> done) {
  auto ca = ca_;
  if (!ca) return done("no built-in CA to sign the CRL");
  auto serials = std::make_shared<std::vector<std::string>>();
  ctx_.db.read([serials](storage::Session& s) { *serials = s.certificates.revoked_serials(); },
               ctx_.on_io([this, ca, serials, done](std::exception_ptr e) {
                 if (e) return done("cannot read the revocations");
                 const auto path = crl_file();
                 worker_.post([this, ca, serials, path, done]() {
                   std::string problem;
                   try {
                     security::write_file_atomically(path, ca->crl(*serials, kCrlDays), 0644);
                   } catch (const std::exception& ex) {
                     problem = ex.what();
                   }
                   ctx_.executor.post([this, problem, done]() {
                     if (problem.empty() && ctx_.crl_reload) ctx_.crl_reload();
                     done(problem);
                   });
                 });
               }));
}

void CaService::revoke(const std::string& station_id, const std::string& serial,
                       const std::string& reason, std::function<void(unsigned, std::string)> done) {
  auto found = std::make_shared<std::optional<storage::IssuedCertificate>>();
  auto revoked = std::make_shared<bool>(false);
  ctx_.db.write(
      [=, now = ctx_.now()](storage::Session& s) {
        *found = s.certificates.find(serial);
        if (!*found || (*found)->station_id != station_id) return;
        *revoked = s.certificates.revoke(serial, now, reason);
      },
      ctx_.on_io([this, found, revoked, station_id, serial, reason,
                  done = std::move(done)](std::exception_ptr e) {
        if (e) return done(500, "cannot record the revocation");
        if (!*found || (*found)->station_id != station_id)
          return done(404, "station " + station_id + " has no certificate with serial " + serial);
        ctx_.security_event(station_id, "CertificateRevoked",
                            "certificate " + serial + " revoked: " + reason, "");
        if (disconnect_) disconnect_(station_id, "certificate revoked");
        if (!ca_) {
          // An externally issued certificate: the external CA publishes its CRL.
          return done(0, "");
        }
        write_crl([done](std::string problem) {
          if (!problem.empty())
            return done(500, "revoked, but the CRL was not written: " + problem);
          done(0, "");
        });
      }));
}

void CaService::schedule_sweep() {
  if (stopped_) return;
  sweep();
  sweep_timer_ = ctx_.executor.post_after(std::chrono::hours(1), [this] { schedule_sweep(); });
}

void CaService::sweep() {
  auto certs = std::make_shared<std::vector<storage::IssuedCertificate>>();
  ctx_.db.read([certs](storage::Session& s) { *certs = s.certificates.all(); },
               ctx_.on_io([this, certs](std::exception_ptr e) {
                 if (e || stopped_) return;
                 const std::int64_t now = now_s();
                 const std::int64_t window = std::int64_t{ctx_.config.ca_renew_before_days} * kDay;
                 // Only each station's newest unrevoked certificate counts: a
                 // renewed station's old one expiring is no reason to renew again.
                 std::map<std::string, const storage::IssuedCertificate*> newest;
                 for (const auto& c : *certs) {
                   if (c.revoked_at) continue;
                   auto& n = newest[c.station_id];
                   if (n == nullptr || c.not_after.unix_micros() > n->not_after.unix_micros())
                     n = &c;
                 }
                 std::int64_t expiring = 0;
                 std::int64_t expired = 0;
                 for (const auto& [station, cert] : newest) {
                   const std::int64_t after = cert->not_after.unix_micros() / 1000000;
                   if (after <= now) {
                     ++expired;
                   } else if (after - now <= window) {
                     ++expiring;
                   } else {
                     continue;
                   }
                   trigger_renewal(station);
                 }
                 ctx_.metrics.set_station_certificates(expiring, expired);
               }));
}

void CaService::trigger_renewal(const std::string& station_id) {
  if (!execute_ || !online_version_ || !available()) return;
  const std::string version = online_version_(station_id);
  if (version.empty()) return;
  const std::int64_t now = now_s();
  auto last = last_trigger_.find(station_id);
  if (last != last_trigger_.end() && now - last->second < kDay) return;
  last_trigger_[station_id] = now;
  const bool v201 = version == "2.0.1";
  Command cmd{"trigger", v201 ? R"({"message":"SignChargingStationCertificate"})"
                              : R"({"message":"SignChargePointCertificate"})"};
  log::info("{}: station certificate expires within {} days: asking the station to renew it",
            station_id, ctx_.config.ca_renew_before_days);
  execute_(station_id, cmd, [this, station_id](CommandResult r) {
    if (r.error != CommandError::None) {
      log::warn("{}: renewal trigger failed: {}", station_id, r.message);
      if (outcome_) outcome_(station_id, false, "renewal trigger failed: " + r.message);
    } else {
      log::info("{}: renewal trigger answered {}", station_id, r.response_json);
    }
  });
}

}  // namespace csms
