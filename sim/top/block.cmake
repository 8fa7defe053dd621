# rtl/top: the accelerator top (squish_top) behind its AXI4-Lite register map
# and AXI4-Stream ports, and the RTL device backend (squish::runtime::
# make_rtl_device) that drives it the way a driver drives the FPGA build.
# The Verilated build has an 8192-beat weight cache; its NMS unit keeps the
# default 64 sorter cells (exact for any frame: more
# sorting passes), because every sorter cell is evaluated every cycle and a
# 1024-cell sorter would dominate the simulation speed of GEMM layers.
squish_verilate(squish_rtl TOP squish_top ARGS -GCacheDepth=8192 -GNmsSlotsPerBank=128)

add_library(squish_rtl_device STATIC ${CMAKE_CURRENT_LIST_DIR}/rtl_device.cpp)
target_include_directories(squish_rtl_device PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(squish_rtl_device PUBLIC squish_sim_harness squish_rtl squish_core)

squish_rtl_test(tb_top SOURCES ${CMAKE_CURRENT_LIST_DIR}/tb_top.cpp LIBS squish_rtl_device LABELS top)
squish_showcase(top SOURCES ${CMAKE_CURRENT_LIST_DIR}/showcase_top.cpp LIBS squish_rtl_device)
squish_bench(top SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_top.cpp LIBS squish_rtl_device)
