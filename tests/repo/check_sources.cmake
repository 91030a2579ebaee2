# The explicit source list (src/sources.cmake) against the tree: fails when a
# .c file under src/ is in no list (a forgotten file), when a listed file is
# absent (a moved or deleted one), when a file is listed twice, or when a
# list is not sorted (LC_ALL=C order, which keeps merges line by line).
# usage: cmake -DEXRQOI_SRC=<checkout>/src -P check_sources.cmake
cmake_minimum_required(VERSION 3.16)
if(NOT EXRQOI_SRC OR NOT EXISTS "${EXRQOI_SRC}/sources.cmake")
  message(FATAL_ERROR "usage: cmake -DEXRQOI_SRC=<checkout>/src -P check_sources.cmake")
endif()
include("${EXRQOI_SRC}/sources.cmake")

set(errors "")
set(listed "")
foreach(var EXRQOI_LIB_SOURCES EXRQOI_TOOL_IO_SOURCES EXRQOI_TOOL_SOURCES)
  if(NOT ${var})
    string(APPEND errors "  ${var} is empty or not set\n")
  endif()
  set(prev "")
  foreach(f ${${var}})
    if(prev AND prev STRGREATER_EQUAL f) # strcmp order, as LC_ALL=C sort
      string(APPEND errors "  ${var} not sorted: ${f} comes after ${prev}\n")
    endif()
    set(prev ${f})
  endforeach()
  list(APPEND listed ${${var}})
endforeach()

set(seen "")
foreach(f ${listed})
  if(f IN_LIST seen)
    string(APPEND errors "  listed twice: src/${f}\n")
  endif()
  list(APPEND seen ${f})
  if(NOT EXISTS "${EXRQOI_SRC}/${f}")
    string(APPEND errors "  listed but absent: src/${f}\n")
  endif()
endforeach()

file(GLOB_RECURSE present RELATIVE "${EXRQOI_SRC}" "${EXRQOI_SRC}/*.c")
list(SORT present)
foreach(f ${present})
  if(NOT f IN_LIST listed)
    string(APPEND errors "  not listed in src/sources.cmake: src/${f}\n")
  endif()
endforeach()

list(LENGTH present n)
if(errors)
  message(FATAL_ERROR "src/sources.cmake does not match src/:\n${errors}")
endif()
message(STATUS "src/sources.cmake lists all ${n} .c files under src/")
