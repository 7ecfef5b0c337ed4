# Shared part of the mingw toolchains: compilers, search paths, XP-era PE header versions.
set(CMAKE_C_COMPILER ${KBS_TRIPLET}-gcc)
set(CMAKE_RC_COMPILER ${KBS_TRIPLET}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${KBS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_C_FLAGS_INIT "-D_WIN32_WINNT=${KBS_WINNT} -DWINVER=${KBS_WINNT} -D__USE_MINGW_ANSI_STDIO=1")
# Static libgcc; the PE header must let the XP loader accept the file.
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "-static-libgcc -static -Wl,--major-os-version,${KBS_PE_VERSION_MAJOR} -Wl,--minor-os-version,${KBS_PE_VERSION_MINOR} -Wl,--major-subsystem-version,${KBS_PE_VERSION_MAJOR} -Wl,--minor-subsystem-version,${KBS_PE_VERSION_MINOR}")
# Release builds ship stripped: the agent goes to 35,000 desktops over the network.
set(CMAKE_EXE_LINKER_FLAGS_MINSIZEREL_INIT "-s")
set(CMAKE_SHARED_LINKER_FLAGS_MINSIZEREL_INIT "-s")
