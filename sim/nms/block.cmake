# rtl/nms: exact greedy NMS unit.
#   Vnms_unit        the evaluated build: 4 lanes, 8192 boxes, 1024 sorter cells,
#                    8 banks x 64 kept slots
#   Vnms_unit_small  corners: 3 lanes, 512 boxes, 16 sorter cells (multi-pass),
#                    4 x 8 kept slots (kept-list overflow), output FIFO of 1
squish_verilate(squish_rtl TOP nms_unit PREFIX Vnms_unit ARGS -GSortCap=1024 -GSlotsPerBank=64)
squish_verilate(squish_rtl TOP nms_unit PREFIX Vnms_unit_small
  ARGS -GLanes=3 -GMaxBoxes=512 -GSortCap=16 -GBanks=4 -GSlotsPerBank=8 -GOutDepth=1)
target_sources(squish_rtl PRIVATE ${CMAKE_CURRENT_LIST_DIR}/engine.cpp)
squish_rtl_test(tb_nms SOURCES ${CMAKE_CURRENT_LIST_DIR}/tb_nms.cpp LABELS nms)
