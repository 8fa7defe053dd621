# rtl/nms: exact greedy NMS unit.
#   Vnms_unit        the evaluated build: 4 lanes, 8192 boxes, 1024 sorter cells,
#                    8 banks x 128 kept slots
#   Vnms_unit_small  corners: 3 lanes, 512 boxes, 16 sorter cells (multi-pass),
#                    4 x 8 kept slots (kept-list overflow), output FIFO of 1
squish_verilate(squish_rtl TOP nms_unit PREFIX Vnms_unit ARGS -GSortCap=1024 -GSlotsPerBank=128)
squish_verilate(squish_rtl TOP nms_unit PREFIX Vnms_unit_small
  ARGS -GLanes=3 -GMaxBoxes=512 -GSortCap=16 -GBanks=4 -GSlotsPerBank=8 -GOutDepth=1)
target_sources(squish_rtl PRIVATE ${CMAKE_CURRENT_LIST_DIR}/engine.cpp)
# Lets `squish nms --engine rtl` know the engine is linked (builds filtered by
# SQUISH_BLOCKS may leave it out).
add_library(squish_rtl_nms_flag INTERFACE)
target_compile_definitions(squish_rtl_nms_flag INTERFACE SQUISH_HAVE_RTL_NMS=1)
target_link_libraries(squish_rtl INTERFACE squish_rtl_nms_flag)
squish_rtl_test(tb_nms SOURCES ${CMAKE_CURRENT_LIST_DIR}/tb_nms.cpp LABELS nms)
squish_bench(nms SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_nms.cpp)
squish_showcase(nms SOURCES ${CMAKE_CURRENT_LIST_DIR}/showcase_nms.cpp)
# OpenCV's NMSBoxes is the showcase's independent oracle: required.
find_package(OpenCV REQUIRED COMPONENTS core dnn)
target_link_libraries(showcase_nms PRIVATE ${OpenCV_LIBS})
target_include_directories(showcase_nms PRIVATE ${OpenCV_INCLUDE_DIRS})
