// The upload endpoint (see upload_server.hpp): Beast on its own io_context and
// thread; the same request handling pattern as the admin API (header first,
// 100-continue, body limit, linger after an early refusal).
#include "uploads/upload_server.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "admin/text.hpp"
#include "csms/log.hpp"
#include "csms/version.hpp"
#include "ocpp/common/json.hpp"
#include "ocpp/common/utf8.hpp"

namespace csms::uploads {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using storage::DateTime;

constexpr std::chrono::seconds kReadTimeout{120};  // A slow charger on a cellular link.
// The request line and headers come in a packet or two: a socket that sends
// nothing for this long is dropped (and before it, when the endpoint is full).
constexpr std::chrono::seconds kHeaderTimeout{15};
constexpr std::chrono::seconds kWriteTimeout{30};
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kMaxSessions = 256;
constexpr std::string_view kPrefix = "uploads";

std::string json_message(std::string_view key, std::string_view message) {
  rapidjson::StringBuffer buffer;
  ocpp::JsonWriter w(buffer);
  w.StartObject();
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  const std::string text = ocpp::sanitize_utf8(message);
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The value of `name=` in a header's parameters (quoted or not), or "".
std::string header_param(std::string_view header, std::string_view name) {
  const std::string low = lower(header);
  std::size_t at = 0;
  const std::string key = std::string(name) + "=";
  while ((at = low.find(key, at)) != std::string::npos) {
    // Only at a parameter start: "filename=" must not match "name=".
    if (at == 0 || low[at - 1] == ';' || low[at - 1] == ' ' || low[at - 1] == '\t') break;
    at += key.size();
  }
  if (at == std::string::npos) return "";
  std::size_t begin = at + key.size();
  if (begin < header.size() && header[begin] == '"') {
    const auto end = header.find('"', begin + 1);
    return std::string(header.substr(
        begin + 1, end == std::string_view::npos ? std::string_view::npos : end - begin - 1));
  }
  const auto end = header.find(';', begin);
  std::string value(header.substr(begin, end == std::string_view::npos ? end : end - begin));
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
  return value;
}

// Writes `data` to `dir/name` atomically: temporary file, fsync, rename, fsync
// of the directory, so a crash leaves the whole file or none.
// Only the server's user may read what stations upload (logs, diagnostics).
void private_directories(const fs::path& dir) {
  fs::create_directories(dir);
  std::error_code ignored;
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ignored);
}

void write_atomically(const fs::path& dir, const std::string& name, std::string_view data) {
  private_directories(dir);
  const fs::path final_path = dir / name;
  // A name of its own, so no other writer can meet this one's temporary file.
  const fs::path temp_path = dir / ("." + name + "." + new_token() + ".part");
  const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot create " + temp_path.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(temp_path.c_str());
      throw std::runtime_error("cannot write " + temp_path.string() + ": " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(temp_path.c_str());
    throw std::runtime_error("cannot sync " + temp_path.string() + ": " + why);
  }
  if (::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(temp_path.c_str());
    throw std::runtime_error("cannot rename to " + final_path.string() + ": " + why);
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Helpers

bool split_listen(const std::string& listen, std::string& host, std::uint16_t& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  const std::string digits = listen.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  const long value = std::stol(digits);
  if (value > 65535) return false;
  host = listen.substr(0, colon);
  // "[::1]:8182" -> "::1"
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  port = static_cast<std::uint16_t>(value);
  return true;
}

std::optional<FilePart> multipart_file(std::string_view content_type, std::string_view body) {
  const std::string boundary = header_param(content_type, "boundary");
  if (boundary.empty()) return std::nullopt;
  const std::string delimiter = "--" + boundary;
  std::optional<FilePart> first;
  std::size_t at = body.find(delimiter);
  while (at != std::string_view::npos) {
    std::size_t start = at + delimiter.size();
    if (body.substr(start, 2) == "--") break;  // The closing delimiter.
    if (body.substr(start, 2) == "\r\n") start += 2;
    const std::size_t headers_end = body.find("\r\n\r\n", start);
    if (headers_end == std::string_view::npos) return first;
    const std::size_t data_start = headers_end + 4;
    const std::size_t next = body.find("\r\n" + delimiter, data_start);
    if (next == std::string_view::npos) return first;
    FilePart part;
    part.data = std::string(body.substr(data_start, next - data_start));
    std::string_view headers = body.substr(start, headers_end - start);
    bool has_file = false;
    while (!headers.empty()) {
      const auto eol = headers.find("\r\n");
      std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string name = lower(line.substr(0, colon));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (name == "content-disposition") {
        part.name = header_param(value, "filename");
        has_file = !part.name.empty();
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    if (has_file) return part;
    if (!first) first = std::move(part);
    at = next + 2;
  }
  return first;
}

std::string safe_file_name(std::string_view name) {
  // A path a station sends ("logs/diag.txt", "C:\\x.log"): the last part.
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  std::string out;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(std::isalnum(u) || c == '.' || c == '-' || c == '_' ? c : '_');
    if (out.size() == 100) break;
  }
  while (!out.empty() && out.front() == '.') out.erase(out.begin());
  return out.empty() ? "upload.bin" : out;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 15]);
  }
  return out;
}

std::string new_token() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("no random bytes for an upload token");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 15]);
  }
  return out;
}

