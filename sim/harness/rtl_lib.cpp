// Anchor translation unit of squish_rtl (the library of every Verilated model
// and RTL engine); the models themselves are added by sim/<block>/block.cmake.
namespace squish::rtl {
int library_anchor() { return 0; }
}  // namespace squish::rtl
