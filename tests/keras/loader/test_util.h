// Helpers shared by the loader tests: files, JSON, findings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "io/json/json.h"
#include "util/finding.h"

namespace kgate::keras::testing {

std::string SourceDir();
std::vector<uint8_t> ReadFileBytes(const std::string& path);
io::json::Value ParseJson(std::string_view text);  // aborts the test on error (EXPECT + null)

// Rules of all findings, for messages.
std::string Describe(const util::FindingList& findings);
bool HasRule(const util::FindingList& findings, std::string_view rule);
size_t CountRule(const util::FindingList& findings, std::string_view rule);
// The first finding with `rule`, or nullptr.
const util::Finding* FindRule(const util::FindingList& findings, std::string_view rule);

// Layer class names used anywhere in `config` that have no LayerSpec and are
// not allowlisted non-layer objects: families still being implemented.
std::vector<std::string> MissingLayerSpecs(const io::json::Value& config);

// A minimal STORED ZIP writer (what Keras's zipfile writes), for building
// archives with chosen members.
std::vector<uint8_t> MakeZip(const std::vector<std::pair<std::string, std::vector<uint8_t>>>& members);
// The members of a (valid, STORED or DEFLATE) archive, via the zip reader.
std::vector<std::pair<std::string, std::vector<uint8_t>>> ReadZip(const std::vector<uint8_t>& archive);
std::vector<uint8_t> Bytes(std::string_view s);

}  // namespace kgate::keras::testing
