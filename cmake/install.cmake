# Installation (GNUInstallDirs layout), CMake package, pkg-config file, man
# page, docs and examples, uninstall target, and CPack Debian packages split
# the way Debian splits libraries:
#   libexrqoi0     the shared library (component "runtime")
#   libexrqoi-dev  headers, static library, .so link, CMake config, .pc ("dev")
#   exrqoi-tools   the command-line tool and its man page ("tools")
# Included when EXRQOI_INSTALL is ON (the default when top level); CPack
# only when this is the top-level project (a parent project packages itself).
include(CMakePackageConfigHelpers)

set(EXRQOI_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/exrqoi)

install(TARGETS exrqoi EXPORT exrqoiTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_SKIP
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS exrqoi LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev NAMELINK_ONLY)
install(TARGETS exrqoi_static EXPORT exrqoiTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(DIRECTORY include/exrqoi DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/include/exrqoi/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/exrqoi COMPONENT dev)

install(EXPORT exrqoiTargets NAMESPACE exrqoi:: DESTINATION ${EXRQOI_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(cmake/exrqoiConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/exrqoiConfig.cmake INSTALL_DESTINATION ${EXRQOI_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/exrqoiConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/exrqoiConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/exrqoiConfigVersion.cmake
              cmake/Findlibdeflate.cmake
        DESTINATION ${EXRQOI_CMAKE_DIR} COMPONENT dev)

# pkg-config: relocatable through ${pcfiledir}
set(EXRQOI_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
# (lib/pkgconfig -> ../.., lib/x86_64-linux-gnu/pkgconfig -> ../../..)
string(REGEX REPLACE "[^/]+" ".." EXRQOI_PC_TO_PREFIX "${EXRQOI_PC_DIR}")
set(EXRQOI_PC_LIBM "")
if(EXRQOI_LIBM)
  set(EXRQOI_PC_LIBM " -lm")
endif()
configure_file(cmake/exrqoi.pc.in ${CMAKE_CURRENT_BINARY_DIR}/exrqoi.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/exrqoi.pc DESTINATION ${EXRQOI_PC_DIR} COMPONENT dev)

if(EXRQOI_BUILD_TOOLS)
  install(TARGETS exrqoi_tool RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
  install(FILES docs/exrqoi.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT tools)
endif()

install(FILES README.md LICENSE CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT dev)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs COMPONENT dev
        FILES_MATCHING PATTERN "*.md")
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples COMPONENT dev
        FILES_MATCHING PATTERN "*.c" PATTERN "*.exr" PATTERN "CMakeLists.txt")

# uninstall: removes what the last install wrote (install_manifest.txt)
if(NOT TARGET uninstall)
  configure_file(cmake/uninstall.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/uninstall.cmake @ONLY)
  add_custom_target(uninstall COMMAND ${CMAKE_COMMAND} -P ${CMAKE_CURRENT_BINARY_DIR}/uninstall.cmake)
endif()

# ---- CPack ---------------------------------------------------------------
if(NOT EXRQOI_IS_TOP_LEVEL)
  return()
endif()
set(CPACK_PACKAGE_NAME exrqoi)
set(CPACK_PACKAGE_VENDOR "libexrqoi contributors")
set(CPACK_PACKAGE_CONTACT "libexrqoi maintainers <maintainers@libexrqoi.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "OpenEXR and QOI image library")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_CURRENT_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR "DEB;TGZ")
# DEB only from a build whose layout is Debian's (cmake/cpack_project.cmake.in)
set(EXRQOI_DEB_LAYOUT OFF)
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr"
   AND (NOT CMAKE_LIBRARY_ARCHITECTURE OR CMAKE_INSTALL_LIBDIR STREQUAL "lib/${CMAKE_LIBRARY_ARCHITECTURE}"))
  set(EXRQOI_DEB_LAYOUT ON)
endif()
configure_file(cmake/cpack_project.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/CPackProjectConfig.cmake @ONLY)
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_CURRENT_BINARY_DIR}/CPackProjectConfig.cmake)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_ARCHIVE_COMPONENT_INSTALL OFF) # one .tar.gz of the whole install tree
set(CPACK_COMPONENTS_ALL runtime dev tools)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libexrqoi${EXRQOI_SOVERSION})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libexrqoi-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libexrqoi${EXRQOI_SOVERSION} (= ${PROJECT_VERSION}), libdeflate-dev, zlib1g-dev")
set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME exrqoi-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION graphics)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "libexrqoi shared library\n OpenEXR (all codecs, deep data) and QOI reading and writing.")
set(CPACK_COMPONENT_DEV_DESCRIPTION "libexrqoi development files\n Headers, static library, CMake package and pkg-config file.")
set(CPACK_COMPONENT_TOOLS_DESCRIPTION "exrqoi command-line tool\n Inspect, hash, check, convert (EXR/QOI), flatten and benchmark images.")
include(CPack)

