# The C API (include/smtpp/smtpp.h): one C++ translation unit over the header-only core,
# built as a static library (smtpp::c, libsmtpp_c.a) and a shared one (smtpp::c_shared,
# libsmtpp_c.so) that exports only smtpp_* symbols. Always without exceptions and RTTI,
# so a C program links it with a C compiler and no C++ runtime.
option(SMTPP_BUILD_C "Build the C API libraries (smtpp::c, smtpp::c_shared)" ON)
if(SMTPP_BUILD_C)
  foreach(kind IN ITEMS static shared)
    if(kind STREQUAL "static")
      set(tgt smtpp_c)
      add_library(${tgt} STATIC src/smtpp_c.cpp)
    else()
      set(tgt smtpp_c_shared)
      add_library(${tgt} SHARED src/smtpp_c.cpp)
      target_compile_definitions(${tgt} PUBLIC SMTPP_C_SHARED)
      set_target_properties(${tgt} PROPERTIES VERSION ${PROJECT_VERSION}
        SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
    endif()
    target_link_libraries(${tgt} PRIVATE smtpp)
    target_include_directories(${tgt} PUBLIC
      $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_compile_definitions(${tgt} PRIVATE SMTPP_C_BUILDING)
    target_compile_features(${tgt} PRIVATE cxx_std_17)
    smtpp_target_defaults(${tgt})
    if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
      target_compile_options(${tgt} PRIVATE -fno-exceptions -fno-rtti)
    endif()
    set_target_properties(${tgt} PROPERTIES OUTPUT_NAME smtpp_c
      CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON POSITION_INDEPENDENT_CODE ON)
  endforeach()
  add_library(smtpp::c ALIAS smtpp_c)
  add_library(smtpp::c_shared ALIAS smtpp_c_shared)
  set_target_properties(smtpp_c PROPERTIES EXPORT_NAME c)
  set_target_properties(smtpp_c_shared PROPERTIES EXPORT_NAME c_shared)
  if(SMTPP_INSTALL)
    install(TARGETS smtpp_c smtpp_c_shared EXPORT smtppTargets
      ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
      LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
      RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    configure_file(cmake/smtpp-c.pc.in ${PROJECT_BINARY_DIR}/smtpp-c.pc @ONLY)
    # smtpp-c-shared.pc: the same library with -DSMTPP_C_SHARED, so that a Windows consumer
    # of the DLL calls through __declspec(dllimport) (docs/guide.md, "Linking the C API").
    configure_file(cmake/smtpp-c-shared.pc.in ${PROJECT_BINARY_DIR}/smtpp-c-shared.pc @ONLY)
    install(FILES ${PROJECT_BINARY_DIR}/smtpp-c.pc ${PROJECT_BINARY_DIR}/smtpp-c-shared.pc
      DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
  endif()
endif()
