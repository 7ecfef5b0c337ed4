# msi.cmake: builds one kbsentry MSI with wixl (cmake -P; used by the msi target and the tests).
#   cmake -DVERSION=0.1.0 -DARCH=x86|x64 -DSVC_EXE=... -DCONSOLE_EXE=... -DOUT=....msi
#         [-DWIXL=wixl] -P msi.cmake
# Every GUID is derived from fixed names, so a given version always builds the same codes: the
# ProductCode changes with each version (a major upgrade), the UpgradeCode and the component
# GUIDs only with the architecture.
cmake_minimum_required(VERSION 3.20)

foreach(var VERSION ARCH SVC_EXE CONSOLE_EXE OUT)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "msi.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT ARCH MATCHES "^(x86|x64)$")
  message(FATAL_ERROR "msi.cmake: ARCH must be x86 or x64, not '${ARCH}'")
endif()
# Windows Installer versions are major.minor.build, each part bounded (255.255.65535).
if(NOT VERSION MATCHES "^([0-9]+)\\.([0-9]+)\\.([0-9]+)$"
   OR CMAKE_MATCH_1 GREATER 255 OR CMAKE_MATCH_2 GREATER 255 OR CMAKE_MATCH_3 GREATER 65535)
  message(FATAL_ERROR "msi.cmake: VERSION '${VERSION}' is not an MSI version (a.b.c, a,b <= 255, c <= 65535)")
endif()
if(NOT WIXL)
  set(WIXL wixl)
endif()

# The namespace of all kbsentry installer GUIDs (a fixed random UUID; never change it: the
# UpgradeCode follows from it, and a new UpgradeCode would orphan every installed agent).
set(ns 6f1b3c52-8d4e-4a7b-9c21-5e0d7a4f3b18)
macro(kbs_guid out name)
  string(UUID ${out} NAMESPACE ${ns} NAME "${name}" TYPE SHA1 UPPER)
endmacro()
kbs_guid(upgrade_code "upgrade/${ARCH}")
kbs_guid(product_code "product/${ARCH}/${VERSION}")
kbs_guid(guid_svc "component/${ARCH}/svc")
kbs_guid(guid_console "component/${ARCH}/console")
kbs_guid(guid_settings "component/${ARCH}/settings")
kbs_guid(guid_eventlog "component/${ARCH}/eventlog")

get_filename_component(wxs ${CMAKE_CURRENT_LIST_DIR}/kbsentry.wxs ABSOLUTE)
get_filename_component(OUT ${OUT} ABSOLUTE)
# wixl looks sources up relative to its search path ("."), never by absolute name: run it from
# the root and hand it root-relative paths.
foreach(var SVC_EXE CONSOLE_EXE)
  get_filename_component(abs ${${var}} ABSOLUTE)
  if(NOT EXISTS ${abs})
    message(FATAL_ERROR "msi.cmake: ${var} ${abs} does not exist")
  endif()
  file(RELATIVE_PATH ${var} / ${abs})
endforeach()
execute_process(
  COMMAND ${WIXL} -a ${ARCH} -o ${OUT}
    -D Version=${VERSION} -D Arch=${ARCH}
    -D ProductCode=${product_code} -D UpgradeCode=${upgrade_code}
    -D SvcExe=${SVC_EXE} -D ConsoleExe=${CONSOLE_EXE}
    -D GuidSvc=${guid_svc} -D GuidConsole=${guid_console}
    -D GuidSettings=${guid_settings} -D GuidEventLog=${guid_eventlog}
    ${wxs}
  WORKING_DIRECTORY /
  RESULT_VARIABLE rc ERROR_VARIABLE err)
# wixl prints GLib warnings for attributes it ignores; any other output is an error.
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "wixl failed (${rc}) building ${OUT}:\n${err}")
endif()
message(STATUS "${OUT}: ${VERSION} ${ARCH} ProductCode {${product_code}}")
