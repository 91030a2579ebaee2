# s390x (64-bit big-endian) with Debian's gcc-s390x-linux-gnu; tests under
# qemu-s390x. See cmake/cross-debian.cmake and docs/building.md.
set(EXRQOI_CROSS_TRIPLET s390x-linux-gnu)
set(EXRQOI_CROSS_PROCESSOR s390x)
set(EXRQOI_CROSS_QEMU s390x)
include(${CMAKE_CURRENT_LIST_DIR}/cross-debian.cmake)
