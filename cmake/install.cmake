# Installation rules (headers, libraries, tool, CMake package, pkg-config).
install(DIRECTORY include/exrqoi DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/include/exrqoi/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/exrqoi)
