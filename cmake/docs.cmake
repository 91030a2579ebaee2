# `docs` target: Doxygen over the public headers, warnings are errors, HTML
# in <build>/docs/html. Inside another project it is `exrqoi_docs`.
find_package(Doxygen QUIET)
if(DOXYGEN_FOUND)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/Doxyfile.in ${CMAKE_CURRENT_BINARY_DIR}/Doxyfile @ONLY)
  set(_exrqoi_docs_target exrqoi_docs)
  if(EXRQOI_IS_TOP_LEVEL)
    set(_exrqoi_docs_target docs)
  endif()
  add_custom_target(${_exrqoi_docs_target}
    COMMAND ${DOXYGEN_EXECUTABLE} ${CMAKE_CURRENT_BINARY_DIR}/Doxyfile
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
    COMMENT "Doxygen: API reference in ${CMAKE_CURRENT_BINARY_DIR}/docs/html"
    VERBATIM)
endif()
