// Typed errors of the golden stack. Every message says what is wrong and where
// (file, section, byte offset, tensor name) so a user can act on it.
#pragma once

#include <stdexcept>
#include <string>

namespace squish {

/// Base of every squish error.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
/// Malformed, truncated or inconsistent input data (CLI exit code 2).
class FormatError : public Error {
 public:
  using Error::Error;
};
/// A caller asked for something out of range or inconsistent (CLI exit code 1).
class UsageError : public Error {
 public:
  using Error::Error;
};
/// A file could not be opened, read or written (CLI exit code 2).
class IoError : public Error {
 public:
  using Error::Error;
};

}  // namespace squish