// ---------------------------------------------------------------------------
// The server

struct UploadServer::Impl : std::enable_shared_from_this<UploadServer::Impl> {
  Impl(UploadOptions o, storage::Database& d)
      : options(std::move(o)),
        db(d),
        acceptor(io),
        work(asio::make_work_guard(io)),
        tls(options.tls) {}

  UploadOptions options;
  storage::Database& db;
  asio::io_context io;
  tcp::acceptor acceptor;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::thread thread;
  std::atomic<std::uint16_t> bound_port{0};
  std::atomic<bool> stopped{false};
  std::atomic<std::size_t> sessions{0};
  /// options.tls, or the last set_tls(): null for plain HTTP. Replaced from the
  /// server's network thread, read on ours: under tls_mutex.
  std::shared_ptr<asio::ssl::context> tls;
  std::mutex tls_mutex;
  std::shared_ptr<asio::ssl::context> current_tls() {
    std::lock_guard<std::mutex> lock(tls_mutex);
    return tls;
  }
  /// Tokens with an upload under way: a second request for one is refused
  /// before its body is read (a race could otherwise remove the first's file).
  std::mutex tokens_mutex;
  std::unordered_set<std::string> tokens_in_use;
  /// Sessions waiting for a request's headers, oldest first, by a closer: when
  /// the endpoint is full, the oldest idle one makes room for a new client.
  /// The network thread of the endpoint only.
  std::map<std::uint64_t, std::function<void()>> idle;
  std::uint64_t next_idle = 0;

  void accept();
};

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

