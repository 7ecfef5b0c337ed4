# Toolchain: Windows XP x64 / Server 2003 SP2 x64 and later (x86_64-w64-mingw32).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(KBS_TRIPLET x86_64-w64-mingw32)
set(KBS_WINNT 0x0502)
set(KBS_PE_VERSION_MAJOR 5)
set(KBS_PE_VERSION_MINOR 2)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-common.cmake)
