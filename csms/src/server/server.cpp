#include "csms/server.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cmath>
#include <deque>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "core/asio_executor.hpp"
#include "csms/admin/admin_server.hpp"
#include "csms/log.hpp"
#include "csms/password.hpp"
#include "csms/station_registry.hpp"
#include "handlers/smart_charging.hpp"
#include "handlers/v16/handlers.hpp"
#include "handlers/v201/handlers.hpp"
#include "ocpp/common/json.hpp"
#include "rpc/router.hpp"
#include "server/admission.hpp"
#include "server/cluster.hpp"
#include "server/context.hpp"
#include "server/handshake.hpp"
#include "services/services.hpp"
#include "transport/beast_server.hpp"
#include "transport/tls_context.hpp"
#include "uploads/upload_server.hpp"

namespace csms {

namespace {

constexpr int kAddressLimitFactor = 10;

/// A frame parsed on its connection's I/O thread.
struct ParsedFrame : transport::Prepared {
  explicit ParsedFrame(ocpp::ParseResult r) : result(std::move(r)) {}
  ocpp::ParseResult result;
};

std::size_t io_threads(const Config& config) {
  return config.io_threads < 0 ? transport::default_io_threads()
                               : static_cast<std::size_t>(config.io_threads);
}

storage::RegistrationStatus unknown_boot_status(const Config& config) {
  return config.unknown_boot_status == "Accepted" ? storage::RegistrationStatus::Accepted
                                                  : storage::RegistrationStatus::Pending;
}

/// SQLite at database.path, or what database.url names (PostgreSQL).
std::unique_ptr<storage::Database> open_database(const Config& config) {
  storage::DatabaseOptions options;
  options.busy_timeout = std::chrono::milliseconds(config.db_busy_timeout_ms);
  options.max_bytes = config.db_max_bytes;
  // The schema version and each migration applied, for the operator's log.
  options.log = [](const std::string& line) { log::info("{}", line); };
  return storage::open_database(config.db_url.empty() ? config.db_path : config.db_url, options);
}

/// PBKDF2 checks on two threads of their own, answered on the network thread.
/// Destroyed (joined, queued checks dropped) before the io_context.
class PasswordPool : public PasswordVerifier {
 public:
  explicit PasswordPool(boost::asio::io_context& io) : io_(io) {}
  ~PasswordPool() override {
    pool_.stop();
    pool_.join();
  }
  void verify(std::string password, std::string hash, std::function<void(bool)> done) override {
    boost::asio::post(pool_, [this, password = std::move(password), hash = std::move(hash),
                              done = std::move(done)]() mutable {
      const bool ok = verify_password(password, hash);
      boost::asio::post(io_, [ok, done = std::move(done)] { done(ok); });
    });
  }

 private:
  boost::asio::io_context& io_;
  boost::asio::thread_pool pool_{2};
};

}  // namespace

struct Server::Impl : transport::Handler, CommandGateway {
  explicit Impl(Config c)
      : config(std::move(c)),
        io_pool(io_threads(config)),
        db(open_database(config)),
        registry(io, *db),
        ctx{executor, SystemClock::instance(), config, *db, registry, metrics},
        services(ctx),
        throttle(config.auth_failure_limit, config.auth_failure_limit * kAddressLimitFactor,
                 std::chrono::seconds(config.auth_failure_window_s)),
        upgrade_admission(config.max_upgrades_per_s, config.upgrade_burst),
        unknown_registrations(config.max_unknown_per_min / 60.0, config.max_unknown_per_min,
                              ctx.clock.steady_now()),
        retention_timer(io),
        growth_timer(io),
        gauge_timer(io),
        drain_timer(io) {
    ctx.events = &events;
    // A rewritten CRL (a revoked station certificate) reaches the TLS listener at once.
    ctx.crl_reload = [this] { reload_tls(); };
    v16::register_handlers(v16_router, services);
    v201::register_handlers(v201_router, services);
  }

  // The I/O threads post to `io`: they end before it is destroyed.
  ~Impl() override { io_pool.stop(); }

  // ---- lifecycle ------------------------------------------------------------

