# Optional dependencies of the command-line tool only (the library keeps
# zlib, libdeflate and pthreads): libspng for PNG files and LibRaw for
# camera raw files (DNG and the formats LibRaw reads). Each option defaults
# to ON when pkg-config finds the library; asking for one that is missing
# is a configure error. docs/building.md says why these two libraries.
find_package(PkgConfig QUIET)

set(_exrqoi_spng_found OFF)
set(_exrqoi_libraw_found OFF)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(SPNG QUIET IMPORTED_TARGET spng)
  if(SPNG_FOUND)
    set(_exrqoi_spng_found ON)
  endif()
  # the thread-safe build of LibRaw; the plain one if that is all there is
  pkg_check_modules(LIBRAW QUIET IMPORTED_TARGET libraw_r)
  if(NOT LIBRAW_FOUND)
    pkg_check_modules(LIBRAW QUIET IMPORTED_TARGET libraw)
  endif()
  if(LIBRAW_FOUND)
    set(_exrqoi_libraw_found ON)
  endif()
endif()

option(EXRQOI_WITH_PNG "exrqoi tool: read and write PNG files (libspng)" ${_exrqoi_spng_found})
option(EXRQOI_WITH_RAW "exrqoi tool: read camera raw files (LibRaw)" ${_exrqoi_libraw_found})

if(EXRQOI_WITH_PNG AND NOT _exrqoi_spng_found)
  message(FATAL_ERROR "EXRQOI_WITH_PNG=ON but libspng was not found (pkg-config spng; "
                      "Debian: libspng-dev). Install it or configure with -DEXRQOI_WITH_PNG=OFF.")
endif()
if(EXRQOI_WITH_RAW AND NOT _exrqoi_libraw_found)
  message(FATAL_ERROR "EXRQOI_WITH_RAW=ON but LibRaw was not found (pkg-config libraw_r or "
                      "libraw; Debian: libraw-dev). Install it or configure with -DEXRQOI_WITH_RAW=OFF.")
endif()

if(EXRQOI_WITH_PNG)
  message(STATUS "exrqoi tool: PNG support with libspng ${SPNG_VERSION}")
else()
  message(STATUS "exrqoi tool: built WITHOUT PNG support (libspng not found or "
                 "EXRQOI_WITH_PNG=OFF; Debian: libspng-dev)")
endif()
if(EXRQOI_WITH_RAW)
  message(STATUS "exrqoi tool: camera raw support with LibRaw ${LIBRAW_VERSION}")
else()
  message(STATUS "exrqoi tool: built WITHOUT camera raw support (LibRaw not found or "
                 "EXRQOI_WITH_RAW=OFF; Debian: libraw-dev)")
endif()
