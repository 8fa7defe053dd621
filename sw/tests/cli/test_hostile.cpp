// Hostile input, so that every case of issue 14 stays fixed: outputs that are
// inputs, interrupted and failing writes, decompression bombs, non-finite
// values, malformed CSV/JSON/.sqz fields, option ranges and options that would
// do nothing. Each case runs the real squish binary (exit code + message) or
// the library, and checks that nothing was lost.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "cli_run.hpp"
#include "squish/container/compress.hpp"
#include "squish/container/sqz.hpp"
#include "squish/error.hpp"
#include "squish/io/crc32.hpp"
#include "squish/io/inflate.hpp"
#include "squish/io/json_read.hpp"
#include "squish/io/npy.hpp"
#include "squish/io/safe_write.hpp"
#include "squish/io/tfjs.hpp"
#include "squish/json.hpp"
#include "squish/nms/nms.hpp"

using namespace squish;
namespace fs = std::filesystem;

namespace {
const std::string kSliceDir = std::string(SQUISH_ROOT) + "/golden/models/ssd_mobilenetv1_slice";
const std::string kSlice = kSliceDir + "/slice-weights_manifest.json";

using cli_test::run;
using cli_test::squish_bin;

std::vector<uint8_t> slurp(const std::string& f) { return io::read_file(f); }

Tensor randn(const std::string& name, std::vector<size_t> shape, uint32_t seed) {
  std::mt19937 g(seed);
  std::normal_distribution<float> d;
  size_t n = 1;
  for (auto s : shape) n *= s;
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return Tensor::from_float(name, shape, v);
}

// No ".<name>.squish-tmp-*" left in a folder.
size_t temporaries_in(const fs::path& dir) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".squish-tmp-") != std::string::npos) ++n;
  return n;
}

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(squish_bin())) << squish_bin();
    dir_ = fs::temp_directory_path() / ("squish_hostile_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    io::write_file(p("W.npy"), io::write_npy(randn("W", {16, 32}, 1)));
    io::write_file(p("X.npy"), io::write_npy(randn("X", {32}, 2)));
    io::write_file(p("L.npy"), io::write_npy(randn("L", {4, 10}, 3)));
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string p(const std::string& f) const { return (dir_ / f).string(); }
  fs::path dir_;
};

// A small valid container (one rANS-coded weight, one raw bias) to mutate.
// rows x cols: large enough (e.g. 64 x 256) for the rANS table to pay, so the
// writer keeps the section coded instead of falling back to coder none.
container::Container small_container(entropy::CoderId coder = entropy::CoderId::Rans, size_t rows = 8, size_t cols = 16) {
  std::vector<Tensor> ts{randn("w", {rows, cols}, 5), randn("b", {8}, 6)};
  container::CompressOptions o;
  o.coder = coder;
  o.quant.bits = 4;
  return container::compress(ts, o).container;
}
}  // namespace

// ---- output = input -------------------------------------------------------

