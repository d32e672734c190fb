#include "handlers/reservation_support.hpp"

#include "ocpp/common/json.hpp"

namespace csms {

namespace {

template <class Add>
CommandDone with_member(Add add, CommandDone done) {
  return [add, done = std::move(done)](CommandResult r) {
    rapidjson::Document doc;
    if (r.error == CommandError::None && !ocpp::parse_json(r.response_json, doc).IsError() &&
        doc.IsObject()) {
      add(doc);
      r.response_json = ocpp::to_compact_json(doc);
    }
    done(std::move(r));
  };
}

}  // namespace

CommandDone with_field(const char* name, std::int64_t value, CommandDone done) {
  return with_member(
      [name, value](rapidjson::Document& doc) {
        doc.AddMember(rapidjson::StringRef(name), value, doc.GetAllocator());
      },
      std::move(done));
}

CommandDone with_field(const char* name, const std::string& value, CommandDone done) {
  return with_member(
      [name, value](rapidjson::Document& doc) {
        rapidjson::Value v(value.c_str(), static_cast<rapidjson::SizeType>(value.size()),
                           doc.GetAllocator());
        doc.AddMember(rapidjson::StringRef(name), v, doc.GetAllocator());
      },
      std::move(done));
}

std::optional<storage::DateTime> future_expiry(Params& p, const char* name,
                                               const storage::DateTime& now) {
  auto text = p.string(name, true);
  if (!text) return std::nullopt;
  auto t = storage::DateTime::parse(*text);
  if (!t) {
    p.fail("'" + std::string(name) + "' must be an RFC 3339 date-time, e.g. 2030-01-15T10:30:00Z");
    return std::nullopt;
  }
  if (!(now < *t)) {
    p.fail("'" + std::string(name) + "' (" + *text + ") is in the past");
    return std::nullopt;
  }
  return t;
}

CommandResult storage_failure(std::exception_ptr e) {
  std::string what = "unknown error";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    what = ex.what();
  } catch (...) {
  }
  return command_failure(CommandError::Internal, "storage failed: " + what);
}

CommandResult station_gone(const std::string& station_id) {
  return command_failure(CommandError::Offline, "station " + station_id + " disconnected");
}

void reserve_flow(
    Services& sv, StationSession& session, storage::Reservation r, CommandDone done,
    std::function<void(StationSession&, std::int64_t, AnswerStatus, CommandDone)> send) {
  std::weak_ptr<StationSession> weak = session.weak_from_this();
  const std::string station = session.station_id();
  r.station_id = station;
  sv.reservations.create(r, [&sv, weak, station, done, send](std::exception_ptr e,
                                                             std::int64_t id) {
    if (e) return done(storage_failure(e));
    CommandDone finish = with_field("reservationId", id, done);
    if_connected(weak, station, finish, [&sv, id, finish, send](StationSession& s) {
      auto status = std::make_shared<std::optional<std::string>>();
      send(s, id, status, [&sv, id, status, finish](CommandResult result) {
        auto answer = *status ? storage::reservation_status_from_string(**status) : std::nullopt;
        if (result.error != CommandError::None || !answer) return finish(std::move(result));
        sv.reservations.answered(id, *answer, [finish, result](std::exception_ptr e) {
          finish(e ? storage_failure(e) : result);
        });
      });
    });
  });
}

void cancel_flow(Services& sv, StationSession& session, std::int64_t id, CommandDone done,
                 std::function<void(StationSession&, AnswerStatus, CommandDone)> send) {
  std::weak_ptr<StationSession> weak = session.weak_from_this();
  const std::string station = session.station_id();
  sv.reservations.find_active(
      station, id,
      [&sv, weak, station, id, done, send](
          std::exception_ptr e, std::optional<storage::Reservation> r, std::string problem) {
        if (e) return done(storage_failure(e));
        if (!r) return done(command_failure(CommandError::InvalidArgument, problem));
        if_connected(weak, station, done, [&sv, station, id, done, send](StationSession& s) {
          auto status = std::make_shared<std::optional<std::string>>();
          send(s, status, [&sv, station, id, status, done](CommandResult result) {
            if (result.error != CommandError::None ||
                *status != std::optional<std::string>("Accepted"))
              return done(std::move(result));
            sv.reservations.end(
                station, id, storage::ReservationStatus::Cancelled,
                [done, result](std::exception_ptr e) { done(e ? storage_failure(e) : result); });
          });
        });
      });
}

void send_local_list_flow(
    Services& sv, StationSession& session, bool full, std::size_t max_tag, CommandDone done,
    std::function<void(StationSession&, const LocalListPlan&, AnswerStatus, CommandDone)> send) {
  std::weak_ptr<StationSession> weak = session.weak_from_this();
  const std::string station = session.station_id();
  sv.reservations.plan_local_list(
      station, full, max_tag,
      [&sv, weak, station, done, send](std::exception_ptr e, LocalListPlan plan) {
        if (e) return done(storage_failure(e));
        CommandDone finish = with_field(
            "listVersion", plan.version,
            with_field("updateType", std::string(plan.full ? "Full" : "Differential"),
                       with_field("entries", static_cast<std::int64_t>(plan.items.size()), done)));
        if_connected(weak, station, finish, [&sv, station, plan, finish, send](StationSession& s) {
          auto status = std::make_shared<std::optional<std::string>>();
          send(s, plan, status, [&sv, station, plan, status, finish](CommandResult result) {
            if (result.error != CommandError::None || !*status) return finish(std::move(result));
            sv.reservations.local_list_answered(station, plan, **status,
                                                [finish, result](std::exception_ptr e) {
                                                  finish(e ? storage_failure(e) : result);
                                                });
          });
        });
      });
}

void local_list_version_flow(
    Services& sv, StationSession& session, CommandDone done,
    std::function<void(StationSession&, std::shared_ptr<std::optional<std::int64_t>>, CommandDone)>
        send) {
  const std::string station = session.station_id();
  auto version = std::make_shared<std::optional<std::int64_t>>();
  send(session, version, [&sv, station, version, done](CommandResult result) {
    if (result.error != CommandError::None || !*version) return done(std::move(result));
    sv.reservations.local_list_reported(station, **version, [done, result](std::exception_ptr e) {
      done(e ? storage_failure(e) : result);
    });
  });
}

}  // namespace csms
