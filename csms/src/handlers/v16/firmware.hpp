#pragma once
// OCPP 1.6 firmware, diagnostics and log status notifications (Core and the
// security extension), stored as per-station history.

namespace csms {

class Router;
struct Services;

namespace v16 {

/// FirmwareStatusNotification, SignedFirmwareStatusNotification,
/// DiagnosticsStatusNotification, LogStatusNotification.
void register_firmware_handlers(Router& router, Services& services);

}  // namespace v16
}  // namespace csms
