#include "server/cluster.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "admin/json_out.hpp"
#include "csms/log.hpp"

namespace csms {

namespace {

using Clock = std::chrono::steady_clock;

/// How often pending commands, waiting results and epochs are rescanned (a
/// lost NOTIFY costs at most this much latency).
constexpr auto kRescan = std::chrono::seconds(3);
/// Longest sleep of the loop between checks.
constexpr int kPollMs = 250;

const char* error_name(CommandError e) {
  switch (e) {
    case CommandError::None:
      return "";
    case CommandError::UnknownStation:
      return "UnknownStation";
    case CommandError::Offline:
      return "Offline";
    case CommandError::InvalidArgument:
      return "InvalidArgument";
    case CommandError::Unsupported:
      return "Unsupported";
    case CommandError::Timeout:
      return "Timeout";
    case CommandError::CallError:
      return "CallError";
    case CommandError::Internal:
      return "Internal";
  }
  return "Internal";
}

CommandError error_from(const std::string& name) {
  for (auto e : {CommandError::None, CommandError::UnknownStation, CommandError::Offline,
                 CommandError::InvalidArgument, CommandError::Unsupported, CommandError::Timeout,
                 CommandError::CallError, CommandError::Internal})
    if (name == error_name(e)) return e;
  return CommandError::Internal;
}

CommandResult result_of(const storage::ClusterCommand& c) {
  CommandResult r;
  r.error = error_from(c.error);
  r.message = c.message;
  r.error_code = c.error_code;
  r.action = c.action;
  r.response_json = c.result_json;
  return r;
}

}  // namespace

std::string default_node_id(int ocpp_port) {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  std::string id;
  for (const char* p = host; *p != '\0'; ++p) {
    const char c = *p;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    id += ok ? c : '-';
  }
  if (id.empty()) id = "csms";
  const std::string port = ":" + std::to_string(ocpp_port);
  if (id.size() + port.size() > 48) id.resize(48 - port.size());
  return id + port;
}

struct Cluster::Impl {
  Impl(boost::asio::io_context& io_, std::unique_ptr<storage::ClusterStore> store_,
       const Config& config, Hooks hooks_)
      : io(io_),
        store(std::move(store_)),
        heartbeat_every(config.cluster_heartbeat_s),
        node_timeout(config.cluster_node_timeout_s),
        call_timeout(config.call_timeout_s),
        hooks(std::move(hooks_)),
        wake(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

  ~Impl() {
    stop();
    if (wake >= 0) ::close(wake);
  }

  // ---- the network thread's side ---------------------------------------------

  /// Queues `task` for the cluster thread.
  void enqueue(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      tasks.push_back(std::move(task));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake, &one, sizeof(one));
  }

  template <class F>
  void on_io(F f) {
    boost::asio::post(io, std::move(f));
  }

  void stop() {
    if (!thread.joinable()) return;
    stopping = true;
    enqueue([] {});
    thread.join();
  }

  // ---- the cluster thread ------------------------------------------------------

  struct Held {
    std::uint64_t generation = 0;
    std::int64_t epoch = 0;  ///< 0: not claimed yet (or the claim failed; retried).
  };
  struct Waiting {
    Clock::time_point deadline;
    std::function<void(CommandResult)> done;
  };

  void run() {
    auto last_beat = Clock::now();
    auto last_scan = Clock::now();
    auto last_loop = Clock::now();
    auto backoff = std::chrono::milliseconds(250);
    bool down = false;
    while (!stopping) {
      const auto now = Clock::now();
      // A gap far beyond the poll interval: this process was stopped
      // (SIGSTOP, a VM pause). Others may own our stations by now: check every
      // epoch before doing anything else for them.
      if (now - last_loop > node_timeout) {
        log::warn("cluster: node {} was paused for {} s; re-checking its station epochs",
                  store->node_id(),
                  std::chrono::duration_cast<std::chrono::seconds>(now - last_loop).count());
        guarded([this] { check_epochs(); });
      }
      last_loop = now;
      try {
        if (store->reconnect()) {
          log::info("cluster: node {} listening again; rescanning", store->node_id());
          store->heartbeat();
          rescan();
          // Registration changes NOTIFYed meanwhile are lost: re-read them all.
          on_io([this] {
            if (hooks.station_changed) hooks.station_changed("");
          });
        }
        if (down) log::info("cluster: database reachable again");
        down = false;
        backoff = std::chrono::milliseconds(250);
      } catch (const std::exception& e) {
        if (!down) log::warn("cluster: database unreachable ({}); retrying", e.what());
        down = true;
        sleep_for(backoff);
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(5));
        last_loop = Clock::now();
        continue;
      }
      wait_for_work();
      guarded([this] {
        for (const auto& n : store->notifications()) handle(n.payload);
      });
      for (auto& task : take_tasks()) guarded(task);
      if (Clock::now() - last_beat >= heartbeat_every) {
        last_beat = Clock::now();
        guarded([this] { store->heartbeat(); });
      }
      if (Clock::now() - last_scan >= kRescan) {
        last_scan = Clock::now();
        guarded([this] { rescan(); });
      }
      guarded([this] { expire_waiting(); });
    }
    // What was queued before the stop (the drain's releases) still runs.
    for (auto& task : take_tasks()) guarded(task);
  }

