# Import libraries for kernel exports that mingw-w64 lacks (tools/wdk_compat/*.def.in), generated
# at configure time with dlltool. Sets, for drivers built with drvsec_add_driver:
#   DRVSEC_WDK_COMPAT_CFLAGS             -I for tools/wdk_compat/wdk_compat.h
#   DRVSEC_KERNEL_EXTRA_LIBS_x64 / _x86  import libraries to pass as LDFLAGS (ntoskrnl extras, TDI.SYS)
#   DRVSEC_WDFLDR_LIB_x64 / _x86         import library for WDFLDR.SYS (WdfVersionBind: KMDF fixtures)

set(DRVSEC_WDK_COMPAT_DIR ${PROJECT_SOURCE_DIR}/tools/wdk_compat)
set(DRVSEC_WDK_COMPAT_CFLAGS -I${DRVSEC_WDK_COMPAT_DIR} -Wno-pragma-pack)
set(_implib_dir ${CMAKE_BINARY_DIR}/importlibs)
file(MAKE_DIRECTORY ${_implib_dir})

foreach(arch x64 x86)
  set(DRVSEC_KERNEL_EXTRA_LIBS_${arch})
  foreach(def ntoskrnl_extra tdi wdfldr)
    set(in ${DRVSEC_WDK_COMPAT_DIR}/${def}.def.in)
    set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${in})
    set(lib ${_implib_dir}/lib${def}_${arch}.a)
    if(arch STREQUAL x64)
      # x64 has one calling convention: the names carry no @N suffix.
      file(READ ${in} text)
      string(REGEX REPLACE "@[0-9]+" "" text "${text}")
      file(WRITE ${_implib_dir}/${def}_x64.def "${text}")
      set(cmd x86_64-w64-mingw32-dlltool -m i386:x86-64 -d ${_implib_dir}/${def}_x64.def -l ${lib})
    else()
      # -k: import the undecorated name (ExAllocatePool2), link against the stdcall one (@16).
      set(cmd i686-w64-mingw32-dlltool -m i386 -k -d ${in} -l ${lib})
    endif()
    execute_process(COMMAND ${cmd} RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "dlltool failed for ${def} (${arch}): ${err}")
    endif()
    if(def STREQUAL wdfldr)
      set(DRVSEC_WDFLDR_LIB_${arch} ${lib})
    else()
      list(APPEND DRVSEC_KERNEL_EXTRA_LIBS_${arch} ${lib})
    endif()
  endforeach()
endforeach()
