// File: test_util.h
// Helpers for the HDF5 reader tests: fixture loading, a minimal JSON reader
// for the expectations that tools/fixtures/make_hdf5_cases.py writes (test
// code only; it trusts its input), FNV-1a hashing, and Exercise(), which
// drives every public entry point over a file the way the fuzzer does.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "io/hdf5/hdf5.h"
#include "io/hdf5/internal/format.h"
#include "io/hdf5/internal/object_header.h"

namespace kgate::io::hdf5::testing {

std::string FixturePath(const std::string& name);  // tests/fixtures/hdf5/<name>
std::vector<uint8_t> ReadFile(const std::string& path);
std::vector<uint8_t> Fixture(const std::string& name);

uint64_t Fnv1a64(std::span<const uint8_t> bytes);

struct Json {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  bool b = false;
  double number = 0;
  std::string str;
  std::vector<Json> items;
  // Not std::pair: clang instantiates pair's traits while Json is incomplete.
  struct Member;
  std::vector<Member> members;

  const Json* Find(const std::string& key) const;
  const Json& operator[](const std::string& key) const;  // null Json when absent
};
struct Json::Member {
  std::string first;
  Json second;
};
Json ParseJson(const std::string& text);

// What Exercise saw: the number of objects, datasets read, and every error
// (with its rule, or "" when the status carried none).
struct ExerciseResult {
  absl::Status open;
  uint64_t objects = 0;
  uint64_t datasets_read = 0;
  std::vector<std::pair<absl::Status, std::string>> errors;
};
// Opens `bytes`, visits everything, reads every dataset and string dataset.
ExerciseResult Exercise(std::span<const uint8_t> bytes, const Limits& limits = {});

// The rule attached to `s`, or "".
std::string Rule(const absl::Status& s);

// Internal views of a pristine file, to find the bytes a test changes.
internal::Context MakeContext(std::span<const uint8_t> bytes);
uint64_t AddressOf(std::span<const uint8_t> bytes, const std::string& path);  // dies if absent
internal::ObjectHeader HeaderAt(std::span<const uint8_t> bytes, uint64_t address);
// The first message of `type` in the object at `path`; dies if absent.
internal::Message FindMessage(std::span<const uint8_t> bytes, const std::string& path, uint16_t type);
// Every object header address reachable through hard links.
std::vector<uint64_t> AllObjects(std::span<const uint8_t> bytes);

// Little-endian patches.
void Put(std::vector<uint8_t>& bytes, uint64_t offset, uint64_t value, unsigned width);
uint64_t Get(std::span<const uint8_t> bytes, uint64_t offset, unsigned width);
// Recomputes the lookup3 checksums of the superblock (v2/v3) and of every v2
// object header chunk listed in `chunks` (from the pristine file).
void Reseal(std::vector<uint8_t>& bytes, const std::vector<std::pair<uint64_t, uint64_t>>& chunks);
std::vector<std::pair<uint64_t, uint64_t>> ChecksummedRanges(std::span<const uint8_t> bytes);

}  // namespace kgate::io::hdf5::testing
