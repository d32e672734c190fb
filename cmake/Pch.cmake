# Precompiled headers: Boost.Asio/Beast, RapidJSON, fmt and Catch2 are parsed
# once per build instead of once per translation unit (parsing is about half
# of a csms_core file's compile time: bench/results/build-time.md). Three owners, csms_pch (core.hpp: csms_core
# and what builds on it), csms_pch_tests (tests.hpp: unit_csms) and
# csms_pch_catch (catch.hpp: the other tests), compile them; the others reuse theirs
# (REUSE_FROM), which needs identical compile flags: every C++ target of ours
# gets the same ones (warnings, CMAKE_CXX_FLAGS, sanitizers); a user may define
# more macros than the owner (-D of its own), not fewer (csms_use_pch).
# -DCSMS_PCH=OFF builds without them (clang-tidy: it cannot read gcc's .gch).
option(CSMS_PCH "Precompiled headers for the Boost/Catch2-heavy targets" ON)

# ccache caches translation units that use a precompiled header only with this
# sloppiness (its manual, "Precompiled headers"); -include (how CMake uses it)
# is the form it supports.
if(CSMS_PCH AND CSMS_CCACHE AND CMAKE_CXX_COMPILER_LAUNCHER STREQUAL CSMS_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env
      CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      ${CSMS_CCACHE})
endif()

if(CSMS_PCH)
  set(csms_pch_dir ${CMAKE_CURRENT_LIST_DIR}/pch)
  add_library(csms_pch OBJECT ${csms_pch_dir}/empty.cpp)
  # ocpp's headers without a dependency on building the ocpp library first.
  set(csms_pch_includes $<TARGET_PROPERTY:ocpp,INTERFACE_INCLUDE_DIRECTORIES>)
  target_include_directories(csms_pch PRIVATE ${csms_pch_includes})
  target_link_libraries(csms_pch PRIVATE rapidjson Boost::boost OpenSSL::SSL fmt::fmt csms_warnings)
  target_precompile_headers(csms_pch PRIVATE ${csms_pch_dir}/core.hpp)
  if(CSMS_TESTS)
    add_library(csms_pch_tests OBJECT ${csms_pch_dir}/empty.cpp)
    target_include_directories(csms_pch_tests PRIVATE ${csms_pch_includes})
    target_link_libraries(csms_pch_tests
      PRIVATE rapidjson Boost::boost OpenSSL::SSL fmt::fmt Catch2::Catch2 csms_warnings)
    target_precompile_headers(csms_pch_tests PRIVATE ${csms_pch_dir}/tests.hpp)
    # Without Boost: loading the 200 MB of the one above costs the test files
    # that do not use Boost more than parsing Catch2 saves.
    add_library(csms_pch_catch OBJECT ${csms_pch_dir}/empty.cpp)
    target_include_directories(csms_pch_catch PRIVATE ${csms_pch_includes})
    target_link_libraries(csms_pch_catch PRIVATE rapidjson Catch2::Catch2 csms_warnings)
    target_precompile_headers(csms_pch_catch PRIVATE ${csms_pch_dir}/catch.hpp)
  endif()
endif()

# csms_use_pch(target [TESTS|CATCH]): compile `target` with the shared
# precompiled header (the tests' one with TESTS, Catch2 without Boost with CATCH).
# gcc uses a precompiled header only where every macro defined on its command
# line (BOOST_ALL_NO_LIB from Boost::boost, fmt's) is defined the same way, so
# a user links the owner's libraries too (headers only, where it had none).
function(csms_use_pch target)
  if(NOT CSMS_PCH)
    return()
  endif()
  if(ARGN STREQUAL "CATCH")
    target_link_libraries(${target} PRIVATE rapidjson Catch2::Catch2)
    target_precompile_headers(${target} REUSE_FROM csms_pch_catch)
    return()
  endif()
  target_link_libraries(${target} PRIVATE rapidjson Boost::boost fmt::fmt)
  if(ARGN STREQUAL "TESTS")
    target_link_libraries(${target} PRIVATE Catch2::Catch2)
    target_precompile_headers(${target} REUSE_FROM csms_pch_tests)
  else()
    target_precompile_headers(${target} REUSE_FROM csms_pch)
  endif()
endfunction()
