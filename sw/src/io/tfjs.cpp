#include "squish/io/tfjs.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>

#include "squish/error.hpp"
#include "squish/io/json_read.hpp"
#include "squish/io/npy.hpp"

namespace squish::io {

namespace {

size_t bytes_of(const std::string& dt, const std::string& what) {
  if (dt == "float32" || dt == "int32") return 4;
  if (dt == "uint16" || dt == "float16") return 2;
  if (dt == "uint8" || dt == "bool") return 1;
  throw FormatError(what + ": unsupported dtype '" + dt + "'");
}

void decode_group(const JsonNode& group, size_t gi, const ShardLoader& load, std::vector<Tensor>& out) {
  const std::string gname = "weightsManifest[" + std::to_string(gi) + "]";
  std::vector<uint8_t> buf;
  const JsonNode* paths = group.find("paths");
  if (!paths) throw FormatError(gname + ": no \"paths\"");
  for (const auto& p : paths->array(gname + ".paths")) {
    const std::vector<uint8_t> shard = load(p.string(gname + ".paths[]"));
    buf.insert(buf.end(), shard.begin(), shard.end());
  }
  const JsonNode* weights = group.find("weights");
  if (!weights) throw FormatError(gname + ": no \"weights\"");
  size_t off = 0;
  for (const auto& w : weights->array(gname + ".weights")) {
    const JsonNode* jn = w.find("name");
    const std::string name = jn ? jn->string(gname + " weight name") : "";
    const std::string what = "tfjs weight '" + name + "' (" + gname + ")";
    const JsonNode* jd = w.find("dtype");
    const JsonNode* js = w.find("shape");
    if (!jn || !jd || !js) throw FormatError(what + ": needs name, dtype and shape");
    const std::string dtype = jd->string(what + " dtype");
    Tensor t;
    t.name = name;
    for (const auto& d : js->array(what + " shape")) {
      const double v = d.number(what + " shape");
      if (!(v >= 0 && v <= 1e12 && v == std::floor(v))) throw FormatError(what + ": bad dimension in shape");
      if (t.shape.size() >= 16) throw FormatError(what + ": more than 16 dimensions");
      t.shape.push_back(static_cast<size_t>(v));
    }
    const size_t n = t.numel();
    const JsonNode* q = w.find("quantization");
    std::string store = dtype;
    double scale = 0, mn = 0;
    if (q) {
      const JsonNode* qd = q->find("dtype");
      if (!qd) throw FormatError(what + ": quantization block without dtype");
      store = qd->string(what + " quantization.dtype");
      if (store == "uint8" || store == "uint16") {
        const JsonNode* sc = q->find("scale");
        const JsonNode* mi = q->find("min");
        if (!sc || !mi) throw FormatError(what + ": " + store + " quantization needs scale and min");
        scale = sc->number(what + " quantization.scale");
        mn = mi->number(what + " quantization.min");
        if (!std::isfinite(scale) || !std::isfinite(mn) || !std::isfinite(scale * 65535.0 + mn) ||
            std::fabs(scale * 65535.0) + std::fabs(mn) > 3.0e38)
          throw FormatError(what + ": quantization scale " + std::to_string(scale) + " / min " + std::to_string(mn) +
                            " is not finite or overflows float32");
        if (dtype != "float32" && dtype != "int32") throw FormatError(what + ": " + store + " quantization of dtype " + dtype);
      } else if (store == "float16") {
        if (dtype != "float32") throw FormatError(what + ": float16 quantization of dtype " + dtype);
      } else {
        throw FormatError(what + ": unknown quantization dtype '" + store + "' (uint8, uint16, float16)");
      }
    }
    const size_t esz = bytes_of(store, what);
    if (n > (buf.size() - std::min(off, buf.size())) / esz)
      throw FormatError(what + ": needs " + std::to_string(n * esz) + " bytes at byte " + std::to_string(off) + " of the shards, which hold " + std::to_string(buf.size()));
    const uint8_t* p = buf.data() + off;
    if (store == "uint8" || store == "uint16") {
      TfjsQuant tq;
      tq.code_bits = store == "uint8" ? 8 : 16;
      tq.scale = scale;
      tq.min = mn;
      tq.codes.resize(n);
      for (size_t i = 0; i < n; ++i) tq.codes[i] = store == "uint8" ? p[i] : static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8));
      if (dtype == "float32") {
        t.dtype = DType::F32;
        t.data.resize(4 * n);
        for (size_t i = 0; i < n; ++i) {
          const float v = static_cast<float>(static_cast<double>(tq.codes[i]) * scale + mn);
          std::memcpy(&t.data[4 * i], &v, 4);
        }
        t.source_dtype = store + "-affine";
        t.tfjs = std::move(tq);
      } else {
        t.dtype = DType::I32;
        t.data.resize(4 * n);
        for (size_t i = 0; i < n; ++i) {
          const double r = std::floor(static_cast<double>(tq.codes[i]) * scale + mn + 0.5);  // Math.round
          const int64_t wrapped = std::isfinite(r) && std::fabs(r) < 9e15 ? static_cast<int64_t>(r) : 0;
          const int32_t v = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(wrapped)));
          std::memcpy(&t.data[4 * i], &v, 4);
        }
        t.source_dtype = "int32-from-" + store;
      }
    } else if (store == "float16") {
      t.dtype = DType::F32;
      t.data.resize(4 * n);
      for (size_t i = 0; i < n; ++i) {
        const float v = half_to_float(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
        std::memcpy(&t.data[4 * i], &v, 4);
      }
      t.source_dtype = "float16";
    } else if (dtype == "float32" || dtype == "int32") {
      t.dtype = dtype == "float32" ? DType::F32 : DType::I32;
      t.data.assign(p, p + 4 * n);
      t.source_dtype = dtype;
    } else if (dtype == "bool") {
      t.dtype = DType::U8;
      t.data.assign(p, p + n);
      t.source_dtype = "bool";
    } else {
      throw FormatError(what + ": unsupported dtype '" + dtype + "'");
    }
    off += n * esz;
    out.push_back(std::move(t));
  }
}

}  // namespace