TEST_F(Hostile, OutputThatIsAnInputIsRefusedBeforeWriting) {
  const auto w = slurp(p("W.npy"));
  auto r = run("compress W.npy -o W.npy", dir_.string());
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("refusing to overwrite an input"), std::string::npos) << r.err;
  fs::create_symlink(p("W.npy"), p("link.npy"));
  EXPECT_EQ(run("compress " + p("W.npy") + " -o " + p("link.npy")).code, 1);
  EXPECT_EQ(run("compress " + p("W.npy") + " -o " + p("sub/../W.npy")).code, 1);
  fs::create_hard_link(p("W.npy"), p("hard.npy"));
  EXPECT_EQ(run("compress " + p("W.npy") + " -o " + p("hard.npy")).code, 1);
  EXPECT_EQ(run("gemv --weights " + p("W.npy") + " --input " + p("X.npy") + " -o " + p("W.npy")).code, 1);
  EXPECT_EQ(run("gemv --weights " + p("W.npy") + " --input " + p("X.npy") + " -o " + p("X.npy")).code, 1);
  const auto l = slurp(p("L.npy"));
  EXPECT_EQ(run("softmax " + p("L.npy") + " -o " + p("L.npy")).code, 1);
  EXPECT_EQ(slurp(p("L.npy")), l);
  EXPECT_EQ(slurp(p("W.npy")), w);
  // A tfjs model: its manifest and every shard are inputs.
  fs::copy(kSliceDir, p("m"), fs::copy_options::recursive);
  const auto shard = slurp(p("m/slice.bin"));
  EXPECT_EQ(run("compress " + p("m/slice-weights_manifest.json") + " -o " + p("m/slice.bin")).code, 1);
  EXPECT_EQ(run("compress " + p("m/slice-weights_manifest.json") + " -o " + p("m/slice-weights_manifest.json")).code, 1);
  EXPECT_EQ(slurp(p("m/slice.bin")), shard);
  // decompress: the input .sqz as output, and a folder output holding the input.
  ASSERT_EQ(run("compress " + p("W.npy") + " -o " + p("k.sqz") + " --quiet").code, 0);
  const auto k = slurp(p("k.sqz"));
  EXPECT_EQ(run("decompress " + p("k.sqz") + " -o " + p("k.sqz")).code, 1);
  EXPECT_EQ(run("decompress " + p("k.sqz") + " -o " + dir_.string()).code, 1);
  EXPECT_EQ(slurp(p("k.sqz")), k);
  EXPECT_EQ(temporaries_in(dir_), 0u);
}

// ---- atomic writes ----------------------------------------------------------

TEST_F(Hostile, AtomicWriteReplacesWholeOrNothing) {
  io::write_file_atomic(p("f.bin"), std::vector<uint8_t>(1000, 1));
  EXPECT_EQ(slurp(p("f.bin")), std::vector<uint8_t>(1000, 1));
  io::write_file_atomic(p("f.bin"), std::vector<uint8_t>(10, 2));
  EXPECT_EQ(slurp(p("f.bin")), std::vector<uint8_t>(10, 2));
  EXPECT_EQ(io::pending_temporaries(), 0u);
  // A write that fails half way (file-size limit): the old file stays, no temporary.
  const pid_t pid = fork();
  if (pid == 0) {
    io::install_signal_cleanup();  // ignores SIGXFSZ so write() fails with EFBIG
    struct rlimit rl{4096, 4096};
    setrlimit(RLIMIT_FSIZE, &rl);
    try {
      io::write_file_atomic(p("f.bin"), std::vector<uint8_t>(1 << 20, 3));
    } catch (const IoError&) {
      _exit(7);
    }
    _exit(0);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 7);
  EXPECT_EQ(slurp(p("f.bin")), std::vector<uint8_t>(10, 2));
  EXPECT_EQ(temporaries_in(dir_), 0u);
  // A folder is swapped in whole; a writer destroyed without commit leaves nothing.
  {
    io::FolderWriter w(p("d"));
    w.write("a/b.npy", std::vector<uint8_t>{1});
    w.commit();
  }
  EXPECT_TRUE(fs::exists(p("d/a/b.npy")));
  {
    io::FolderWriter w(p("d"));
    w.write("c.npy", std::vector<uint8_t>{2});
    EXPECT_THROW(w.write("../evil.npy", std::vector<uint8_t>{2}), FormatError);
  }
  EXPECT_TRUE(fs::exists(p("d/a/b.npy")));
  EXPECT_FALSE(fs::exists(p("d/c.npy")));
  EXPECT_FALSE(fs::exists(p("evil.npy")));
  EXPECT_EQ(temporaries_in(dir_), 0u);
  // A folder holding anything but .npy files is never replaced.
  fs::create_directories(p("keep"));
  io::write_file(p("keep/notes.txt"), std::vector<uint8_t>{1});
  EXPECT_THROW(io::FolderWriter w(p("keep")), UsageError);
  EXPECT_TRUE(fs::exists(p("keep/notes.txt")));
}

