# Fuzz targets (docs/fuzzing.md): tests/fuzz/<name>_fuzz.cc, each one LLVMFuzzerTestOneInput over
# a parser of hostile text, with its seed corpus in tests/data/fuzz/<name>/.
#
# SANHA_FUZZ=ON (clang only; configure with -DSANHA_TESTS=OFF): libsan is instrumented with
# -fsanitize=fuzzer-no-link,address,undefined and each target links libFuzzer, as fuzz-<name>.
# `cmake --build DIR --target fuzzers` builds libsan and the targets only.
# Otherwise, with the tests: each target links a small driver that replays its corpus
# (tests/fuzz/replay_main.cc), registered as CTest test fuzz-replay-<name>, so every crasher kept
# in the corpus stays fixed in the ordinary (and the ASan) test runs.
option(SANHA_FUZZ "Build the libFuzzer targets (clang)" OFF)

file(GLOB SANHA_FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/*_fuzz.cc)
# fence_command_line also needs the fence front's Boost.Program_options parser (fence/).
set(SANHA_FUZZ_EXTRA_fence_command_line ${CMAKE_SOURCE_DIR}/fence/command_line.cc)
# The seam some targets need (a FakeHost that runs nothing), a test-only source of libsan.
set(SANHA_FUZZ_SUPPORT ${CMAKE_SOURCE_DIR}/libsan/host/fake_host.cc)

# clang ignores `#pragma GCC target("avx2")` (and -Werror refuses the unknown pragma): give that one
# file -mavx2 instead. It is called only after a run-time check that the CPU has AVX2.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set_source_files_properties(${CMAKE_SOURCE_DIR}/libsan/blockcopy/xxh3_avx2.cc PROPERTIES
                              COMPILE_OPTIONS "-mavx2;-Wno-unknown-pragmas")
endif()

if(SANHA_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SANHA_FUZZ needs clang (CXX=clang++): libFuzzer is part of clang")
  endif()
  set(SANHA_FUZZ_FLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                       -fno-omit-frame-pointer -O1 -g1)
  target_compile_options(san PRIVATE ${SANHA_FUZZ_FLAGS})
  target_link_options(san INTERFACE -fsanitize=address,undefined)
  add_library(san_fuzz_support STATIC EXCLUDE_FROM_ALL ${SANHA_FUZZ_SUPPORT})
  target_compile_options(san_fuzz_support PRIVATE ${SANHA_FUZZ_FLAGS})
  target_link_libraries(san_fuzz_support PUBLIC san)
  add_custom_target(fuzzers)
  foreach(src ${SANHA_FUZZ_SOURCES})
    get_filename_component(name ${src} NAME_WE)
    string(REGEX REPLACE "_fuzz$" "" name ${name})
    add_executable(fuzz-${name} EXCLUDE_FROM_ALL ${src} ${SANHA_FUZZ_EXTRA_${name}})
    target_compile_options(fuzz-${name} PRIVATE ${SANHA_FUZZ_FLAGS})
    target_link_options(fuzz-${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(fuzz-${name} PRIVATE san_fuzz_support Boost::program_options)
    add_dependencies(fuzzers fuzz-${name})
  endforeach()
elseif(SANHA_TESTS)
  add_library(san_fuzz_replay STATIC ${CMAKE_SOURCE_DIR}/tests/fuzz/replay_main.cc
                                     ${SANHA_FUZZ_SUPPORT})
  target_link_libraries(san_fuzz_replay PUBLIC san)
  foreach(src ${SANHA_FUZZ_SOURCES})
    get_filename_component(name ${src} NAME_WE)
    string(REGEX REPLACE "_fuzz$" "" name ${name})
    add_executable(fuzz-replay-${name} ${src} ${SANHA_FUZZ_EXTRA_${name}})
    target_link_libraries(fuzz-replay-${name} PRIVATE san_fuzz_replay Boost::program_options)
    add_test(NAME fuzz-replay-${name}
             COMMAND fuzz-replay-${name} ${CMAKE_SOURCE_DIR}/tests/data/fuzz/${name})
    set_tests_properties(fuzz-replay-${name} PROPERTIES LABELS "unit;fuzz" TIMEOUT 120)
  endforeach()
endif()
