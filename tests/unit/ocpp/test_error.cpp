// ErrorCode wire spellings for OCPP-J 1.6 and 2.0.1.

#include <catch2/catch.hpp>

#include "ocpp/common/error.hpp"

using ocpp::ErrorCode;
using ocpp::Version;

TEST_CASE("to_string uses the 2.0.1 spellings for 2.0.1", "[error]") {
  CHECK(to_string(ErrorCode::FormatViolation, Version::v201) == "FormatViolation");
  CHECK(to_string(ErrorCode::OccurrenceConstraintViolation, Version::v201) ==
        "OccurrenceConstraintViolation");
  CHECK(to_string(ErrorCode::MessageTypeNotSupported, Version::v201) == "MessageTypeNotSupported");
  CHECK(to_string(ErrorCode::RpcFrameworkError, Version::v201) == "RpcFrameworkError");
  CHECK(to_string(ErrorCode::GenericError, Version::v201) == "GenericError");
  CHECK(to_string(ErrorCode::InternalError, Version::v201) == "InternalError");
  CHECK(to_string(ErrorCode::NotImplemented, Version::v201) == "NotImplemented");
  CHECK(to_string(ErrorCode::NotSupported, Version::v201) == "NotSupported");
  CHECK(to_string(ErrorCode::PropertyConstraintViolation, Version::v201) ==
        "PropertyConstraintViolation");
  CHECK(to_string(ErrorCode::ProtocolError, Version::v201) == "ProtocolError");
  CHECK(to_string(ErrorCode::SecurityError, Version::v201) == "SecurityError");
  CHECK(to_string(ErrorCode::TypeConstraintViolation, Version::v201) == "TypeConstraintViolation");
}

TEST_CASE("to_string uses the 1.6 spellings for 1.6, including the misspelled Occurence",
          "[error]") {
  CHECK(to_string(ErrorCode::FormatViolation, Version::v16) == "FormationViolation");
  CHECK(to_string(ErrorCode::OccurrenceConstraintViolation, Version::v16) ==
        "OccurenceConstraintViolation");
  CHECK(to_string(ErrorCode::GenericError, Version::v16) == "GenericError");
  CHECK(to_string(ErrorCode::InternalError, Version::v16) == "InternalError");
  CHECK(to_string(ErrorCode::NotImplemented, Version::v16) == "NotImplemented");
  CHECK(to_string(ErrorCode::NotSupported, Version::v16) == "NotSupported");
  CHECK(to_string(ErrorCode::PropertyConstraintViolation, Version::v16) ==
        "PropertyConstraintViolation");
  CHECK(to_string(ErrorCode::ProtocolError, Version::v16) == "ProtocolError");
  CHECK(to_string(ErrorCode::SecurityError, Version::v16) == "SecurityError");
  CHECK(to_string(ErrorCode::TypeConstraintViolation, Version::v16) == "TypeConstraintViolation");
}

TEST_CASE("to_string maps 2.0.1-only codes to FormationViolation in 1.6", "[error]") {
  CHECK(to_string(ErrorCode::MessageTypeNotSupported, Version::v16) == "FormationViolation");
  CHECK(to_string(ErrorCode::RpcFrameworkError, Version::v16) == "FormationViolation");
}

TEST_CASE("error_code_from_string accepts every spelling of both versions", "[error]") {
  const ErrorCode kAll[] = {
      ErrorCode::FormatViolation,
      ErrorCode::GenericError,
      ErrorCode::InternalError,
      ErrorCode::MessageTypeNotSupported,
      ErrorCode::NotImplemented,
      ErrorCode::NotSupported,
      ErrorCode::OccurrenceConstraintViolation,
      ErrorCode::PropertyConstraintViolation,
      ErrorCode::ProtocolError,
      ErrorCode::RpcFrameworkError,
      ErrorCode::SecurityError,
      ErrorCode::TypeConstraintViolation,
  };
  for (const ErrorCode code : kAll) {
    CHECK(ocpp::error_code_from_string(to_string(code, Version::v201)) == code);
  }
  CHECK(ocpp::error_code_from_string("FormationViolation") == ErrorCode::FormatViolation);
  CHECK(ocpp::error_code_from_string("OccurenceConstraintViolation") ==
        ErrorCode::OccurrenceConstraintViolation);
}

TEST_CASE("error_code_from_string rejects unknown and differently cased codes", "[error]") {
  CHECK_FALSE(ocpp::error_code_from_string(""));
  CHECK_FALSE(ocpp::error_code_from_string("genericerror"));
  CHECK_FALSE(ocpp::error_code_from_string("GenericError "));
  CHECK_FALSE(ocpp::error_code_from_string("SomethingElse"));
}

TEST_CASE("subprotocol names round-trip and unknown names are rejected", "[error][version]") {
  CHECK(ocpp::subprotocol(Version::v16) == "ocpp1.6");
  CHECK(ocpp::subprotocol(Version::v201) == "ocpp2.0.1");
  CHECK(ocpp::version_from_subprotocol("ocpp1.6") == Version::v16);
  CHECK(ocpp::version_from_subprotocol("ocpp2.0.1") == Version::v201);
  CHECK_FALSE(ocpp::version_from_subprotocol("ocpp2.0"));
  CHECK_FALSE(ocpp::version_from_subprotocol("OCPP1.6"));
  CHECK_FALSE(ocpp::version_from_subprotocol(""));
}
