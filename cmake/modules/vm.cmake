# The real-kernel test tier (tests/vm/, docs/vm-tier.md): one CTest test per scenario script under
# tests/vm/scenarios/, label `vm`, run as `bash SCRIPT BUILD_DIR`. A setup test builds (or reuses)
# the guest image first so parallel scenarios do not each wait for it. Exit 77 (skip) only when not
# root; qemu's TCG needs no /dev/kvm, so root never skips.
if(TARGET san_unit_tests)
  add_test(NAME vm-image COMMAND bash ${CMAKE_SOURCE_DIR}/tests/vm/build_image.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(vm-image PROPERTIES LABELS vm FIXTURES_SETUP vm_image TIMEOUT 300)
  file(GLOB SANHA_VM_SCENARIOS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/vm/scenarios/*.sh)
  foreach(script ${SANHA_VM_SCENARIOS})
    get_filename_component(name ${script} NAME_WE)
    add_test(NAME vm-${name} COMMAND bash ${script} ${CMAKE_BINARY_DIR})
    set_tests_properties(vm-${name} PROPERTIES LABELS vm SKIP_RETURN_CODE 77 TIMEOUT 600
                         FIXTURES_REQUIRED vm_image)
  endforeach()
endif()
