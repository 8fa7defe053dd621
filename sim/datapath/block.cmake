# rtl/mac: the sparse, mixed-precision datapath. The full datapath is verilated
# with a 4096-entry activation buffer (the 12-bit column index); the
# decomposable multiplier is verilated alone for its exhaustive test. The
# decoder + datapath path (rtl/sparse/ + mac_sparse_datapath) is built too and
# the testbench, showcase and bench run through it.
squish_verilate(squish_rtl TOP mac_datapath ARGS -GActDepth=4096)
squish_verilate(squish_rtl TOP mac_mul_decomp)
target_sources(squish_rtl PRIVATE ${CMAKE_CURRENT_LIST_DIR}/engine.cpp)
# The decoder + datapath path ships; its tests must never compile out.
if(NOT EXISTS ${SQUISH_ROOT}/rtl/sparse/sparse_decoder.sv OR NOT EXISTS ${SQUISH_ROOT}/rtl/mac/mac_sparse_datapath.sv)
  message(FATAL_ERROR "rtl/sparse/sparse_decoder.sv or rtl/mac/mac_sparse_datapath.sv missing: "
                      "the decoder + datapath tests cannot be built")
endif()
squish_verilate(squish_rtl TOP mac_sparse_datapath ARGS -GActDepth=4096)
target_sources(squish_rtl PRIVATE ${CMAKE_CURRENT_LIST_DIR}/engine_sparse.cpp)

squish_rtl_test(tb_datapath SOURCES ${CMAKE_CURRENT_LIST_DIR}/tb_datapath.cpp LABELS datapath)
squish_showcase(datapath SOURCES ${CMAKE_CURRENT_LIST_DIR}/showcase_datapath.cpp)
target_compile_definitions(showcase_datapath PRIVATE SQUISH_SOURCE_ROOT="${SQUISH_ROOT}")
squish_bench(datapath SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_datapath.cpp)
target_compile_definitions(bench_datapath PRIVATE SQUISH_SOURCE_ROOT="${SQUISH_ROOT}")
