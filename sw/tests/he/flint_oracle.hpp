// The HE tests' independent oracle: negacyclic products by FLINT.
#pragma once

#include <flint/nmod_poly.h>

#include <cstdint>
#include <vector>

namespace he_test {

/// a * b mod (x^n + 1) over Z_q, by FLINT's nmod_poly (n = a.size() = b.size()).
inline std::vector<uint64_t> flint_negacyclic(uint64_t q, const std::vector<uint64_t>& a,
                                              const std::vector<uint64_t>& b) {
  const size_t n = a.size();
  nmod_poly_t pa, pb, pc, f;
  nmod_poly_init(pa, q);
  nmod_poly_init(pb, q);
  nmod_poly_init(pc, q);
  nmod_poly_init(f, q);
  for (size_t i = 0; i < n; ++i) {
    nmod_poly_set_coeff_ui(pa, static_cast<slong>(i), a[i]);
    nmod_poly_set_coeff_ui(pb, static_cast<slong>(i), b[i]);
  }
  nmod_poly_set_coeff_ui(f, 0, 1);
  nmod_poly_set_coeff_ui(f, static_cast<slong>(n), 1);
  nmod_poly_mulmod(pc, pa, pb, f);
  std::vector<uint64_t> c(n);
  for (size_t i = 0; i < n; ++i) c[i] = nmod_poly_get_coeff_ui(pc, static_cast<slong>(i));
  nmod_poly_clear(pa);
  nmod_poly_clear(pb);
  nmod_poly_clear(pc);
  nmod_poly_clear(f);
  return c;
}

}  // namespace he_test
