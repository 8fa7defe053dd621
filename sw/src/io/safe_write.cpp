#include "squish/io/safe_write.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "squish/error.hpp"

namespace squish::io {

namespace fs = std::filesystem;

namespace {

// ---- registry of temporaries, readable from a signal handler ----------------
struct Slot {
  std::atomic<int> state{0};  // 0 free, 1 file, 2 folder
  char path[4096];
};
constexpr int kSlots = 32;
Slot g_slots[kSlots];
std::mutex g_mu;

// Blocks the cleanup signals for the lifetime of the object, so a temporary is
// never created without being registered (or unregistered after it is gone).
class SignalBlock {
 public:
  SignalBlock() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    sigaddset(&s, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &s, &old_);
  }
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

int register_temp(const std::string& path, bool folder) {
  std::lock_guard<std::mutex> lk(g_mu);
  if (path.size() >= sizeof(Slot::path)) return -1;
  for (int i = 0; i < kSlots; ++i) {
    if (g_slots[i].state.load() == 0) {
      std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
      g_slots[i].state.store(folder ? 2 : 1, std::memory_order_release);
      return i;
    }
  }
  return -1;  // more than kSlots writes in flight: still safe, only not cleaned on a signal
}
void unregister_temp(int slot) {
  if (slot >= 0) g_slots[slot].state.store(0, std::memory_order_release);
}

// Removes a folder tree with async-signal-safe calls only (openat, getdents64,
// unlinkat), so the signal handler can use it too.
// linux_dirent64: u64 inode, s64 offset, u16 record length, u8 type, name.
constexpr size_t kReclenAt = 16, kTypeAt = 18, kNameAt = 19;
void remove_tree_at(int parent, const char* name, int depth) {
  if (depth > 64) return;
  const int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    unlinkat(parent, name, 0);
    return;
  }
  alignas(8) char buf[4096];
  for (int round = 0; round < 1 << 20; ++round) {
    lseek(fd, 0, SEEK_SET);
    bool removed = false;
    for (;;) {
      const long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
      if (n <= 0) break;
      for (long off = 0; off < n;) {
        unsigned short reclen;
        std::memcpy(&reclen, buf + off + kReclenAt, sizeof reclen);
        const unsigned char type = static_cast<unsigned char>(buf[off + kTypeAt]);
        const char* e = buf + off + kNameAt;
        off += reclen;
        if (e[0] == '.' && (e[1] == 0 || (e[1] == '.' && e[2] == 0))) continue;
        if (type == DT_DIR) remove_tree_at(fd, e, depth + 1);
        else if (unlinkat(fd, e, 0) != 0 && errno == EISDIR) remove_tree_at(fd, e, depth + 1);
        removed = true;
      }
    }
    if (!removed) break;
  }
  close(fd);
  unlinkat(parent, name, AT_REMOVEDIR);
}

void cleanup_all() {
  for (auto& s : g_slots) {
    const int st = s.state.load(std::memory_order_acquire);
    if (st == 1) unlink(s.path);
    else if (st == 2) remove_tree_at(AT_FDCWD, s.path, 0);
  }
}

extern "C" void on_signal(int sig) {
  cleanup_all();
  signal(sig, SIG_DFL);
  raise(sig);
}

std::string errno_text() { return std::strerror(errno); }

mode_t default_mode(const std::string& target) {
  struct stat st;
  if (stat(target.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return st.st_mode & 07777;
  const mode_t m = umask(0);
  umask(m);
  return 0666 & ~m;
}

void fsync_dir(const fs::path& dir) {
  const int fd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

void write_all(int fd, std::span<const uint8_t> bytes, const std::string& what) {
  size_t done = 0;
  while (done < bytes.size()) {
    const size_t chunk = std::min<size_t>(bytes.size() - done, size_t{1} << 26);
    const ssize_t n = ::write(fd, bytes.data() + done, chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError("error writing '" + what + "': " + errno_text());
    }
    done += static_cast<size_t>(n);
  }
}

fs::path canon(const std::string& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p, ec), ec);
  if (ec) c = fs::absolute(p).lexically_normal();
  return c;
}

bool is_inside(const fs::path& child, const fs::path& folder) {
  auto c = child.begin(), f = folder.begin();
  for (; f != folder.end(); ++f, ++c) {
    if (f->empty()) continue;  // trailing separator
    if (c == child.end() || *c != *f) return false;
  }
  return true;
}

}  // namespace

void check_output_not_input(const std::string& output, std::span<const std::string> inputs, const std::string& what) {
  const fs::path out = canon(output);
  std::error_code ec;
  const bool out_is_dir = fs::is_directory(output, ec);
  for (const auto& in : inputs) {
    const fs::path ic = canon(in);
    bool same = ic == out;
    if (!same && fs::exists(output, ec) && fs::exists(in, ec)) same = fs::equivalent(output, in, ec) && !ec;
    if (same)
      throw UsageError(what + " '" + output + "' is the input file '" + in + "'" +
                       (out.string() != fs::path(output).lexically_normal().string() || in != output ? " (" + out.string() + ")" : "") +
                       "; refusing to overwrite an input");
    if (out_is_dir && is_inside(ic, out))
      throw UsageError(what + " '" + output + "' is a folder holding the input '" + in + "'; refusing to replace it");
  }
}

void write_file_atomic(const std::string& path, std::span<const uint8_t> bytes) {
  const fs::path target(path);
  const std::string name = target.filename().string();
  if (name.empty() || name == "." || name == "..") throw IoError("'" + path + "' names a folder, not a file");
  std::error_code ec;
  if (fs::is_directory(target, ec)) throw IoError("'" + path + "' is a folder; the output must be a file");
  const fs::path dir = target.parent_path();
  std::string tmpl = (dir / ("." + name + ".squish-tmp-XXXXXX")).string();
  int slot = -1, fd = -1;
  {
    SignalBlock block;
    fd = mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd < 0) throw IoError("cannot create a temporary file beside '" + path + "': " + errno_text());
    slot = register_temp(tmpl, false);
  }
  try {
    fchmod(fd, default_mode(path));
    write_all(fd, bytes, path);
    if (fsync(fd) != 0) throw IoError("error writing '" + path + "' (fsync): " + errno_text());
    const int rc = close(fd);
    fd = -1;
    if (rc != 0) throw IoError("error writing '" + path + "' (close): " + errno_text());
    SignalBlock block;
    if (std::rename(tmpl.c_str(), path.c_str()) != 0) throw IoError("cannot replace '" + path + "': " + errno_text());
    unregister_temp(slot);
    slot = -1;
  } catch (...) {
    SignalBlock block;
    if (fd >= 0) close(fd);
    unlink(tmpl.c_str());
    unregister_temp(slot);
    throw;
  }
  fsync_dir(dir);
}