/// One client connection; one upload per request, keep-alive after a success.
/// `Stream` is a beast::tcp_stream or a TLS stream over one (uploads.tls).
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(tcp::socket socket, std::shared_ptr<UploadServer::Impl> server)
      : stream_(std::move(socket)), server_(std::move(server)) {
    ++server_->sessions;
  }
  Session(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls,
          std::shared_ptr<UploadServer::Impl> server)
      : context_(std::move(tls)),
        stream_(std::move(socket), *context_),
        server_(std::move(server)) {
    ++server_->sessions;
  }
  ~Session() {
    release_token();
    --server_->sessions;
  }

  void start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      lowest().expires_after(kHeaderTimeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->close();
                                self->read_header();
                              });
    } else {
      read_header();
    }
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void read_header() {
    parser_.emplace();
    parser_->body_limit(server_->options.max_bytes);
    parser_->header_limit(kMaxHeaderBytes);
    lowest().expires_after(kHeaderTimeout);
    idle_key_ = ++server_->next_idle;
    server_->idle[idle_key_] = [weak = this->weak_from_this()] {
      if (auto self = weak.lock()) self->close();
    };
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(beast::error_code ec) {
    server_->idle.erase(idle_key_);
    if (ec) return on_read_error(ec);
    const auto& req = parser_->get();
    version_ = req.version();
    if (req.method() != http::verb::put && req.method() != http::verb::post)
      return refuse(405, "upload with PUT or POST", {{"Allow", "PUT, POST"}});
    // /uploads/<token>[/<name>], a query ignored.
    std::string_view target(req.target().data(), req.target().size());
    target = target.substr(0, target.find('?'));
    std::vector<std::string> segments;
    while (!target.empty()) {
      if (target.front() == '/') {
        target.remove_prefix(1);
        continue;
      }
      const auto slash = target.find('/');
      auto decoded = admin::percent_decode(target.substr(0, slash), false);
      if (!decoded) return refuse(400, "malformed percent-encoding in the path");
      segments.push_back(std::move(*decoded));
      target = slash == std::string_view::npos ? std::string_view() : target.substr(slash);
    }
    if (segments.size() < 2 || segments.size() > 3 || segments[0] != kPrefix)
      return refuse(404, "no upload here; stations upload to /uploads/<token>/");
    token_ = segments[1];
    if (segments.size() == 3) path_name_ = segments[2];
    // The token is checked before the body is read: nobody without one gets to
    // make the server read (or store) anything.
    auto slot = std::make_shared<std::optional<storage::UploadRequest>>();
    server_->db.read(
        [slot, token = token_](storage::Session& s) { *slot = s.uploads.request(token); },
        [self = this->shared_from_this(), slot](std::exception_ptr error) {
          asio::post(self->stream_.get_executor(),
                     [self, slot, error] { self->on_slot(error, *slot); });
        });
  }

  void on_slot(std::exception_ptr error, const std::optional<storage::UploadRequest>& slot) {
    if (error) return refuse(503, "the upload cannot be checked now; retry later");
    if (!slot) return refuse(404, "unknown upload URL");
    if (slot->used_at) return refuse(403, "this upload URL was already used");
    if (!(DateTime::now() < slot->expires_at)) return refuse(403, "this upload URL has expired");
    {
      std::lock_guard<std::mutex> lock(server_->tokens_mutex);
      if (!server_->tokens_in_use.insert(slot->token).second)
        return refuse(403, "another upload to this URL is under way");
    }
    holds_token_ = slot->token;
    slot_ = *slot;
    if (parser_->is_done()) return on_body();
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      auto cont =
          std::make_shared<http::response<http::empty_body>>(http::status::continue_, version_);
      http::async_write(stream_, *cont,
                        [self = this->shared_from_this(), cont](beast::error_code ec, std::size_t) {
                          if (ec) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    lowest().expires_after(kReadTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->on_read_error(ec);
                       self->on_body();
                     });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit)
      return refuse(413, "the file exceeds the upload limit of " +
                             std::to_string(server_->options.max_bytes) + " bytes");
    if (ec == http::error::header_limit) return refuse(431, "the request headers exceed 16 KiB");
    const bool http_error =
        ec.category() == http::make_error_code(http::error::body_limit).category();
    if (http_error && ec != http::error::end_of_stream && ec != http::error::partial_message)
      return refuse(400, "malformed HTTP request: " + ec.message());
    close();
  }

  void on_body() {
    lowest().expires_never();
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    const std::string content_type(req[http::field::content_type]);
    storage::UploadedFile file;
    std::string data;
    std::string name = path_name_;
    if (lower(content_type).rfind("multipart/form-data", 0) == 0) {
      auto part = multipart_file(content_type, req.body());
      if (!part) return refuse(400, "a multipart/form-data upload needs one file part");
      if (name.empty()) name = part->name;
      file.content_type = part->content_type;
      data = std::move(part->data);
    } else {
      if (name.empty())
        name = header_param(std::string(req[http::field::content_disposition]), "filename");
      file.content_type = content_type;
      data = std::move(req.body());
    }
    if (name.empty()) name = slot_.file_name;
    if (name.empty())
      name = (slot_.action == "GetDiagnostics" ? "diagnostics" : "log") +
             (slot_.request_id ? "-" + std::to_string(*slot_.request_id) : std::string()) + ".txt";
    file.name = safe_file_name(name);
    file.station_id = slot_.station_id;
    file.token = slot_.token;
    file.action = slot_.action;
    file.request_id = slot_.request_id;
    file.size = static_cast<std::int64_t>(data.size());
    const std::string station_dir = safe_file_name(slot_.station_id);
    const fs::path dir = fs::absolute(fs::path(server_->options.dir) / station_dir);
    file.path = (dir / (slot_.token + "-" + file.name)).string();
    try {
      file.sha256 = sha256_hex(data);
      // This thread is the endpoint's own: the fsync holds up no station.
      write_atomically(dir, slot_.token + "-" + file.name, data);
    } catch (const std::exception& e) {
      log::error("uploads: {}: cannot store {}: {}", slot_.station_id, file.name, e.what());
      return refuse(500, "the file could not be stored");
    }
    auto result = std::make_shared<std::pair<bool, std::int64_t>>(false, 0);
    server_->db.write(
        [file, result](storage::Session& s) {
          if (!s.uploads.claim(file.token, DateTime::now())) return;
          auto stored = file;
          stored.received_at = DateTime::now();
          *result = {true, s.uploads.add_file(stored)};
        },
        [self = this->shared_from_this(), result, file](std::exception_ptr error) {
          asio::post(self->stream_.get_executor(),
                     [self, result, file, error] { self->on_recorded(error, *result, file); });
        });
  }

  void on_recorded(std::exception_ptr error, std::pair<bool, std::int64_t> result,
                   const storage::UploadedFile& file) {
    release_token();
    if (error || !result.first) {
      // Not recorded: the file must not linger unaccounted for.
      std::error_code ignored;
      fs::remove(file.path, ignored);
      if (error) return refuse(503, "the upload could not be recorded; retry later");
      return refuse(403, "this upload URL was already used");
    }
    log::info("uploads: {}: received {} ({} bytes, file {})", file.station_id, file.name, file.size,
              result.second);
    rapidjson::StringBuffer buffer;
    ocpp::JsonWriter w(buffer);
    w.StartObject();
    w.Key("id");
    w.Int64(result.second);
    w.Key("name");
    w.String(file.name.c_str());
    w.Key("size");
    w.Int64(file.size);
    w.Key("sha256");
    w.String(file.sha256.c_str());
    w.EndObject();
    send(201, std::string(buffer.GetString(), buffer.GetSize()), {}, keep_alive_);
  }

  // An answer that ends the exchange early: the rest of the request is not read.
  void refuse(unsigned status, const std::string& message,
              std::vector<std::pair<std::string, std::string>> headers = {}) {
    release_token();
    send(status, json_message("error", message), std::move(headers), false);
  }

  void send(unsigned status, std::string body,
            std::vector<std::pair<std::string, std::string>> headers, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(status), version_);
    res->set(http::field::server, std::string("csms/") + kVersion);
    res->set(http::field::content_type, "application/json");
    for (const auto& [name, value] : headers) res->set(name, value);
    res->body() = std::move(body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    lowest().expires_after(kWriteTimeout);
    http::async_write(
        stream_, *res,
        [self = this->shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
          if (ec) return self->close();
          if (keep_alive) return self->read_header();
          self->linger();
        });
  }

  // Half-close and drain for a moment, so a refusal sent while the client is
  // still sending its body reaches it instead of a reset.
  void linger() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    lowest().expires_after(kLingerTimeout);
    drain();
  }

  void drain() {
    if (!scratch_) scratch_ = std::make_unique<std::array<char, 16384>>();
    stream_.async_read_some(asio::buffer(*scratch_),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->drain();
                            });
  }

  void release_token() {
    if (holds_token_.empty()) return;
    std::lock_guard<std::mutex> lock(server_->tokens_mutex);
    server_->tokens_in_use.erase(holds_token_);
    holds_token_.clear();
  }

  void close() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

  // The context this connection was made with (a reload swaps the server's).
  // Declared before stream_, so it outlives it.
  std::shared_ptr<asio::ssl::context> context_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::unique_ptr<std::array<char, 16384>> scratch_;
  std::shared_ptr<UploadServer::Impl> server_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  std::string token_;
  std::string holds_token_;  ///< The token this session has marked in use, if any.
  std::uint64_t idle_key_ = 0;
  std::string path_name_;
  storage::UploadRequest slot_;
};

}  // namespace

