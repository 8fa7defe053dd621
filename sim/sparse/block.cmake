# rtl/sparse: the sparse weight decoder (COO-1D, RLC, bitmap, CSR, CSC, N:M ->
# nonzero stream), its testbench, make-sim showcase and bench section.
squish_verilate(squish_rtl TOP sparse_decoder)
# A wide variant: 8 payload words (256 bits) per beat, 16 entries per cycle.
squish_verilate(squish_rtl TOP sparse_decoder PREFIX Vsparse_decoder_wide
                ARGS -GInWords=8 -GEntriesPerCycle=16 -GBufWidth=768)
squish_rtl_test(tb_sparse SOURCES ${CMAKE_CURRENT_LIST_DIR}/tb_sparse.cpp LABELS sparse)
target_compile_definitions(tb_sparse PRIVATE SQUISH_ROOT="${SQUISH_ROOT}")
squish_showcase(sparse SOURCES ${CMAKE_CURRENT_LIST_DIR}/showcase_sparse.cpp LIBS squish_core)
target_compile_definitions(showcase_sparse PRIVATE SQUISH_ROOT="${SQUISH_ROOT}")
squish_bench(sparse SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_sparse.cpp LIBS squish_core)
target_compile_definitions(bench_sparse PRIVATE SQUISH_ROOT="${SQUISH_ROOT}")