  /// Runs a piece of cluster work; a database failure is logged (the loop
  /// reconnects) and never ends the thread.
  template <class F>
  void guarded(F&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      log::warn("cluster: {}", e.what());
    }
  }

  void wait_for_work() {
    pollfd fds[2] = {{wake, POLLIN, 0}, {store->socket(), POLLIN, 0}};
    ::poll(fds, fds[1].fd >= 0 ? 2 : 1, kPollMs);
    std::uint64_t count = 0;
    [[maybe_unused]] auto n = ::read(wake, &count, sizeof(count));
  }

  void sleep_for(std::chrono::milliseconds d) {
    pollfd fd{wake, POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(d.count()));
  }

  std::deque<std::function<void()>> take_tasks() {
    std::lock_guard<std::mutex> lock(mutex);
    return std::exchange(tasks, {});
  }

  void handle(const std::string& payload) {
    const auto colon = payload.find(':');
    const std::string kind = payload.substr(0, colon);
    const std::string rest = colon == std::string::npos ? "" : payload.substr(colon + 1);
    if (kind == "close") {
      // close:STATION:EPOCH (a station id holds no ':'... but be safe: the last one splits)
      const auto last = rest.rfind(':');
      if (last == std::string::npos) return;
      const std::string station = rest.substr(0, last);
      std::int64_t epoch = 0;
      try {
        epoch = std::stoll(rest.substr(last + 1));
      } catch (...) {
        return;
      }
      auto it = held.find(station);
      if (it != held.end() && it->second.epoch < epoch)
        lose(station, "connected to another node (epoch " + std::to_string(epoch) + ")");
    } else if (kind == "cmd") {
      serve_command(std::stoll(rest));
    } else if (kind == "res") {
      collect_result(std::stoll(rest));
    } else if (kind == "station") {
      on_io([this, rest] {
        if (hooks.station_changed) hooks.station_changed(rest);
      });
    }
  }

  void lose(const std::string& station, const std::string& why) {
    auto it = held.find(station);
    if (it == held.end()) return;
    const auto generation = it->second.generation;
    held.erase(it);
    on_io([this, station, generation, why] { hooks.lost(station, generation, why); });
  }

  void claim(const std::string& station) {
    auto it = held.find(station);
    if (it == held.end()) return;
    const auto generation = it->second.generation;
    auto c = store->claim_station(station);
    it = held.find(station);
    if (it == held.end() || it->second.generation != generation) return;
    it->second.epoch = c.epoch;
    if (c.previous_node.empty())
      log::debug("{}: owned by node {} with epoch {}", station, store->node_id(), c.epoch);
    else
      log::info("{}: owned by node {} with epoch {}; node {} told to close its socket", station,
                store->node_id(), c.epoch, c.previous_node);
  }

  /// One query for every station held: the ones whose row names another node
  /// or a higher epoch are lost.
  void check_epochs() {
    std::vector<std::string> ids;
    for (const auto& [id, h] : held)
      if (h.epoch > 0) ids.push_back(id);
    if (ids.empty()) return;
    std::unordered_map<std::string, storage::StationOwner> rows;
    for (auto& r : store->owners(ids)) rows.emplace(r.station_id, std::move(r));
    for (const auto& id : ids) {
      auto row = rows.find(id);
      const auto& h = held.at(id);
      if (row == rows.end() || row->second.node_id != store->node_id() ||
          row->second.epoch != h.epoch)
        lose(id, row == rows.end() || row->second.node_id.empty()
                     ? std::string("its session row was released")
                     : "owned by node " + row->second.node_id + " with epoch " +
                           std::to_string(row->second.epoch));
    }
  }

  void rescan() {
    check_epochs();
    for (auto& [id, h] : held)
      if (h.epoch == 0) claim(id);
    for (auto id : store->pending_commands()) serve_command(id);
    std::vector<std::int64_t> ids;
    for (const auto& [id, w] : waiting) ids.push_back(id);
    for (auto id : ids) collect_result(id);
    store->prune_commands(std::chrono::seconds(3600));
  }

  /// A command for a station whose socket this node holds: claim it (only
  /// with the station's current epoch) and send it through the local path.
  void serve_command(std::int64_t id) {
    auto row = store->command(id);
    if (!row || row->status != "pending" || row->target_node != store->node_id()) return;
    auto h = held.find(row->station_id);
    if (h == held.end() || h->second.epoch == 0) {
      store->reject_command(id, error_name(CommandError::Offline),
                            "station " + row->station_id + " is not connected");
      return;
    }
    auto claimed = store->claim_command(id, h->second.epoch);
    if (!claimed) {
      check_epochs();  // a claim refused for the epoch: we may have lost it
      return;
    }
    log::info("{}: command {} ({}) from node {}", claimed->station_id, claimed->id, claimed->name,
              claimed->origin_node);
    Command command{claimed->name, claimed->params_json};
    const std::string station = claimed->station_id;
    on_io([this, station, command, claimed = *claimed]() mutable {
      hooks.execute_local(station, command, [this, claimed](CommandResult r) mutable {
        claimed.error = error_name(r.error);
        claimed.message = r.message;
        claimed.error_code = r.error_code;
        claimed.action = r.action;
        claimed.result_json = r.response_json;
        enqueue([this, claimed] { store->finish_command(claimed); });
      });
    });
  }

  /// The origin's side: a waiting call whose command ended gets its result.
  void collect_result(std::int64_t id) {
    auto w = waiting.find(id);
    if (w == waiting.end()) return;
    auto row = store->command(id);
    if (!row || (row->status != "done" && row->status != "failed")) return;
    auto done = std::move(w->second.done);
    waiting.erase(w);
    on_io([done = std::move(done), r = result_of(*row)]() mutable { done(std::move(r)); });
  }

  void expire_waiting() {
    const auto now = Clock::now();
    std::vector<std::int64_t> due;
    for (const auto& [id, w] : waiting)
      if (w.deadline <= now) due.push_back(id);
    for (auto id : due) {
      if (!store->expire_command(id)) {
        collect_result(id);  // it ended meanwhile
        if (waiting.count(id) == 0) continue;
      }
      auto done = std::move(waiting.at(id).done);
      waiting.erase(id);
      on_io([done = std::move(done)] {
        done(CommandResult{CommandError::Timeout,
                           "no answer from the station's node within the deadline", "", "", ""});
      });
    }
  }

  boost::asio::io_context& io;
  std::unique_ptr<storage::ClusterStore> store;
  std::chrono::seconds heartbeat_every;
  std::chrono::seconds node_timeout;
  std::chrono::seconds call_timeout;
  Hooks hooks;
  int wake;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::deque<std::function<void()>> tasks;
  std::uint64_t next_generation = 0;  ///< Network thread.
  // Cluster thread only:
  std::unordered_map<std::string, Held> held;
  std::map<std::int64_t, Waiting> waiting;
};