TEST_F(Hostile, InterruptedCompressKeepsThePreviousOutput) {
  // A model large enough that compress runs ~0.3-1 s; SIGTERM at random moments.
  io::write_file(p("big.npy"), io::write_npy(randn("big", {1024, 1024}, 9)));
  const std::string args = "compress " + p("big.npy") + " -o " + p("out.sqz") + " --quiet --bits 4 --coder rans";
  ASSERT_EQ(run(args).code, 0);
  const auto before = slurp(p("out.sqz"));
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(run(args + " --prune-unstructured 0.5").code, 0);  // the new output, and how long a run takes
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto after = slurp(p("out.sqz"));
  ASSERT_NE(after, before);
  io::write_file(p("out.sqz"), before);
  std::mt19937 g(getenv("SQUISH_SEED") ? static_cast<uint32_t>(std::atoi(getenv("SQUISH_SEED"))) : 1u);
  int interrupted = 0;
  for (int i = 0; i < 6; ++i) {
    const pid_t pid = fork();
    if (pid == 0) {
      execl(squish_bin().c_str(), "squish", "compress", p("big.npy").c_str(), "-o", p("out.sqz").c_str(), "--quiet", "--bits",
            "4", "--coder", "rans", "--prune-unstructured", "0.5", static_cast<char*>(nullptr));
      _exit(127);
    }
    const double at = std::uniform_real_distribution<double>(0.0, secs * 0.8)(g);
    std::this_thread::sleep_for(std::chrono::duration<double>(at));
    kill(pid, SIGTERM);
    int st = 0;
    waitpid(pid, &st, 0);
    const auto now = slurp(p("out.sqz"));
    // Either the previous file, byte for byte, or (killed after the rename)
    // the complete new one; never anything in between.
    EXPECT_TRUE(now == before || now == after) << "killed after " << at << " s: " << now.size() << " bytes";
    interrupted += now == before;
    EXPECT_EQ(temporaries_in(dir_), 0u) << "killed after " << at << " s";
    io::write_file(p("out.sqz"), before);
  }
  EXPECT_GT(interrupted, 0);
}

// ---- resource limits --------------------------------------------------------

TEST_F(Hostile, SqzClaimingHugeTensorsIsRefusedBeforeDecoding) {
  auto c = small_container();
  c.sections[0].shape = {16384, 16384};  // 2^28 elements behind a few hundred bytes
  c.sections[0].nonzero = 0;
  const auto bytes = container::serialize(c);
  ASSERT_LT(bytes.size(), 4096u);
  io::write_file(p("bomb.sqz"), bytes);
  const auto t0 = std::chrono::steady_clock::now();
  for (const std::string cmd : {"info ", "decompress "}) {
    auto r = run(cmd + p("bomb.sqz") + (cmd == "info " ? "" : " -o " + p("o.npz")));
    EXPECT_EQ(r.code, 2) << cmd << r.err;
    EXPECT_NE(r.err.find("section 0 ('w')"), std::string::npos) << r.err;
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 10.0);
  EXPECT_FALSE(fs::exists(p("o.npz")));
  // --max-elements bounds the total too.
  auto ok = container::serialize(small_container());
  io::write_file(p("ok.sqz"), ok);
  EXPECT_EQ(run("info " + p("ok.sqz")).code, 0);
  EXPECT_EQ(run("info " + p("ok.sqz") + " --max-elements 100").code, 2);
}

