#pragma once
// The registered stations, cached in memory so the WebSocket handshake never
// waits for the database; every change is written through to storage.

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

// Declared, not included: the registry is part of the context handlers and
// services see, which stays free of Boost headers.
namespace boost::asio {
class io_context;
}

#include "storage/database.hpp"

namespace csms {

/// Registered stations and their credentials. Network thread only: the
/// callbacks of add/remove run there too.
class StationRegistry {
 public:
  StationRegistry(boost::asio::io_context& io, storage::Database& db);

  /// Loads every station from storage. Blocking: call once at startup.
  void load();
  /// Re-reads one station from storage (another cluster node changed it);
  /// a station gone from storage is forgotten. Asynchronous: `then` (may be
  /// empty) runs on the network thread once the entry is current, or the
  /// read failed. `forget_missing` false keeps an entry whose row is not
  /// there (yet: an auto-registration still being written).
  void refresh(const std::string& id, std::function<void()> then = nullptr,
               bool forget_missing = true);
  /// Re-reads every station, asynchronously (after changes may have been
  /// missed, e.g. the cluster's listener reconnected).
  void refresh_all();
  /// Called on the network thread after a registration, password, security
  /// profile or removal committed here (the cluster tells the other nodes).
  std::function<void(const std::string& id)> on_changed;

  bool exists(const std::string& id) const;
  bool has_password(const std::string& id) const;

  /// Whether the station may send CALLs other than BootNotification: its last
  /// BootNotification was answered Accepted (a plain reconnect keeps that).
  bool accepted(const std::string& id) const;
  /// What the CSMS answers this station's BootNotification.
  storage::RegistrationStatus boot_status(const std::string& id) const;
  /// Records the answer given to a BootNotification (in memory; the boot
  /// handler persists the station row).
  void set_boot_result(const std::string& id, storage::RegistrationStatus status);
  /// Auto-registration (--accept-unknown): adds `id` without a password, with
  /// `status` as its boot answer until an operator registers it.
  void register_unknown(const std::string& id, storage::RegistrationStatus status);

  /// Checks Basic-auth credentials. A successful check is remembered (as a keyed
  /// digest, not the password) so PBKDF2 runs once per station and password,
  /// not on every reconnect.
  bool verify(const std::string& id, std::string_view password);
  /// verify() in steps, so that PBKDF2 can run off the network thread: the
  /// stored hash to check `password` against, or empty when no PBKDF2 is
  /// needed (`known_good` then says whether the remembered digest matched).
  std::string hash_to_check(const std::string& id, std::string_view password, bool& known_good);
  /// Remembers a password that PBKDF2 accepted against `hash`, unless the
  /// station's password changed meanwhile.
  void remember_verified(const std::string& id, std::string_view password, const std::string& hash);

  /// Registers `id` (or replaces its password; nullopt keeps it, "" removes it;
  /// and sets its security profile 1..3 unless nullopt: a new station gets 1).
  /// Throws std::invalid_argument for an invalid id, password or profile before
  /// anything is stored. `done` gets null on success.
  void add(const std::string& id, const std::optional<std::string>& password,
           std::function<void(std::exception_ptr)> done);
  void add(const std::string& id, const std::optional<std::string>& password,
           std::optional<int> security_profile, std::function<void(std::exception_ptr)> done);
  /// Replaces the password of a registered station (a rotation the station
  /// accepted), leaving its registration as it is. Until `done` the old
  /// password keeps working.
  void set_password(const std::string& id, const std::string& password,
                    std::function<void(std::exception_ptr)> done);

  /// The station's security profile (1..3); 0 for an unknown station.
  int security_profile(const std::string& id) const;
  /// Stores a new security profile (a station that reconnected on a higher one).
  void set_security_profile(const std::string& id, int profile,
                            std::function<void(std::exception_ptr)> done);
  /// The serialNumber of the station's last BootNotification (profile 3 with
  /// security.station_cert_cn = serial); empty when none.
  std::string serial_number(const std::string& id) const;
  /// Records the serial number a boot reported (in memory; the boot handler
  /// persists the station row).
  void set_serial_number(const std::string& id, const std::string& serial);
  /// One row of add_many: an identity and its password (nullopt keeps it, "" removes it).
  struct NewStation {
    std::string id;
    std::optional<std::string> password;
  };
  /// Registers every station of `rows` in one storage transaction: all or none.
  /// Throws std::invalid_argument ("item N: problem") for an invalid id or
  /// password before anything is stored. Passwords are hashed on a thread of
  /// their own (PBKDF2 is slow by design; the writer must not wait on it).
  /// `done` gets null on success, with the ids whose stored password changed.
  void add_many(std::vector<NewStation> rows,
                std::function<void(std::exception_ptr, std::vector<std::string>)> done);
  /// Unregisters `id`; `done` gets null, or an error if it did not exist.
  void remove(const std::string& id, std::function<void(std::exception_ptr)> done);

 private:
  struct Entry {
    std::string password_hash;
    std::string verified_digest;  // keyed digest of the last verified password
    storage::RegistrationStatus registration = storage::RegistrationStatus::Accepted;
    bool accepted = false;  // last BootNotification answered Accepted
    int security_profile = 1;
    std::string serial_number;
  };
  void store(const std::string& id, const std::optional<std::string>& password,
             std::optional<int> security_profile, bool register_station,
             std::function<void(std::exception_ptr)> done);
  static Entry entry_of(const storage::Station& st);
  /// The entry from a stored row, keeping a verified password's digest.
  void replace(const storage::Station& st);
  void changed(const std::string& id) {
    if (on_changed) on_changed(id);
  }
  std::string digest(const std::string& id, std::string_view password) const;
  boost::asio::io_context& io_;
  storage::Database& db_;
  std::unordered_map<std::string, Entry> stations_;
  std::string digest_key_;  // random per process
};

}  // namespace csms