Cluster::Cluster(boost::asio::io_context& io, std::unique_ptr<storage::ClusterStore> store,
                 const Config& config, Hooks hooks)
    : impl_(std::make_unique<Impl>(io, std::move(store), config, std::move(hooks))) {}

Cluster::~Cluster() = default;

void Cluster::start(const std::string& admin_url) {
  impl_->store->register_node(admin_url);
  log::info("cluster: node {} joined (heartbeat every {} s, dead after {} s)", node_id(),
            impl_->heartbeat_every.count(), impl_->node_timeout.count());
  impl_->thread = std::thread([this] {
    impl_->guarded([this] { impl_->rescan(); });
    impl_->run();
  });
}

void Cluster::stop() {
  impl_->stop();
}

const std::string& Cluster::node_id() const {
  return impl_->store->node_id();
}

std::uint64_t Cluster::connected(const std::string& station) {
  const auto generation = ++impl_->next_generation;
  impl_->enqueue([this, station, generation] {
    impl_->held[station] = Impl::Held{generation, 0};
    impl_->claim(station);
  });
  return generation;
}

void Cluster::disconnected(const std::string& station, std::uint64_t generation) {
  impl_->enqueue([this, station, generation] {
    auto it = impl_->held.find(station);
    if (it == impl_->held.end() || it->second.generation != generation) return;
    const auto epoch = it->second.epoch;
    impl_->held.erase(it);
    if (epoch > 0) impl_->store->release_station(station, epoch);
  });
}

