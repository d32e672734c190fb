// TEMPORARY stubs so the tree builds while the storage work lands; replaced by
// device_model_store.cpp, notification_store.cpp and additions to
// transaction_store.cpp / meter_store.cpp.
#include <stdexcept>

#include "sqlite/stores.hpp"

namespace storage::sqlite {
namespace {
[[noreturn]] void todo() {
  throw std::logic_error("not implemented yet");
}
}  // namespace
bool SqliteTransactionStore::add_event(const TransactionEvent&) {
  todo();
}
std::vector<TransactionEvent> SqliteTransactionStore::events(std::int64_t) {
  todo();
}
std::vector<MeterSample> SqliteMeterStore::for_transaction(std::int64_t, const std::string&) {
  todo();
}
void SqliteDeviceModelStore::put(const std::vector<DeviceVariable>&) {
  todo();
}
void SqliteDeviceModelStore::put_values(const std::vector<DeviceVariable>&) {
  todo();
}
std::vector<DeviceVariable> SqliteDeviceModelStore::variables(const std::string&) {
  todo();
}
bool SqliteDeviceModelStore::add_report_part(const std::string&, std::int64_t, std::int64_t, bool,
                                             std::int64_t, const DateTime&, const DateTime&) {
  todo();
}
std::vector<DeviceReport> SqliteDeviceModelStore::reports(const std::string&) {
  todo();
}
void SqliteDeviceModelStore::clear(const std::string&) {
  todo();
}
std::int64_t SqliteNotificationStore::append(const StationNotification&) {
  todo();
}
std::vector<StationNotification> SqliteNotificationStore::recent(const std::string&,
                                                                 const std::string&, std::size_t) {
  todo();
}
}  // namespace storage::sqlite
