// Safe output: every file or folder the squish tools write goes through here.
//
//  - An output that resolves to one of the run's input files (after symlinks,
//    `..` and hard links: weakly_canonical + equivalent) is refused with a
//    UsageError before anything is written.
//  - A file is written to a temporary file beside the target
//    (`.<name>.squish-tmp-XXXXXX`), fsynced, renamed over the target, and the
//    folder is fsynced; until the rename the previous target is untouched.
//  - A folder is built in a temporary folder beside the target and swapped in
//    with one renameat2(RENAME_EXCHANGE) (or a plain rename when there was no
//    target); the previous folder is removed only after the swap.
//  - On SIGINT, SIGTERM or SIGHUP (install_signal_cleanup) every temporary that
//    is still open is removed before the process dies with that signal, so an
//    interrupted run leaves the previous output and no temporary behind. A
//    failed run (exception) removes its temporaries the same way (RAII).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace squish::io {

/// Throws UsageError if `output` names the same file as any of `inputs`
/// (symlinks, `.`/`..` and hard links resolved), or, for a folder output, if an
/// input lies inside it. `what` labels the option in the message (e.g. "-o").
void check_output_not_input(const std::string& output, std::span<const std::string> inputs,
                            const std::string& what = "-o");

/// Writes `bytes` to `path` atomically (temp file + fsync + rename).
/// Throws IoError naming the path and the system error.
void write_file_atomic(const std::string& path, std::span<const uint8_t> bytes);

/// A folder output built beside its target and swapped in by commit().
/// Destroyed without commit(): the temporary folder is removed, the target is
/// untouched.
class FolderWriter {
 public:
  explicit FolderWriter(std::string target);
  ~FolderWriter();
  FolderWriter(const FolderWriter&) = delete;
  FolderWriter& operator=(const FolderWriter&) = delete;

  /// Writes `relative` (may contain '/', never '..' or an absolute path) inside
  /// the temporary folder.
  void write(const std::string& relative, std::span<const uint8_t> bytes);
  /// Swaps the temporary folder in place of the target and removes the old one.
  void commit();
  const std::string& temp_path() const { return temp_; }

 private:
  std::string target_, temp_;
  int slot_ = -1;
  bool committed_ = false;
};

/// Installs SIGINT/SIGTERM/SIGHUP handlers that remove the temporaries of
/// write_file_atomic and FolderWriter still in flight, then re-raise the
/// signal. Idempotent; the squish CLI calls it at start-up.
void install_signal_cleanup();

/// Number of temporaries currently registered for cleanup (tests).
size_t pending_temporaries();

}  // namespace squish::io
