// squish::nms — non-maximum suppression: the bit-exact golden model of the
// rtl/nms unit, float paths that reproduce OpenCV and torchvision, Soft-NMS and
// a MaxpoolNMS-style approximation for comparison.
//
// Exactness rules (docs/nms.md):
//  * Scores order exactly as float32 values: score_key() maps a float32 to an
//    unsigned key with the same order (-0 and +0 equal, NaN rejected). Ties go
//    to the lower input index (stable order).
//  * The IoU threshold is held as the float32 value given, i.e. the rational
//    mant / 2^shift, and compared against the exact rational IoU I/U of integer
//    boxes without division: I > floor(mant*U / 2^shift) (see Threshold).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace squish::nms {

/// Parameters shared with rtl/nms/nms_unit.sv (its defaults; a testbench checks
/// the Verilated model's public parameters against these).
namespace hw {
inline constexpr unsigned kCoordBits = 16;     ///< unsigned box coordinates
inline constexpr unsigned kClassBits = 8;      ///< class id
inline constexpr unsigned kScoreBits = 32;     ///< float32 bit pattern
inline constexpr unsigned kMantBits = 24;      ///< threshold mantissa
inline constexpr unsigned kShiftBits = 6;      ///< threshold shift (0..63)
inline constexpr unsigned kMaxBoxes = 8192;    ///< boxes per frame
inline constexpr unsigned kLanes = 4;          ///< boxes per input beat
}  // namespace hw

/// Integer (fixed-point) box, corners inclusive of x1/y1; x2 >= x1, y2 >= y1.
struct Box {
  int64_t x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  bool operator==(const Box&) const = default;
};
/// Decimal box for the float paths.
struct BoxF {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;
};

/// Suppress a candidate when IoU > t (torchvision, OpenCV) or IoU >= t (py-faster-rcnn).
enum class Overlap { Greater, GreaterEqual };
/// Keep a box for NMS when score > s (OpenCV NMSBoxes) or score >= s.
enum class ScoreCmp { Greater, GreaterEqual };
/// IoU of two empty boxes (union 0): torchvision computes 0/0 = NaN, which never
/// suppresses; OpenCV's jaccardDistance defines it as 1.
enum class EmptyUnion { NoSuppress, IouOne };

struct Options {
  float iou_threshold = 0.5f;
  Overlap suppress_when = Overlap::Greater;
  bool plus_one = false;  ///< areas (x2-x1+1)(y2-y1+1), py-faster-rcnn / pixel-inclusive
  bool has_score_threshold = false;
  float score_threshold = 0.0f;
  ScoreCmp score_cmp = ScoreCmp::Greater;
  size_t top_k = 0;        ///< keep only the top_k candidates after the score filter (0 = all)
  float eta = 1.0f;        ///< OpenCV adaptive threshold: t *= eta after a kept box while t > 0.5
  size_t max_output = 0;   ///< stop after this many kept boxes (0 = no limit)
  bool class_aware = false;  ///< boxes only suppress boxes of the same class
  EmptyUnion empty_union = EmptyUnion::NoSuppress;
};

/// Total-order key of a float32 score: a > b as floats iff key(a) > key(b).
/// -0 maps to the key of +0. Throws UsageError on NaN.
uint32_t score_key(float s);

/// The IoU threshold in the hardware's exact form. IoU = I/U suppresses when
///   I > floor(mant*U / 2^shift)                      (Overlap::Greater), or
///   that, or I == floor(...) with zero remainder     (GreaterEqual, ge = true).
/// from() maps every float32 threshold (t < 0, t > 1, subnormals) exactly.
struct Threshold {
  uint32_t mant = 0;   ///< < 2^24
  uint32_t shift = 0;  ///< 0..63
  bool ge = false;
  static Threshold from(float t, Overlap cmp);
  bool suppresses(uint64_t inter, uint64_t uni) const;
  bool operator==(const Threshold&) const = default;
};

/// Intersection and union areas of two integer boxes (exact).
struct InterUnion {
  uint64_t inter = 0, uni = 0;
};
InterUnion inter_union(const Box& a, const Box& b, bool plus_one);

/// Does kept box `k` suppress candidate `c` under these options (class ignored)?
bool suppresses(const Box& k, const Box& c, const Threshold& t, const Options& o);

/// Exact greedy NMS on integer boxes (the model of the hardware). Returns kept
/// input indices in keep order (descending score, ties by lower index).
/// `classes` is empty or one id per box. Throws UsageError on bad input.
std::vector<uint32_t> greedy(std::span<const Box> boxes, std::span<const float> scores,
                             std::span<const uint32_t> classes, const Options& opt);

