// Admin API routes of reservations and local authorization lists:
// GET /api/reservations and GET /api/stations/{id}/local-list.
#include <boost/asio/post.hpp>
#include <charconv>
#include <map>
#include <optional>

#include "admin/api.hpp"
#include "admin/json_out.hpp"
#include "ocpp/common/utf8.hpp"

namespace csms::admin {

namespace {

std::string quoted(std::string_view s) {
  return "\"" + ocpp::sanitize_utf8(s) + "\"";
}

// The query parameters among `allowed` (the last one wins); any other is a 400.
std::map<std::string, std::string> query_of(const ApiRequest& request,
                                            std::initializer_list<std::string_view> allowed) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : request.query) {
    bool known = false;
    for (auto a : allowed) known = known || a == name;
    if (!known) {
      std::string names;
      for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
      throw ApiError(400, "unknown query parameter " + quoted(name) +
                              (names.empty() ? " (this route takes none)"
                                             : " (this route takes " + names + ")"));
    }
    if (!value.empty()) out[name] = value;
  }
  return out;
}

// Runs `work` on the reader after a write barrier (so it sees everything queued
// before, e.g. an answer just stored), then `then` on the network thread.
template <class T, class Work, class Then>
void read_then(storage::Database& db, boost::asio::io_context& io, Reply reply, Work work,
               Then then) {
  auto result = std::make_shared<T>();
  auto done = [&io, result, then, reply](std::exception_ptr error) {
    boost::asio::post(io, [result, then, reply, error] {
      try {
        if (error) std::rethrow_exception(error);
        reply(then(*result));
      } catch (const ApiError& e) {
        reply(error_response(e.status(), e.what(), e.code()));
      } catch (const std::exception& e) {
        reply(error_response(500, std::string("internal error: ") + e.what()));
      }
    });
  };
  db.write([](storage::Session&) {},
           [&db, result, work, done](std::exception_ptr) {
             db.read([result, work](storage::Session& s) { *result = work(s); }, done);
           });
}

ApiResponse json_ok(std::string body) {
  ApiResponse r;
  r.body = std::move(body);
  return r;
}

// `tx_ids`: a 2.0.1 transaction is named by its station's transactionId, as
// the transaction routes name it; a 1.6 one by its number.
void reservation_object(JsonOut& out, const storage::Reservation& r, const storage::DateTime& now,
                        const std::map<std::int64_t, std::string>& tx_ids) {
  // The CSMS enforces expiry: one past it reads Expired before the sweep stores it.
  auto status = r.status;
  if (storage::is_active(status) && !(now < r.expiry)) status = storage::ReservationStatus::Expired;
  out.object();
  out.key("id").num(r.id);
  out.key("stationId").str(r.station_id);
  out.key("evseId");
  if (r.evse_id > 0) {
    out.num(r.evse_id);
  } else {
    out.null();
  }
  out.key("connectorId").num(r.connector_id);
  out.key("idTag").str(r.id_tag);
  out.key("parentIdTag").opt_str(r.parent_id_tag);
  out.key("tokenType").opt_str(r.token_type);
  out.key("connectorType").opt_str(r.connector_type);
  out.key("expiry").time(r.expiry);
  out.key("status").str(storage::to_string(status));
  out.key("active").flag(storage::is_active(status));
  out.key("transactionId");
  if (r.transaction_id && tx_ids.count(*r.transaction_id)) {
    out.str(tx_ids.at(*r.transaction_id));
  } else if (r.transaction_id) {
    out.num(*r.transaction_id);
  } else {
    out.null();
  }
  out.key("createdAt").time(r.created_at);
  out.key("updatedAt").time(r.updated_at);
  out.end_object();
}

}  // namespace

void Api::list_reservations(Call& call) {
  const auto query = query_of(call.request, {"stationId", "active", "limit"});
  storage::ReservationFilter filter;
  filter.now = storage::DateTime::now();
  if (auto it = query.find("stationId"); it != query.end()) filter.station_id = it->second;
  if (auto it = query.find("active"); it != query.end()) {
    if (it->second == "true" || it->second == "1") {
      filter.active = true;
    } else if (it->second == "false" || it->second == "0") {
      filter.active = false;
    } else {
      throw ApiError(400, "active must be true or false, not " + quoted(it->second));
    }
  }
  if (auto it = query.find("limit"); it != query.end()) {
    std::int64_t v = 0;
    const auto& text = it->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < 1 || v > 1000)
      throw ApiError(400, "limit must be an integer from 1 to 1000, not " + quoted(text));
    filter.limit = static_cast<std::size_t>(v);
  } else {
    filter.limit = 100;
  }
  struct View {
    std::vector<storage::Reservation> list;
    std::map<std::int64_t, std::string> tx_ids;
  };
  read_then<View>(
      deps_.db, io_, call.reply,
      [filter](storage::Session& s) {
        View v;
        v.list = s.reservations.list(filter);
        for (const auto& r : v.list) {
          if (!r.transaction_id) continue;
          auto tx = s.transactions.get(*r.transaction_id);
          if (tx && !tx->station_tx_id.empty()) v.tx_ids[tx->id] = tx->station_tx_id;
        }
        return v;
      },
      [now = filter.now](View& v) {
        JsonOut out;
        out.array();
        for (const auto& r : v.list) reservation_object(out, r, now, v.tx_ids);
        out.end_array();
        return json_ok(out.text());
      });
}

void Api::station_local_list(Call& call) {
  query_of(call.request, {});
  struct View {
    bool exists = false;
    std::optional<storage::LocalList> list;
  };
  const std::string id = call.params[0];
  read_then<View>(
      deps_.db, io_, call.reply,
      [id](storage::Session& s) {
        View v;
        v.exists = s.stations.get(id).has_value();
        if (v.exists) v.list = s.local_lists.get(id);
        return v;
      },
      [id](View& v) {
        if (!v.exists) throw ApiError(404, "station " + quoted(id) + " is not registered");
        storage::LocalList list = v.list.value_or(storage::LocalList{});
        JsonOut out;
        out.object();
        out.key("stationId").str(id);
        out.key("version").num(list.version);
        out.key("needsFull").flag(list.needs_full);
        out.key("updatedAt").time(list.updated_at);
        out.key("reportedVersion");
        if (list.reported_version) {
          out.num(*list.reported_version);
        } else {
          out.null();
        }
        out.key("reportedAt").time(list.reported_at);
        out.key("entries").array();
        for (const auto& e : list.entries) {
          out.object();
          out.key("idTag").str(e.id_tag);
          out.key("status").str(storage::to_string(e.status));
          out.key("expiry").time(e.expiry);
          out.key("parentIdTag").opt_str(e.parent_id_tag);
          out.end_object();
        }
        out.end_array();
        out.end_object();
        return json_ok(out.text());
      });
}

}  // namespace csms::admin
