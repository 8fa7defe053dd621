# rtl/top: the accelerator top (squish_top) behind its AXI4-Lite register map
# and AXI4-Stream ports, and the RTL device backend (squish::runtime::
# make_rtl_device) that drives it the way a driver drives the FPGA build.
# The Verilated build has an 8192-beat weight cache. Its NMS unit keeps the
# default sizing (64 sorter cells: exact for any frame, more sorting passes;
# 8 banks x 16 slots = 128 kept boxes, more is flagged as an error, never cut
# short): Verilator evaluates every sorter cell and every kept slot's overlap
# pre-test on every clock, busy or idle, so with 1024 kept slots the idle NMS
# unit took half of the simulation time of a BlazeFace inference's GEMMs.
squish_verilate(squish_rtl TOP squish_top ARGS -GCacheDepth=8192)

add_library(squish_rtl_device STATIC ${CMAKE_CURRENT_LIST_DIR}/rtl_device.cpp)
target_include_directories(squish_rtl_device PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(squish_rtl_device PUBLIC squish_sim_harness squish_rtl squish_core)

squish_rtl_test(tb_top SOURCES ${CMAKE_CURRENT_LIST_DIR}/tb_top.cpp LIBS squish_rtl_device LABELS top)
squish_showcase(top SOURCES ${CMAKE_CURRENT_LIST_DIR}/showcase_top.cpp LIBS squish_rtl_device)
squish_bench(top SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_top.cpp LIBS squish_rtl_device)