TEST_F(Hostile, NpzDeflateBombIsRefusedBeforeInflating) {
  // 16 Mi zero floats deflate to ~64 KB.
  Tensor z;
  z.name = "z";
  z.shape = {1 << 24};
  z.data.assign(size_t{4} << 24, 0);
  const auto npz = io::write_npz(std::vector<Tensor>{z}, /*compress=*/true);
  ASSERT_LT(npz.size(), 200000u);
  io::write_file(p("bomb.npz"), npz);
  auto r = run("compress " + p("bomb.npz") + " -o " + p("o.sqz") + " --max-elements 1000000");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("npz: member 'z.npy' declares"), std::string::npos) << r.err;
  // A member whose declared size lies: inflating stops at the declared size.
  auto lie = npz;
  // Central directory entry: uncompressed size at +24; local header: +22.
  for (size_t i = 0; i + 4 <= lie.size(); ++i) {
    const uint32_t sig = lie[i] | (lie[i + 1] << 8) | (lie[i + 2] << 16) | (static_cast<uint32_t>(lie[i + 3]) << 24);
    if (sig == 0x02014b50u) {
      lie[i + 24] = 0x00, lie[i + 25] = 0x10, lie[i + 26] = 0, lie[i + 27] = 0;  // 4096 bytes
    }
  }
  EXPECT_THROW(io::read_npz(lie), FormatError);
  EXPECT_THROW(io::inflate(io::deflate_raw(std::vector<uint8_t>(100000, 0)), 1000), FormatError);
  EXPECT_EQ(io::inflate(io::deflate_raw(std::vector<uint8_t>(100000, 7)), 100000), std::vector<uint8_t>(100000, 7));
  EXPECT_FALSE(fs::exists(p("o.sqz")));
}

// ---- non-finite values ----------------------------------------------------------

TEST_F(Hostile, NonFiniteValuesAreRefusedNamingTensorAndIndex) {
  auto w = randn("Wnan", {16, 32}, 1);
  const float nan = std::nanf(""), inf = INFINITY;
  std::memcpy(&w.data[4 * 101], &nan, 4);
  std::memcpy(&w.data[4 * 7], &inf, 4);
  io::write_file(p("Wnan.npy"), io::write_npy(w));
  auto r = run("compress " + p("Wnan.npy") + " -o " + p("o.sqz"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("tensor 'Wnan': element 7 is inf (2 non-finite values)"), std::string::npos) << r.err;
  EXPECT_EQ(run("compress " + p("Wnan.npy") + " -o " + p("o.sqz") + " --quiet --allow-nonfinite").code, 0);
  EXPECT_EQ(run("gemv --weights " + p("Wnan.npy") + " --input " + p("X.npy") + " -o " + p("y.npy")).code, 2);
  EXPECT_EQ(run("gemv --weights " + p("W.npy") + " --input " + p("Wnan.npy") + " -o " + p("y.npy")).code, 2);
  // tfjs scale 1e999 (JSON overflows to inf).
  fs::create_directories(p("t"));
  io::write_file(p("t/w.bin"), std::vector<uint8_t>(4, 1));
  const std::string m = R"([{"paths": ["w.bin"], "weights": [{"name": "k", "shape": [2, 2], "dtype": "float32",
                           "quantization": {"dtype": "uint8", "scale": 1e999, "min": 0}}]}])";
  io::write_file(p("t/m.json"), std::vector<uint8_t>(m.begin(), m.end()));
  r = run("compress " + p("t/m.json") + " -o " + p("o2.sqz"));
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_FALSE(fs::exists(p("o2.sqz")));
  // .sqz scale 1e300, NaN codebook entry, NaN energy.
  auto c = small_container(entropy::CoderId::None);
  c.sections[0].quant.channels[0].scale = 1e300;
  io::write_file(p("s1.sqz"), container::serialize(c));
  r = run("decompress " + p("s1.sqz") + " -o " + p("d1.npz"));
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("section 0 ('w')"), std::string::npos) << r.err;
  EXPECT_EQ(run("info " + p("s1.sqz")).code, 2);
  std::vector<Tensor> ts{randn("w", {8, 16}, 5)};
  container::CompressOptions ko;
  ko.quant.scheme = quant::Scheme::Codebook;
  ko.quant.kmeans_k = 4;
  auto kc = container::compress(ts, ko).container;
  kc.sections[0].quant.codebook[1] = std::nanf("");
  io::write_file(p("s2.sqz"), container::serialize(kc));
  r = run("decompress " + p("s2.sqz") + " -o " + p("d2.npz"));
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_FALSE(fs::exists(p("d1.npz")));
  EXPECT_FALSE(fs::exists(p("d2.npz")));
}

