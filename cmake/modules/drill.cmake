# The failover drill's initiator, sanha-drill-writer (ha-examples/drill/writer/): built into the
# build directory for the drill and its tests, not installed. libiscsi is its iSCSI client.
pkg_check_modules(LIBISCSI REQUIRED IMPORTED_TARGET libiscsi)

set(SANHA_DRILL_DIR ${CMAKE_SOURCE_DIR}/ha-examples/drill/writer)
# The pure part (block format, log, verifier) is a library so the unit tests link it.
add_library(san_drill STATIC ${SANHA_DRILL_DIR}/block_format.cc ${SANHA_DRILL_DIR}/write_log.cc
                             ${SANHA_DRILL_DIR}/verifier.cc)
target_link_libraries(san_drill PUBLIC san)

add_executable(sanha-drill-writer ${SANHA_DRILL_DIR}/main.cc ${SANHA_DRILL_DIR}/iscsi_lun.cc
                                  ${SANHA_DRILL_DIR}/run_write.cc ${SANHA_DRILL_DIR}/run_verify.cc)
target_link_libraries(sanha-drill-writer PRIVATE san_drill PkgConfig::LIBISCSI
                                                 Boost::program_options)

if(TARGET san_unit_tests)
  target_link_libraries(san_unit_tests PRIVATE san_drill)
  # tests/integration/drill_writer.sh runs the built writer.
  add_dependencies(san_unit_tests sanha-drill-writer)
endif()

# The failover drill itself (tests/integration/drill.sh: every scenario, three node deaths, under
# a real two-node Pacemaker): label `drill`, run once in the normal build (the ASan pass skips it
# with -LE drill: it exercises Pacemaker, not our memory safety, and takes minutes).
if(TEST integration-drill)
  set_tests_properties(integration-drill PROPERTIES LABELS "integration;drill" TIMEOUT 1500
                                                    RUN_SERIAL TRUE)
endif()
