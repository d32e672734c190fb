#include "simulator/site_meter.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <modbus/modbus.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

namespace simulator {
namespace {

namespace sunspec = ocpp::sunspec;

struct MappingDeleter {
  void operator()(modbus_mapping_t* m) const { modbus_mapping_free(m); }
};
using Mapping = std::unique_ptr<modbus_mapping_t, MappingDeleter>;

struct ContextDeleter {
  void operator()(modbus_t* ctx) const { modbus_free(ctx); }
};

struct Unit {
  std::vector<sunspec::Model> models;
  std::string serial;
  sunspec::Values latest;
  bool frozen = false;
  Mapping mapping;
};

void write_image(Unit& unit) {
  const auto image = sunspec::encode(unit.models, unit.latest, "ocpp-sim", unit.serial);
  std::copy(image.begin(), image.end(), unit.mapping->tab_registers);
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

struct SiteMeterServer::Impl {
  std::string host;
  std::uint16_t requested_port = 0;
  std::atomic<std::uint16_t> bound_port{0};

  std::mutex mutex;  // guards units (and their mappings)
  std::map<int, Unit> units;

  std::atomic<bool> stopping{false};
  std::atomic<bool> offline{false};
  std::atomic<std::size_t> accepted{0};
  std::atomic<std::size_t> served{0};

  int listen_fd = -1;
  int wake_read = -1;
  int wake_write = -1;
  std::vector<int> clients;
  std::unique_ptr<modbus_t, ContextDeleter> ctx;
  std::thread thread;
  bool started = false;

  void wake() {
    if (wake_write < 0) return;
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(wake_write, &c, 1);  // a full pipe is awake already
  }

  void listen_socket() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    const std::string where = host + ":" + std::to_string(requested_port);
    const std::string service = std::to_string(requested_port);
    const int rc =
        ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found);
    if (rc != 0) {
      throw std::runtime_error("site meter: cannot resolve " + where + ": " + gai_strerror(rc));
    }
    std::string error = "no address";
    for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
      const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0) {
        error = std::strerror(errno);
        continue;
      }
      const int yes = 1;
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 16) == 0) {
        listen_fd = fd;
        break;
      }
      error = std::strerror(errno);
      ::close(fd);
    }
    ::freeaddrinfo(found);
    if (listen_fd < 0)
      throw std::runtime_error("site meter: cannot listen on " + where + ": " + error);
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const auto net_port = addr.ss_family == AF_INET6
                              ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                              : reinterpret_cast<sockaddr_in*>(&addr)->sin_port;
    bound_port = ntohs(net_port);
  }

  void close_clients() {
    for (int& fd : clients) close_fd(fd);
    clients.clear();
  }

  void accept_client() {
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    if (offline || clients.size() >= FD_SETSIZE / 2 || fd >= static_cast<int>(FD_SETSIZE)) {
      ::close(fd);
      return;
    }
    ++accepted;
    clients.push_back(fd);
  }

  /// Serves one request from `fd`; false when the connection is gone.
  bool serve(int fd) {
    std::uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    modbus_set_socket(ctx.get(), fd);
    const int rc = modbus_receive(ctx.get(), query);
    if (rc < 0) return false;
    if (rc == 0) return true;  // ignored by libmodbus
    const int header = modbus_get_header_length(ctx.get());
    const int unit_id = query[header - 1];
    ++served;  // before the reply: a client may look right after reading it
    int sent = 0;
    {
      std::lock_guard<std::mutex> lock(mutex);
      const auto it = units.find(unit_id);
      sent = it == units.end()
                 ? modbus_reply_exception(ctx.get(), query, MODBUS_EXCEPTION_GATEWAY_TARGET)
                 : modbus_reply(ctx.get(), query, rc, it->second.mapping.get());
    }
    return sent >= 0;
  }

  void run() {
    while (!stopping) {
      if (offline) close_clients();
      fd_set readable;
      FD_ZERO(&readable);
      FD_SET(wake_read, &readable);
      FD_SET(listen_fd, &readable);
      int max_fd = std::max(wake_read, listen_fd);
      for (const int fd : clients) {
        FD_SET(fd, &readable);
        max_fd = std::max(max_fd, fd);
      }
      if (::select(max_fd + 1, &readable, nullptr, nullptr, nullptr) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (FD_ISSET(wake_read, &readable)) {
        char drain[64];
        while (::read(wake_read, drain, sizeof drain) > 0) {
        }
        continue;  // re-check stopping and offline first
      }
      if (FD_ISSET(listen_fd, &readable)) accept_client();
      for (int& fd : clients) {
        if (fd >= 0 && FD_ISSET(fd, &readable) && !serve(fd)) close_fd(fd);
      }
      clients.erase(std::remove(clients.begin(), clients.end(), -1), clients.end());
    }
    close_clients();
  }
};