// ---- strict validation ----------------------------------------------------------

TEST_F(Hostile, OptionRangesAndOptionsThatWouldDoNothing) {
  const std::string c = "compress " + p("W.npy") + " -o " + p("o.sqz") + " ";
  for (const std::string bad : {"--bit-budget nan", "--bit-budget inf", "--bits 4.0", "--bits nan", "--bits 9", "--bits 4 --bits 5",
                                "--prune-unstructured 1.5", "--prune-nm 5:4", "--clip", "--unsigned", "--rlc-bits 3",
                                "--mp-objective relative", "--channel-norm l2", "--block 2x2", "--keep-float a,,b",
                                "--coder zip", "--sparse-format foo", "--lossless --bits 4", "extra-arg"}) {
    const auto r = run(c + bad);
    EXPECT_EQ(r.code, 1) << bad << ": " << r.err;
    EXPECT_FALSE(r.err.empty()) << bad;
  }
  const std::string csv = p("b.csv");
  io::write_file(csv, std::vector<uint8_t>{'x', '1', ',', 'y', '1', ',', 'x', '2', ',', 'y', '2', ',', 's', 'c', 'o', 'r', 'e', '\n',
                                           '0', ',', '0', ',', '9', ',', '9', ',', '1', '\n'});
  for (const std::string bad : {"--iou -1", "--iou 2", "--iou nan", "--top-k 1.5", "--score-ge", "--engine sw"})
    EXPECT_EQ(run("nms " + csv + " " + bad).code, 1) << bad;
  EXPECT_EQ(run("nms " + csv + " --iou 0.5").code, 0);
  for (const std::string bad : {"--lengths 1,,", "--lengths ,", "--variants ''", "--lengths 0"})
    EXPECT_EQ(run("softmax-eval --quick " + bad).code, 1) << bad;
  // decompress spells --engine golden|rtl like every other command; -o names a .npz or a folder.
  ASSERT_EQ(run(c + "--quiet").code, 0);
  EXPECT_EQ(run("decompress " + p("o.sqz") + " --engine sw -o " + p("d")).code, 1);
  EXPECT_EQ(run("decompress " + p("o.sqz") + " -o " + p("out.txt")).code, 1);
  EXPECT_FALSE(fs::exists(p("out.txt")));
  EXPECT_EQ(run("decompress " + p("o.sqz") + " --engine golden -o " + p("d") + " --quiet").code, 0);
  EXPECT_TRUE(fs::exists(p("d/W.npy")));
  // A folder as input, a missing input: a sentence naming it, exit 2.
  auto r = run("info " + dir_.string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("is a folder"), std::string::npos) << r.err;
  r = run("compress " + p("dir.npy") + " -o " + p("x.sqz"));
  EXPECT_EQ(r.code, 2);
  fs::create_directories(p("dir.npy"));
  r = run("compress " + p("dir.npy") + " -o " + p("x.sqz"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("is a folder"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
}

TEST_F(Hostile, EmptyInputsAreBadInput) {
  io::write_file(p("e.npz"), io::write_npz(std::vector<Tensor>{}));
  EXPECT_EQ(run("compress " + p("e.npz") + " -o " + p("o.sqz")).code, 2);
  fs::create_directories(p("t"));
  io::write_file(p("t/m.json"), std::vector<uint8_t>{'[', ']'});
  EXPECT_EQ(run("compress " + p("t/m.json") + " -o " + p("o.sqz")).code, 2);
  io::write_file(p("h.csv"), std::vector<uint8_t>{'0', ',', '0', ',', '9', ',', '9', ',', '1', '\n'});
  auto r = run("nms " + p("h.csv"));  // no header: the first box must not vanish silently
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("header"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(p("o.sqz")));
}

TEST_F(Hostile, SqzReaderRejectsReservedBitsAndBadNames) {
  const auto good = container::serialize(small_container());
  ASSERT_NO_THROW(container::parse(good));
  // Header flags = 1 (CRC recomputed, so only the flag check can reject it).
  {
    auto b = good;
    b[12] = 1;
    const auto c = container::parse(good);
    const size_t crc_at = c.header_bytes - 4;
    const uint32_t crc = io::crc32(std::span<const uint8_t>(b).first(crc_at));
    for (int i = 0; i < 4; ++i) b[crc_at + i] = static_cast<uint8_t>(crc >> (8 * i));
    EXPECT_THROW(container::parse(b), FormatError);
  }
  auto bad = [](auto mutate) {
    auto c = small_container(entropy::CoderId::Rans, 64, 256);
    EXPECT_NE(c.sections[0].coder, entropy::CoderId::None);
    mutate(c);
    return container::serialize(c);
  };
  EXPECT_THROW(container::parse(bad([](auto& c) { c.sections[0].coder_params.zero_symbol = 0xffff; })), FormatError);
  EXPECT_THROW(container::parse(bad([](auto& c) { c.sections[0].coder_params.rans_significance_split = true; c.sections[0].coder_params.alphabet_bits = 0; })), FormatError);
  for (const std::string name : {std::string("a\xff" "b"), std::string("a\0b", 3), std::string("../x"), std::string("/abs"),
                                 std::string("a//b"), std::string("a/./b"), std::string(""), std::string("a\\b"),
                                 std::string("\xc0\xaf")})
    EXPECT_THROW(container::parse(bad([&](auto& c) { c.sections[0].name = name; })), FormatError) << io::printable(name);
  EXPECT_THROW(container::parse(bad([](auto& c) { c.sections[1].name = c.sections[0].name; })), FormatError);
  // The .npz writer refuses names that would escape or collide, the reader too.
  EXPECT_THROW(io::write_npz(std::vector<Tensor>{randn("../x", {2}, 1)}), FormatError);
  EXPECT_THROW(io::write_npz(std::vector<Tensor>{randn("a", {2}, 1), randn("a", {2}, 2)}), FormatError);
  EXPECT_TRUE(io::valid_utf8("caf\xc3\xa9"));
  EXPECT_FALSE(io::valid_utf8("\xed\xa0\x80"));  // surrogate
}

TEST_F(Hostile, InfoTableFitsOneHundredColumnsWithFullNames) {
  ASSERT_EQ(run("compress " + kSlice + " -o " + p("m.sqz") + " --quiet").code, 0);
  const auto r = run("info " + p("m.sqz"));
  ASSERT_EQ(r.code, 0);
  size_t a = 0;
  int line = 0;
  const auto c = container::parse(slurp(p("m.sqz")));
  while (a < r.out.size()) {
    const size_t e = r.out.find('\n', a);
    const std::string l = r.out.substr(a, e - a);
    if (line++ > 0) EXPECT_LE(l.size(), 100u) << l;  // line 0 names the file
    a = e + 1;
  }
  for (const auto& s : c.sections) EXPECT_NE(r.out.find("\n" + s.name + "\n"), std::string::npos) << s.name;
}

TEST_F(Hostile, EveryCommandHasJson) {
  ASSERT_EQ(run("compress " + p("W.npy") + " -o " + p("o.sqz") + " --json").code, 0);
  for (const std::string cmd : {"compress " + p("W.npy") + " -o " + p("o.sqz") + " --json",
                                "info " + p("o.sqz") + " --json",
                                "decompress " + p("o.sqz") + " -o " + p("o.npz") + " --json",
                                "gemv --weights " + p("W.npy") + " --input " + p("X.npy") + " -o " + p("y.npy") + " --json",
                                "softmax " + p("L.npy") + " -o " + p("p.npy") + " --json",
                                std::string("softmax-eval --quick --lengths 10 --json")}) {
    const auto r = run(cmd);
    ASSERT_EQ(r.code, 0) << cmd << r.err;
    EXPECT_NO_THROW(io::parse_json(r.out)) << cmd << "\n" << r.out;
  }
  const auto j = io::parse_json(run("compress " + p("W.npy") + " -o " + p("o.sqz") + " --json --bit-budget 3").out);
  ASSERT_NE(j.find("mixed_precision"), nullptr);
}

// ---- libraries --------------------------------------------------------------

TEST(HostileLib, JsonDoublesRoundTripAndStrictParsing) {
  for (double d : {0.1, 1.0 / 3.0, 6.02214076e23, 5e-324, 1.7976931348623157e308, -0.0}) {
    json::Value v = json::Object{{"x", d}};
    const auto back = io::parse_json(v.dump());
    EXPECT_EQ(back.find("x")->number("x"), d);
  }
  EXPECT_THROW(io::parse_json(R"({"a": 1, "a": 2})"), FormatError);
  EXPECT_THROW(io::parse_json("[1,]"), FormatError);
  EXPECT_THROW(io::parse_json("\"\xff\""), FormatError);
  EXPECT_THROW(io::parse_json(std::string(100, '[') + std::string(100, ']')), FormatError);
  EXPECT_EQ(io::crc32(std::vector<uint8_t>{'1', '2', '3', '4', '5', '6', '7', '8', '9'}), 0xCBF43926u);
}

TEST(HostileLib, NpzCompressedRoundTrip) {
  std::vector<Tensor> ts{randn("a/b", {3, 5}, 1), randn("c", {7}, 2)};
  for (bool z : {false, true}) {
    const auto back = io::read_npz(io::write_npz(ts, z));
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[0].name, "a/b");
    EXPECT_EQ(back[0].data, ts[0].data);
    EXPECT_EQ(back[1].data, ts[1].data);
  }
}

// Decimal boxes take the grid too (above 256 candidates, threshold > 0, and
// for OpenCV's IoU only with +1 areas); the keep list must equal the plain
// greedy loop over every kept box with each library's IoU, written out here.
TEST(HostileLib, NmsFloatGridMatchesThePlainGreedyLoop) {
  std::mt19937 g(11);
  for (int trial = 0; trial < 8; ++trial) {
    const size_t n = 3000;
    const bool cv = trial >= 4;
    std::vector<nms::BoxF> boxes(n);
    std::vector<float> scores(n);
    std::vector<uint32_t> classes(n);
    std::uniform_real_distribution<float> pos(-50.f, trial % 2 ? 300.f : 3000.f), sz(0.f, trial % 4 == 3 ? 900.f : 40.f);
    for (size_t i = 0; i < n; ++i) {
      const float x = pos(g), y = pos(g);
      // some boxes touch their neighbour exactly (x2 of one = x1 of the next)
      const float w = i % 7 == 0 ? 0.f : sz(g), h = sz(g);
      boxes[i] = {x, y, x + w, y + h};
      if (i % 5 == 1) boxes[i].x1 = boxes[i - 1].x2, boxes[i].x2 = std::max(boxes[i].x1, boxes[i].x2);
      scores[i] = std::uniform_real_distribution<float>(0, 1)(g);
      classes[i] = static_cast<uint32_t>(g() % 3);
    }
    nms::Options o;
    o.iou_threshold = trial % 2 ? 0.3f : 0.6f;
    o.class_aware = trial == 1 || trial == 5;
    o.plus_one = cv || trial == 1;
    if (trial % 4 == 3) o.suppress_when = nms::Overlap::GreaterEqual;
    const auto how = cv ? nms::FloatIou::OpenCV : nms::FloatIou::Torchvision;
    const auto got = nms::greedy_float(boxes, scores, classes, o, how);
    const float p1 = o.plus_one ? 1.f : 0.f;
    auto iou = [&](const nms::BoxF& a, const nms::BoxF& b) -> float {
      if (!cv) {  // torchvision, float arithmetic
        const float iw = std::max(0.f, std::min(a.x2, b.x2) - std::max(a.x1, b.x1) + p1);
        const float ih = std::max(0.f, std::min(a.y2, b.y2) - std::max(a.y1, b.y1) + p1);
        const float in = iw * ih;
        return in / ((a.x2 - a.x1 + p1) * (a.y2 - a.y1 + p1) + (b.x2 - b.x1 + p1) * (b.y2 - b.y1 + p1) - in);
      }
      // OpenCV Rect2d: double areas, then 1 - float(jaccard distance)
      const double aa = (double(a.x2) - a.x1 + p1) * (double(a.y2) - a.y1 + p1);
      const double ab = (double(b.x2) - b.x1 + p1) * (double(b.y2) - b.y1 + p1);
      const double iw = std::min<double>(a.x2, b.x2) - std::max<double>(a.x1, b.x1) + p1;
      const double ih = std::min<double>(a.y2, b.y2) - std::max<double>(a.y1, b.y1) + p1;
      const double in = iw > 0 && ih > 0 ? iw * ih : 0.0;
      return 1.f - static_cast<float>(1.0 - in / (aa + ab - in));
    };
    std::vector<uint32_t> idx(n);
    for (uint32_t i = 0; i < n; ++i) idx[i] = i;
    std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return scores[a] > scores[b]; });
    std::vector<uint32_t> want;
    for (uint32_t c : idx) {
      bool keep = true;
      for (uint32_t k : want) {
        if (o.class_aware && classes[k] != classes[c]) continue;
        const float v = iou(boxes[c], boxes[k]);
        const bool sup = cv ? (o.suppress_when == nms::Overlap::Greater ? !(v <= o.iou_threshold) : !(v < o.iou_threshold))
                            : (o.suppress_when == nms::Overlap::Greater ? double(v) > double(o.iou_threshold)
                                                                        : double(v) >= double(o.iou_threshold));
        if (sup) keep = false;
      }
      if (keep) want.push_back(c);
    }
    EXPECT_EQ(got, want) << "trial " << trial;
    EXPECT_GT(want.size(), 50u) << "trial " << trial;
    EXPECT_LT(want.size(), n) << "trial " << trial;  // something was suppressed
  }
}

