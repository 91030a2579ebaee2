# ARM64 with Debian's gcc-aarch64-linux-gnu; tests under qemu-aarch64.
# See cmake/cross-debian.cmake and docs/building.md.
set(EXRQOI_CROSS_TRIPLET aarch64-linux-gnu)
set(EXRQOI_CROSS_PROCESSOR aarch64)
set(EXRQOI_CROSS_QEMU aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/cross-debian.cmake)