  void start() {
    storage::write_and_wait(*db, [now = ctx.now()](storage::Session& s) {
      // Stations connected when the server stopped went offline then, as far
      // as availability knows (their last message is the best guess).
      for (const auto& st : s.stations.list())
        if (st.connected) s.operations.add_link({st.id, false, st.last_seen.value_or(now)});
      s.stations.mark_all_offline();
    });
    registry.load();
    services.alerts.start();

    transport::ServerOptions ws;
    ws.host = config.ocpp_host;
    ws.port = config.ocpp_port;
    ws.max_message_size = config.max_message_size;
    ws.ping_interval = std::chrono::seconds(config.ping_interval_s);
    ws.pong_timeout = std::chrono::seconds(config.pong_timeout_s);
    ws.handshake_timeout = std::chrono::milliseconds(config.handshake_timeout_ms);
    ws.trusted_proxies = config.trusted_proxies;
    io_pool.start();
    log::info("OCPP connections on {} I/O thread(s) (server.io_threads)", io_pool.size());
    if (config.ocpp_plain) {
      ws_server = transport::make_beast_server(io, ws, *this, &io_pool);
      ws_server->start();
    }
    if (config.ocpp_tls_port >= 0) {
      transport::ServerOptions wss = ws;
      wss.port = static_cast<std::uint16_t>(config.ocpp_tls_port);
      wss.tls = true;
      wss.tls_files = transport::TlsFiles{config.tls_cert_file, config.tls_key_file,
                                          config.tls_client_ca_file, config.tls_crl_files};
      wss_server = transport::make_beast_server(io, wss, *this, &io_pool);
      wss_server->start();
    }

    admin::AdminOptions ao;
    ao.host = config.admin_host;
    ao.port = config.admin_port;
    ao.token = config.admin_token;
    // The same policy and certificate as wss://, without client certificates.
    if (config.admin_tls)
      ao.tls = transport::make_server_context(
          transport::TlsFiles{config.tls_cert_file, config.tls_key_file, "", {}});
    admin_server = std::make_unique<admin::AdminServer>(
        io, ao, admin::AdminDeps{*db, registry, *this, metrics, config, &events});
    admin_server->start();
    start_uploads();

    services.ca.start(
        [this](const std::string& id, const Command& c, std::function<void(CommandResult)> done) {
          execute(id, c, std::move(done));
        },
        [this](const std::string& id) -> std::string {
          auto it = sessions.find(id);
          if (it == sessions.end()) return "";
          return it->second->version() == ocpp::Version::v201 ? "2.0.1" : "1.6";
        },
        [this](const std::string& id, const std::string& reason) { disconnect(id, reason); });
    metrics.add_collector([this](std::string& out) { collect(out); });
    metrics.add_collector([this](std::string& out) { collect_alerts(out); });
    refresh_gauges();
    prune_message_log();
    schedule_growth(std::chrono::seconds(0));
    services.energy.start([this](const EnergyProfile& p,
                                 std::function<void(CommandResult)> done) { send_energy(p, done); },
                          [this](const std::string& id) { return sessions.count(id) != 0; });
    start_cluster();
  }

  // PostgreSQL: this node joins the cluster. Before run(): no station can
  // connect before the cluster knows of it.
  void start_cluster() {
    if (config.db_url.empty()) return;
    std::string id = config.cluster_node_id;
    if (id.empty()) id = default_node_id(ws_server ? ws_server->port() : wss_server->port());
    Cluster::Hooks hooks;
    hooks.lost = [this](const std::string& station, std::uint64_t generation,
                        const std::string& why) { lose_station(station, generation, why); };
    hooks.execute_local = [this](const std::string& station, const Command& command,
                                 std::function<void(CommandResult)> done) {
      auto it = sessions.find(station);
      if (it == sessions.end())
        return done(CommandResult{CommandError::Offline, "station " + station + " is not connected",
                                  "", "", ""});
      run_command(it->second, command, std::move(done));
    };
    hooks.station_changed = [this](const std::string& station) {
      if (station.empty())
        registry.refresh_all();
      else
        registry.refresh(station);
    };
    cluster = std::make_unique<Cluster>(io, storage::open_cluster_store(config.db_url, id), config,
                                        std::move(hooks));
    registry.on_changed = [this](const std::string& station) { cluster->station_changed(station); };
    // One node at a time sweeps reservations (and any other such job).
    ctx.job_lock = [this](const std::string& job, std::function<void(bool)> done) {
      cluster->try_job(job, std::move(done));
    };
    const std::string scheme = config.admin_tls ? "https://" : "http://";
    std::string host = config.admin_host == "0.0.0.0" || config.admin_host == "::"
                           ? "127.0.0.1"
                           : config.admin_host;
    cluster->start(scheme + host + ":" + std::to_string(admin_server->port()));
  }

  /// Another node took the station (a newer epoch): this socket is stale.
  /// The session goes at once, so nothing more is sent on it and its close
  /// does not mark the station offline (it is online elsewhere).
  void lose_station(const std::string& station, std::uint64_t generation, const std::string& why) {
    auto gen = generations.find(station);
    auto it = sessions.find(station);
    if (gen == generations.end() || gen->second != generation || it == sessions.end()) return;
    auto session = it->second;
    sessions.erase(it);
    generations.erase(gen);
    metrics.station_disconnected();
    log::warn("{}: {}; closing this node's stale socket (1001)", station, why);
    session->connection().close(transport::close_code::kGoingAway,
                                "connected to another csms node");
  }