// ---- FolderWriter -------------------------------------------------------------

namespace {
// A folder squish may replace: absent, or holding only .npy files and folders
// of them (a previous `squish decompress -o DIR`).
bool replaceable_folder(const fs::path& p, std::string* why) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto& e = *it;
    if (e.is_symlink(ec) || (!e.is_directory(ec) && (!e.is_regular_file(ec) || e.path().extension() != ".npy"))) {
      *why = e.path().string();
      return false;
    }
  }
  if (ec) {
    *why = ec.message();
    return false;
  }
  return true;
}
}  // namespace

FolderWriter::FolderWriter(std::string target) : target_(std::move(target)) {
  fs::path t(target_);
  if (t.filename().empty()) t = t.parent_path();  // "out/" -> "out"
  target_ = t.string();
  const std::string name = t.filename().string();
  if (name.empty() || name == "." || name == "..") throw UsageError("-o '" + target_ + "': name a new folder");
  std::error_code ec;
  if (fs::exists(fs::symlink_status(t, ec))) {
    if (fs::is_symlink(fs::symlink_status(t, ec))) throw UsageError("-o '" + target_ + "' is a symbolic link; name a folder");
    if (!fs::is_directory(t, ec)) throw UsageError("-o '" + target_ + "' exists and is not a folder");
    std::string why;
    if (!replaceable_folder(t, &why))
      throw UsageError("-o '" + target_ + "': the folder exists and holds something other than .npy files ('" + why +
                       "'); it would be replaced as a whole, so name a new or empty folder");
  }
  std::string tmpl = (t.parent_path() / ("." + name + ".squish-tmp-XXXXXX")).string();
  SignalBlock block;
  if (!mkdtemp(tmpl.data())) throw IoError("cannot create a temporary folder beside '" + target_ + "': " + errno_text());
  temp_ = tmpl;
  slot_ = register_temp(temp_, true);
}

FolderWriter::~FolderWriter() {
  if (committed_) return;
  SignalBlock block;
  remove_tree_at(AT_FDCWD, temp_.c_str(), 0);
  unregister_temp(slot_);
}

void FolderWriter::write(const std::string& relative, std::span<const uint8_t> bytes) {
  const fs::path rel(relative);
  if (relative.empty() || rel.is_absolute()) throw FormatError("output name '" + relative + "' is not a relative file name");
  for (const auto& part : rel)
    if (part == ".." || part == "." || part.empty()) throw FormatError("output name '" + relative + "' has a '.', '..' or empty component");
  const fs::path p = fs::path(temp_) / rel;
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  if (ec) throw IoError("cannot create folder for '" + (fs::path(target_) / rel).string() + "': " + ec.message());
  const int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, default_mode(""));
  if (fd < 0) throw IoError("cannot create '" + (fs::path(target_) / rel).string() + "': " + errno_text());
  try {
    write_all(fd, bytes, (fs::path(target_) / rel).string());
    if (fsync(fd) != 0) throw IoError("error writing '" + (fs::path(target_) / rel).string() + "': " + errno_text());
  } catch (...) {
    close(fd);
    throw;
  }
  close(fd);
}

void FolderWriter::commit() {
  std::error_code ec;
  SignalBlock block;
  if (fs::exists(target_, ec)) {
    // Atomic swap: afterwards temp_ holds the previous folder, which goes.
    if (renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0) {
      const std::string old = temp_ + ".old";
      if (std::rename(target_.c_str(), old.c_str()) != 0) throw IoError("cannot replace '" + target_ + "': " + errno_text());
      if (std::rename(temp_.c_str(), target_.c_str()) != 0) {
        std::rename(old.c_str(), target_.c_str());
        throw IoError("cannot replace '" + target_ + "': " + errno_text());
      }
      remove_tree_at(AT_FDCWD, old.c_str(), 0);
    } else {
      remove_tree_at(AT_FDCWD, temp_.c_str(), 0);
    }
  } else if (std::rename(temp_.c_str(), target_.c_str()) != 0) {
    throw IoError("cannot create '" + target_ + "': " + errno_text());
  }
  committed_ = true;
  unregister_temp(slot_);
  fsync_dir(fs::path(target_).parent_path());
}

void install_signal_cleanup() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &sa, nullptr);
    // Past RLIMIT_FSIZE, write() then fails with EFBIG and the temporary is
    // removed, instead of the process dying on SIGXFSZ with it left behind.
    signal(SIGXFSZ, SIG_IGN);
  });
}

size_t pending_temporaries() {
  size_t n = 0;
  for (const auto& s : g_slots) n += s.state.load() != 0;
  return n;
}

}  // namespace squish::io
