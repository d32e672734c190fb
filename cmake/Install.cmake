# `cmake --install build` (or `make install`): the binaries to bin, the
# production configuration to /etc/csms/csms.json (an existing one is kept),
# the systemd unit and its user, the operator's documentation.
include(GNUInstallDirs)
set(CSMS_INSTALL_CONFDIR "/etc/csms" CACHE PATH "Where csms.json is installed")
set(CSMS_INSTALL_UNITDIR "/etc/systemd/system" CACHE PATH "Where csms.service is installed")
set(CSMS_INSTALL_SYSUSERSDIR "/etc/sysusers.d" CACHE PATH "Where the csms user's sysusers.d entry goes")
set(CSMS_INSTALL_LOGROTATEDIR "/etc/logrotate.d" CACHE PATH "Where the logrotate entry for log.file goes")

install(TARGETS csms csmsctl ocpp-sim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The unit names the installed binary and configuration.
file(READ ${CMAKE_SOURCE_DIR}/deploy/csms.service csms_unit)
string(REPLACE "/usr/local/bin/" "${CMAKE_INSTALL_FULL_BINDIR}/" csms_unit "${csms_unit}")
string(REPLACE "/usr/local/share/doc/csms/" "${CMAKE_INSTALL_FULL_DOCDIR}/" csms_unit "${csms_unit}")
string(REPLACE "/etc/csms/csms.json" "${CSMS_INSTALL_CONFDIR}/csms.json" csms_unit "${csms_unit}")
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/generated/csms.service CONTENT "${csms_unit}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/deploy/csms.service)
install(FILES ${CMAKE_BINARY_DIR}/generated/csms.service DESTINATION ${CSMS_INSTALL_UNITDIR})
install(FILES ${CMAKE_SOURCE_DIR}/deploy/csms.sysusers DESTINATION ${CSMS_INSTALL_SYSUSERSDIR}
        RENAME csms.conf)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/logrotate.d/csms DESTINATION ${CSMS_INSTALL_LOGROTATEDIR})

# An operator's edited configuration survives a reinstall or an upgrade
# (file(INSTALL) adds DESTDIR itself).
install(CODE "
  set(conf \"\$ENV{DESTDIR}${CSMS_INSTALL_CONFDIR}/csms.json\")
  if(EXISTS \"\${conf}\")
    message(STATUS \"Keeping: \${conf}\")
  else()
    file(INSTALL \"${CMAKE_SOURCE_DIR}/deploy/csms.json\" DESTINATION
         \"${CSMS_INSTALL_CONFDIR}\" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()")

install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/CHANGELOG.md
              ${CMAKE_SOURCE_DIR}/docs/operations.md ${CMAKE_SOURCE_DIR}/docs/configuration.md
              ${CMAKE_SOURCE_DIR}/docs/admin-api.md ${CMAKE_SOURCE_DIR}/docs/security.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
