#include "csms/station_registry.hpp"

#include <memory>
#include <thread>

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <stdexcept>

#include "csms/identity.hpp"
#include "csms/password.hpp"

namespace csms {

using storage::RegistrationStatus;

StationRegistry::StationRegistry(boost::asio::io_context& io, storage::Database& db)
    : io_(io), db_(db), digest_key_(32, '\0') {
  RAND_bytes(reinterpret_cast<unsigned char*>(digest_key_.data()),
             static_cast<int>(digest_key_.size()));
}

void StationRegistry::load() {
  std::vector<storage::Station> all;
  storage::read_and_wait(db_, [&all](storage::Session& s) { all = s.stations.list(); });
  stations_.clear();
  for (const auto& st : all) stations_.emplace(st.id, entry_of(st));
}

StationRegistry::Entry StationRegistry::entry_of(const storage::Station& st) {
  Entry e;
  e.password_hash = st.password_hash;
  e.registration = st.registration;
  e.accepted = st.registration == RegistrationStatus::Accepted && st.last_boot.has_value();
  e.security_profile = st.security_profile;
  e.serial_number = st.serial_number;
  return e;
}

void StationRegistry::refresh(const std::string& id, std::function<void()> then,
                              bool forget_missing) {
  auto row = std::make_shared<std::optional<storage::Station>>();
  db_.read([id, row](storage::Session& s) { *row = s.stations.get(id); },
           [this, id, row, then, forget_missing](std::exception_ptr error) {
             boost::asio::post(io_, [this, id, row, error, then, forget_missing] {
               // On an error the cached entry stays; the next change retries.
               if (!error) {
                 if (*row)
                   replace(**row);
                 else if (forget_missing)
                   stations_.erase(id);
               }
               if (then) then();
             });
           });
}

void StationRegistry::refresh_all() {
  auto rows = std::make_shared<std::vector<storage::Station>>();
  db_.read([rows](storage::Session& s) { *rows = s.stations.list(); },
           [this, rows](std::exception_ptr error) {
             boost::asio::post(io_, [this, rows, error] {
               if (error) return;
               std::unordered_map<std::string, Entry> old;
               old.swap(stations_);
               for (const auto& st : *rows) {
                 auto it = old.find(st.id);
                 if (it != old.end()) stations_.emplace(st.id, std::move(it->second));
                 replace(st);
               }
             });
           });
}

void StationRegistry::replace(const storage::Station& st) {
  Entry fresh = entry_of(st);
  auto it = stations_.find(st.id);
  // A verified password stays verified while its hash is the same.
  if (it != stations_.end() && it->second.password_hash == fresh.password_hash)
    fresh.verified_digest = it->second.verified_digest;
  // A boot accepted here may not be in the row read yet: it stays accepted
  // while the registration does.
  if (it != stations_.end() && it->second.accepted &&
      fresh.registration == RegistrationStatus::Accepted)
    fresh.accepted = true;
  stations_[st.id] = std::move(fresh);
}

bool StationRegistry::exists(const std::string& id) const {
  return stations_.count(id) != 0;
}

bool StationRegistry::has_password(const std::string& id) const {
  auto it = stations_.find(id);
  return it != stations_.end() && !it->second.password_hash.empty();
}

bool StationRegistry::accepted(const std::string& id) const {
  auto it = stations_.find(id);
  return it != stations_.end() && it->second.accepted;
}

RegistrationStatus StationRegistry::boot_status(const std::string& id) const {
  auto it = stations_.find(id);
  return it == stations_.end() ? RegistrationStatus::Rejected : it->second.registration;
}

void StationRegistry::set_boot_result(const std::string& id, RegistrationStatus status) {
  auto it = stations_.find(id);
  if (it != stations_.end()) it->second.accepted = status == RegistrationStatus::Accepted;
}

void StationRegistry::register_unknown(const std::string& id, RegistrationStatus status) {
  Entry& e = stations_[id];
  e.registration = status;
  storage::Station st;
  st.id = id;
  st.registration = status;
  st.created_at = storage::DateTime::now();
  db_.write(
      [st](storage::Session& s) {
        if (!s.stations.get(st.id)) s.stations.put(st);
      },
      nullptr);
}

std::string StationRegistry::digest(const std::string& id, std::string_view password) const {
  std::string msg = id;
  msg.push_back('\0');
  msg.append(password);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), digest_key_.data(), static_cast<int>(digest_key_.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

bool StationRegistry::verify(const std::string& id, std::string_view password) {
  bool known_good = false;
  const std::string hash = hash_to_check(id, password, known_good);
  if (hash.empty()) return known_good;
  if (!verify_password(password, hash)) return false;
  remember_verified(id, password, hash);
  return true;
}

std::string StationRegistry::hash_to_check(const std::string& id, std::string_view password,
                                           bool& known_good) {
  known_good = false;
  auto it = stations_.find(id);
  if (it == stations_.end() || it->second.password_hash.empty()) return "";
  const Entry& e = it->second;
  std::string d = digest(id, password);
  if (!e.verified_digest.empty() && d.size() == e.verified_digest.size() &&
      CRYPTO_memcmp(d.data(), e.verified_digest.data(), d.size()) == 0) {
    known_good = true;
    return "";
  }
  return e.password_hash;
}

void StationRegistry::remember_verified(const std::string& id, std::string_view password,
                                        const std::string& hash) {
  auto it = stations_.find(id);
  if (it == stations_.end() || it->second.password_hash != hash) return;
  it->second.verified_digest = digest(id, password);
}

void StationRegistry::add(const std::string& id, const std::optional<std::string>& password,
                          std::function<void(std::exception_ptr)> done) {
  add(id, password, std::nullopt, std::move(done));
}

void StationRegistry::add(const std::string& id, const std::optional<std::string>& password,
                          std::optional<int> security_profile,
                          std::function<void(std::exception_ptr)> done) {
  if (auto problem = check_identity(id); !problem.empty()) throw std::invalid_argument(problem);
  if (password && !password->empty()) {
    if (auto problem = check_password_rules(*password); !problem.empty())
      throw std::invalid_argument(problem);
  }
  if (security_profile && (*security_profile < 1 || *security_profile > 3))
    throw std::invalid_argument("a security profile is 1, 2 or 3");
  store(id, password, security_profile, true, std::move(done));
}

void StationRegistry::set_password(const std::string& id, const std::string& password,
                                   std::function<void(std::exception_ptr)> done) {
  if (auto problem = check_password_rules(password); !problem.empty())
    throw std::invalid_argument(problem);
  store(id, password, std::nullopt, false, std::move(done));
}

void StationRegistry::set_security_profile(const std::string& id, int profile,
                                           std::function<void(std::exception_ptr)> done) {
  if (profile < 1 || profile > 3) throw std::invalid_argument("a security profile is 1, 2 or 3");
  // At once in memory: the next handshake must not wait for the disk.
  if (auto it = stations_.find(id); it != stations_.end()) it->second.security_profile = profile;
  store(id, std::nullopt, profile, false, std::move(done));
}

int StationRegistry::security_profile(const std::string& id) const {
  auto it = stations_.find(id);
  return it == stations_.end() ? 0 : it->second.security_profile;
}

std::string StationRegistry::serial_number(const std::string& id) const {
  auto it = stations_.find(id);
  return it == stations_.end() ? std::string() : it->second.serial_number;
}

void StationRegistry::set_serial_number(const std::string& id, const std::string& serial) {
  auto it = stations_.find(id);
  if (it != stations_.end()) it->second.serial_number = serial;
}

void StationRegistry::store(const std::string& id, const std::optional<std::string>& password,
                            std::optional<int> security_profile, bool register_station,
                            std::function<void(std::exception_ptr)> done) {
  struct Stored {
    std::optional<std::string> hash;
    int profile = 1;
    bool missing = false;
  };
  auto stored = std::make_shared<Stored>();
  db_.write(
      [id, password, security_profile, register_station, stored](storage::Session& s) {
        auto st = s.stations.get(id);
        if (!st) {
          // A rotation or a profile change for a station removed meanwhile
          // must not bring it back.
          if (!register_station) {
            stored->missing = true;
            return;
          }
          st.emplace();
          st->id = id;
          st->created_at = storage::DateTime::now();
        }
        // Registering explicitly is the operator's acceptance of the station.
        if (register_station) st->registration = RegistrationStatus::Accepted;
        // Hashing runs here, on the storage thread: PBKDF2 is deliberately slow.
        if (password) st->password_hash = password->empty() ? "" : hash_password(*password);
        if (security_profile) st->security_profile = *security_profile;
        stored->hash = st->password_hash;
        stored->profile = st->security_profile;
        s.stations.put(*st);
      },
      [this, id, stored, register_station, done = std::move(done)](std::exception_ptr error) {
        boost::asio::post(io_, [this, id, stored, register_station, error, done]() mutable {
          if (!error && stored->missing)
            error = std::make_exception_ptr(
                std::invalid_argument("station " + id + " is not registered"));
          if (!error && (register_station || stations_.count(id))) {
            Entry& e = stations_[id];
            if (register_station) e.registration = RegistrationStatus::Accepted;
            e.security_profile = stored->profile;
            if (stored->hash && *stored->hash != e.password_hash) {
              e.password_hash = *stored->hash;
              e.verified_digest.clear();
            }
          }
          if (!error) changed(id);
          if (done) done(error);
        });
      });
}

void StationRegistry::add_many(
    std::vector<NewStation> rows,
    std::function<void(std::exception_ptr, std::vector<std::string>)> done) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string where = "item " + std::to_string(i + 1) + ": ";
    if (auto problem = check_identity(rows[i].id); !problem.empty())
      throw std::invalid_argument(where + problem);
    const auto& password = rows[i].password;
    if (password && !password->empty()) {
      if (auto problem = check_password_rules(*password); !problem.empty())
        throw std::invalid_argument(where + problem);
    }
  }
  struct Hashed {
    std::string id;
    std::optional<std::string> hash;  // nullopt: keep the stored one
  };
  std::thread([this, rows = std::move(rows), done = std::move(done)]() mutable {
    auto hashed = std::make_shared<std::vector<Hashed>>();
    try {
      for (auto& r : rows) {
        std::optional<std::string> hash;
        if (r.password) hash = r.password->empty() ? "" : hash_password(*r.password);
        hashed->push_back({r.id, std::move(hash)});
      }
    } catch (...) {
      boost::asio::post(io_, [done, error = std::current_exception()] {
        if (done) done(error, {});
      });
      return;
    }
    auto changed = std::make_shared<std::vector<std::string>>();
    db_.write(
        [hashed, changed](storage::Session& s) {
          const auto now = storage::DateTime::now();
          for (const auto& h : *hashed) {
            auto st = s.stations.get(h.id);
            const bool existed = st.has_value();
            if (!st) {
              st.emplace();
              st->id = h.id;
              st->created_at = now;
            }
            st->registration = RegistrationStatus::Accepted;
            if (h.hash) {
              if (existed) changed->push_back(h.id);
              st->password_hash = *h.hash;
            }
            s.stations.put(*st);
          }
        },
        [this, hashed, changed, done](std::exception_ptr error) {
          boost::asio::post(io_, [this, hashed, changed, error, done] {
            if (!error) {
              for (const auto& h : *hashed) {
                Entry& e = stations_[h.id];
                e.registration = RegistrationStatus::Accepted;
                if (h.hash && *h.hash != e.password_hash) {
                  e.password_hash = *h.hash;
                  e.verified_digest.clear();
                }
                this->changed(h.id);
              }
            }
            if (done) done(error, error ? std::vector<std::string>{} : *changed);
          });
        });
  }).detach();
}

void StationRegistry::remove(const std::string& id, std::function<void(std::exception_ptr)> done) {
  auto existed = std::make_shared<bool>(false);
  db_.write([id, existed](storage::Session& s) { *existed = s.stations.remove(id); },
            [this, id, existed, done = std::move(done)](std::exception_ptr error) {
              boost::asio::post(io_, [this, id, existed, error, done]() mutable {
                if (!error && !*existed)
                  error = std::make_exception_ptr(
                      std::invalid_argument("station " + id + " is not registered"));
                if (!error) {
                  stations_.erase(id);
                  changed(id);
                }
                if (done) done(error);
              });
            });
}

}  // namespace csms
