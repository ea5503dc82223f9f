# battkit_add_driver(NAME SOURCES files... [IMPORTS battc] [NO_INSTALL])
# Builds a driver as a shared object <NAME>.so in build/lib/drivers, against
# the WDK headers only. --no-undefined makes a WDM routine the host lacks a
# link error that names the routine.
set(BATTKIT_DRIVER_OUTPUT_DIR ${CMAKE_BINARY_DIR}/lib/drivers)
function(battkit_add_driver name)
  cmake_parse_arguments(D "NO_INSTALL" "" "SOURCES;IMPORTS" ${ARGN})
  add_library(${name} SHARED ${D_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX "" SUFFIX ".so" NO_SONAME OFF
    LIBRARY_OUTPUT_DIRECTORY ${BATTKIT_DRIVER_OUTPUT_DIR}
    BUILD_RPATH "${BATTKIT_DRIVER_OUTPUT_DIR};${CMAKE_BINARY_DIR}/lib"
    INSTALL_RPATH "$ORIGIN;$ORIGIN/../..")
  target_link_libraries(${name} PRIVATE wdk_headers battkit-ntos ${D_IMPORTS})
  target_link_options(${name} PRIVATE -Wl,-soname,${name}.so)
  # clang leaves the ASan runtime to the executable: a sanitized driver has
  # undefined __asan_* symbols until it is loaded (gcc links libasan in).
  if(NOT (BATTKIT_SANITIZE AND CMAKE_C_COMPILER_ID MATCHES "Clang"))
    target_link_options(${name} PRIVATE -Wl,--no-undefined)
  endif()
  if(NOT BATTKIT_SANITIZE)
    target_link_options(${name} PRIVATE -Wl,-z,defs)
  endif()
  if(D_NO_INSTALL)
    return()  # test drivers: built for the tests, never shipped
  endif()
  install(TARGETS ${name} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/battkit/drivers)
  file(GLOB infs ${CMAKE_CURRENT_SOURCE_DIR}/*.inf)
  if(infs)
    file(COPY ${infs} DESTINATION ${BATTKIT_DRIVER_OUTPUT_DIR})
    install(FILES ${infs} DESTINATION ${CMAKE_INSTALL_LIBDIR}/battkit/drivers)
  endif()
endfunction()
