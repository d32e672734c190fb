// The fleet runner: every station's connection, script and timers on one
// io_context, plus the statistics. Timers go through one min-heap driven by a
// 5 ms tick rather than an asio timer per station, so tens of thousands of
// stations cost one timer.
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <unordered_set>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "fleet/report.hpp"
#include "ocpp/common/json.hpp"
#include "simulator/fleet.hpp"
#include "simulator/tls.hpp"
#include "simulator/url.hpp"
#include "simulator/ws_stream.hpp"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24  // Linux >= 4.2; older glibc headers lack it
#endif

namespace simulator::fleet {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
constexpr TimePoint kNever = TimePoint::max();
constexpr auto kTick = std::chrono::milliseconds(5);
constexpr auto kCloseGrace = std::chrono::seconds(3);

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

double to_us(Clock::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

/// What a station sends; the version decides the action name.
/// Resend: the last meter value again, unchanged (--resend-unconfirmed).
enum class Act : std::uint8_t {
  None,
  Boot,
  Status,
  Heartbeat,
  Authorize,
  Start,
  Meter,
  Stop,
  Resend
};

Slot slot_of(Act act, bool v201) {
  switch (act) {
    case Act::Boot:
      return Slot::Boot;
    case Act::Status:
      return Slot::Status;
    case Act::Heartbeat:
      return Slot::Heartbeat;
    case Act::Authorize:
      return Slot::Authorize;
    case Act::Start:
      return v201 ? Slot::TransactionEvent : Slot::StartTransaction;
    case Act::Meter:
    case Act::Resend:
      return v201 ? Slot::TransactionEvent : Slot::MeterValues;
    case Act::Stop:
      return v201 ? Slot::TransactionEvent : Slot::StopTransaction;
    case Act::None:
      break;
  }
  return Slot::Heartbeat;
}

std::string_view action_name(Act act, bool v201) {
  switch (act) {
    case Act::Start:
    case Act::Meter:
    case Act::Stop:
    case Act::Resend:
      if (v201) return "TransactionEvent";
      break;
    default:
      break;
  }
  return kSlotNames[static_cast<std::size_t>(slot_of(act, v201))];
}

/// One WebSocket connection. Handlers hold it by shared_ptr, so it outlives
/// the station letting go of it (a storm drop, a timeout).
struct Conn : WsStream<tcp::socket> {
  /// wss:// when `tls` is given (the fleet's one context), else ws://.
  Conn(asio::io_context& io, asio::ssl::context* tls) : WsStream(io, tls) {}
  tcp::socket& socket() { return lowest(); }
  beast::flat_buffer in;
  websocket::response_type response;
  std::string out;                  // the frame being written
  std::deque<std::string> waiting;  // frames behind it (rare: answers to the CSMS)
  bool writing = false;
  bool close_when_idle = false;
  bool abandoned = false;  // given up after a timeout, still read (--drop-on-timeout)
};

enum class ConnState : std::uint8_t { Idle, Connecting, Open, Waiting, Stopped };
enum class Tx : std::uint8_t { None, Authorizing, Starting, Active, Ended };

/// One simulated station: plan, connection, script position and deadlines.
struct Station {
  StationPlan plan;
  std::uint32_t index = 0;
  std::shared_ptr<Conn> conn;
  ConnState state = ConnState::Idle;
  Tx tx = Tx::None;
  Act in_flight = Act::None;
  bool accepted = false;       // BootNotification Accepted on this connection
  bool storm_dropped = false;  // dropped by the storm (excluded from steady stats)
  bool storm_pending = false;  // dropped and not yet back
  std::uint8_t backoff_attempt = 0;
  std::array<Act, 8> queue{};
  std::uint8_t queue_head = 0;
  std::uint8_t queue_size = 0;
  std::uint32_t message_seq = 0;  // the id of the CALL in flight
  int seq_no = 0;                 // 2.0.1 TransactionEvent seqNo
  std::int64_t tx_id = 0;         // 1.6 transactionId
  std::string tx_uuid;            // 2.0.1 transactionId
  double energy_wh = 1000;
  // The last transaction message sent, as the acknowledgement log records it
  // and a resend repeats it: timestamp, register reading, 2.0.1 seqNo.
  std::int64_t msg_ms = 0;
  std::int64_t msg_wh = 0;
  int msg_seq_no = 0;
  bool resend = false;  // that meter value went unconfirmed: send it again
  double heartbeat_s = 0;
  TimePoint sent_at{};
  TimePoint energy_at{};
  TimePoint call_deadline = kNever;
  TimePoint connect_deadline = kNever;
  TimePoint connecting_since = kNever;  // first attempt of this (re)connection: connect+boot
  TimePoint reconnect_at = kNever;
  TimePoint boot_retry_at = kNever;
  TimePoint heartbeat_due = kNever;
  TimePoint meter_due = kNever;
  TimePoint tx_retry_at = kNever;
  TimePoint wake_at = kNever;  // the earliest entry in the heap for this station

  bool queued(Act act) const {
    for (std::uint8_t i = 0; i < queue_size; ++i)
      if (queue[(queue_head + i) % queue.size()] == act) return true;
    return false;
  }
  void enqueue(Act act) {
    if (queued(act) || queue_size == queue.size()) return;  // periodic ones coalesce
    queue[(queue_head + queue_size) % queue.size()] = act;
    ++queue_size;
  }
  Act dequeue() {
    if (queue_size == 0) return Act::None;
    const Act act = queue[queue_head];
    queue_head = static_cast<std::uint8_t>((queue_head + 1) % queue.size());
    --queue_size;
    return act;
  }
  void clear_queue() { queue_head = queue_size = 0; }
};

struct WakeEntry {
  TimePoint at;
  std::uint32_t station;
  bool operator>(const WakeEntry& other) const { return at > other.at; }
};

enum class Outcome { Ok, Error, Timeout };
enum class Phase { Ramp, Running, Draining, Closing };
enum class Failure { Refused, Timeout, Unavailable };

using PoolAllocator = rapidjson::MemoryPoolAllocator<rapidjson::CrtAllocator>;
using PoolDocument = rapidjson::GenericDocument<rapidjson::UTF8<>, PoolAllocator, PoolAllocator>;

class Runner {
 public:
  Runner(const FleetOptions& options, WsUrl url, tcp::endpoint endpoint, std::ostream& err,
         std::shared_ptr<asio::ssl::context> tls)
      : options_(options),
        tls_(std::move(tls)),
        url_(std::move(url)),
        endpoint_(endpoint),
        err_(err),
        tick_timer_(io_),
        signals_(io_, SIGINT, SIGTERM),
        meter_interval_(meter_interval(options)),
        call_timeout_(std::chrono::milliseconds(options.call_timeout_ms)),
        connect_timeout_(std::chrono::milliseconds(options.connect_timeout_ms)) {
    std::random_device entropy;
    rng_.seed(options.seed ? options.seed : (std::uint64_t{entropy()} << 32) ^ entropy());
    host_header_ = url_.host_header();
    stations_.resize(static_cast<std::size_t>(options.stations));
    for (std::size_t i = 0; i < stations_.size(); ++i) {
      stations_[i].index = static_cast<std::uint32_t>(i);
      stations_[i].plan = plan_station(options, static_cast<int>(i));
      if (stations_[i].plan.v201) ++report_.v201;
      if (stations_[i].plan.charging) ++report_.charging;
    }
    report_.stations = options.stations;
    report_.meter_interval_s = meter_interval_;
    frame_.reserve(1024);
    payload_.reserve(1024);
  }

  /// Opens the files of --acked-log, --commands-log and --timeline; false
  /// with `error` naming the one that cannot be written.
  bool open_logs(std::string& error) {
    for (auto [path, into] : {std::pair{&options_.acked_log, &acked_log_},
                              std::pair{&options_.commands_log, &commands_log_},
                              std::pair{&options_.timeline, &timeline_}}) {
      if (path->empty()) continue;
      *into = std::make_unique<std::ofstream>(*path, std::ios::trunc);
      if (!**into) {
        error = "cannot write " + *path;
        return false;
      }
    }
    return true;
  }

  FleetReport run() {
    start_ = Clock::now();
    last_progress_ = start_;
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      err_ << "ocpp-sim fleet: signal: finishing early\n";
      if (phase_ == Phase::Ramp || phase_ == Phase::Running) begin_finish(Clock::now());
    });
    schedule_tick();
    io_.run();
    finish_report();
    return report_;
  }

