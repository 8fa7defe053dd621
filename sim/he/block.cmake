# rtl/he: the NTT unit (he_ntt_unit) at B = 2 (default) and B = 1, 4, 8 for the
# cycle measurements; the engine behind squish::he::rtl_polymul.
squish_verilate(squish_rtl TOP he_ntt_unit PREFIX Vhe_ntt_unit)
squish_verilate(squish_rtl TOP he_ntt_unit PREFIX Vhe_ntt_unit_b1 ARGS -GB=1)
squish_verilate(squish_rtl TOP he_ntt_unit PREFIX Vhe_ntt_unit_b4 ARGS -GB=4)
squish_verilate(squish_rtl TOP he_ntt_unit PREFIX Vhe_ntt_unit_b8 ARGS -GB=8)
target_sources(squish_rtl PRIVATE ${CMAKE_CURRENT_LIST_DIR}/engine.cpp)
squish_rtl_test(tb_he SOURCES ${CMAKE_CURRENT_LIST_DIR}/tb_he.cpp LABELS he)
squish_bench(he SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_he.cpp LIBS ${FLINT_LIBRARY} ${GMP_LIBRARY})
target_include_directories(bench_he PRIVATE ${FLINT_INCLUDE_DIR})
squish_showcase(he SOURCES ${CMAKE_CURRENT_LIST_DIR}/showcase_he.cpp)
