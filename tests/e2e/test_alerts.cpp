// Smart O&M under the real csms: alerts opened and closed by what stations
// report, delivered to a webhook (a tiny HTTP receiver in this process) with a
// valid HMAC signature; a station offline past its threshold; csmsctl alerts;
// closing a stale transaction.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "support/harness.hpp"

using namespace e2e;

namespace {

const std::string kPassword = "alerts-password-01";
const std::string kSecret = "webhook-secret-for-e2e";

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

struct Delivery {
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// Answers every POST with 200 and keeps what came.
class Receiver {
 public:
  Receiver() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 16);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~Receiver() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<Delivery> deliveries() {
    std::lock_guard<std::mutex> lock(mutex_);
    return deliveries_;
  }

 private:
  void run() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string data;
      char buf[4096];
      std::size_t header_end = std::string::npos;
      std::size_t length = 0;
      for (;;) {
        auto n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        data.append(buf, static_cast<std::size_t>(n));
        if (header_end == std::string::npos) {
          header_end = data.find("\r\n\r\n");
          if (header_end != std::string::npos) {
            auto lower = data.substr(0, header_end);
            for (auto& ch : lower) ch = static_cast<char>(std::tolower(ch));
            auto at = lower.find("content-length:");
            if (at != std::string::npos) length = std::stoul(lower.substr(at + 15));
          }
        }
        if (header_end != std::string::npos && data.size() >= header_end + 4 + length) break;
      }
      Delivery d;
      if (header_end != std::string::npos) {
        std::istringstream lines(data.substr(0, header_end));
        std::string line;
        std::getline(lines, line);  // request line
        while (std::getline(lines, line)) {
          auto colon = line.find(':');
          if (colon == std::string::npos) continue;
          std::string name = line.substr(0, colon);
          for (auto& ch : name) ch = static_cast<char>(std::tolower(ch));
          std::string value = line.substr(colon + 1);
          while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
          while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
          d.headers[name] = value;
        }
        d.body = data.substr(header_end + 4, length);
      }
      const std::string answer =
          "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      ::send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
      ::close(c);
      std::lock_guard<std::mutex> lock(mutex_);
      deliveries_.push_back(std::move(d));
    }
  }
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Delivery> deliveries_;
};

std::string hmac_hex(const std::string& key, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  static const char* digits = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned i = 0; i < len; ++i) {
    out += digits[mac[i] >> 4];
    out += digits[mac[i] & 0xf];
  }
  return out;
}

// The deliveries for `kind` whose event is `event`, parsed.
std::vector<Delivery> of(Receiver& r, const std::string& kind, const std::string& event) {
  std::vector<Delivery> out;
  for (auto& d : r.deliveries()) {
    rapidjson::Document doc;
    doc.Parse(d.body.c_str());
    if (!doc.HasParseError() && doc.IsObject() && str(doc["kind"]) == kind &&
        str(doc["event"]) == event)
      out.push_back(d);
  }
  return out;
}

