# Toolchain: Windows XP SP3 x86 and later (i686-w64-mingw32).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86)
set(KBS_TRIPLET i686-w64-mingw32)
set(KBS_WINNT 0x0501)
set(KBS_PE_VERSION_MAJOR 5)
set(KBS_PE_VERSION_MINOR 1)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-common.cmake)
