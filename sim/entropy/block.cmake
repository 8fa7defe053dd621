# rtl/entropy: the Huffman, Tunstall and rANS decoders, their RTL engine (for
# the CLI's --engine rtl and the bench), testbench, showcase and bench.
squish_verilate(squish_rtl TOP huffman_decoder PREFIX Vhuffman_decoder)
squish_verilate(squish_rtl TOP rans_decoder PREFIX Vrans_decoder)
squish_verilate(squish_rtl TOP tunstall_decoder PREFIX Vtunstall_decoder)
target_sources(squish_rtl PRIVATE ${CMAKE_CURRENT_LIST_DIR}/engine.cpp)
squish_rtl_test(tb_entropy SOURCES ${CMAKE_CURRENT_LIST_DIR}/tb_entropy.cpp LABELS entropy)
squish_bench(entropy SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_entropy.cpp)
squish_showcase(entropy SOURCES ${CMAKE_CURRENT_LIST_DIR}/showcase_entropy.cpp)