  // The energy controller's profiles go out like an operator's set-profile,
  // without its checks against an operator's mistakes (a pause is 0 A).
  void send_energy(const EnergyProfile& p, std::function<void(CommandResult)> done) {
    // In a cluster a profile goes out only while this node holds the epoch.
    if (cluster && sessions.count(p.station_id) != 0)
      return cluster->fenced(
          p.station_id, generations[p.station_id], [this, p, done] { send_energy_now(p, done); },
          done);
    send_energy_now(p, std::move(done));
  }

  void send_energy_now(const EnergyProfile& p, std::function<void(CommandResult)> done) {
    auto it = sessions.find(p.station_id);
    if (it == sessions.end())
      return done(CommandResult{CommandError::Offline, "station is not connected", "", "", ""});
    if (p.kind == EnergyProfile::Kind::Clear) {
      Command clear{"clear-profile", "{\"id\":" + std::to_string(p.profile_id) + "}"};
      return run_command(it->second, clear, std::move(done));
    }
    ProfileRequest r;
    r.connector = p.evse;
    r.id = p.profile_id;
    r.purpose = p.kind == EnergyProfile::Kind::Tx          ? ProfilePurpose::Tx
                : p.kind == EnergyProfile::Kind::TxDefault ? ProfilePurpose::TxDefault
                                                           : ProfilePurpose::StationMax;
    r.stack_level = p.stack_level;
    r.kind = "Absolute";
    // Started a minute ago, so clock skew cannot delay it.
    r.start = storage::DateTime::from_unix_micros(ctx.now().unix_micros() - 60LL * 1000000);
    if (p.duration_s > 0) r.duration = p.duration_s;
    r.unit = "A";
    r.limit = p.limit_a;
    if (it->second->version() == ocpp::Version::v201) {
      v201::send_checked_profile(services, *it->second, r, std::move(done));
    } else {
      v16::send_checked_profile(services, *it->second, r, std::move(done));
    }
  }

  void site_changed(const std::string& site_id) override { services.energy.site_changed(site_id); }

  // SIGTERM/SIGINT: a drain. New connections are refused at once; the
  // stations are closed with 1001 (going away, so they reconnect elsewhere) at
  // shutdown.drain_rate_per_s, each once its CALLs are answered; then run()
  // ends and flushes storage. Near shutdown.timeout_s the rest are closed
  // whatever they wait for, so the process still exits in time.
  void stop() {
    if (stopping.exchange(true)) return;
    drain_started = std::chrono::steady_clock::now();
    log::info(
        "shutdown: refusing new connections, closing {} station connection(s) with 1001 "
        "at up to {}/s (shutdown.timeout_s {})",
        sessions.size(), config.shutdown_drain_rate_per_s, config.shutdown_timeout_s);
    services.energy.stop();
    services.ca.stop();
    services.alerts.stop();
    retention_timer.cancel();
    growth_timer.cancel();
    gauge_timer.cancel();
    if (upload_server) upload_server->stop();
    if (ws_server) ws_server->stop_accepting();
    if (wss_server) wss_server->stop_accepting();
    drain_step();
  }

