# The CLI's block engines (sw/include/squish/runtime/block_engines.hpp) over the
# Verilated engines of every block; only in full builds (no SQUISH_BLOCKS
# filter), the only ones whose squish links the RTL.
if(NOT SQUISH_BLOCKS)
  target_sources(squish_rtl PRIVATE ${CMAKE_CURRENT_LIST_DIR}/block_engines_rtl.cpp)
endif()
