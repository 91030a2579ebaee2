# Windows x86-64 with Debian's MinGW-w64 (gcc-mingw-w64-x86-64-posix: its
# winpthreads gives the library pthreads); tests under Wine (wine64).
# Libraries: Debian's libz-mingw-w64-dev, and what Debian does not ship for
# MinGW (libdeflate, cmocka) built from Debian's source packages into
# -DEXRQOI_WINDOWS_DEPS=DIR (.ci/windows-deps.sh, what `.ci/test windows`
# runs). Everything is linked statically (no DLL but exrqoi's own to find
# at run time). See docs/building.md.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(_triplet x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${_triplet}-gcc-posix)
if(EXISTS /usr/bin/${_triplet}-g++-posix)
  set(CMAKE_CXX_COMPILER ${_triplet}-g++-posix)
endif()
set(CMAKE_RC_COMPILER ${_triplet}-windres)

# try_compile projects read this file again: keep the folder in the
# environment they inherit
if(EXRQOI_WINDOWS_DEPS)
  set(ENV{EXRQOI_WINDOWS_DEPS} "${EXRQOI_WINDOWS_DEPS}")
else()
  set(EXRQOI_WINDOWS_DEPS "$ENV{EXRQOI_WINDOWS_DEPS}")
endif()
set(CMAKE_FIND_ROOT_PATH /usr/${_triplet} ${EXRQOI_WINDOWS_DEPS})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# static libraries only (libz.a, not the import library of zlib1.dll)
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
set(ZLIB_USE_STATIC_LIBS ON)
# C99 printf (%zu, %llu) in everything built
set(CMAKE_C_FLAGS_INIT "-D__USE_MINGW_ANSI_STDIO=1")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static")
# pkg-config sees the target's .pc files only (never the host's OpenEXR)
set(ENV{PKG_CONFIG_LIBDIR} "${EXRQOI_WINDOWS_DEPS}/lib/pkgconfig:/usr/${_triplet}/lib/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# Wine with a prefix of its own (created on first use, about 20 s), no
# debug chatter, and no offer to install Mono or Gecko
if(NOT EXRQOI_WINE_PREFIX)
  set(EXRQOI_WINE_PREFIX "$ENV{EXRQOI_WINE_PREFIX}")
endif()
set(_wine env WINEDEBUG=-all "WINEDLLOVERRIDES=mscoree,mshtml=")
if(EXRQOI_WINE_PREFIX)
  list(APPEND _wine WINEPREFIX=${EXRQOI_WINE_PREFIX})
endif()
# Debian's wine64 package alone has no `wine` on PATH
if(EXISTS /usr/lib/wine/wine64)
  set(EXRQOI_WINE /usr/lib/wine/wine64)
else()
  set(EXRQOI_WINE wine)
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR ${_wine} ${EXRQOI_WINE})

# EXRQOI_CPU_LOG=FILE in the environment at configure time: every emulated
# process appends its CPU time (user, system) and command line to FILE
# (GNU time), for the CI time budget in docs/building.md
if(DEFINED ENV{EXRQOI_CPU_LOG} AND EXISTS /usr/bin/time)
  list(PREPEND CMAKE_CROSSCOMPILING_EMULATOR /usr/bin/time -a -o $ENV{EXRQOI_CPU_LOG} -f "%U %S %C")
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES EXRQOI_WINDOWS_DEPS EXRQOI_WINE_PREFIX)
