include(CMakePackageConfigHelpers)

install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS intercom intercom_testing EXPORT intercomTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET intercom-fake-server)
    install(TARGETS intercom-fake-server RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
# intercom::redis exists only when hiredis was found; the package config then offers the
# optional component `redis` (find_package(intercom COMPONENTS redis)).
set(INTERCOM_WITH_REDIS OFF)
if(TARGET intercom_redis)
    set(INTERCOM_WITH_REDIS ON)
    install(TARGETS intercom_redis EXPORT intercomTargets
            ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
            LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
            RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
# Likewise intercom::prometheus, when prometheus-cpp was found: component `prometheus`.
set(INTERCOM_WITH_PROMETHEUS OFF)
if(TARGET intercom_prometheus)
    set(INTERCOM_WITH_PROMETHEUS ON)
    install(TARGETS intercom_prometheus EXPORT intercomTargets
            ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
            LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
            RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(EXPORT intercomTargets NAMESPACE intercom:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/intercom)

configure_package_config_file(cmake/intercomConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/intercomConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/intercom)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/intercomConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/intercomConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/intercomConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/intercom)