// The golden NMS uses a spatial grid above 256 candidates; its keep list must
// equal the plain O(n·kept) greedy loop's, written out here.
TEST(HostileLib, NmsGridMatchesThePlainGreedyLoop) {
  std::mt19937 g(7);
  for (int trial = 0; trial < 6; ++trial) {
    const size_t n = 3000;
    std::vector<nms::Box> boxes(n);
    std::vector<float> scores(n);
    std::vector<uint32_t> classes(n);
    std::uniform_int_distribution<int> pos(0, trial % 2 ? 400 : 4000), sz(0, trial % 3 == 2 ? 2000 : 60);
    for (size_t i = 0; i < n; ++i) {
      const int x = pos(g), y = pos(g);
      boxes[i] = {x, y, x + sz(g), y + sz(g)};
      scores[i] = std::uniform_real_distribution<float>(0, 1)(g);
      classes[i] = static_cast<uint32_t>(g() % 3);
    }
    nms::Options o;
    o.iou_threshold = trial % 2 ? 0.3f : 0.6f;
    o.class_aware = trial >= 3;
    o.plus_one = trial == 4;
    if (trial == 5) o.suppress_when = nms::Overlap::GreaterEqual;
    const auto got = nms::greedy(boxes, scores, classes, o);
    // Reference: candidates by descending score (stable), checked against every kept box.
    std::vector<uint32_t> idx(n);
    for (uint32_t i = 0; i < n; ++i) idx[i] = i;
    std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return scores[a] > scores[b]; });
    const auto t = nms::Threshold::from(o.iou_threshold, o.suppress_when);
    std::vector<uint32_t> want;
    for (uint32_t c : idx) {
      bool keep = true;
      for (uint32_t k : want)
        if ((!o.class_aware || classes[k] == classes[c]) && nms::suppresses(boxes[k], boxes[c], t, o)) keep = false;
      if (keep) want.push_back(c);
    }
    EXPECT_EQ(got, want) << "trial " << trial;
  }
}
