#pragma once
// What every admin API route file shares: reading a request (query strings,
// JSON bodies, with 400s that name the problem), shaping answers, and running
// a handler's storage work (Api::read / Api::write).

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/post.hpp>

#include "admin/api.hpp"
#include "ocpp/common/datetime.hpp"
#include "ocpp/common/json.hpp"
#include "storage/stores.hpp"

namespace csms::admin {

using storage::DateTime;

ApiResponse json_response(unsigned status, std::string body);
ApiResponse no_content();
/// The text in double quotes, made valid UTF-8, for messages.
std::string quoted(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::optional<std::int64_t> parse_int(std::string_view s);

// ---------------------------------------------------------------------------
// Query strings

// The query parameters a route accepts; anything else is a 400, so a typo such
// as ?station= cannot silently widen a listing.
class Query {
 public:
  Query(const ApiRequest& request, std::initializer_list<std::string_view> allowed) {
    for (const auto& [name, value] : request.query) {
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        std::string names;
        for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
        throw ApiError(400, "unknown query parameter " + quoted(name) +
                                (names.empty() ? " (this route takes none)"
                                               : " (this route takes " + names + ")"));
      }
      values_[name] = value;  // The last one wins.
    }
  }

  /// The value, or nullopt when absent or empty (`?stationId=` does not filter).
  std::optional<std::string> get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return std::nullopt;
    return it->second;
  }

  std::size_t limit(std::size_t fallback, std::size_t max) const {
    auto text = get("limit");
    if (!text) return fallback;
    auto v = parse_int(*text);
    if (!v || *v < 1 || static_cast<std::uint64_t>(*v) > max)
      throw ApiError(
          400, fmt::format("limit must be an integer from 1 to {}, not {}", max, quoted(*text)));
    return static_cast<std::size_t>(*v);
  }

  std::optional<DateTime> time(const std::string& name) const {
    auto text = get(name);
    if (!text) return std::nullopt;
    auto t = DateTime::parse(*text);
    if (!t)
      throw ApiError(400, name + ": " + quoted(*text) +
                              " is not an RFC 3339 date-time (e.g. 2024-01-15T10:30:00Z)");
    return t;
  }

  std::optional<bool> flag(const std::string& name) const {
    auto text = get(name);
    if (!text) return std::nullopt;
    if (*text == "true" || *text == "1") return true;
    if (*text == "false" || *text == "0") return false;
    throw ApiError(400, name + " must be true or false, not " + quoted(*text));
  }

 private:
  std::map<std::string, std::string> values_;
};

void no_query(const ApiRequest& request);

// ---------------------------------------------------------------------------
// JSON input

/// The body as JSON; 400 naming the parse error. An empty body is `{}` when
/// `empty_is_object`, else a 400.
rapidjson::Document parse_body(const std::string& body, bool empty_is_object);
const char* json_type_name(const rapidjson::Value& v);
/// Checks that `v` is an object with only `allowed` members; `where` prefixes
/// messages ("" or "item 3: ").
void expect_object(const rapidjson::Value& v, const std::string& where,
                   std::initializer_list<std::string_view> allowed);
/// A string member: nullopt when absent or null; 400 for another type.
std::optional<std::string> optional_string(const rapidjson::Value& obj, const char* name,
                                           const std::string& where);
std::string required_string(const rapidjson::Value& obj, const char* name,
                            const std::string& where);
/// A boolean member: nullopt when absent or null; 400 for another type.
std::optional<bool> optional_bool(const rapidjson::Value& obj, const char* name,
                                  const std::string& where);
/// A finite number member: nullopt when absent or null; 400 for another type.
std::optional<double> optional_number(const rapidjson::Value& obj, const char* name);
/// The transactions an operator's id names (storage thread): the number the
/// CSMS assigned (1.6) first, else a station's own transactionId (2.0.1),
/// at `station` or at any station.
std::vector<storage::Transaction> find_transactions(storage::Session& s, const std::string& key,
                                                    const std::optional<std::string>& station);
/// The one match: 404 for none, 400 (naming the stations) for several.
const storage::Transaction& one_transaction(const std::vector<storage::Transaction>& matches,
                                            const std::string& key);

/// The response for an exception from a handler or from storage work.
ApiResponse response_for(std::exception_ptr error);

// ---------------------------------------------------------------------------
// Storage work of handlers

template <class Make>
void Api::finish(const Reply& reply, std::exception_ptr error, Make make) {
  if (error) {
    reply(response_for(error));
    return;
  }
  try {
    reply(make());
  } catch (...) {
    reply(response_for(std::current_exception()));
  }
}

// Runs `work(session) -> T` on the storage reader thread, then on the network
// thread answers `then(T&) -> ApiResponse`.
//
// First an empty write goes through the writer queue: the server logs frames,
// events and station state without waiting for the commit, and the writer
// runs its queue in order, so once this barrier has committed the read sees
// everything queued before the request arrived (an operator who just saw a
// station answer finds the exchange in the log). Admin reads are rare; the
// cost is one writer round trip. A failed barrier does not stop the read.
template <class T, class Work, class Then>
void Api::read(const Reply& reply, Work work, Then then) {
  auto result = std::make_shared<T>();
  auto self = shared_from_this();
  auto run_read = [self, result, work, then, reply] {
    try {
      self->deps_.db.read([result, work](storage::Session& s) { *result = work(s); },
                          [self, result, then, reply](std::exception_ptr error) {
                            boost::asio::post(self->io_, [self, result, then, reply, error] {
                              self->finish(reply, error, [&] { return then(*result); });
                            });
                          });
    } catch (...) {
      reply(response_for(std::current_exception()));
    }
  };
  deps_.db.write([](storage::Session&) {},
                 [self, run_read](std::exception_ptr) { boost::asio::post(self->io_, run_read); });
}

// As read(), for one station's things: 404 naming the station when it is not
// registered, else `then(items)` with what `load(session, id)` read.
template <class Load, class Then>
void Api::read_station(const Reply& reply, const std::string& id, Load load, Then then) {
  using Items = decltype(load(std::declval<storage::Session&>(), id));
  struct View {
    bool exists = false;
    Items items;
  };
  read<View>(
      reply,
      [id, load](storage::Session& s) {
        View v;
        v.exists = s.stations.get(id).has_value();
        if (v.exists) v.items = load(s, id);
        return v;
      },
      [id, then](View& v) {
        if (!v.exists) throw ApiError(404, "station " + quoted(id) + " is not registered");
        return then(v.items);
      });
}

// As read(), on the writer thread: `work` commits before `then` runs.
template <class T, class Work, class Then>
void Api::write(const Reply& reply, Work work, Then then) {
  auto result = std::make_shared<T>();
  auto self = shared_from_this();
  deps_.db.write([result, work](storage::Session& s) { *result = work(s); },
                 [self, result, then, reply](std::exception_ptr error) {
                   boost::asio::post(self->io_, [self, result, then, reply, error] {
                     self->finish(reply, error, [&] { return then(*result); });
                   });
                 });
}

}  // namespace csms::admin