std::vector<std::string> fast_alerts(std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--alerts-check-interval", "200", "--alerts-offline-after", "2"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_CASE(
    "a Faulted connector opens an alert with its vendor code, Available closes it, both "
    "delivered signed to the webhook",
    "[e2e][alerts]") {
  TempDir dir;
  Receiver receiver;
  Csms csms(dir, fast_alerts(
                     {"--alerts-webhook-url", receiver.url(), "--alerts-webhook-secret", kSecret}));
  REQUIRE(csms.ctl({"station", "add", "FAULTY", "--password", kPassword}).code == 0);
  WsClient::Options o;
  o.authorization = basic_auth("FAULTY", kPassword);
  WsClient ws(csms.ocpp_port(), "/ocpp/FAULTY", o);
  REQUIRE(ws.open());
  REQUIRE(
      ws.call(R"([2,"b","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])"));
  REQUIRE(ws.call(
      R"([2,"s1","StatusNotification",{"connectorId":1,"errorCode":"GroundFailure","status":"Faulted","vendorErrorCode":"E-042","info":"RCD tripped"}])"));

  REQUIRE(eventually([&] { return of(receiver, "connector_faulted", "opened").size() == 1; }));
  auto opened = of(receiver, "connector_faulted", "opened")[0];
  CHECK(opened.headers["x-csms-signature"] == hmac_hex(kSecret, opened.body));
  CHECK(!opened.headers["x-csms-delivery"].empty());
  CHECK(opened.body.find("E-042") != std::string::npos);
  CHECK(opened.body.find("\"stationId\":\"FAULTY\"") != std::string::npos);

  auto open = csms.ctl_json({"alerts", "--open"});
  REQUIRE(open.Size() == 1);
  CHECK(str(open[0]["kind"]) == "connector_faulted");
  CHECK(open[0]["connectorId"].GetInt() == 1);
  CHECK(str(open[0]["details"]).find("E-042") != std::string::npos);

  REQUIRE(ws.call(
      R"([2,"s2","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Available"}])"));
  REQUIRE(eventually([&] { return of(receiver, "connector_faulted", "closed").size() == 1; }));
  auto closed = of(receiver, "connector_faulted", "closed")[0];
  CHECK(closed.headers["x-csms-signature"] == hmac_hex(kSecret, closed.body));
  CHECK(closed.headers["x-csms-delivery"] != opened.headers["x-csms-delivery"]);
  CHECK(closed.body.find("\"closeReason\":\"status Available\"") != std::string::npos);
  CHECK(csms.ctl_json({"alerts", "--open"}).Size() == 0);
  CHECK(csms.ctl_json({"alerts"}).Size() == 1);

  // Never the secret in the server's output.
  csms.stop();
  CHECK(csms.process().stderr_text().find(kSecret) == std::string::npos);
}

TEST_CASE("a station offline past the threshold opens station_offline, listed by csmsctl",
          "[e2e][alerts]") {
  TempDir dir;
  Csms csms(dir, fast_alerts());
  REQUIRE(csms.ctl({"station", "add", "GONE", "--password", kPassword}).code == 0);
  {
    Sim sim(csms, "GONE", {"--password", kPassword});
    REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
    // Connected again: a restart's offline alert (if any) has closed.
    REQUIRE(eventually([&] {
      return csms.ctl_json({"alerts", "--open", "--station", "GONE"}).Size() == 0;
    }));
  }  // the simulator ends: the station disconnects
  REQUIRE(eventually([&] {
    auto open = csms.ctl_json({"alerts", "--open", "--station", "GONE"});
    return open.Size() == 1 && str(open[0]["kind"]) == "station_offline";
  }));
  auto text = csms.ctl({"alerts", "--open"});
  CHECK(text.code == 0);
  CHECK(text.out.find("station_offline") != std::string::npos);
  CHECK(text.out.find("GONE") != std::string::npos);
}

TEST_CASE("tx close ends a stale transaction as closed by the operator, once", "[e2e][alerts]") {
  TempDir dir;
  Csms csms(dir, fast_alerts());
  REQUIRE(csms.ctl({"station", "add", "STALE", "--password", kPassword}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "TAG1"}).code == 0);
  auto scenario = write_file(dir, "start.json", R"({"steps":[
      {"do":"start","connector":1,"idTag":"TAG1"},
      {"do":"exit"}]})");
  std::int64_t tx_id = 0;
  {
    Sim sim(csms, "STALE", {"--password", kPassword, "--scenario", scenario});
    auto started = sim.wait_event("transaction_started", 20s);
    REQUIRE(started);
    tx_id = (*started)["transactionId"].GetInt64();
    REQUIRE(sim.wait_exit() == 0);
  }
  const std::string id = std::to_string(tx_id);
  auto usage = csms.ctl({"tx", "close", id, "--reason", ""});
  CHECK(usage.code != 0);
  auto closed = csms.ctl_json({"tx", "close", id, "--reason", "station replaced"});
  CHECK(str(closed["stopReason"]) == "ClosedByOperator");
  CHECK(closed["stopTime"].IsString());
  auto again = csms.ctl({"tx", "close", id, "--reason", "again"});
  CHECK(again.code == 1);
  CHECK(again.err.find("already closed") != std::string::npos);
  auto tx = csms.ctl_json({"tx", "show", id});
  CHECK(str(tx["stopReason"]) == "ClosedByOperator");
  CHECK(csms.ctl_json({"tx", "list", "--active"}).Size() == 0);
}
