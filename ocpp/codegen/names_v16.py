"""Names for the OCPP 1.6 schema parts that the official schemas leave anonymous.

The 1.6 JSON schemas declare enums and nested objects inline, without names.
These are the names the OCPP 1.6 specification (section 7, Types) gives them.
Security-whitepaper schemas name their definitions themselves and need nothing here.
"""

# Inline enums, by property name. `status` and `type` mean something different in
# every message, so they are named per message in ENUM_BY_PATH below.
ENUM_BY_PROPERTY = {
    "chargingProfileKind": "ChargingProfileKindType",
    "chargingProfilePurpose": "ChargingProfilePurposeType",
    "chargingRateUnit": "ChargingRateUnitType",
    "context": "ReadingContext",
    "errorCode": "ChargePointErrorCode",
    "format": "ValueFormat",
    "location": "Location",
    "measurand": "Measurand",
    "phase": "Phase",
    "reason": "Reason",
    "recurrencyKind": "RecurrencyKindType",
    "requestedMessage": "MessageTrigger",
    "unit": "UnitOfMeasure",
    "updateType": "UpdateType",
}

# Inline enums by "<Action>.<req|conf>/<path>" (path without array markers).
ENUM_BY_PATH = {
    "Authorize.conf/idTagInfo/status": "AuthorizationStatus",
    "StartTransaction.conf/idTagInfo/status": "AuthorizationStatus",
    "StopTransaction.conf/idTagInfo/status": "AuthorizationStatus",
    "SendLocalList.req/localAuthorizationList/idTagInfo/status": "AuthorizationStatus",
    "BootNotification.conf/status": "RegistrationStatus",
    "CancelReservation.conf/status": "CancelReservationStatus",
    "ChangeAvailability.req/type": "AvailabilityType",
    "ChangeAvailability.conf/status": "AvailabilityStatus",
    "ChangeConfiguration.conf/status": "ConfigurationStatus",
    "ClearCache.conf/status": "ClearCacheStatus",
    "ClearChargingProfile.conf/status": "ClearChargingProfileStatus",
    "DataTransfer.conf/status": "DataTransferStatus",
    "DiagnosticsStatusNotification.req/status": "DiagnosticsStatus",
    "FirmwareStatusNotification.req/status": "FirmwareStatus",
    "GetCompositeSchedule.conf/status": "GetCompositeScheduleStatus",
    "RemoteStartTransaction.conf/status": "RemoteStartStopStatus",
    "RemoteStopTransaction.conf/status": "RemoteStartStopStatus",
    "ReserveNow.conf/status": "ReservationStatus",
    "Reset.req/type": "ResetType",
    "Reset.conf/status": "ResetStatus",
    "SendLocalList.conf/status": "UpdateStatus",
    "SetChargingProfile.conf/status": "ChargingProfileStatus",
    "StatusNotification.req/status": "ChargePointStatus",
    "TriggerMessage.conf/status": "TriggerMessageStatus",
    "UnlockConnector.conf/status": "UnlockStatus",
}

# Inline objects, by property name.
OBJECT_BY_PROPERTY = {
    "chargingProfile": "ChargingProfile",
    "csChargingProfiles": "ChargingProfile",
    "chargingSchedule": "ChargingSchedule",
    "chargingSchedulePeriod": "ChargingSchedulePeriod",
    "configurationKey": "KeyValue",
    "idTagInfo": "IdTagInfo",
    "localAuthorizationList": "AuthorizationData",
    "meterValue": "MeterValue",
    "transactionData": "MeterValue",
    "sampledValue": "SampledValue",
}