 private:
  // ---- the tick: phases, ramp, storm, progress, due stations ----

  void schedule_tick() {
    tick_timer_.expires_after(kTick);
    tick_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      on_tick(Clock::now());
      if (phase_ != Phase::Closing) schedule_tick();
    });
  }

  void on_tick(TimePoint now) {
    if (phase_ == Phase::Ramp) ramp(now);
    if (phase_ == Phase::Running) {
      if (options_.storm_at_s && !storm_started_ && now >= storm_time_) storm(now);
      if (now >= end_) begin_finish(now);
    }
    if (options_.progress_s > 0 && now - last_progress_ >= seconds(options_.progress_s)) {
      progress(now);
    }
    if (now >= next_second_) second_passed(now);
    // Take the due entries first: what they push goes to the next tick.
    due_.clear();
    while (!heap_.empty() && heap_.front().at <= now) {
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
      due_.push_back(heap_.back());
      heap_.pop_back();
    }
    for (const auto& entry : due_) {
      Station& s = stations_[entry.station];
      if (s.wake_at != entry.at) continue;  // superseded by an earlier entry
      s.wake_at = kNever;
      wake(s, now);
    }
    if (phase_ == Phase::Draining) drain(now);
  }

  void ramp(TimePoint now) {
    const std::size_t n = stations_.size();
    std::size_t target = n;
    if (options_.ramp > 0) {
      const double elapsed = std::chrono::duration<double>(now - start_).count();
      target = std::min(n, static_cast<std::size_t>(elapsed * options_.ramp) + 1);
    }
    for (; started_ < target; ++started_) connect(stations_[started_], now);
    if (started_ < n) return;
    phase_ = Phase::Running;
    ramp_end_ = now;
    window_start_ = now + seconds(options_.warmup_s);
    end_ = now + seconds(options_.duration_s);
    if (window_start_ > end_) window_start_ = end_;
    if (options_.storm_at_s) storm_time_ = now + seconds(*options_.storm_at_s);
    report_.ramp_s = std::chrono::duration<double>(now - start_).count();
    err_ << fmt::format("ocpp-sim fleet: ramp done in {:.1f} s ({} stations), running {} s\n",
                        report_.ramp_s, n, options_.duration_s);
  }

  void progress(TimePoint now) {
    const double dt = std::chrono::duration<double>(now - last_progress_).count();
    const double t = std::chrono::duration<double>(now - start_).count();
    err_ << fmt::format(
        "t={:.1f}s connected={} answers/s={:.0f} meter/s={:.0f} timeouts={} connect_failures={}\n",
        t, connected_, static_cast<double>(answers_ - progress_answers_) / dt,
        static_cast<double>(report_.meter_acknowledged - progress_meters_) / dt, timeouts_,
        report_.connect_failed + report_.connect_timeouts + report_.connect_503);
    last_progress_ = now;
    progress_answers_ = answers_;
    progress_meters_ = report_.meter_acknowledged;
  }

  // Once a second: the timeline's line, and the logs flushed so that a test
  // reading them while the fleet runs sees whole lines up to now.
  void second_passed(TimePoint now) {
    next_second_ = now + std::chrono::seconds(1);
    if (timeline_) {
      const double t =
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
              .count();
      log_line_.clear();
      auto it = std::back_inserter(log_line_);
      fmt::format_to(it,
                     R"({{"t":{:.3f},"connected":{},"answers":{},"errors":{},"timeouts":{},)"
                     R"("meter_acked":{},"drops":{},"p50_ms":{:.3f},"p99_ms":{:.3f},)"
                     R"("max_ms":{:.3f},"over_ms":{{)",
                     t, connected_, second_.count(), second_errors_, second_timeouts_,
                     report_.meter_acknowledged - second_meters_,
                     report_.unexpected_drops + report_.stale_abandoned - second_drops_,
                     second_.percentile_ms(0.5), second_.percentile_ms(0.99), second_.max_ms());
      for (std::size_t i = 0; i < kOverMs.size(); ++i)
        fmt::format_to(it, R"({}"{}":{})", i ? "," : "", kOverMs[i], second_over_[i]);
      log_line_ += "}}\n";
      *timeline_ << log_line_;
      second_ = LatencyHistogram{};
      second_errors_ = second_timeouts_ = 0;
      second_over_ = {};
      second_meters_ = report_.meter_acknowledged;
      second_drops_ = report_.unexpected_drops + report_.stale_abandoned;
    }
    for (auto* log : {&acked_log_, &commands_log_, &timeline_})
      if (*log) (*log)->flush();
  }

  bool in_window(TimePoint now) const { return now >= window_start_ && now <= end_; }

  // ---- per-station deadlines ----

  void reschedule(Station& s) {
    TimePoint next = kNever;
    switch (s.state) {
      case ConnState::Waiting:
        next = s.reconnect_at;
        break;
      case ConnState::Connecting:
        next = s.connect_deadline;
        break;
      case ConnState::Open:
        next = std::min({s.call_deadline, s.boot_retry_at, s.heartbeat_due, s.tx_retry_at});
        if (s.tx == Tx::Active) next = std::min(next, s.meter_due);
        break;
      default:
        return;
    }
    if (next >= s.wake_at) return;
    s.wake_at = next;
    heap_.push_back({next, s.index});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
  }

  void wake(Station& s, TimePoint now) {
    switch (s.state) {
      case ConnState::Waiting:
        if (s.reconnect_at <= now && !stopping_) connect(s, now);
        break;
      case ConnState::Connecting:
        if (s.connect_deadline <= now) attempt_failed(s, Failure::Timeout, now);
        break;
      case ConnState::Open:
        on_due(s, now);
        break;
      default:
        break;
    }
    reschedule(s);
  }

  static TimePoint next_period(TimePoint due, Clock::duration period, TimePoint now) {
    due += period;
    return due <= now ? now + period : due;  // after a stall: no burst of catch-up messages
  }

  void on_due(Station& s, TimePoint now) {
    if (s.in_flight != Act::None && s.call_deadline <= now) {
      call_timed_out(s, now);
      if (s.state != ConnState::Open) return;  // --drop-on-timeout gave the connection up
    }
    if (!s.accepted) {
      if (s.boot_retry_at <= now) {
        s.boot_retry_at = kNever;
        s.enqueue(Act::Boot);
      }
    } else if (!stopping_) {
      if (s.heartbeat_due <= now) {
        if (s.in_flight != Act::None) ++report_.late_calls;
        s.enqueue(Act::Heartbeat);
        s.heartbeat_due = next_period(s.heartbeat_due, seconds(s.heartbeat_s), now);
      }
      if (s.tx == Tx::Active && s.meter_due <= now) {
        if (s.in_flight != Act::None) {
          ++report_.late_calls;
          if (in_window(now)) ++report_.meter_late;
        }
        // An unconfirmed value goes again first; the register keeps counting.
        s.enqueue(s.resend ? Act::Resend : Act::Meter);
        s.meter_due = next_period(s.meter_due, seconds(meter_interval_), now);
      }
      if (s.tx_retry_at <= now) {
        s.tx_retry_at = kNever;
        begin_transaction(s);
      }
    }
    pump(s, now);
  }

  void begin_transaction(Station& s) {
    if (!s.plan.charging || s.tx != Tx::None) return;
    s.tx = Tx::Authorizing;
    s.enqueue(Act::Authorize);
  }

  // ---- connecting ----

  void connect(Station& s, TimePoint now) {
    ++report_.connect_attempts;
    // Retries keep the first attempt's time: the figure is how long a station
    // took to get back in, back-offs and 503s included.
    if (s.connecting_since == kNever) s.connecting_since = now;
    auto c = std::make_shared<Conn>(io_, tls_.get());
    s.conn = c;
    s.state = ConnState::Connecting;
    s.reconnect_at = kNever;
    s.connect_deadline = now + connect_timeout_;
    reschedule(s);
    auto& socket = c->socket();
    beast::error_code ec;
    socket.open(endpoint_.protocol(), ec);
    if (!ec && options_.source_addresses > 1 && endpoint_.address().is_v4()) {
      // Defer the port choice to connect(), so each source address gets its
      // own ~28k ephemeral ports towards the one server port.
      int one = 1;
      ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      const auto k = static_cast<unsigned char>(1 + s.index % options_.source_addresses);
      socket.bind(tcp::endpoint(asio::ip::address_v4({127, 0, 0, k}), 0), ec);
    }
    if (ec) {
      attempt_failed(s, Failure::Refused, now);
      return;
    }
    Station* sp = &s;
    socket.async_connect(endpoint_, [this, sp, c](const beast::error_code& ec) {
      if (sp->conn != c) return;
      if (ec) return attempt_failed(*sp, Failure::Refused, Clock::now());
      if (!c->secure) return handshake(*sp, c);
      auto& stream = c->secure->next_layer();
      std::string error;
      if (!set_tls_peer(stream.native_handle(), url_.host, error)) {
        tls_failed(error);
        return attempt_failed(*sp, Failure::Refused, Clock::now());
      }
      stream.async_handshake(
          asio::ssl::stream_base::client, [this, sp, c](const beast::error_code& ec) {
            if (sp->conn != c) return;
            if (ec) {
              tls_failed(describe_tls_failure(c->secure->next_layer().native_handle(), ec));
              return attempt_failed(*sp, Failure::Refused, Clock::now());
            }
            handshake(*sp, c);
          });
    });
  }

  // The first TLS failure is told (they are usually all alike); all are counted.
  // The first refusal of each status is explained once: a fleet of
  // unregistered stations should say so, not just count failures.
  void refused(int status) {
    if (report_.refused_status[status]++ > 0) return;
    err_ << "ocpp-sim fleet: the CSMS refused the WebSocket upgrade with HTTP " << status;
    if (status == 404)
      err_ << " (stations not registered: register them, or run csms with --accept-unknown)";
    if (status == 401) err_ << " (wrong or missing --password)";
    err_ << "\n";
  }

  void tls_failed(const std::string& why) {
    if (report_.tls_failed++ == 0) err_ << "ocpp-sim fleet: TLS handshake failed: " << why << "\n";
  }

  void handshake(Station& s, const std::shared_ptr<Conn>& c) {
    beast::error_code ignored;
    c->socket().set_option(tcp::no_delay(true), ignored);
    std::string authorization;
    if (options_.password) authorization = basic_auth(s.plan.id, *options_.password);
    Station* sp = &s;
    c->with_ws([&](auto& ws) {
      ws.secure_prng(false);  // masking keys need no cryptographic strength here
      ws.set_option(websocket::stream_base::decorator(
          [auth = std::move(authorization), v201 = s.plan.v201](websocket::request_type& req) {
            req.set(http::field::user_agent, "ocpp-sim-fleet");
            req.set(http::field::sec_websocket_protocol, v201 ? "ocpp2.0.1" : "ocpp1.6");
            if (!auth.empty()) req.set(http::field::authorization, auth);
          }));
      ws.async_handshake(
          c->response, host_header_, station_target(url_, s.plan.id),
          [this, sp, c](const beast::error_code& ec) {
            if (sp->conn != c) return;
            const TimePoint now = Clock::now();
            if (ec == websocket::error::upgrade_declined && c->response.result_int() == 503) {
              return attempt_failed(*sp, Failure::Unavailable, now,
                                    retry_after(c->response[http::field::retry_after]));
            }
            if (ec == websocket::error::upgrade_declined) refused(c->response.result_int());
            if (ec) return attempt_failed(*sp, Failure::Refused, now);
            const auto selected = c->response[http::field::sec_websocket_protocol];
            if (selected != (sp->plan.v201 ? "ocpp2.0.1" : "ocpp1.6")) {
              return attempt_failed(*sp, Failure::Refused, now);
            }
            opened(*sp, now);
          });
    });
  }

  static double retry_after(beast::string_view header) {
    int secs = 0;
    auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), secs);
    if (ec != std::errc() || end == header.data() || secs < 0) return 5;  // absent or a date
    return secs;
  }

  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng_);
  }

  void attempt_failed(Station& s, Failure failure, TimePoint now, double retry_after_s = 0) {
    if (s.conn) abort(*s.conn);
    s.conn.reset();
    s.connect_deadline = kNever;
    switch (failure) {
      case Failure::Refused:
        ++report_.connect_failed;
        break;
      case Failure::Timeout:
        ++report_.connect_timeouts;
        break;
      case Failure::Unavailable:
        ++report_.connect_503;
        break;
    }
    // A 503 is the server shedding load as designed, reported apart from errors.
    if (s.storm_pending) {
      ++(failure == Failure::Unavailable ? report_.storm_503 : report_.storm_errors);
    }
    if (stopping_) {
      s.state = ConnState::Stopped;
      return;
    }
    double delay = 0;
    if (failure == Failure::Unavailable) {
      // The server sheds load: come back when told, spread so we do not return as one wave.
      delay = retry_after_s + uniform(0, std::max(0.5, retry_after_s / 4));
    } else {
      delay = backoff(s);
    }
    s.state = ConnState::Waiting;
    s.reconnect_at = now + seconds(delay);
    reschedule(s);
  }

  // Random in [ceiling/2, ceiling], ceiling doubling from 1 s up to 30 s.
  double backoff(Station& s) {
    const double ceiling = std::min(30.0, std::ldexp(1.0, std::min<int>(s.backoff_attempt, 5)));
    if (s.backoff_attempt < 16) ++s.backoff_attempt;
    return uniform(ceiling / 2, ceiling);
  }

  // The server closed a connection the station had given up (as it should
  // once another node holds the station).
  void stale_closed(Conn& c) {
    c.abandoned = false;
    ++report_.stale_closed;
    abort(c);
  }

  static void abort(Conn& c) {
    beast::error_code ignored;
    c.socket().close(ignored);
  }

  void opened(Station& s, TimePoint now) {
    ++report_.connect_ok;
    ++connected_;
    report_.connected_peak = std::max(report_.connected_peak, connected_);
    s.state = ConnState::Open;
    s.connect_deadline = kNever;
    s.accepted = false;
    s.clear_queue();
    s.conn->with_ws([](auto& ws) { ws.text(true); });
    read(&s, s.conn);
    s.enqueue(Act::Boot);
    pump(s, now);
    reschedule(s);
  }

  // A drop: by the storm (reconnect at once), by the peer (back off), or given
  // up after a timeout (back off; the socket stays open and is watched).
  enum class Drop { Storm, Peer, Abandon };
  void connection_lost(Station& s, TimePoint now, Drop drop) {
    if (s.state != ConnState::Open) return;
    const bool by_storm = drop == Drop::Storm;
    if (s.conn && drop == Drop::Abandon) {
      s.conn->abandoned = true;
      abandoned_.push_back(s.conn);
      ++report_.stale_abandoned;
    } else if (s.conn) {
      abort(*s.conn);
    }
    s.conn.reset();
    --connected_;
    if (s.in_flight == Act::Meter || s.in_flight == Act::Resend ||
        (s.in_flight == Act::Start && s.tx == Tx::Active)) {
      ++report_.meter_unconfirmed;  // the server may or may not have stored it
      if (s.in_flight != Act::Start && options_.resend_unconfirmed) s.resend = true;
    }
    s.in_flight = Act::None;
    s.call_deadline = kNever;
    s.clear_queue();
    s.accepted = false;
    s.boot_retry_at = kNever;
    s.heartbeat_due = kNever;
    s.tx_retry_at = kNever;
    if (s.tx == Tx::Authorizing || s.tx == Tx::Starting) s.tx = Tx::None;
    if (!by_storm && s.storm_pending) ++report_.storm_errors;
    if (stopping_) {
      s.state = ConnState::Stopped;
      return;
    }
    if (by_storm) {
      connect(s, now);
      return;
    }
    if (drop == Drop::Peer) ++report_.unexpected_drops;
    s.state = ConnState::Waiting;
    s.reconnect_at = now + seconds(backoff(s));
    reschedule(s);
  }

  // ---- reading and writing ----

  void read(Station* s, std::shared_ptr<Conn> c) {
    auto& conn = *c;
    conn.with_ws([&](auto& ws) {
      ws.async_read(
          conn.in, [this, s, c = std::move(c)](const beast::error_code& ec, std::size_t) mutable {
            if (ec) {
              if (s->conn == c) connection_lost(*s, Clock::now(), Drop::Peer);
              if (c->abandoned) stale_closed(*c);
              return;
            }
            const auto data = c->in.cdata();
            const std::string_view text(static_cast<const char*>(data.data()), data.size());
            if (s->conn == c) {
              on_message(*s, text, Clock::now());
            } else if (c->abandoned) {
              on_stale_message(*s, text);
            }
            c->in.consume(c->in.size());
            // Keep reading while closing too: that is how the close handshake completes.
            if (s->conn == c || c->abandoned || s->state == ConnState::Stopped)
              read(s, std::move(c));
          });
    });
  }

  void write(Station& s, std::string_view frame) {
    Conn& c = *s.conn;
    if (c.writing) {
      c.waiting.emplace_back(frame);
      return;
    }
    c.out.assign(frame.data(), frame.size());
    c.writing = true;
    write_out(&s, s.conn);
  }

  void write_out(Station* s, std::shared_ptr<Conn> c) {
    auto& conn = *c;
    conn.with_ws([&](auto& ws) {
      ws.async_write(asio::buffer(conn.out),
                     [this, s, c = std::move(c)](const beast::error_code& ec, std::size_t) mutable {
                       if (ec) {
                         c->writing = false;
                         if (s->conn == c) connection_lost(*s, Clock::now(), Drop::Peer);
                         if (c->close_when_idle) closed_one();
                         return;
                       }
                       if (!c->waiting.empty()) {
                         c->out = std::move(c->waiting.front());
                         c->waiting.pop_front();
                         write_out(s, std::move(c));
                         return;
                       }
                       c->writing = false;
                       if (c->close_when_idle) start_close(std::move(c));
                     });
    });
  }

  // ---- OCPP ----

  // RFC 3339 UTC with milliseconds into `buf` (at least 32 bytes); the length.
  static std::size_t format_timestamp(std::int64_t ms, char* buf) {
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char* end = buf + std::strftime(buf, 24, "%Y-%m-%dT%H:%M:%S", &tm);
    end = fmt::format_to(end, ".{:03d}Z", static_cast<int>(ms % 1000));
    return static_cast<std::size_t>(end - buf);
  }

  // Now, formatted once per millisecond (timestamp_ms_ says which).
  std::string_view timestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    if (ms != timestamp_ms_) {
      timestamp_ms_ = ms;
      timestamp_len_ = format_timestamp(ms, timestamp_buf_);
    }
    return std::string_view(timestamp_buf_, timestamp_len_);
  }

  // A transaction message of this moment. Its timestamp, register reading and
  // 2.0.1 seqNo are kept for the acknowledgement log and a resend.
  void transaction_message(Station& s, Act act) {
    timestamp();
    s.msg_ms = timestamp_ms_;
    s.msg_wh = std::llround(s.energy_wh);
    if (s.plan.v201) s.msg_seq_no = s.seq_no++;
    transaction_payload(s, act);
  }

  // The payload of the station's last transaction message, from what was kept.
  void transaction_payload(const Station& s, Act act) {
    const auto& tag = options_.id_tag;
    char buf[32];
    const std::string_view ts = s.msg_ms == timestamp_ms_
                                    ? std::string_view(timestamp_buf_, timestamp_len_)
                                    : std::string_view(buf, format_timestamp(s.msg_ms, buf));
    if (s.plan.v201) {
      const char* event = act == Act::Start ? "Started" : act == Act::Stop ? "Ended" : "Updated";
      payload::transaction_event_v201(payload_, event, s.tx_uuid, s.msg_seq_no, tag, s.msg_wh,
                                      options_.power_w, ts);
    } else if (act == Act::Start) {
      payload::start_v16(payload_, tag, s.msg_wh, ts);
    } else if (act == Act::Stop) {
      payload::stop_v16(payload_, s.tx_id, tag, s.msg_wh, ts);
    } else {
      payload::meter_v16(payload_, s.tx_id, s.msg_wh, options_.power_w, ts);
    }
  }

  std::string new_uuid() {
    const std::uint64_t a = rng_(), b = rng_();
    return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff,
                       a & 0xfff, ((b >> 48) & 0x3fff) | 0x8000, b & 0xffffffffffffULL);
  }

  // Sends the next queued CALL if none is in flight.
  void pump(Station& s, TimePoint now) {
    while (s.in_flight == Act::None && s.state == ConnState::Open) {
      const Act act = s.dequeue();
      if (act == Act::None) return;
      if (sendable(s, act)) send(s, act, now);
    }
  }

  bool sendable(const Station& s, Act act) const {
    if (stopping_) return act == Act::Stop && s.accepted;
    if (act == Act::Boot) return !s.accepted;
    if (!s.accepted) return false;
    switch (act) {
      case Act::Meter:
        return s.tx == Tx::Active;
      case Act::Resend:
        return s.tx == Tx::Active && s.resend;
      case Act::Authorize:
        return s.tx == Tx::Authorizing;
      case Act::Start:
        return s.tx == Tx::Starting;
      default:
        return true;
    }
  }

  void update_energy(Station& s, TimePoint now) {
    s.energy_wh +=
        options_.power_w * std::chrono::duration<double>(now - s.energy_at).count() / 3600.0;
    s.energy_at = now;
  }

  void send(Station& s, Act act, TimePoint now) {
    const bool v201 = s.plan.v201;
    const auto& tag = options_.id_tag;
    payload_.clear();
    switch (act) {
      case Act::Boot:
        v201 ? payload::boot_v201(payload_, s.plan.id) : payload::boot_v16(payload_, s.plan.id);
        break;
      case Act::Status: {
        const bool busy = s.tx == Tx::Active;
        if (v201) {
          payload::status_v201(payload_, busy ? "Occupied" : "Available", timestamp());
        } else {
          payload::status_v16(payload_, busy ? "Charging" : "Available", timestamp());
        }
        break;
      }
      case Act::Heartbeat:
        payload_ = "{}";
        break;
      case Act::Authorize:
        v201 ? payload::authorize_v201(payload_, tag) : payload::authorize_v16(payload_, tag);
        break;
      case Act::Start:
        s.energy_at = now;
        if (v201 && s.tx_uuid.empty()) s.tx_uuid = new_uuid();
        s.seq_no = 0;
        transaction_message(s, act);
        break;
      case Act::Meter:
      case Act::Stop:
        update_energy(s, now);
        transaction_message(s, act);
        break;
      case Act::Resend:
        transaction_payload(s, Act::Meter);
        break;
      case Act::None:
        return;
    }
    ++s.message_seq;
    frame_.clear();
    fmt::format_to(std::back_inserter(frame_), "[2,\"{}\",\"{}\",{}]", s.message_seq,
                   action_name(act, v201), payload_);
    s.in_flight = act;
    s.sent_at = now;
    s.call_deadline = now + call_timeout_;
    ++report_.actions[static_cast<std::size_t>(slot_of(act, v201))].sent;
    write(s, frame_);
  }

  // Parses a frame into the reused pool buffers and calls f(doc, type, id) when
  // it is an OCPP message; false when it is not.
  template <class F>
  bool with_frame(std::string_view text, F&& f) {
    PoolAllocator values(parse_values_, sizeof parse_values_);
    PoolAllocator stack(parse_stack_, sizeof parse_stack_);
    PoolDocument doc(&values, sizeof parse_stack_, &stack);
    doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
    if (doc.HasParseError() || !doc.IsArray() || doc.Size() < 3 || !doc[0].IsInt() ||
        !doc[1].IsString())
      return false;
    f(doc, doc[0].GetInt(), std::string_view(doc[1].GetString(), doc[1].GetStringLength()));
    return true;
  }

  void on_message(Station& s, std::string_view text, TimePoint now) {
    const bool ok = with_frame(text, [&](const PoolDocument& doc, int type, std::string_view id) {
      if (type == 2) return on_csms_call(s, doc, id);
      if (type != 3 && type != 4) {
        ++report_.protocol_errors;
        return;
      }
      std::uint32_t seq = 0;
      auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), seq);
      if (s.in_flight == Act::None || ec != std::errc() || end != id.data() + id.size() ||
          seq != s.message_seq) {
        ++report_.stale_answers;  // e.g. after a timeout
        return;
      }
      const rapidjson::Value* result = type == 3 && doc[2].IsObject() ? &doc[2] : nullptr;
      call_answered(s, result, now);
    });
    if (!ok) ++report_.protocol_errors;
  }

  // A frame on a connection the station gave up, never answered. A CALL there
  // once the station has a newer connection open means the server acted on a
  // station it no longer holds; before that the server could not know.
  void on_stale_message(Station& s, std::string_view text) {
    with_frame(text, [&](const PoolDocument& doc, int type, std::string_view) {
      if (type != 2) return;
      ++(s.state == ConnState::Open ? report_.stale_calls : report_.stale_calls_early);
      if (const auto* request = data_transfer(doc)) record_data_transfer(s, *request, true);
    });
  }

  static const rapidjson::Value* data_transfer(const PoolDocument& doc) {
    if (doc.Size() < 4 || !doc[2].IsString() || !doc[3].IsObject()) return nullptr;
    return std::string_view(doc[2].GetString()) == "DataTransfer" ? &doc[3] : nullptr;
  }

  // DataTransfer is answered Accepted and recorded (a fault test sends its
  // commands as DataTransfer); any other CALL NotImplemented.
  void on_csms_call(Station& s, const PoolDocument& doc, std::string_view id) {
    ++report_.csms_calls;
    // Message ids are short and plain; one that would need escaping is not answered.
    if (id.size() > 36 || id.find_first_of("\"\\") != std::string_view::npos) return;
    if (const auto* request = data_transfer(doc)) {
      record_data_transfer(s, *request, false);
      write(s, fmt::format(R"([3,"{}",{{"status":"Accepted"}}])", id));
      return;
    }
    write(s, fmt::format(R"([4,"{}","NotImplemented","not simulated in fleet mode",{{}}])", id));
  }

  // The same `data` twice is one command delivered twice (the test's data are unique).
  void record_data_transfer(const Station& s, const rapidjson::Value& request, bool stale) {
    const auto data = string_member(&request, "data");
    ++report_.data_transfers;
    if (!data.empty() && !seen_data_.emplace(data).second) ++report_.data_transfer_duplicates;
    if (!commands_log_) return;
    auto it = std::back_inserter(log_line_);
    log_line_.clear();
    fmt::format_to(it, "{}\t{}\t{}\t{}\n", s.plan.id,
                   printable(string_member(&request, "messageId")), printable(data),
                   stale ? "stale" : "current");
    *commands_log_ << log_line_;
  }

  // Log fields stay on one line and one column.
  static std::string printable(std::string_view text) {
    std::string out(text);
    for (char& ch : out)
      if (static_cast<unsigned char>(ch) < 0x20) ch = '?';
    return out;
  }

  static std::string_view string_member(const rapidjson::Value* v, const char* name) {
    if (!v) return {};
    auto it = v->FindMember(name);
    if (it == v->MemberEnd() || !it->value.IsString()) return {};
    return {it->value.GetString(), it->value.GetStringLength()};
  }

  static std::int64_t int_member(const rapidjson::Value* v, const char* name, std::int64_t dflt) {
    if (!v) return dflt;
    auto it = v->FindMember(name);
    if (it == v->MemberEnd() || !it->value.IsInt64()) return dflt;
    return it->value.GetInt64();
  }

  void record(Station& s, Act act, Outcome outcome, TimePoint now) {
    auto& stats = report_.actions[static_cast<std::size_t>(slot_of(act, s.plan.v201))];
    const double us = to_us(now - s.sent_at);
    switch (outcome) {
      case Outcome::Ok:
        ++stats.ok;
        break;
      case Outcome::Error:
        ++stats.errors;
        break;
      case Outcome::Timeout:
        ++stats.timeouts;
        ++timeouts_;
        break;
    }
    if (outcome != Outcome::Ok && s.storm_pending) ++report_.storm_errors;
    if (outcome == Outcome::Error) ++second_errors_;
    if (outcome == Outcome::Timeout) {
      ++second_timeouts_;
      return;
    }
    ++answers_;
    if (timeline_) {
      second_.record_us(us);
      for (std::size_t i = 0; i < kOverMs.size(); ++i)
        if (us > kOverMs[i] * 1000.0) ++second_over_[i];
    }
    if (in_window(now)) {
      stats.window.record_us(us);
      report_.all_calls.record_us(us);
      if (outcome == Outcome::Ok) ++stats.window_ok;
    }
    if (storm_active_ && !s.storm_dropped) report_.storm_steady.record_us(us);
  }

  void call_answered(Station& s, const rapidjson::Value* result, TimePoint now) {
    const Act act = s.in_flight;
    s.in_flight = Act::None;
    s.call_deadline = kNever;
    record(s, act, result ? Outcome::Ok : Outcome::Error, now);
    switch (act) {
      case Act::Boot: {
        const auto status = string_member(result, "status");
        const auto interval = int_member(result, "interval", 0);
        if (status == "Accepted") {
          s.accepted = true;
          // Only a connection that works resets the back-off: one given up after a
          // timeout (--drop-on-timeout) keeps doubling it, as against a stalled server.
          s.backoff_attempt = 0;
          if (s.connecting_since != kNever) {
            report_.connect_boot.record_us(
                std::chrono::duration<double, std::micro>(now - s.connecting_since).count());
            s.connecting_since = kNever;
          }
          s.heartbeat_s =
              options_.heartbeat_s ? *options_.heartbeat_s : static_cast<double>(interval);
          s.heartbeat_due = s.heartbeat_s > 0 ? now + seconds(s.heartbeat_s) : kNever;
          s.enqueue(Act::Status);
          begin_transaction(s);
        } else {
          if (status == "Pending") ++report_.boot_pending;
          if (status == "Rejected") ++report_.boot_rejected;
          s.boot_retry_at = now + seconds(interval > 0 ? static_cast<double>(interval) : 10.0);
        }
        break;
      }
      case Act::Status:
        if (s.storm_pending && s.accepted) storm_station_back(s, now);
        break;
      case Act::Authorize:
        // A load generator charges whatever the idTag status.
        if (s.tx == Tx::Authorizing) {
          s.tx = Tx::Starting;
          s.enqueue(Act::Start);
        }
        break;
      case Act::Start:
        if (!result) {
          s.tx = Tx::None;
          s.tx_uuid.clear();
          s.tx_retry_at = now + seconds(meter_interval_);
          break;
        }
        if (!s.plan.v201) s.tx_id = int_member(result, "transactionId", 0);
        s.tx = Tx::Active;
        s.resend = false;
        if (s.plan.v201) log_acked(s, "Started");
        s.enqueue(Act::Status);
        // A random phase, so a fleet started at once does not sample in lockstep.
        s.meter_due = now + seconds(meter_interval_ * uniform(0.1, 1.0));
        break;
      case Act::Meter:
      case Act::Resend:
        if (result) {
          ++report_.meter_acknowledged;
          if (in_window(now)) ++report_.meter_window_acknowledged;
          s.resend = false;
          log_acked(s, s.plan.v201 ? "Updated" : "MeterValues");
        } else if (options_.resend_unconfirmed) {
          s.resend = true;  // a CALLERROR (e.g. the database was away): not stored
        }
        break;
      case Act::Stop:
        s.tx = Tx::Ended;
        if (result && s.plan.v201) log_acked(s, "Ended");
        break;
      default:
        break;
    }
    pump(s, now);
    reschedule(s);
  }

  void call_timed_out(Station& s, TimePoint now) {
    const Act act = s.in_flight;
    s.in_flight = Act::None;
    s.call_deadline = kNever;
    record(s, act, Outcome::Timeout, now);
    switch (act) {
      case Act::Boot:
        s.boot_retry_at = now + std::chrono::seconds(10);
        break;
      case Act::Status:
        s.enqueue(Act::Status);  // a storm's station counts as back only once it is answered
        break;
      case Act::Authorize:
      case Act::Start:
        s.tx = Tx::None;
        s.tx_uuid.clear();
        s.tx_retry_at = now + seconds(meter_interval_);
        break;
      case Act::Meter:
      case Act::Resend:
        ++report_.meter_unconfirmed;
        if (options_.resend_unconfirmed) s.resend = true;
        break;
      case Act::Stop:
        s.tx = Tx::Ended;
        break;
      default:
        break;
    }
    if (options_.drop_on_timeout) connection_lost(s, now, Drop::Abandon);
  }

  // The acknowledged transaction message, with the keys the CSMS stores it by:
  // station, transaction (1.6 transactionId, 2.0.1 transactionId), 2.0.1
  // seqNo, timestamp (ms since the epoch) and the register reading (Wh).
  void log_acked(const Station& s, std::string_view event) {
    if (!acked_log_) return;
    log_line_.clear();
    auto it = std::back_inserter(log_line_);
    if (s.plan.v201) {
      fmt::format_to(it, "{}\t2.0.1\t{}\t{}\t{}\t{}\t{}\n", s.plan.id, event, s.tx_uuid,
                     s.msg_seq_no, s.msg_ms, s.msg_wh);
    } else {
      fmt::format_to(it, "{}\t1.6\t{}\t{}\t-\t{}\t{}\n", s.plan.id, event, s.tx_id, s.msg_ms,
                     s.msg_wh);
    }
    *acked_log_ << log_line_;
  }

  // ---- the storm ----

  void storm(TimePoint now) {
    storm_started_ = true;
    storm_active_ = true;
    storm_start_ = now;
    std::vector<std::uint32_t> order(stations_.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    const auto k = static_cast<std::size_t>(
        std::llround(options_.storm_share * static_cast<double>(order.size())));
    for (std::size_t i = 0; i < k; ++i) {  // a partial Fisher-Yates shuffle
      std::uniform_int_distribution<std::size_t> pick(i, order.size() - 1);
      std::swap(order[i], order[pick(rng_)]);
    }
    for (std::size_t i = 0; i < k; ++i) {
      Station& s = stations_[order[i]];
      if (s.state != ConnState::Open) continue;
      s.storm_dropped = true;
      s.storm_pending = true;
      ++report_.storm_dropped;
      ++storm_outstanding_;
    }
    err_ << fmt::format("ocpp-sim fleet: storm: dropping {} connections\n", storm_outstanding_);
    for (std::size_t i = 0; i < k; ++i) {
      Station& s = stations_[order[i]];
      if (s.storm_pending) connection_lost(s, now, Drop::Storm);
    }
    if (storm_outstanding_ == 0) storm_active_ = false;
  }

  void storm_station_back(Station& s, TimePoint now) {
    s.storm_pending = false;
    ++report_.storm_reconnected;
    if (--storm_outstanding_ > 0) return;
    storm_active_ = false;
    report_.storm_settle_s = std::chrono::duration<double>(now - storm_start_).count();
    err_ << fmt::format("ocpp-sim fleet: storm settled in {:.2f} s\n", *report_.storm_settle_s);
  }

  // ---- the end ----

  void begin_finish(TimePoint now) {
    if (phase_ == Phase::Ramp) {  // interrupted before the ramp completed
      ramp_end_ = now;
      window_start_ = now;
    }
    phase_ = Phase::Draining;
    end_ = std::min(end_, now);
    report_.connected_end = connected_;
    storm_active_ = false;
    stopping_ = true;
    for (auto& s : stations_) {
      if (s.state == ConnState::Waiting || s.state == ConnState::Idle) {
        s.state = ConnState::Stopped;
        continue;
      }
      s.clear_queue();
      if (options_.stop_transactions && s.state == ConnState::Open && s.accepted &&
          s.tx == Tx::Active) {
        s.enqueue(Act::Stop);
        pump(s, now);
        reschedule(s);
      }
    }
    drain_deadline_ = now + call_timeout_ + std::chrono::seconds(1);
    next_drain_check_ = now;
  }

  // Waits (bounded) for the CALLs in flight, so every stored meter value is acknowledged.
  void drain(TimePoint now) {
    if (now < next_drain_check_) return;
    next_drain_check_ = now + std::chrono::milliseconds(50);
    bool busy = false;
    for (const auto& s : stations_) {
      if (s.state == ConnState::Open && (s.in_flight != Act::None || s.queue_size > 0)) {
        busy = true;
        break;
      }
    }
    if (busy && now < drain_deadline_) return;
    close_all();
  }

  void close_all() {
    phase_ = Phase::Closing;
    tick_timer_.cancel();
    signals_.cancel();
    for (auto& c : abandoned_) {
      if (!c->abandoned) continue;
      ++report_.stale_open_end;
      c->abandoned = false;
      abort(*c);
    }
    abandoned_.clear();
    for (auto* log : {&acked_log_, &commands_log_, &timeline_})
      if (*log) (*log)->flush();
    for (auto& s : stations_) {
      const bool open = s.state == ConnState::Open;
      s.state = ConnState::Stopped;
      auto c = std::move(s.conn);
      if (!c) continue;
      if (!open) {
        abort(*c);
        continue;
      }
      ++closing_;
      if (c->writing) {
        c->close_when_idle = true;  // Beast allows one write (or close) at a time
      } else {
        start_close(std::move(c));
      }
    }
    if (closing_ == 0) {
      io_.stop();
      return;
    }
    // Never hang on a peer that does not answer the close.
    tick_timer_.expires_after(kCloseGrace);
    tick_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) io_.stop();
    });
  }

  void start_close(std::shared_ptr<Conn> c) {
    auto& conn = *c;
    conn.with_ws([&](auto& ws) {
      ws.async_close(websocket::close_code::normal,
                     [this, c = std::move(c)](const beast::error_code&) {
                       abort(*c);
                       closed_one();
                     });
    });
  }

  void closed_one() {
    if (closing_ > 0 && --closing_ == 0) io_.stop();
  }

  void finish_report() {
    const TimePoint stop = phase_ == Phase::Ramp ? Clock::now() : end_;
    report_.duration_s =
        ramp_end_ == TimePoint{} ? 0 : std::chrono::duration<double>(stop - ramp_end_).count();
    report_.window_s = std::max(0.0, std::chrono::duration<double>(stop - window_start_).count());
    if (options_.storm_at_s) {
      report_.storm = true;
      report_.storm_at_s = *options_.storm_at_s;
      report_.storm_steady_stations =
          static_cast<std::uint64_t>(stations_.size()) - report_.storm_dropped;
    }
  }

  const FleetOptions& options_;
  std::shared_ptr<asio::ssl::context> tls_;  // null: ws://
  WsUrl url_;
  tcp::endpoint endpoint_;
  std::ostream& err_;
  asio::io_context io_{1};
  asio::steady_timer tick_timer_;
  asio::signal_set signals_;
  std::mt19937_64 rng_;
  double meter_interval_;
  Clock::duration call_timeout_;
  Clock::duration connect_timeout_;
  std::string host_header_;
  std::vector<Station> stations_;
  std::vector<WakeEntry> heap_;
  std::vector<WakeEntry> due_;
  FleetReport report_;

  Phase phase_ = Phase::Ramp;
  bool stopping_ = false;
  std::size_t started_ = 0;
  TimePoint start_{};
  TimePoint ramp_end_{};
  TimePoint window_start_ = kNever;
  TimePoint end_ = kNever;
  TimePoint drain_deadline_ = kNever;
  TimePoint next_drain_check_{};
  std::uint64_t connected_ = 0;
  std::uint64_t closing_ = 0;
  std::uint64_t answers_ = 0;
  std::uint64_t timeouts_ = 0;
  TimePoint last_progress_{};
  std::uint64_t progress_answers_ = 0;
  std::uint64_t progress_meters_ = 0;

  bool storm_started_ = false;
  bool storm_active_ = false;
  TimePoint storm_time_ = kNever;
  TimePoint storm_start_{};
  std::uint64_t storm_outstanding_ = 0;

  // --acked-log, --commands-log, --timeline (null: off) and the line being written.
  std::unique_ptr<std::ofstream> acked_log_;
  std::unique_ptr<std::ofstream> commands_log_;
  std::unique_ptr<std::ofstream> timeline_;
  std::string log_line_;
  std::unordered_set<std::string> seen_data_;  // DataTransfer data received
  std::vector<std::shared_ptr<Conn>> abandoned_;
  // The timeline's current second.
  static constexpr std::array<int, 10> kOverMs = {10, 25, 50, 100, 200, 400, 800, 1600, 3200, 6400};
  TimePoint next_second_{};
  LatencyHistogram second_;
  std::array<std::uint64_t, kOverMs.size()> second_over_{};
  std::uint64_t second_errors_ = 0;
  std::uint64_t second_timeouts_ = 0;
  std::uint64_t second_meters_ = 0;
  std::uint64_t second_drops_ = 0;

  std::string frame_;
  std::string payload_;
  std::int64_t timestamp_ms_ = -1;
  char timestamp_buf_[32] = {};
  std::size_t timestamp_len_ = 0;
  // Parsing reuses these instead of the heap (RapidJSON pool allocators).
  char parse_values_[16384];
  char parse_stack_[4096];
};