void Cluster::fenced(const std::string& station, std::uint64_t generation,
                     std::function<void()> send, std::function<void(CommandResult)> done) {
  impl_->enqueue([this, station, generation, send = std::move(send), done = std::move(done)] {
    auto fail = [this, &done](CommandError e, std::string message) {
      impl_->on_io([done, e, message] { done(CommandResult{e, message, "", "", ""}); });
    };
    auto it = impl_->held.find(station);
    if (it == impl_->held.end() || it->second.generation != generation)
      return fail(CommandError::Offline, "station " + station + " is not connected to this node");
    try {
      if (it->second.epoch == 0) impl_->claim(station);
      auto rows = impl_->store->owners({station});
      it = impl_->held.find(station);
      if (it == impl_->held.end() || it->second.epoch == 0 || rows.size() != 1 ||
          rows[0].node_id != impl_->store->node_id() || rows[0].epoch != it->second.epoch) {
        impl_->lose(station, "this node no longer holds its epoch");
        return fail(CommandError::Offline,
                    "station " + station + " is now connected to another node");
      }
    } catch (const std::exception& e) {
      // Fail safe: without the database's word the epoch may be lost.
      return fail(CommandError::Internal,
                  std::string("cannot confirm the station's owner: ") + e.what());
    }
    impl_->on_io(send);
  });
}

void Cluster::execute_remote(const std::string& station, const Command& command,
                             std::function<void(CommandResult)> done) {
  impl_->enqueue([this, station, command, done = std::move(done)]() mutable {
    const auto wait = impl_->call_timeout + std::chrono::seconds(5);
    const auto deadline = storage::DateTime::from_unix_micros(
        storage::DateTime::now().unix_micros() +
        std::chrono::duration_cast<std::chrono::microseconds>(wait).count());
    std::optional<storage::ClusterCommand> sent;
    try {
      sent = impl_->store->send_command(station, command.name, command.params_json, deadline,
                                        impl_->node_timeout);
    } catch (const std::exception& e) {
      impl_->on_io([done, what = std::string(e.what())] {
        done(CommandResult{CommandError::Internal, "cluster database: " + what, "", "", ""});
      });
      return;
    }
    if (!sent) {
      impl_->on_io([done, station] {
        done(CommandResult{CommandError::Offline, "station " + station + " is not connected", "",
                           "", ""});
      });
      return;
    }
    log::info("{}: command {} ({}) relayed to node {}", station, sent->id, command.name,
              sent->target_node);
    impl_->waiting[sent->id] = Impl::Waiting{Clock::now() + wait, std::move(done)};
  });
}

void Cluster::station_changed(const std::string& station) {
  impl_->enqueue([this, station] { impl_->store->broadcast_station(station); });
}

void Cluster::try_job(const std::string& job, std::function<void(bool)> done) {
  impl_->enqueue([this, job, done = std::move(done)] {
    bool mine = false;
    impl_->guarded([&] { mine = impl_->store->try_job_lock(job); });
    impl_->on_io([done, mine] { done(mine); });
  });
}

void Cluster::state(bool sessions, std::function<void(std::string, std::string)> done) {
  impl_->enqueue([this, sessions, done = std::move(done)] {
    admin::JsonOut out;
    try {
      out.object().key("enabled").flag(true).key("node").str(node_id());
      if (sessions) {
        out.key("sessions").array();
        for (const auto& s : impl_->store->sessions(impl_->node_timeout)) {
          out.object().key("stationId").str(s.station_id).key("node").str(s.node_id);
          out.key("nodeAlive").flag(s.node_alive).key("epoch").num(s.epoch);
          out.key("connectedAt").time(s.connected_at).end_object();
        }
        out.end_array();
      } else {
        out.key("nodes").array();
        for (const auto& n : impl_->store->nodes(impl_->node_timeout)) {
          out.object().key("id").str(n.id).key("alive").flag(n.alive);
          out.key("heartbeatAgeS").real(n.heartbeat_age_s).key("heartbeatAt").time(n.heartbeat_at);
          out.key("startedAt").time(n.started_at).key("adminUrl").str(n.admin_url).end_object();
        }
        out.end_array();
        out.key("notificationQueueUsage").real(impl_->store->notification_queue_usage());
      }
      out.end_object();
    } catch (const std::exception& e) {
      impl_->on_io([done, what = std::string(e.what())] { done("", what); });
      return;
    }
    impl_->on_io([done, text = out.text()] { done(text, ""); });
  });
}

}  // namespace csms