  void drain_step() {
    using namespace std::chrono;
    const auto elapsed = steady_clock::now() - drain_started;
    const auto limit = seconds(config.shutdown_timeout_s);
    // Time left after the forced close for close handshakes and the flush.
    const auto force_at = limit - std::min<milliseconds>(seconds(2), limit / 4);
    if (sessions.empty() || elapsed >= force_at) return finish_drain(elapsed >= force_at);
    // Token bucket: one close at once, then the configured rate.
    const double allowed = 1 + duration<double>(elapsed).count() * config.shutdown_drain_rate_per_s;
    for (auto& [id, session] : sessions) {
      if (static_cast<double>(drain_closed) >= allowed) break;
      if (session->outstanding() != 0 || !drain_closing.insert(session.get()).second) continue;
      ++drain_closed;
      session->connection().close(transport::close_code::kGoingAway, "server shutting down");
    }
    drain_timer.expires_after(milliseconds(10));
    drain_timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) drain_step();
    });
  }

  void finish_drain(bool forced) {
    using namespace std::chrono;
    if (forced) {
      std::size_t busy = 0;
      for (auto& [id, session] : sessions) busy += session->outstanding() != 0;
      log::warn(
          "shutdown: shutdown.timeout_s near, closing the last {} connection(s) now ({} "
          "with unanswered CALLs)",
          sessions.size(), busy);
    }
    const auto took = duration_cast<milliseconds>(steady_clock::now() - drain_started);
    log::info("shutdown: {} station connection(s) closed in {} ms; flushing storage",
              drain_closed + (forced ? sessions.size() : 0), took.count());
    if (admin_server) admin_server->stop();
    if (ws_server) ws_server->stop();
    if (wss_server) wss_server->stop();
    // Forced closes get a moment for their close handshakes, then run() ends.
    drain_timer.expires_after(milliseconds(forced ? 300 : 0));
    drain_timer.async_wait([this](const boost::system::error_code&) { io.stop(); });
  }

  // The upload endpoint on its own thread. Without a configured public URL,
  // stations are told the listener's own address (fine for a local network).
  void start_uploads() {
    uploads::UploadOptions uo;
    if (!uploads::split_listen(config.uploads_listen, uo.host, uo.port))
      throw std::runtime_error("uploads.listen must be host:port, not " + config.uploads_listen);
    uo.dir = config.uploads_dir;
    if (uo.dir.empty())
      uo.dir = (std::filesystem::path(config.db_path).parent_path() / "uploads").string();
    uo.max_bytes = static_cast<std::uint64_t>(config.uploads_max_bytes);
    if (config.uploads_tls)
      uo.tls = transport::make_server_context(
          transport::TlsFiles{config.tls_cert_file, config.tls_key_file, "", {}});
    upload_server = std::make_unique<uploads::UploadServer>(uo, *db);
    upload_server->start();
    if (config.uploads_public_url.empty()) {
      std::string host = uo.host == "0.0.0.0" || uo.host == "::" ? "127.0.0.1" : uo.host;
      if (host.find(':') != std::string::npos) host = "[" + host + "]";
      config.uploads_public_url =
          (uo.tls ? "https://" : "http://") + host + ":" + std::to_string(upload_server->port());
    }
  }

  void collect(std::string& out) {
    auto metric = [&out](const char* name, const char* type, const char* help,
                         const std::string& value) {
      out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
             name + " " + value + "\n";
    };
    auto st = db->stats();
    metric("csms_live_streams", "gauge", "Open live event streams (GET /api/stream, the console).",
           std::to_string(events.subscribers()));
    metric("csms_active_transactions", "gauge", "Transactions started and not yet stopped.",
           std::to_string(active_transactions.load()));
    metric("csms_storage_commits_total", "counter", "Write transactions committed.",
           std::to_string(st.commits));
    metric("csms_storage_writes_total", "counter", "Write work items committed.",
           std::to_string(st.writes));
    metric("csms_storage_failed_writes_total", "counter", "Write work items that failed.",
           std::to_string(st.failed_writes));
    out += "# HELP csms_storage_commit_seconds Time spent committing write groups.\n";
    out += "# TYPE csms_storage_commit_seconds summary\n";
    out += "csms_storage_commit_seconds_sum " + std::to_string(st.commit_seconds_total) + "\n";
    out += "csms_storage_commit_seconds_count " + std::to_string(st.commits) + "\n";
  }

  // Open alerts by kind: the engine's state, read on the network thread (the
  // admin API that renders /metrics runs there).
  void collect_alerts(std::string& out) {
    out += "# HELP csms_alerts_open Alerts open now, by kind.\n# TYPE csms_alerts_open gauge\n";
    for (const auto& [kind, n] : services.alerts.counts().open_by_kind)
      out += "csms_alerts_open{kind=\"" + kind + "\"} " + std::to_string(n) + "\n";
  }

  // The active-transaction gauge is read from storage every few seconds so a
  // scrape never waits for the database.
  void refresh_gauges() {
    auto count = std::make_shared<std::int64_t>(0);
    db->read([count](storage::Session& s) { *count = s.transactions.count_active(); },
             [this, count](std::exception_ptr e) {
               if (!e) active_transactions = *count;
             });
    gauge_timer.expires_after(std::chrono::seconds(5));
    gauge_timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) refresh_gauges();
    });
  }

  // Hourly housekeeping: message log retention and carbon points expiry.
  void prune_message_log() {
    services.carbon.expire_due();
    if (config.message_log_retention_days > 0) {
      auto cutoff = storage::DateTime::from_unix_micros(
          ctx.now().unix_micros() -
          std::int64_t{config.message_log_retention_days} * 86400 * 1000000);
      // The energy controller's decision log keeps the same retention.
      // (The message log itself is trimmed in batches by run_growth.)
      db->write([cutoff](storage::Session& s) { s.energy.prune_decisions(cutoff); }, nullptr);
    }
    retention_timer.expires_after(std::chrono::hours(1));
    retention_timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) prune_message_log();
    });
  }

  void schedule_growth(std::chrono::seconds after) {
    if (config.meter_raw_retention_days == 0 && config.message_log_retention_days == 0) return;
    growth_timer.expires_after(after);
    growth_timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) run_growth();
    });
  }

  // Storage growth, off the hot path: one bounded batch per run on the writer
  // (raw meter samples past retention.meter_raw_days rolled up into 15-minute
  // aggregates, message-log frames past retention.message_log_days deleted), so
  // a run never holds acknowledgements up for long. A full batch brings the next
  // run forward: a backlog (e.g. after an upgrade) drains in steps.
  void run_growth() {
    const std::int64_t now = ctx.now().unix_micros();
    auto days_ago = [now](int days) {
      return storage::DateTime::from_unix_micros(now - std::int64_t{days} * 86400 * 1000000);
    };
    const int raw_days = config.meter_raw_retention_days;
    const int log_days = config.message_log_retention_days;
    const auto limit = static_cast<std::size_t>(config.retention_batch_rows);
    const auto raw_before = days_ago(raw_days);
    const auto log_before = days_ago(log_days);
    auto backlog = std::make_shared<bool>(false);
    db->write(
        [=](storage::Session& s) {
          if (raw_days > 0)
            *backlog = s.retention.roll_up_meter_samples(raw_before, limit).samples >= limit;
          if (log_days > 0 && s.retention.prune_message_log(log_before, limit) >= limit)
            *backlog = true;
        },
        ctx.on_io([this, backlog](std::exception_ptr e) {
          if (e) {
            try {
              std::rethrow_exception(e);
            } catch (const std::exception& ex) {
              // Nothing lost: the rows stay and the next run tries again.
              log::error("storage retention: {}", ex.what());
            }
          }
          if (stopping) return;
          schedule_growth(*backlog ? std::chrono::seconds(1)
                                   : std::chrono::seconds(config.retention_interval_s));
        }));
  }

  // ---- transport::Handler ---------------------------------------------------

  void on_handshake(const transport::Handshake& req,
                    std::function<void(transport::HandshakeAnswer)> done) override {
    if (stopping) {
      // Draining: a station is better off connecting to another instance.
      metrics.connection_rejected(503);
      return done(overloaded_answer(5));
    }
    // Admission first: refusing costs nothing, authenticating (PBKDF2) does.
    if (auto verdict = upgrade_admission.admit(); !verdict.admitted) {
      metrics.upgrade_refused();
      metrics.connection_rejected(503);
      log::debug("upgrade from {} refused by admission control, retry after {} s",
                 req.remote_address, verdict.retry_after_s);
      return done(overloaded_answer(verdict.retry_after_s));
    }
    decide(req, std::move(done), true);
  }

  // The decider's answer, with auto-registration of an unknown station when
  // `may_register` (once).
  void decide(const transport::Handshake& req, std::function<void(transport::HandshakeAnswer)> done,
              bool may_register, bool may_refresh = true) {
    HandshakeDecider decider{config, registry, throttle, ctx};
    decider.decide_async(
        req, [this](const std::string& id) { return live_or_opening(id); }, password_checks,
        [this, req, may_register, may_refresh,
         done = std::move(done)](transport::HandshakeAnswer answer) {
          if (cluster && may_refresh && answer.status == 404 && !answer.station_id.empty()) {
            // Registered on another node a moment ago (its NOTIFY not here
            // yet)? Read the row (off this thread) and decide again, once.
            return registry.refresh(answer.station_id, [this, req, done, may_register] {
              decide(req, done, may_register, false);
            });
          }
          if (may_register && answer.status == 404 && config.accept_unknown &&
              !answer.station_id.empty()) {
            // Auto-registration: the decider reports the unknown id; register it and
            // decide again (its boot answer comes from unknown_boot_status), at most
            // registration.max_unknown_per_min of them a minute.
            if (!unknown_registrations.try_take(ctx.clock.steady_now()))
              return done(refuse_registration(req, answer.station_id));
            log::info("{}: unknown station, auto-registering ({})", answer.station_id,
                      config.unknown_boot_status);
            registry.register_unknown(answer.station_id, unknown_boot_status(config));
            return decide(req, done, false, false);
          }
          if (answer.status != 101)
            metrics.connection_rejected(answer.status);
          else
            opening[answer.station_id] =
                ctx.clock.steady_now() + std::chrono::milliseconds(config.handshake_timeout_ms);
          done(std::move(answer));
        });
  }

  transport::HandshakeAnswer refuse_registration(const transport::Handshake& req,
                                                 const std::string& id) {
    const int wait = std::max(
        1, static_cast<int>(
               std::ceil(unknown_registrations.time_to_token(ctx.clock.steady_now()).count())));
    log::warn("{}: unknown station from {} not auto-registered: over {} a minute, retry in {} s",
              id, req.remote_address, config.max_unknown_per_min, wait);
    // One event a minute at most, so the refusals cannot fill the database.
    const auto now = ctx.clock.steady_now();
    if (now - last_registration_event >= std::chrono::minutes(1)) {
      last_registration_event = now;
      ctx.security_event(id, "UnknownRegistrationLimit",
                         "more than " + std::to_string(config.max_unknown_per_min) +
                             " unknown stations a minute (registration.max_unknown_per_min): "
                             "refused, further refusals this minute are only logged",
                         req.remote_address);
    }
    metrics.connection_rejected(429);
    transport::HandshakeAnswer a;
    a.status = 429;
    a.body = "too many new stations; retry later";
    a.headers.emplace_back("Retry-After", std::to_string(wait));
    return a;
  }

  // A station answered 101 whose on_open has not run yet (its upgrade is
  // finishing on an I/O thread) counts as live: otherwise a second connection
  // in that window would not see it (the newest-authenticated rule). Until the
  // handshake deadline at most: an upgrade that failed never opens.
  bool live_or_opening(const std::string& id) {
    if (sessions.count(id) != 0) return true;
    auto it = opening.find(id);
    if (it == opening.end()) return false;
    if (it->second > ctx.clock.steady_now()) return true;
    opening.erase(it);
    return false;
  }

  void on_open(const std::shared_ptr<transport::Connection>& conn,
               const transport::HandshakeAnswer& answer) override {
    opening.erase(answer.station_id);
    if (answer.subprotocol.empty()) {
      // No acceptable subprotocol: the handshake completed without the header,
      // now close (OCPP-J 1.6 §3.1.2, 2.0.1 Part 4 §3.1.2).
      log::info("{}: no supported OCPP subprotocol offered, closing", answer.station_id);
      conn->close(transport::close_code::kProtocolError,
                  "no supported subprotocol; offer " + subprotocols_text(config));
      return;
    }
    if (stopping) {  // decided before the drain began
      conn->close(transport::close_code::kGoingAway, "server shutting down");
      return;
    }
    const std::string& id = answer.station_id;
    auto old = sessions.find(id);
    if (old != sessions.end()) {
      // An authenticated connection replaces the old one (the decider refuses
      // unauthenticated ones for a live station). A station without a password
      // can get here too, when two handshakes raced before either was live:
      // the newest wins, and the event says it was not authenticated.
      auto previous = old->second;
      sessions.erase(old);
      by_connection.erase(previous->connection_ptr().get());
      previous->closed();
      previous->connection().close(transport::close_code::kPolicyViolation,
                                   "replaced by a new connection");
      metrics.station_disconnected();
      ctx.security_event(id, "ConnectionReplaced",
                         answer.authenticated
                             ? "a new authenticated connection replaced the live one"
                             : "a new unauthenticated connection (the station has no password) "
                               "replaced the live one: two handshakes at once",
                         conn->remote_address());
    }
    auto version = ocpp::version_from_subprotocol(answer.subprotocol).value_or(ocpp::Version::v16);
    auto session = std::make_shared<StationSession>(
        ctx, conn, id, version, version == ocpp::Version::v201 ? v201_router : v16_router);
    sessions[id] = session;
    by_connection[conn.get()] = session;
    if (cluster) {
      generations[id] = cluster->connected(id);
      // Registration and boot state may have changed on another node.
      registry.refresh(id, nullptr, false);
    }
    metrics.station_connected();
    services.stations.connected(id, version == ocpp::Version::v201 ? "2.0.1" : "1.6");
    services.energy.station_connected(id);
    log::info("{}: connected from {} ({})", id, conn->remote_address(), answer.subprotocol);
  }

  // On an I/O thread: parsing needs nothing but the frame and the version.
  std::shared_ptr<transport::Prepared> prepare(const transport::HandshakeAnswer& answer,
                                               std::string_view text) const override {
    if (answer.subprotocol.empty()) return nullptr;
    const auto version =
        ocpp::version_from_subprotocol(answer.subprotocol).value_or(ocpp::Version::v16);
    return std::make_shared<ParsedFrame>(ocpp::parse_frame(text, version));
  }

  void on_message(const std::shared_ptr<transport::Connection>& conn, std::string_view text,
                  std::shared_ptr<transport::Prepared> prepared) override {
    auto it = by_connection.find(conn.get());
    if (it == by_connection.end()) return;
    auto session = it->second;  // keep alive through the handler
    if (auto* parsed = dynamic_cast<ParsedFrame*>(prepared.get()))
      session->handle_frame(text, std::move(parsed->result));
    else
      session->handle_text(text);
  }

  void on_close(const std::shared_ptr<transport::Connection>& conn) override {
    auto it = by_connection.find(conn.get());
    if (it == by_connection.end()) return;
    auto session = it->second;
    by_connection.erase(it);
    session->closed();
    // Closing an old, replaced socket must never evict the new session.
    auto current = sessions.find(session->station_id());
    if (current != sessions.end() && current->second == session) {
      sessions.erase(current);
      if (cluster) {
        cluster->disconnected(session->station_id(), generations[session->station_id()]);
        generations.erase(session->station_id());
      }
      metrics.station_disconnected();
      services.stations.disconnected(session->station_id());
      log::info("{}: disconnected", session->station_id());
    }
  }

  // ---- CommandGateway -------------------------------------------------------

  bool is_connected(const std::string& station_id) const override {
    return sessions.count(station_id) != 0;
  }

  void execute(const std::string& station_id, const Command& command,
               std::function<void(CommandResult)> done) override {
    CommandResult r;
    if (!registry.exists(station_id)) {
      r.error = CommandError::UnknownStation;
      r.message = "station " + station_id + " is not registered";
      return done(r);
    }
    auto it = sessions.find(station_id);
    if (it == sessions.end() && cluster)
      return cluster->execute_remote(station_id, command, std::move(done));
    if (it == sessions.end()) {
      r.error = CommandError::Offline;
      r.message = "station " + station_id + " is not connected";
      return done(r);
    }
    if (cluster) {
      // Sent only once the database confirms this node still owns the station.
      return cluster->fenced(
          station_id, generations[station_id],
          [this, station_id, command, done] {
            auto now = sessions.find(station_id);
            if (now == sessions.end())
              return done(CommandResult{CommandError::Offline,
                                        "station " + station_id + " is not connected", "", "", ""});
            run_command(now->second, command, done);
          },
          done);
    }
    run_command(it->second, command, std::move(done));
  }

  /// A command on this node's session of the station.
  void run_command(const std::shared_ptr<StationSession>& session, const Command& command,
                   std::function<void(CommandResult)> done) {
    if (command.name == "availability")
      done = record_availability(session->station_id(), command, done);
    if (session->version() == ocpp::Version::v201)
      v201::execute_command(services, *session, command, std::move(done));
    else
      v16::execute_command(services, *session, command, std::move(done));
  }

  bool draining() const override { return stopping; }
  std::string node_id() const override { return cluster ? cluster->node_id() : std::string(); }

  void cluster_state(bool with_sessions,
                     std::function<void(std::string, std::string)> done) override {
    if (!cluster)
      return done(with_sessions ? "{\"enabled\":false,\"sessions\":[]}" : "{\"enabled\":false}",
                  "");
    cluster->state(with_sessions, std::move(done));
  }

  // An operator's ChangeAvailability the station accepted is history for the
  // availability report: Unavailable by the operator's choice is not downtime.
  std::function<void(CommandResult)> record_availability(const std::string& station_id,
                                                         const Command& command,
                                                         std::function<void(CommandResult)> done) {
    rapidjson::Document params;
    params.Parse(command.params_json.c_str());
    storage::OperatorAvailability change;
    change.station_id = station_id;
    if (params.IsObject()) {
      if (params.HasMember("evse") && params["evse"].IsInt())
        change.evse_id = params["evse"].GetInt();
      if (params.HasMember("connector") && params["connector"].IsInt())
        change.connector_id = params["connector"].GetInt();
      if (params.HasMember("type") && params["type"].IsString())
        change.operative = std::string(params["type"].GetString()) != "Inoperative";
    }
    return [this, change, done = std::move(done)](CommandResult r) mutable {
      rapidjson::Document answer;
      answer.Parse(r.response_json.c_str());
      const bool accepted = r.error == CommandError::None && answer.IsObject() &&
                            answer.HasMember("status") && answer["status"].IsString() &&
                            (std::string(answer["status"].GetString()) == "Accepted" ||
                             std::string(answer["status"].GetString()) == "Scheduled");
      if (accepted) {
        change.at = ctx.now();
        db->write([change](storage::Session& s) { s.operations.add_operator_availability(change); },
                  nullptr);
      }
      done(std::move(r));
    };
  }

  void transaction_closed(std::int64_t transaction_id) override {
    services.alerts.transaction_ended(transaction_id, "closed by the operator");
  }

  /// Every command of either version, each once.
  std::vector<std::string> command_names() const override {
    std::vector<std::string> names = v16::command_names();
    for (const auto& n : v201::command_names())
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    return names;
  }

  /// The higher of the two versions' roles: a command is as sensitive as it
  /// is on the version where it does the most.
  Role command_role(const std::string& name) const override {
    const Role a = v16::command_role(name);
    const Role b = v201::command_role(name);
    return role_allows(a, b) ? a : b;
  }

  void disconnect(const std::string& station_id, const std::string& reason) override {
    auto it = sessions.find(station_id);
    if (it == sessions.end()) return;
    log::info("{}: disconnecting: {}", station_id, reason);
    it->second->connection().close(transport::close_code::kPolicyViolation, reason);
  }

  void flush_message_log() override { ctx.flush_frames(); }

  CaService* ca() override { return &services.ca; }
  /// Every TLS listener (wss://, admin API, uploads) gets new contexts for new
  /// connections; one that fails keeps its old one and the answer says why.
  std::string reload_tls() override {
    const bool admin = config.admin_tls && admin_server;
    const bool uploads = config.uploads_tls && upload_server;
    if (!wss_server && !admin && !uploads)
      return "no TLS listener (ocpp.tls_port is -1, admin.tls and uploads.tls are false)";
    std::vector<std::string> problems;
    if (wss_server) {
      std::string problem = wss_server->reload_tls();
      if (problem.empty())
        log::info("TLS: reloaded the certificate, key, client CAs and CRLs for new connections");
      else
        problems.push_back("wss://: " + problem);
    }
    if (admin || uploads) {
      // Both HTTPS listeners share one context: the policy, no client certificates.
      std::shared_ptr<boost::asio::ssl::context> https;
      try {
        https = transport::make_server_context(
            transport::TlsFiles{config.tls_cert_file, config.tls_key_file, "", {}});
      } catch (const std::exception& e) {
        problems.push_back(std::string("admin API and uploads: ") + e.what());
      }
      if (https && admin && admin_server->set_tls(https))
        log::info("TLS: reloaded the admin API's certificate for new connections");
      if (https && uploads && upload_server->set_tls(https))
        log::info("TLS: reloaded the upload endpoint's certificate for new connections");
    }
    std::string problem;
    for (const auto& p : problems) problem += (problem.empty() ? "" : "; ") + p;
    if (!problem.empty())
      log::error("TLS reload failed, the previous certificate stays in use: {}", problem);
    return problem;
  }

  // ---- state ----------------------------------------------------------------

  Config config;
  /// Declared before `io` so that it is destroyed after it: connections queued
  /// on `io` still hold sockets of the pool's contexts.
  transport::IoPool io_pool;
  boost::asio::io_context io;
  AsioExecutor executor{io};  ///< `io` as handlers and services see it.
  std::unique_ptr<storage::Database> db;
  Metrics metrics;
  EventHub events;
  StationRegistry registry;
  ServerContext ctx;
  Services services;
  LoginThrottle throttle;
  PasswordPool password_checks{io};
  UpgradeAdmission upgrade_admission;
  TokenBucket unknown_registrations;  ///< Auto-registrations (rate 0: no cap).
  AdmissionClock::time_point last_registration_event{};
  Router v16_router;
  Router v201_router;
  std::unique_ptr<transport::Server> ws_server;   ///< ws://, unless ocpp.plain is false.
  std::unique_ptr<transport::Server> wss_server;  ///< wss://, when ocpp.tls_port >= 0.
  std::unique_ptr<admin::AdminServer> admin_server;
  std::unique_ptr<uploads::UploadServer> upload_server;
  std::unordered_map<std::string, std::shared_ptr<StationSession>> sessions;
  /// Stations answered 101 and not yet opened, with the handshake deadline.
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> opening;
  std::unordered_map<transport::Connection*, std::shared_ptr<StationSession>> by_connection;
  boost::asio::steady_timer retention_timer;
  boost::asio::steady_timer growth_timer;  ///< Meter rollups, message-log retention.
  boost::asio::steady_timer gauge_timer;
  boost::asio::steady_timer drain_timer;  ///< Paces the shutdown drain.
  std::chrono::steady_clock::time_point drain_started;
  std::unordered_set<StationSession*> drain_closing;  ///< Closed by the drain (1001).
  std::size_t drain_closed = 0;
  std::atomic<std::int64_t> active_transactions{0};
  std::atomic<bool> stopping{false};
  /// Each live session's generation in the cluster (PostgreSQL only).
  std::unordered_map<std::string, std::uint64_t> generations;
  /// Last: its thread ends (joined) before the rest goes; null on SQLite.
  std::unique_ptr<Cluster> cluster;
};

Server::Server(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Server::~Server() {
  if (impl_) impl_->db->flush();
}

void Server::start() {
  impl_->start();
}

void Server::run() {
  impl_->io.run();
  if (impl_->cluster) impl_->cluster->stop();
  impl_->io_pool.stop();      // nothing may post to `io` from now on
  impl_->ctx.flush_frames();  // the last turn's frames, whose posted flush never ran
  impl_->db->flush();
}

void Server::stop() {
  boost::asio::post(impl_->io, [this] { impl_->stop(); });
}

std::uint16_t Server::ocpp_port() const {
  return impl_->ws_server ? impl_->ws_server->port() : 0;
}
std::uint16_t Server::ocpp_tls_port() const {
  return impl_->wss_server ? impl_->wss_server->port() : 0;
}
void Server::request_tls_reload() {
  // On the network thread, where the transport lives; the outcome is logged.
  boost::asio::post(impl_->io, [this] { impl_->reload_tls(); });
}
std::uint16_t Server::uploads_port() const {
  return impl_->upload_server ? impl_->upload_server->port() : 0;
}
std::string Server::uploads_url() const {
  return impl_->config.uploads_public_url;
}
std::uint16_t Server::admin_port() const {
  return impl_->admin_server->port();
}

}  // namespace csms
