# Helpers shared by every block: RTL discovery, Verilation, lint and synth tests.
#
# RTL convention: every rtl/**/<name>.sv holds one module <name>; files ending in
# _pkg.sv hold packages and are read first. rtl/lint.vlt holds all lint waivers.

find_package(verilator HINTS $ENV{VERILATOR_ROOT} /usr/share/verilator)

file(GLOB_RECURSE SQUISH_RTL_ALL CONFIGURE_DEPENDS ${SQUISH_ROOT}/rtl/*.sv)
list(SORT SQUISH_RTL_ALL)
set(SQUISH_RTL_PKGS "")
set(SQUISH_RTL_MODULE_FILES "")
foreach(f ${SQUISH_RTL_ALL})
  if(f MATCHES "_pkg\\.sv$")
    list(APPEND SQUISH_RTL_PKGS ${f})
  else()
    list(APPEND SQUISH_RTL_MODULE_FILES ${f})
  endif()
endforeach()
set(SQUISH_RTL_DIRS "")
foreach(f ${SQUISH_RTL_ALL})
  get_filename_component(d ${f} DIRECTORY)
  list(APPEND SQUISH_RTL_DIRS ${d})
endforeach()
list(REMOVE_DUPLICATES SQUISH_RTL_DIRS)
set(SQUISH_VLT ${SQUISH_ROOT}/rtl/lint.vlt)

# squish_verilate(<target> TOP <module> [PREFIX <V...>] [ARGS <verilator args>...])
#   Verilates module <TOP> (found by name under rtl/) into <target>. All packages
#   are read first and every rtl/ folder is on the module search path, so a block
#   never lists its submodules by hand. Models are built with FST tracing (off
#   until a test enables it) and, in coverage builds, with --coverage.
function(squish_verilate target)
  cmake_parse_arguments(SV "" "TOP;PREFIX" "ARGS" ${ARGN})
  if(NOT SV_PREFIX)
    set(SV_PREFIX V${SV_TOP})
  endif()
  set(top_file "")
  foreach(f ${SQUISH_RTL_MODULE_FILES})
    get_filename_component(n ${f} NAME_WE)
    if(n STREQUAL SV_TOP)
      set(top_file ${f})
    endif()
  endforeach()
  if(NOT top_file)
    message(FATAL_ERROR "squish_verilate: no rtl/**/${SV_TOP}.sv")
  endif()
  set(cov "")
  if(SQUISH_COVERAGE)
    set(cov COVERAGE)
  endif()
  verilate(${target} ${cov} TRACE_FST
    PREFIX ${SV_PREFIX} TOP_MODULE ${SV_TOP}
    SOURCES ${SQUISH_VLT} ${SQUISH_RTL_PKGS} ${top_file}
    INCLUDE_DIRS ${SQUISH_RTL_DIRS}
    VERILATOR_ARGS -Wall -Wno-fatal --x-assign unique --x-initial unique --assert
                   -O3 ${SV_ARGS}
    OPT_FAST -O1 OPT_SLOW -O0)
endfunction()

# squish_rtl_test(<name> SOURCES <cpp>... [LIBS <libs>...] [LABELS <labels>])
#   A GoogleTest testbench executable; each TEST becomes its own CTest test
#   with the given labels (always "rtl").
function(squish_rtl_test name)
  cmake_parse_arguments(RT "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${RT_SOURCES})
  target_link_libraries(${name} PRIVATE squish_sim_harness ${RT_LIBS} GTest::gtest_main)
  # Golden data is found from the source root, whatever the working directory.
  target_compile_definitions(${name} PRIVATE SQUISH_ROOT="${SQUISH_ROOT}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 NO_PRETTY_VALUES
    PROPERTIES LABELS "rtl;${RT_LABELS}" TIMEOUT 600
    ENVIRONMENT "SQUISH_OUT=${CMAKE_BINARY_DIR};SQUISH_ROOT=${SQUISH_ROOT}")
endfunction()

# Per-module lint (verilator -Wall) and quick Yosys synthesis, as CTest tests.
function(squish_register_rtl_checks)
  foreach(f ${SQUISH_RTL_MODULE_FILES})
    get_filename_component(n ${f} NAME_WE)
    add_test(NAME lint.${n} COMMAND ${SQUISH_ROOT}/scripts/lint.sh ${n})
    set_tests_properties(lint.${n} PROPERTIES LABELS "lint" TIMEOUT 120)
    add_test(NAME synth.${n} COMMAND ${SQUISH_ROOT}/scripts/synth-check.sh ${n})
    set_tests_properties(synth.${n} PROPERTIES LABELS "synth" TIMEOUT 1200)
  endforeach()
endfunction()

# squish_showcase(<block> SOURCES ... [LIBS ...]): a `make sim` program that
# prints SHOWCASE lines (squish/sim/report.hpp). It is also a CTest test
# (label "showcase") that fails on a FAIL line or a non-zero exit.
function(squish_showcase block)
  cmake_parse_arguments(SC "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(showcase_${block} ${SC_SOURCES})
  target_link_libraries(showcase_${block} PRIVATE ${SC_LIBS})
  if(TARGET squish_sim_harness)
    target_link_libraries(showcase_${block} PRIVATE squish_sim_harness)
  endif()
  set_target_properties(showcase_${block} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/showcase)
  target_compile_definitions(showcase_${block} PRIVATE SQUISH_ROOT="${SQUISH_ROOT}")
  add_test(NAME showcase.${block} COMMAND showcase_${block})
  set_tests_properties(showcase.${block} PROPERTIES LABELS "showcase" TIMEOUT 600
                       FAIL_REGULAR_EXPRESSION "\\| FAIL \\|"
                       ENVIRONMENT "SQUISH_OUT=${CMAKE_BINARY_DIR};SQUISH_ROOT=${SQUISH_ROOT}")
endfunction()

# squish_bench(<section> SOURCES ... [LIBS ...]): a `make bench` program.
# scripts/bench.sh runs every bench_* with SQUISH_REPORTS=<build>/reports and
# SQUISH_ROOT set; each writes <reports>/bench/<section>.json and .md, which the
# script merges into bench.json / bench.md.
function(squish_bench section)
  cmake_parse_arguments(BN "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(bench_${section} ${BN_SOURCES})
  target_link_libraries(bench_${section} PRIVATE ${BN_LIBS})
  if(TARGET squish_sim_harness)
    target_link_libraries(bench_${section} PRIVATE squish_sim_harness)
  endif()
  set_target_properties(bench_${section} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
  target_compile_definitions(bench_${section} PRIVATE SQUISH_ROOT="${SQUISH_ROOT}")
endfunction()
