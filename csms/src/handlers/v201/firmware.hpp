#pragma once
// OCPP 2.0.1 firmware, publishing and log status notifications, stored as
// per-station history.

namespace csms {

class Router;
struct Services;

namespace v201 {

/// FirmwareStatusNotification, PublishFirmwareStatusNotification, LogStatusNotification.
void register_firmware_handlers(Router& router, Services& services);

}  // namespace v201
}  // namespace csms
