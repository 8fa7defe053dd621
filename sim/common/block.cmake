# rtl/common: FIFO, skid buffer, width converters. Several parameterizations of
# each cell are verilated so the corners (depth 1, non-power-of-two depth) run too.
squish_verilate(squish_rtl TOP fifo_sync PREFIX Vfifo_sync_d4 ARGS -GWidth=9 -GDepth=4)
squish_verilate(squish_rtl TOP fifo_sync PREFIX Vfifo_sync_d1 ARGS -GWidth=9 -GDepth=1)
squish_verilate(squish_rtl TOP fifo_sync PREFIX Vfifo_sync_d5 ARGS -GWidth=9 -GDepth=5)
squish_verilate(squish_rtl TOP skid_buffer PREFIX Vskid_buffer ARGS -GWidth=9)
squish_verilate(squish_rtl TOP stream_upsizer PREFIX Vstream_upsizer ARGS -GInWidth=4 -GRatio=8)
squish_verilate(squish_rtl TOP stream_downsizer PREFIX Vstream_downsizer ARGS -GOutWidth=4 -GRatio=8)
squish_rtl_test(tb_common SOURCES ${CMAKE_CURRENT_LIST_DIR}/tb_common.cpp LABELS common)
squish_showcase(common SOURCES ${CMAKE_CURRENT_LIST_DIR}/showcase_common.cpp)
