# drvsec_add_driver(NAME <name> TOOLCHAIN mingw-x64|mingw-x86|clang-x64|clang-x86
#                   SOURCES <c files> OUTPUT_DIR <dir> [ENTRY DriverEntry]
#                   [CFLAGS <flags>...] [LDFLAGS <flags>...] [TARGET <custom target to attach to>])
# Compiles a Windows kernel driver <dir>/<name>.sys with cmake/build_driver.sh. The .sys is
# added to the custom target named by TARGET (created on first use), so a test executable
# can depend on all of its fixture drivers at once.
function(drvsec_add_driver)
  cmake_parse_arguments(D "" "NAME;TOOLCHAIN;OUTPUT_DIR;ENTRY;TARGET" "SOURCES;CFLAGS;LDFLAGS" ${ARGN})
  if(NOT D_ENTRY)
    set(D_ENTRY DriverEntry)
  endif()
  if(NOT D_TARGET)
    set(D_TARGET drvsec_fixtures)
  endif()
  set(out ${D_OUTPUT_DIR}/${D_NAME}.sys)
  set(srcs)
  foreach(s ${D_SOURCES})
    get_filename_component(abs ${s} ABSOLUTE)
    list(APPEND srcs ${abs})
  endforeach()
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${D_OUTPUT_DIR}
    COMMAND bash ${PROJECT_SOURCE_DIR}/cmake/build_driver.sh ${D_TOOLCHAIN} ${out} ${D_ENTRY} ${srcs}
            --cflags ${D_CFLAGS} --ldflags ${D_LDFLAGS}
    DEPENDS ${srcs} ${PROJECT_SOURCE_DIR}/cmake/build_driver.sh
    COMMENT "Building driver ${D_NAME}.sys (${D_TOOLCHAIN})"
    VERBATIM)
  if(NOT TARGET ${D_TARGET})
    add_custom_target(${D_TARGET} ALL)
  endif()
  set(tgt ${D_TARGET}_${D_NAME})
  add_custom_target(${tgt} DEPENDS ${out})
  add_dependencies(${D_TARGET} ${tgt})
endfunction()