std::vector<Tensor> read_tfjs(std::string_view json_text, const ShardLoader& load) {
  const JsonNode root = parse_json(json_text);
  const JsonNode* groups = &root;
  if (root.is_object()) {
    groups = root.find("weightsManifest");
    if (!groups) throw FormatError("tfjs: model.json has no \"weightsManifest\"");
  }
  std::vector<Tensor> out;
  const auto& arr = groups->array("tfjs weights manifest");
  for (size_t gi = 0; gi < arr.size(); ++gi) decode_group(arr[gi], gi, load, out);
  if (out.empty()) throw FormatError("tfjs: the weights manifest lists no weights");
  for (size_t i = 0; i < out.size(); ++i) {
    check_tensor_name(out[i].name, "tfjs: weight");
    for (size_t k = 0; k < i; ++k)
      if (out[k].name == out[i].name) throw FormatError("tfjs: two weights named '" + out[i].name + "'");
  }
  return out;
}

std::vector<std::string> tfjs_shard_paths(std::string_view json_text) {
  const JsonNode root = parse_json(json_text);
  const JsonNode* groups = root.is_object() ? root.find("weightsManifest") : &root;
  std::vector<std::string> out;
  if (!groups || !groups->is_array()) return out;
  for (const auto& g : groups->array("weightsManifest")) {
    const JsonNode* paths = g.find("paths");
    if (!paths || !paths->is_array()) continue;
    for (const auto& p : paths->array("paths"))
      if (p.is_string()) out.push_back(p.string("path"));
  }
  return out;
}

std::vector<std::string> model_files(const std::string& path) {
  std::vector<std::string> files{path};
  if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0) {
    std::vector<uint8_t> text;
    try {
      text = read_file(path);
    } catch (const Error&) {
      return files;  // the loader reports it
    }
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    try {
      for (const auto& s : tfjs_shard_paths(std::string_view(reinterpret_cast<const char*>(text.data()), text.size())))
        files.push_back((dir / s).string());
    } catch (const FormatError&) {
      // a malformed manifest is reported by the loader
    }
  }
  return files;
}

std::vector<Tensor> load_tfjs(const std::string& path) {
  const std::vector<uint8_t> text = read_file(path);
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  return read_tfjs(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()),
                   [&dir](const std::string& shard) {
                     if (shard.find("..") != std::string::npos || (!shard.empty() && shard[0] == '/'))
                       throw FormatError("tfjs: shard path '" + shard + "' leaves the model folder");
                     return read_file((dir / shard).string());
                   });
}

std::vector<Tensor> load_model(const std::string& path, uint64_t max_elements) {
  auto ends = [&](std::string_view suf) { return path.size() >= suf.size() && path.compare(path.size() - suf.size(), suf.size(), suf) == 0; };
  if (ends(".npy")) {
    const auto b = read_file(path);
    std::string stem = std::filesystem::path(path).stem().string();
    return {read_npy(b, stem)};
  }
  if (ends(".npz")) return read_npz(read_file(path), max_elements);
  if (ends(".json")) return load_tfjs(path);
  throw UsageError("'" + path + "': unknown input kind (expected .npy, .npz, or a tfjs .json manifest)");
}

}  // namespace squish::io
