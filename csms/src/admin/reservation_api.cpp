// Admin API routes of reservations and local authorization lists:
// GET /api/reservations and GET /api/stations/{id}/local-list.
#include <boost/asio/post.hpp>
#include <charconv>
#include <map>
#include <optional>

#include "admin/api.hpp"
#include "admin/json_out.hpp"
#include "admin/request.hpp"
#include "ocpp/common/utf8.hpp"

namespace csms::admin {

namespace {

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
  const Query query(call.request, {"stationId", "active", "limit"});
  storage::ReservationFilter filter;
  filter.now = storage::DateTime::now();
  filter.station_id = query.get("stationId");
  filter.active = query.flag("active");
  filter.limit = query.limit(100, 1000);
  struct View {
    std::vector<storage::Reservation> list;
    std::map<std::int64_t, std::string> tx_ids;
  };
  read<View>(
      call.reply,
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
        return json_response(200, out.text());
      });
}

void Api::station_local_list(Call& call) {
  no_query(call.request);
  const std::string id = call.params[0];
  read_station(
      call.reply, id,
      [](storage::Session& s, const std::string& station) { return s.local_lists.get(station); },
      [id](const std::optional<storage::LocalList>& stored) {
        storage::LocalList list = stored.value_or(storage::LocalList{});
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
        return json_response(200, out.text());
      });
}

}  // namespace csms::admin
