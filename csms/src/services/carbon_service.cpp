#include "services/carbon_service.hpp"

#include <chrono>
#include <exception>

#include "csms/log.hpp"
#include "server/context.hpp"

namespace csms {

CarbonService::CarbonService(ServerContext& ctx)
    : ctx_(ctx), settings_(carbon::settings_from(ctx.config)) {}

void CarbonService::transaction_changed(std::int64_t transaction_id) {
  auto* metrics = &ctx_.metrics;
  ctx_.db.write(
      [settings = settings_, transaction_id, metrics, now = ctx_.now()](storage::Session& s) {
        // Measures the storage thread's own work: the real clock.
        const auto started = std::chrono::steady_clock::now();
        auto id = carbon::record_transaction(s, transaction_id, settings, now);
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
        metrics->carbon_record(id.has_value(), took.count());
        if (id)
          log::info("carbon: transaction {} recorded as carbon record {}", transaction_id, *id);
      },
      [transaction_id](std::exception_ptr error) {
        if (!error) return;
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          // The transaction stays as stored; the next change recomputes it.
          log::error("carbon: transaction {}: record not stored: {}", transaction_id, e.what());
        }
      });
}

void CarbonService::expire_due() {
  if (settings_.expiry_months <= 0) return;
  ctx_.db.write(
      [settings = settings_, now = ctx_.now()](storage::Session& s) {
        if (auto n = carbon::expire_due(s, settings, now))
          log::info("carbon: {} ledger lots expired", n);
      },
      nullptr);
}

}  // namespace csms
