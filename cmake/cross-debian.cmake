# Common part of the Debian cross toolchains (cmake/toolchain-<triplet>.cmake
# sets EXRQOI_CROSS_TRIPLET, EXRQOI_CROSS_PROCESSOR and EXRQOI_CROSS_QEMU,
# then includes this). The compiler is Debian's <triplet>-gcc; the target's
# libraries (zlib, libdeflate, cmocka) come either from multiarch packages
# installed here (zlib1g-dev:<arch>, ...) or, with
# -DEXRQOI_CROSS_SYSROOT=DIR, from those packages unpacked into DIR (what
# .ci/test does: it leaves the machine's own packages alone, and works when
# a foreign architecture's security updates lag behind the host's).
# Programs run under qemu-user (CMAKE_CROSSCOMPILING_EMULATOR), so ctest
# runs the target's tests here.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${EXRQOI_CROSS_PROCESSOR})
set(CMAKE_C_COMPILER ${EXRQOI_CROSS_TRIPLET}-gcc)
if(EXISTS /usr/bin/${EXRQOI_CROSS_TRIPLET}-g++)
  set(CMAKE_CXX_COMPILER ${EXRQOI_CROSS_TRIPLET}-g++)
endif()
set(CMAKE_LIBRARY_ARCHITECTURE ${EXRQOI_CROSS_TRIPLET})

# try_compile projects read this file again: keep the sysroot in the
# environment they inherit
if(EXRQOI_CROSS_SYSROOT)
  set(ENV{EXRQOI_CROSS_SYSROOT} "${EXRQOI_CROSS_SYSROOT}")
else()
  set(EXRQOI_CROSS_SYSROOT "$ENV{EXRQOI_CROSS_SYSROOT}")
endif()

set(_libdir ${EXRQOI_CROSS_SYSROOT}/usr/lib/${EXRQOI_CROSS_TRIPLET})
set(_runlibs ${_libdir}:${EXRQOI_CROSS_SYSROOT}/lib/${EXRQOI_CROSS_TRIPLET})
if(EXRQOI_CROSS_SYSROOT)
  set(CMAKE_FIND_ROOT_PATH ${EXRQOI_CROSS_SYSROOT} /usr/${EXRQOI_CROSS_TRIPLET})
  set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
  set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
  set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
  # the unpacked libraries' own dependencies, at link time
  set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-rpath-link,${_runlibs}")
  set(CMAKE_SHARED_LINKER_FLAGS_INIT "-Wl,-rpath-link,${_runlibs}")
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# pkg-config must see the target's .pc files only (never the host's OpenEXR)
set(ENV{PKG_CONFIG_LIBDIR} "${_libdir}/pkgconfig:${EXRQOI_CROSS_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${EXRQOI_CROSS_SYSROOT}")

# qemu-user: the C library from the cross toolchain's folder, the other
# libraries from the sysroot
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-${EXRQOI_CROSS_QEMU} -L /usr/${EXRQOI_CROSS_TRIPLET})
if(EXRQOI_CROSS_SYSROOT)
  list(APPEND CMAKE_CROSSCOMPILING_EMULATOR -E LD_LIBRARY_PATH=${_runlibs})
endif()

# EXRQOI_CPU_LOG=FILE in the environment at configure time: every emulated
# process appends its CPU time (user, system) and command line to FILE
# (GNU time), for the CI time budget in docs/building.md
if(DEFINED ENV{EXRQOI_CPU_LOG} AND EXISTS /usr/bin/time)
  list(PREPEND CMAKE_CROSSCOMPILING_EMULATOR /usr/bin/time -a -o $ENV{EXRQOI_CPU_LOG} -f "%U %S %C")
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES EXRQOI_CROSS_SYSROOT)
