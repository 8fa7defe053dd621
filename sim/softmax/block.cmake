# rtl/softmax: the streaming online softmax unit. Two parameterizations are
# verilated: the default (8 lanes, vectors up to 131 072) and a MaxLen = 64 one
# that lets the overflow guard be tested with short vectors.
squish_verilate(squish_rtl TOP softmax_unit PREFIX Vsoftmax_unit)
squish_verilate(squish_rtl TOP softmax_unit PREFIX Vsoftmax_unit_small ARGS -GMaxLen=64)
target_sources(squish_rtl PRIVATE ${CMAKE_CURRENT_LIST_DIR}/engine.cpp)
squish_rtl_test(tb_softmax SOURCES ${CMAKE_CURRENT_LIST_DIR}/tb_softmax.cpp LABELS softmax)
squish_showcase(softmax SOURCES ${CMAKE_CURRENT_LIST_DIR}/showcase_softmax.cpp)
squish_bench(softmax SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_softmax.cpp)
