# rtl/entropy: the Huffman, Tunstall and rANS decoders, their RTL engine (for
# the CLI's --engine rtl and the bench), testbench, showcase and bench.
squish_verilate(squish_rtl TOP huffman_decoder PREFIX Vhuffman_decoder)
squish_verilate(squish_rtl TOP rans_decoder PREFIX Vrans_decoder)
squish_verilate(squish_rtl TOP rans_decoder PREFIX Vrans_decoder16 ARGS -GLanes=16)
squish_verilate(squish_rtl TOP tunstall_decoder PREFIX Vtunstall_decoder)
target_sources(squish_rtl PRIVATE ${CMAKE_CURRENT_LIST_DIR}/engine.cpp)
squish_rtl_test(tb_entropy SOURCES ${CMAKE_CURRENT_LIST_DIR}/tb_entropy.cpp ${CMAKE_CURRENT_LIST_DIR}/tb_entropy_last.cpp
                ${CMAKE_CURRENT_LIST_DIR}/tb_rans_tables.cpp
                LABELS entropy)
# The real weight slices live in golden/entropy/.
target_compile_definitions(tb_entropy PRIVATE SQUISH_ROOT="${SQUISH_ROOT}")
squish_bench(entropy SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_entropy.cpp)
target_compile_definitions(bench_entropy PRIVATE SQUISH_ROOT="${SQUISH_ROOT}")
squish_showcase(entropy SOURCES ${CMAKE_CURRENT_LIST_DIR}/showcase_entropy.cpp)
squish_bench(stream SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_stream.cpp)
