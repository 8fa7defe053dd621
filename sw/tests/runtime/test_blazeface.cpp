// BlazeFace post-processing: MediaPipe's anchor layout (count, order, centres),
// box decoding on hand-computed raw values, the sigmoid score with its clip,
// and the NMS unit's integer boxes.
#include <gtest/gtest.h>

#include <cmath>

#include "squish/error.hpp"
#include "squish/runtime/blazeface.hpp"

using namespace squish;
using namespace squish::runtime;

TEST(BlazeFace, FrontAnchors) {
  const auto a = blazeface_anchors(128);
  ASSERT_EQ(a.size(), 896u);
  // Stride 8: 16x16 cells, 2 anchors per cell, row-major.
  EXPECT_FLOAT_EQ(a[0][0], 0.5f / 16);
  EXPECT_FLOAT_EQ(a[0][1], 0.5f / 16);
  EXPECT_EQ(a[1], a[0]);
  EXPECT_FLOAT_EQ(a[2][0], 1.5f / 16);
  EXPECT_FLOAT_EQ(a[32][1], 1.5f / 16);  // second row of cells
  EXPECT_FLOAT_EQ(a[511][0], 15.5f / 16);
  // Stride 16: 8x8 cells, 6 anchors per cell.
  EXPECT_FLOAT_EQ(a[512][0], 0.5f / 8);
  EXPECT_EQ(a[517], a[512]);
  EXPECT_FLOAT_EQ(a[518][0], 1.5f / 8);
  EXPECT_FLOAT_EQ(a[895][0], 7.5f / 8);
  EXPECT_FLOAT_EQ(a[895][1], 7.5f / 8);
  for (const auto& x : a) {
    EXPECT_EQ(x[2], 1.0f);
    EXPECT_EQ(x[3], 1.0f);
  }
  EXPECT_EQ(blazeface_anchors(256).size(), 896u);
  EXPECT_FLOAT_EQ(blazeface_anchors(256)[0][0], 0.5f / 16);
  EXPECT_THROW(blazeface_anchors(192), UsageError);
}

TEST(BlazeFace, Decode) {
  const std::vector<Anchor> anchors{{0.25f, 0.5f, 1.0f, 1.0f}, {0.5f, 0.5f, 2.0f, 1.0f}};
  // R = 6: dx dy w h kx ky.
  const std::vector<float> reg{12.8f, -6.4f, 32.f, 64.f, 0.f, 12.8f,   //
                               0.f, 0.f, 12.8f, 12.8f, 6.4f, 0.f};
  const std::vector<float> sc{0.0f, 500.0f};
  const auto d = decode_blazeface(reg, 6, sc, anchors, 128);
  ASSERT_EQ(d.size(), 2u);
  // cx = 12.8/128 + 0.25 = 0.35, cy = -0.05 + 0.5 = 0.45, w = 0.25, h = 0.5.
  EXPECT_NEAR(d[0].x1, 0.225f, 1e-6);
  EXPECT_NEAR(d[0].x2, 0.475f, 1e-6);
  EXPECT_NEAR(d[0].y1, 0.2f, 1e-6);
  EXPECT_NEAR(d[0].y2, 0.7f, 1e-6);
  EXPECT_FLOAT_EQ(d[0].score, 0.5f);
  EXPECT_NEAR(d[0].keypoints[0], 0.25f, 1e-6);
  EXPECT_NEAR(d[0].keypoints[1], 0.6f, 1e-6);
  // Anchor width 2 scales x: w = 0.1 * 2 = 0.2; score clipped at 100.
  EXPECT_NEAR(d[1].x2 - d[1].x1, 0.2f, 1e-6);
  EXPECT_NEAR(d[1].y2 - d[1].y1, 0.1f, 1e-6);
  EXPECT_FLOAT_EQ(d[1].score, 1.0f / (1.0f + std::exp(-100.0f)));
  EXPECT_NEAR(d[1].keypoints[0], 0.6f, 1e-6);
  EXPECT_THROW(decode_blazeface(reg, 6, std::vector<float>{0.f}, anchors, 128), FormatError);
}

TEST(BlazeFace, NmsBox) {
  Detection d{};
  d.x1 = 0.0f, d.y1 = -0.5f, d.x2 = 1.0f, d.y2 = 5.0f;
  const auto b = nms_box(d);
  EXPECT_EQ(b.x1, 8192);
  EXPECT_EQ(b.y1, 0);
  EXPECT_EQ(b.x2, 24576);
  EXPECT_EQ(b.y2, 65535);
}
