# Dependencies: Debian's libsqlite3/libcmocka on Linux; built from Debian sources for mingw.
if(WIN32)
  # Built once per triplet under build/ and shared by every build tree beside it.
  get_filename_component(KBS_DEPS_ROOT ${CMAKE_BINARY_DIR}/.. ABSOLUTE)
  set(KBS_DEPS_PREFIX ${KBS_DEPS_ROOT}/_deps/${KBS_TRIPLET}-${KBS_WINNT} CACHE PATH
      "where the mingw builds of sqlite3 and cmocka go")
  set(KBS_DEPS_SRC ${KBS_DEPS_ROOT}/_deps-src)
  execute_process(
    COMMAND bash ${CMAKE_SOURCE_DIR}/cmake/build-deps.sh ${KBS_TRIPLET} ${KBS_DEPS_PREFIX}
            ${KBS_DEPS_SRC} ${KBS_WINNT}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "building sqlite3/cmocka for ${KBS_TRIPLET} failed (${rc})")
  endif()
  add_library(kbs_sqlite3 STATIC IMPORTED GLOBAL)
  set_target_properties(kbs_sqlite3 PROPERTIES
    IMPORTED_LOCATION ${KBS_DEPS_PREFIX}/lib/libsqlite3.a
    INTERFACE_INCLUDE_DIRECTORIES ${KBS_DEPS_PREFIX}/include)
  add_library(kbs_cmocka STATIC IMPORTED GLOBAL)
  set_target_properties(kbs_cmocka PROPERTIES
    IMPORTED_LOCATION ${KBS_DEPS_PREFIX}/lib/libcmocka.a
    INTERFACE_INCLUDE_DIRECTORIES ${KBS_DEPS_PREFIX}/include)
else()
  find_path(KBS_SQLITE_INC sqlite3.h REQUIRED)
  find_library(KBS_SQLITE_LIB sqlite3 REQUIRED)
  add_library(kbs_sqlite3 UNKNOWN IMPORTED GLOBAL)
  set_target_properties(kbs_sqlite3 PROPERTIES IMPORTED_LOCATION ${KBS_SQLITE_LIB}
    INTERFACE_INCLUDE_DIRECTORIES ${KBS_SQLITE_INC})
  find_path(KBS_CMOCKA_INC cmocka.h REQUIRED)
  find_library(KBS_CMOCKA_LIB cmocka REQUIRED)
  add_library(kbs_cmocka UNKNOWN IMPORTED GLOBAL)
  set_target_properties(kbs_cmocka PROPERTIES IMPORTED_LOCATION ${KBS_CMOCKA_LIB}
    INTERFACE_INCLUDE_DIRECTORIES ${KBS_CMOCKA_INC})
endif()
