// CSR/CSC arrays against scipy.sparse on the committed golden matrices
// (golden/sparse/matrices.txt, made by golden/sparse/make_golden.py).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "squish/sparse/sparse.hpp"

using namespace squish::sparse;

namespace {

struct Golden {
  std::string name;
  std::map<std::string, std::vector<int64_t>> arrays;
};

std::vector<Golden> load() {
  std::ifstream f(std::string(SQUISH_ROOT) + "/golden/sparse/matrices.txt");
  std::vector<Golden> out;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream is(line);
    std::string key;
    is >> key;
    if (key == "matrix") {
      out.emplace_back();
      is >> out.back().name;
    } else if (key != "end" && !out.empty()) {
      auto& v = out.back().arrays[key];
      int64_t x;
      while (is >> x) v.push_back(x);
    }
  }
  return out;
}

template <class T>
std::vector<int64_t> widen(const std::vector<T>& v) {
  return {v.begin(), v.end()};
}

}  // namespace

TEST(ScipyGolden, CsrCscArraysEqualScipy) {
  const auto golden = load();
  ASSERT_GE(golden.size(), 8u) << "golden/sparse/matrices.txt missing or short";
  for (const auto& g : golden) {
    SCOPED_TRACE(g.name);
    const auto& sh = g.arrays.at("shape");
    const std::vector<uint32_t> shape = {static_cast<uint32_t>(sh[0]), static_cast<uint32_t>(sh[1])};
    Params p;
    p.value_bits = static_cast<unsigned>(g.arrays.at("bits").at(0));
    const auto& dense64 = g.arrays.at("dense");
    const std::vector<int32_t> dense(dense64.begin(), dense64.end());
    const Encoding csr = encode(Format::Csr, dense, shape, p);
    EXPECT_EQ(widen(csr.ptr), g.arrays.at("csr_indptr"));
    EXPECT_EQ(widen(csr.index), g.arrays.at("csr_indices"));
    EXPECT_EQ(widen(csr.values), g.arrays.at("csr_data"));
    const Encoding csc = encode(Format::Csc, dense, shape, p);
    EXPECT_EQ(widen(csc.ptr), g.arrays.at("csc_indptr"));
    EXPECT_EQ(widen(csc.index), g.arrays.at("csc_indices"));
    EXPECT_EQ(widen(csc.values), g.arrays.at("csc_data"));
    // And through the bitstream.
    EXPECT_EQ(decode(deserialize(serialize(csr))), dense);
    EXPECT_EQ(decode(deserialize(serialize(csc))), dense);
    // COO-1D indices are the C-order flat positions scipy's CSR implies.
    const Encoding coo1d = encode(Format::Coo1d, dense, shape, p);
    std::vector<int64_t> flat;
    const auto& ip = g.arrays.at("csr_indptr");
    const auto& ix = g.arrays.at("csr_indices");
    for (size_t r = 0; r + 1 < ip.size(); ++r)
      for (int64_t k = ip[r]; k < ip[r + 1]; ++k) flat.push_back(static_cast<int64_t>(r) * sh[1] + ix[k]);
    EXPECT_EQ(widen(coo1d.index), flat);
  }
}
