# Fencing: fence_apc_pdu (APC PDUs over SNMP with net-snmp in process, the SSH stonith proxy with
# libssh2, the cluster-glue external/ plugin). Its metadata is fence-agents' format, not OCF, so it
# lives in metadata/fence/ (not metadata/*.xml, which the OCF DTD test checks) and is embedded here.
pkg_check_modules(NETSNMP REQUIRED IMPORTED_TARGET netsnmp)
pkg_check_modules(LIBSSH2 REQUIRED IMPORTED_TARGET libssh2)
# libsan/snmp/net_snmp_client.cc and libsan/remote/libssh2_session.cc are part of `san`.
target_link_libraries(san PUBLIC PkgConfig::NETSNMP PkgConfig::LIBSSH2)

set(SANHA_FENCE_METADATA ${CMAKE_SOURCE_DIR}/metadata/fence/fence_apc_pdu.xml)
set(SANHA_FENCE_METADATA_CC ${CMAKE_BINARY_DIR}/generated/fence_metadata.cc)
add_custom_command(
  OUTPUT ${SANHA_FENCE_METADATA_CC}
  COMMAND ${CMAKE_COMMAND} -DIN=${SANHA_FENCE_METADATA} -DOUT=${SANHA_FENCE_METADATA_CC}
          -P ${CMAKE_SOURCE_DIR}/cmake/embed_fence_metadata.cmake
  DEPENDS ${SANHA_FENCE_METADATA} ${CMAKE_SOURCE_DIR}/cmake/embed_fence_metadata.cmake
  COMMENT "Embedding fence agent metadata")
target_sources(san PRIVATE ${SANHA_FENCE_METADATA_CC})

file(GLOB SANHA_FENCE_FRONT CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fence/*.cc)
add_executable(fence_apc_pdu ${SANHA_FENCE_FRONT})
target_link_libraries(fence_apc_pdu PRIVATE san Boost::program_options)
install(TARGETS fence_apc_pdu DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(FILES ${SANHA_FENCE_METADATA} DESTINATION share/sanha/metadata/fence)
# cluster-glue external/ plugin (heartbeat v1 stonith_host, `stonith -t external/sanha_apc_pdu`):
# the same binary under another name.
install(CODE "file(MAKE_DIRECTORY \$ENV{DESTDIR}/usr/lib/stonith/plugins/external)
  execute_process(COMMAND ${CMAKE_COMMAND} -E create_symlink
    /usr/sbin/fence_apc_pdu \$ENV{DESTDIR}/usr/lib/stonith/plugins/external/sanha_apc_pdu)")

if(TARGET san_unit_tests)
  # The integration scripts run the built agent.
  add_dependencies(san_unit_tests fence_apc_pdu)
endif()

# `ctest -L fence` runs the fence agent's integration scripts.
foreach(t integration-fence_pdu integration-fence_proxy integration-fence_glue)
  if(TEST ${t})
    set_tests_properties(${t} PROPERTIES LABELS "integration;fence")
  endif()
endforeach()
if(TEST integration-fence_pacemaker)
  set_tests_properties(integration-fence_pacemaker PROPERTIES LABELS "integration;fence")
endif()
