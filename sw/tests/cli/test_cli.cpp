// The squish binary end to end: exit codes, compress -> info --json ->
// decompress on the committed real-weight slice, bit-exact against the library.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "cli_run.hpp"
#include "squish/container/sqz.hpp"
#include "squish/io/json_read.hpp"
#include "squish/io/npy.hpp"
#include "squish/io/tfjs.hpp"

using namespace squish;
namespace fs = std::filesystem;

namespace {
const std::string kSlice = std::string(SQUISH_ROOT) + "/golden/models/ssd_mobilenetv1_slice/slice-weights_manifest.json";

using cli_test::run;
using cli_test::squish_bin;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("squish_cli_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string p(const std::string& f) const { return (dir_ / f).string(); }
  fs::path dir_;
};
}  // namespace

TEST_F(Cli, ExitCodes) {
  ASSERT_TRUE(fs::exists(squish_bin())) << squish_bin();
  EXPECT_EQ(run("").code, 1);
  EXPECT_EQ(run("compress").code, 1);
  EXPECT_EQ(run("compress " + kSlice + " -o " + p("x.sqz") + " --bogus").code, 1);
  EXPECT_EQ(run("compress " + kSlice + " -o " + p("x.sqz") + " --bits 9").code, 1);
  EXPECT_EQ(run("compress " + kSlice + " -o " + p("x.sqz") + " --prune-nm 5:4").code, 1);
  EXPECT_EQ(run("compress " + kSlice + " -o " + p("x.sqz") + " --bits 4 --bit-budget 3").code, 1);
  EXPECT_EQ(run("compress " + p("missing.npy") + " -o " + p("x.sqz")).code, 2);
  EXPECT_EQ(run("compress --help").code, 0);
  io::write_file(p("junk.sqz"), std::vector<uint8_t>(100, 7));
  EXPECT_EQ(run("info " + p("junk.sqz")).code, 2);
  EXPECT_EQ(run("decompress " + p("junk.sqz") + " -o " + p("d")).code, 2);
}

TEST_F(Cli, CompressInfoDecompress) {
  const auto src = io::load_tfjs(kSlice);
  for (const std::string opts : {"--bits 8 --keep-float Output/extra_dim", "--prune-unstructured 0.8 --bits 4 --per-channel --sparse-format auto",
                                 "--prune-nm 2:4 --bits 4 --sparse-format nm", "--bit-budget 3 --coder rans", "--kmeans 16 --coder huffman", "--lossless --coder tunstall"}) {
    const std::string f = p("m.sqz");
    ASSERT_EQ(run("compress " + kSlice + " -o " + f + " --quiet " + opts).code, 0) << opts;
    const auto info = run("info --json " + f);
    ASSERT_EQ(info.code, 0);
    const auto j = io::parse_json(info.out);
    const auto* total = j.find("total");
    ASSERT_NE(total, nullptr);
    const double bytes = total->find("file_bytes")->number("file_bytes");
    EXPECT_EQ(bytes, static_cast<double>(fs::file_size(f)));
    EXPECT_EQ(j.find("tensors")->array("t").size(), src.size());
    ASSERT_EQ(run("decompress " + f + " -o " + p("out.npz") + " --quiet").code, 0);
    const auto got = io::read_npz(io::read_file(p("out.npz")));
    const auto c = container::parse(io::read_file(f));
    ASSERT_EQ(got.size(), src.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].name, src[i].name);
      EXPECT_EQ(got[i].data, container::decode_tensor(c.sections[i]).data) << opts << " " << got[i].name;
      if (opts.rfind("--bits 8", 0) == 0 || opts.rfind("--lossless", 0) == 0) EXPECT_EQ(got[i].data, src[i].data) << "lossless " << got[i].name;
    }
    if (opts.rfind("--bits 8", 0) == 0 || opts.rfind("--lossless", 0) == 0) EXPECT_EQ(total->find("sqnr_db")->string("sqnr"), "inf");
  }
  // numpy input (channel axis 0), per-channel 3-bit with clipping, every format chosen automatically.
  const std::string npz = std::string(SQUISH_ROOT) + "/golden/io/stored.npz";
  ASSERT_EQ(run("compress " + npz + " -o " + p("n.sqz") + " --quiet --bits 3 --per-channel --sparse-format auto").code, 0);
  ASSERT_EQ(run("decompress " + p("n.sqz") + " -o " + p("n.npz") + " --quiet").code, 0);
  const auto nz = io::read_npz(io::read_file(p("n.npz")));
  ASSERT_EQ(nz.size(), 3u);
  EXPECT_EQ(nz[1].name, "b/c");
  EXPECT_EQ(nz[1].dtype, DType::I8);  // int tensors come back unchanged
  EXPECT_EQ(nz[1].data, io::read_npz(io::read_file(npz))[1].data);
  const auto cn = container::parse(io::read_file(p("n.sqz")));
  EXPECT_EQ(cn.sections[2].quant.channel_axis, 0);  // [16, 9] float16 weight, per channel along axis 0
  ASSERT_EQ(run("decompress " + p("m.sqz") + " -o " + p("dir") + " --quiet").code, 0);
  EXPECT_TRUE(fs::exists(p("dir/MobilenetV1/Conv2d_1_depthwise/depthwise_weights.npy")));
  const auto text = run("info " + p("m.sqz"));
  EXPECT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("total:"), std::string::npos);
}