SiteMeterServer::SiteMeterServer(std::string host, std::uint16_t port)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->requested_port = port;
}

SiteMeterServer::~SiteMeterServer() {
  stop();
}

void SiteMeterServer::add_unit(int unit_id, std::vector<ocpp::sunspec::Model> models,
                               std::string serial) {
  if (unit_id < 0 || unit_id > 255) {
    throw std::invalid_argument("site meter: unit id " + std::to_string(unit_id) +
                                " is outside 0..255");
  }
  Unit unit;
  unit.models = std::move(models);
  unit.serial = std::move(serial);
  const auto size = sunspec::encode(unit.models, unit.latest, "ocpp-sim", unit.serial).size();
  unit.mapping.reset(modbus_mapping_new_start_address(0, 0, 0, 0, sunspec::kBaseRegister,
                                                      static_cast<unsigned>(size), 0, 0));
  if (!unit.mapping) throw std::runtime_error("site meter: cannot allocate a register map");
  write_image(unit);
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->units[unit_id] = std::move(unit);
}

void SiteMeterServer::set(int unit_id, const ocpp::sunspec::Values& v) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const auto it = impl_->units.find(unit_id);
  if (it == impl_->units.end()) {
    throw std::invalid_argument("site meter: no unit " + std::to_string(unit_id));
  }
  it->second.latest = v;
  if (!it->second.frozen) write_image(it->second);
}

void SiteMeterServer::set_frozen(int unit_id, bool frozen) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const auto it = impl_->units.find(unit_id);
  if (it == impl_->units.end()) {
    throw std::invalid_argument("site meter: no unit " + std::to_string(unit_id));
  }
  it->second.frozen = frozen;
  if (!frozen) write_image(it->second);
}

void SiteMeterServer::start() {
  Impl& d = *impl_;
  if (d.started) throw std::logic_error("site meter: already started");
  d.listen_socket();
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    close_fd(d.listen_fd);
    throw std::runtime_error(std::string("site meter: pipe: ") + std::strerror(errno));
  }
  d.wake_read = pipe_fds[0];
  d.wake_write = pipe_fds[1];
  // A protocol context only: sockets are ours, libmodbus frames and answers.
  d.ctx.reset(modbus_new_tcp("127.0.0.1", d.bound_port));
  if (!d.ctx) {
    close_fd(d.listen_fd);
    throw std::runtime_error("site meter: cannot create a Modbus context");
  }
  modbus_set_response_timeout(d.ctx.get(), 1, 0);
  modbus_set_byte_timeout(d.ctx.get(), 1, 0);
  d.started = true;
  d.thread = std::thread([&d] { d.run(); });
}

void SiteMeterServer::stop() {
  Impl& d = *impl_;
  d.stopping = true;
  d.wake();
  if (d.thread.joinable()) d.thread.join();
  close_fd(d.listen_fd);
  close_fd(d.wake_read);
  close_fd(d.wake_write);
}

std::uint16_t SiteMeterServer::port() const {
  return impl_->bound_port;
}

void SiteMeterServer::set_offline(bool offline) {
  impl_->offline = offline;
  impl_->wake();
}

std::size_t SiteMeterServer::connections_accepted() const {
  return impl_->accepted;
}

std::size_t SiteMeterServer::requests_served() const {
  return impl_->served;
}

}  // namespace simulator
