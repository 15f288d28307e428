# tgtd's management socket: test tooling only (not installed). tgtd-record relays and records
# tgtadm's socket conversations (tests/data/tgtd_socket/capture.sh); tgtd-sock drives the
# libsan client for the integration test and the bench.
add_executable(tgtd-record ${CMAKE_SOURCE_DIR}/tests/tools/tgtd_record.cc)
target_link_libraries(tgtd-record PRIVATE san)
add_executable(tgtd-sock ${CMAKE_SOURCE_DIR}/tests/tools/tgtd_sock.cc)
target_link_libraries(tgtd-sock PRIVATE san)
