include(CMakePackageConfigHelpers)
install(DIRECTORY include/smtpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS smtpp smtpp_compiled EXPORT smtppTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT smtppTargets NAMESPACE smtpp:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/smtpp)
configure_package_config_file(cmake/smtppConfig.cmake.in
  ${PROJECT_BINARY_DIR}/smtppConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/smtpp)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/smtppConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/smtppConfig.cmake ${PROJECT_BINARY_DIR}/smtppConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/smtpp)
configure_file(cmake/smtpp.pc.in ${PROJECT_BINARY_DIR}/smtpp.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/smtpp.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
