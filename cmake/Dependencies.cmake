# Every dependency comes from a Debian 12 package (scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(fmt REQUIRED)
find_path(RAPIDJSON_INCLUDE_DIR rapidjson/document.h REQUIRED)
# libmodbus: Modbus TCP (SunSpec meters) for the energy controller and ocpp-sim site.
find_package(PkgConfig REQUIRED)
pkg_check_modules(MODBUS REQUIRED IMPORTED_TARGET libmodbus)
# PostgreSQL client library (Debian libpq-dev), for the PostgreSQL backend.
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)

add_library(rapidjson INTERFACE)
target_include_directories(rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIR})
# std::string overloads; parse/assert behaviour is set in ocpp/common/json.hpp.
target_compile_definitions(rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)

if(CSMS_TESTS)
  find_package(Catch2 2 REQUIRED)
  include(Catch)
endif()