void raise_fd_limit(std::ostream& err, int stations) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < static_cast<rlim_t>(stations) + 64) {
    err << fmt::format(
        "ocpp-sim fleet: warning: the open-file limit {} is too low for {} stations (ulimit -n)\n",
        limit.rlim_cur, stations);
  }
}

}  // namespace

int run_fleet(const FleetOptions& options, std::ostream& out, std::ostream& err) {
  std::string error;
  auto url = parse_ws_url(options.url, error);
  if (!url) {
    err << "ocpp-sim fleet: --url " << options.url << ": " << error << "\n";
    return 2;
  }
  tcp::endpoint endpoint;
  try {
    asio::io_context io;
    tcp::resolver resolver(io);
    auto results = resolver.resolve(url->host, url->port);
    endpoint = results.begin()->endpoint();
    for (const auto& r : results) {
      if (r.endpoint().address().is_v4()) {  // the source-address spread is IPv4 loopback
        endpoint = r.endpoint();
        break;
      }
    }
  } catch (const std::exception& e) {
    err << "ocpp-sim fleet: resolving " << url->host << ": " << e.what() << "\n";
    return 2;
  }
  std::shared_ptr<asio::ssl::context> tls;
  if (url->tls) {
    TlsClientConfig config;
    for (auto [flag, path, into] : {std::tuple{"--ca-file", &options.ca_file, &config.ca_pem},
                                    std::tuple{"--cert", &options.cert_file, &config.cert_pem},
                                    std::tuple{"--key", &options.key_file, &config.key_pem}}) {
      if (path->empty()) continue;
      auto text = read_text_file(*path, error);
      if (!text) {
        err << "ocpp-sim fleet: " << flag << " " << error << "\n";
        return 2;
      }
      *into = *text;
    }
    tls = make_client_tls_context(config, error);
    if (!tls) {
      err << "ocpp-sim fleet: " << error << "\n";
      return 2;
    }
  }
  raise_fd_limit(err, options.stations);
  auto runner = std::make_unique<Runner>(options, *url, endpoint, err, std::move(tls));
  if (!runner->open_logs(error)) {
    err << "ocpp-sim fleet: " << error << "\n";
    return 2;
  }
  const FleetReport report = runner->run();
  if (options.json) {
    out << report_json(report) << std::endl;
  } else {
    out << report_table(report) << std::flush;
  }
  if (report.connect_ok == 0) {
    err << "ocpp-sim fleet: no station connected\n";
    return 1;
  }
  return 0;
}

}  // namespace simulator::fleet
