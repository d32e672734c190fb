# csms_warnings: the warning flags every target of ours links against.
add_library(csms_warnings INTERFACE)
target_compile_options(csms_warnings INTERFACE -Wall -Wextra -Wpedantic)
if(CSMS_WERROR)
  target_compile_options(csms_warnings INTERFACE -Werror)
endif()
