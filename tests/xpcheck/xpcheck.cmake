# The XP import check: every PE file this build makes must load on the XP-era floor.
if(CMAKE_SIZEOF_VOID_P EQUAL 8)
  set(KBS_XP_EXPORTS ${CMAKE_CURRENT_LIST_DIR}/xp-x64-2003-5.2.3790.txt)
  set(KBS_XP_MAXOS 5.2)
else()
  set(KBS_XP_EXPORTS ${CMAKE_CURRENT_LIST_DIR}/xp-sp3-x86-5.1.2600.txt)
  set(KBS_XP_MAXOS 5.1)
endif()

# xpcheck itself runs on the build host, so it is compiled with the host's cc.
set(KBS_XPCHECK ${CMAKE_BINARY_DIR}/xpcheck)
add_custom_command(OUTPUT ${KBS_XPCHECK}
  COMMAND cc -O2 -Wall -Wextra -Werror -o ${KBS_XPCHECK} ${CMAKE_CURRENT_LIST_DIR}/xpcheck.c
  DEPENDS ${CMAKE_CURRENT_LIST_DIR}/xpcheck.c
  COMMENT "Building xpcheck for the build host")
add_custom_target(xpcheck_tool ALL DEPENDS ${KBS_XPCHECK})

# The negative test: a program that calls a Vista+ function must be reported.
add_executable(xp_uses_tickcount64 ${CMAKE_CURRENT_LIST_DIR}/uses_tickcount64.c)

get_property(pe_targets GLOBAL PROPERTY KBS_PE_TARGETS)
foreach(tgt ${pe_targets})
  add_test(NAME xpcheck_${tgt}
    COMMAND ${KBS_XPCHECK} --exports ${KBS_XP_EXPORTS} --max-os ${KBS_XP_MAXOS}
            $<TARGET_FILE:${tgt}>)
  set_tests_properties(xpcheck_${tgt} PROPERTIES LABELS xpcheck)
endforeach()
add_test(NAME xpcheck_bites
  COMMAND ${KBS_XPCHECK} --exports ${KBS_XP_EXPORTS} --max-os ${KBS_XP_MAXOS}
          --expect-missing KERNEL32.dll!GetTickCount64 $<TARGET_FILE:xp_uses_tickcount64>)
set_tests_properties(xpcheck_bites PROPERTIES LABELS xpcheck)

# XP's msvcrt misprints %zu/%lld: every object's printf goes through mingw-w64's own, and no
# wide format (msvcrt's _snwprintf) uses a size prefix XP lacks.
add_test(NAME xpcheck_printf
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/printf_check.sh ${CMAKE_NM} ${CMAKE_BINARY_DIR}
          ${CMAKE_SOURCE_DIR}/common ${CMAKE_SOURCE_DIR}/service ${CMAKE_SOURCE_DIR}/console)
set_tests_properties(xpcheck_printf PROPERTIES LABELS xpcheck)
