# CSMS_VERSION_STRING: `git describe` of the source tree at configure time
# (tags v1.2.3 lose their "v"), or PROJECT_VERSION plus the commit when no tag
# exists yet, or PROJECT_VERSION alone outside a git checkout (a tarball).
# -DCSMS_VERSION=... overrides all of it (a container build has no .git).
set(CSMS_VERSION "" CACHE STRING "Version string to build in (empty: from git describe)")
set(CSMS_VERSION_STRING ${PROJECT_VERSION})
find_package(Git QUIET)
if(CSMS_VERSION)
  string(REGEX REPLACE "^v" "" CSMS_VERSION_STRING "${CSMS_VERSION}")
elseif(GIT_FOUND AND EXISTS ${CMAKE_SOURCE_DIR}/.git)
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --tags --dirty --match "v[0-9]*"
                  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                  OUTPUT_VARIABLE csms_describe OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE csms_describe_rc ERROR_QUIET)
  if(csms_describe_rc EQUAL 0 AND csms_describe)
    string(REGEX REPLACE "^v" "" CSMS_VERSION_STRING "${csms_describe}")
  else()
    execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty
                    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                    OUTPUT_VARIABLE csms_commit OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE csms_commit_rc ERROR_QUIET)
    if(csms_commit_rc EQUAL 0 AND csms_commit)
      set(CSMS_VERSION_STRING "${PROJECT_VERSION}+g${csms_commit}")
    endif()
  endif()
endif()
message(STATUS "csms version ${CSMS_VERSION_STRING}")
configure_file(${CMAKE_SOURCE_DIR}/csms/include/csms/version.hpp.in
               ${CMAKE_BINARY_DIR}/generated/csms/version.hpp @ONLY)
