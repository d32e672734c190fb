#include "energy/modbus_source.hpp"

#include <modbus/modbus.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <stdexcept>

namespace csms::energy {
namespace {

namespace sunspec = ocpp::sunspec;

/// Registers per read request (the Modbus limit for function 3).
constexpr std::size_t kMaxChunk = 125;
/// The highest register address + 1.
constexpr std::size_t kAddressSpace = 65536;

/// A failure of the connection itself (worth one reconnect when it was reused).
class ConnectionLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

bool is_connection_error(int err) {
  return err == ECONNRESET || err == EPIPE || err == EBADF || err == ENOTCONN ||
         err == ECONNABORTED;
}

/// Lower ranks win in merge(): the models that describe the role come first.
int rank(const std::string& role, std::uint16_t model) {
  const bool meter = model == 203 || model == 213;
  const bool inverter = model == 101 || model == 103;
  if (role == "grid" || role == "circuit") return meter ? 0 : 1;
  if (role == "pv") return inverter ? 0 : 1;
  if (role == "battery") return model == 802 ? 0 : model == 124 ? 1 : 2;
  return 0;
}

std::string hex(std::uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04X", static_cast<unsigned>(v));
  return buf;
}

}  // namespace

ModbusSource::ModbusSource(ModbusSourceConfig config) : config_(std::move(config)) {}

ModbusSource::~ModbusSource() {
  disconnect();
}

const ModbusSourceConfig& ModbusSource::config() const {
  return config_;
}

const std::vector<std::pair<std::uint16_t, std::uint16_t>>& ModbusSource::models() const {
  return models_;
}

void ModbusSource::disconnect() {
  if (ctx_ == nullptr) return;
  modbus_close(ctx_);
  modbus_free(ctx_);
  ctx_ = nullptr;
}

void ModbusSource::fail(const std::string& what) const {
  throw std::runtime_error("modbus source \"" + config_.name + "\" at " + config_.host + ":" +
                           std::to_string(config_.port) + " (unit " +
                           std::to_string(config_.unit_id) + "): " + what);
}

void ModbusSource::connect() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(config_.host.c_str(), nullptr, &hints, &found);
  if (rc != 0) throw std::runtime_error(std::string("cannot resolve host: ") + gai_strerror(rc));
  ::freeaddrinfo(found);

  const std::string service = std::to_string(config_.port);
  ctx_ = modbus_new_tcp_pi(config_.host.c_str(), service.c_str());
  if (ctx_ == nullptr) {
    throw std::runtime_error(std::string("cannot create a Modbus context: ") +
                             modbus_strerror(errno));
  }
  if (modbus_set_slave(ctx_, config_.unit_id) != 0) {
    disconnect();
    throw std::runtime_error("invalid unit id");
  }
  const int ms = std::max(config_.timeout_ms, 1);
  const auto sec = static_cast<std::uint32_t>(ms / 1000);
  const auto usec = static_cast<std::uint32_t>((ms % 1000) * 1000);
  modbus_set_response_timeout(ctx_, sec, usec);  // also the connect timeout
  modbus_set_byte_timeout(ctx_, sec, usec);
  if (modbus_connect(ctx_) != 0) {
    const int err = errno;
    disconnect();
    throw std::runtime_error(std::string("connect failed: ") + modbus_strerror(err));
  }
}

void ModbusSource::read_into(std::vector<std::uint16_t>& image, std::size_t need) {
  if (sunspec::kBaseRegister + need > kAddressSpace) {
    throw std::runtime_error("SunSpec map runs past register 65535");
  }
  while (image.size() < need) {
    const std::size_t n = std::min(kMaxChunk, need - image.size());
    const std::size_t address = sunspec::kBaseRegister + image.size();
    std::uint16_t chunk[kMaxChunk];
    const int got =
        modbus_read_registers(ctx_, static_cast<int>(address), static_cast<int>(n), chunk);
    if (got != static_cast<int>(n)) {
      const int err = errno;
      const std::string what = "reading registers " + std::to_string(address) + ".." +
                               std::to_string(address + n - 1) + ": " +
                               (got < 0 ? modbus_strerror(err) : "short reply");
      if (got < 0 && is_connection_error(err)) throw ConnectionLost(what);
      throw std::runtime_error(what);
    }
    image.insert(image.end(), chunk, chunk + n);
  }
}

std::vector<std::uint16_t> ModbusSource::read_image() {
  std::vector<std::uint16_t> image;
  read_into(image, 4);  // "SunS" and the first model header
  if (image[0] != 0x5375 || image[1] != 0x6E53) {
    throw std::invalid_argument("no SunSpec marker (\"SunS\") at register 40000 (read " +
                                hex(image[0]) + " " + hex(image[1]) + ")");
  }
  std::size_t pos = 2;
  while (image[pos] != sunspec::kEndModel) {
    const std::size_t next = pos + 2 + image[pos + 1];
    read_into(image, next + 2);  // the block and the header after it
    pos = next;
  }
  return image;
}

sunspec::Values ModbusSource::poll() {
  std::vector<std::uint16_t> image;
  try {
    const bool reused = ctx_ != nullptr;
    if (!reused) connect();
    try {
      image = read_image();
    } catch (const ConnectionLost&) {
      if (!reused) throw;
      disconnect();  // the device dropped an idle connection: reconnect once
      connect();
      image = read_image();
    }
  } catch (const std::exception& e) {  // runtime_error, invalid_argument (no SunSpec)
    disconnect();
    fail(e.what());
  }

  std::vector<sunspec::Block> blocks;
  try {
    blocks = sunspec::decode_blocks(image);
    models_ = sunspec::models_in(image);
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
  if (blocks.empty()) {
    std::string found;
    for (const auto& [id, length] : sunspec::models_in(image)) {
      found += (found.empty() ? "" : ", ") + std::to_string(id);
    }
    fail("no supported SunSpec model (found: " + (found.empty() ? "none" : found) + ")");
  }
  std::stable_sort(blocks.begin(), blocks.end(),
                   [this](const sunspec::Block& a, const sunspec::Block& b) {
                     return rank(config_.role, a.model) < rank(config_.role, b.model);
                   });
  sunspec::Values v = sunspec::merge(blocks);
  if (config_.invert_power) {
    if (v.power_w) v.power_w = -*v.power_w;
    if (v.battery_power_w) v.battery_power_w = -*v.battery_power_w;
  }
  return v;
}

}  // namespace csms::energy