void UploadServer::Impl::accept() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopped || ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (self->sessions >= kMaxSessions && self->idle.empty()) {
        beast::error_code ignored;
        socket.close(ignored);  // Every slot busy with an upload: refuse rather than grow.
      } else {
        if (self->sessions >= kMaxSessions) {
          // Full: the client idle longest (no request under way) makes room; it
          // is gone once its read fails, within this loop's next turn.
          auto oldest = self->idle.begin();
          auto closer = std::move(oldest->second);
          self->idle.erase(oldest);
          closer();
        }
        if (auto tls = self->current_tls()) {
          std::make_shared<Session<TlsStream>>(std::move(socket), std::move(tls), self)->start();
        } else {
          std::make_shared<Session<beast::tcp_stream>>(std::move(socket), self)->start();
        }
      }
    } else {
      log::warn("uploads: accept failed: {}", ec.message());
    }
    self->accept();
  });
}

UploadServer::UploadServer(UploadOptions options, storage::Database& db)
    : impl_(std::make_shared<Impl>(std::move(options), db)) {}

UploadServer::~UploadServer() {
  stop();
}

void UploadServer::start() {
  if (impl_->thread.joinable()) return;
  auto& o = impl_->options;
  try {
    tcp::resolver resolver(impl_->io);
    const auto results = resolver.resolve(o.host, std::to_string(o.port),
                                          tcp::resolver::passive | tcp::resolver::numeric_service);
    const tcp::endpoint endpoint = results.begin()->endpoint();
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen(asio::socket_base::max_listen_connections);
    impl_->bound_port = impl_->acceptor.local_endpoint().port();
    private_directories(o.dir);
  } catch (const std::exception& e) {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    throw std::runtime_error("uploads cannot listen on " + o.host + ":" + std::to_string(o.port) +
                             ": " + e.what());
  }
  impl_->accept();
  impl_->thread = std::thread([impl = impl_] {
    pthread_setname_np(pthread_self(), "uploads");
    impl->io.run();
  });
}

void UploadServer::stop() {
  if (impl_->stopped.exchange(true)) return;
  asio::post(impl_->io, [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->work.reset();
    impl->io.stop();
  });
  if (impl_->thread.joinable()) impl_->thread.join();
}

bool UploadServer::set_tls(std::shared_ptr<boost::asio::ssl::context> tls) {
  std::lock_guard<std::mutex> lock(impl_->tls_mutex);
  if (!impl_->tls || !tls) return false;
  impl_->tls = std::move(tls);
  return true;
}

std::uint16_t UploadServer::port() const {
  return impl_->bound_port;
}

}  // namespace csms::uploads