/// How a float path computes IoU.
enum class FloatIou {
  Torchvision,  ///< float32 inter/(a+b-inter), compared with the threshold as double
  OpenCV,       ///< 1 - float(1 - double(inter)/(a+b-inter)), compared in float
};
/// Greedy NMS on decimal boxes, reproducing torchvision's nms or OpenCV's NMSBoxes.
std::vector<uint32_t> greedy_float(std::span<const BoxF> boxes, std::span<const float> scores,
                                   std::span<const uint32_t> classes, const Options& opt, FloatIou how);

/// Soft-NMS (Bodla et al. 2017). Linear: s *= 1 - IoU when IoU > t. Gaussian:
/// s *= exp(-IoU^2 / sigma) (the paper's and OpenCV's convention) or
/// s *= exp(-IoU^2 / (2 sigma^2)) (variance convention).
enum class SoftMethod { Linear, Gaussian };
enum class SigmaConvention { Paper, Variance };
struct SoftOptions {
  SoftMethod method = SoftMethod::Linear;
  SigmaConvention sigma_convention = SigmaConvention::Paper;
  float sigma = 0.5f;
  float iou_threshold = 0.3f;   ///< linear only
  float score_threshold = 0.001f;  ///< stop when the best remaining score < this
  size_t top_k = 0;             ///< 0 = all
};
struct SoftResult {
  std::vector<uint32_t> indices;
  std::vector<float> scores;  ///< decayed score of each kept index
};
/// Soft-NMS on integer boxes with OpenCV's IoU arithmetic and selection order.
SoftResult soft_nms(std::span<const Box> boxes, std::span<const float> scores, const SoftOptions& opt);

/// MaxpoolNMS-style approximation (Cai et al. 2019, generalised to box lists):
/// boxes are binned by scale (log2 of sqrt(area)) and by centre on a grid whose
/// cell is `cell_fraction` of the scale; a box is kept when it is the best of its
/// cell and no cell in the 3x3 neighbourhood of the same scale holds a better one.
struct MaxpoolOptions {
  float cell_fraction = 0.5f;
  bool has_score_threshold = false;
  float score_threshold = 0.0f;
};
std::vector<uint32_t> maxpool_nms(std::span<const Box> boxes, std::span<const float> scores,
                                  const MaxpoolOptions& opt);

/// Cycle model of rtl/nms/nms_unit for one frame in one sorter pass, without
/// backpressure, top_k or max_output (docs/nms.md):
///   T = ingest + select + 6
///   ingest = sum over input beats of max(1, boxes in the beat passing the score filter)
///   select = sum over candidates, in keep order, of min(first suppressor's
///            position in its bank, max(1, overlapping kept boxes in the busiest bank))
/// with kept box k in bank k mod banks, tested in slot order, overlap meaning a
/// positive intersection (and the same class when class-aware).
struct CycleEstimate {
  uint64_t ingest = 0, select = 0, total = 0;
  size_t survivors = 0, kept = 0;
};
CycleEstimate estimate_cycles(std::span<const Box> boxes, std::span<const float> scores,
                              std::span<const uint32_t> classes, const Options& opt, unsigned lanes, unsigned banks);

/// Synthetic detector output. K objects with log-normal sizes placed uniformly
/// in a width x height frame; each object gets `boxes_per_object` boxes jittered
/// by up to `jitter` of its size, with scores confidence * decay^rank; the rest
/// of the n boxes are background clutter with scores ~ U(0, background_max)
/// (mostly below a detector's score threshold).
struct DetectorParams {
  size_t n = 1000;
  size_t objects = 40;
  size_t boxes_per_object = 8;
  int64_t width = 1920, height = 1080;
  float jitter = 0.15f;
  float decay = 0.85f;
  float background_max = 0.32f;
  uint64_t seed = 1;
};
struct Frame {
  std::vector<Box> boxes;
  std::vector<float> scores;
  std::vector<uint32_t> classes;
};
Frame detector_frame(const DetectorParams& p);

/// Parses "x1,y1,x2,y2,score[,class]" CSV with a header line. Integer
/// coordinates fill `boxes`; if any coordinate is decimal, `is_integer` is
/// false and only `boxes_f` is meaningful. Errors name the line and column.
struct Csv {
  std::vector<Box> boxes;
  std::vector<BoxF> boxes_f;
  std::vector<float> scores;
  std::vector<uint32_t> classes;
  bool is_integer = true;
  bool has_class = false;
};
Csv parse_csv(const std::string& text, const std::string& where = "input");

}  // namespace squish::nms
