#include "keras/model_loader.h"

#include <cstring>
#include <utility>
#include <vector>
#include <variant>

#include "keras/config_audit.h"
#include "keras/h5_audit.h"
#include "keras/legacy_weights.h"
#include "keras/model_builder.h"
#include "keras/weight_binding.h"
#include "util/mapped_file.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::keras {
namespace {

namespace rules = util::rules;
using io::json::Value;

constexpr std::string_view kMetadata = "metadata.json";
constexpr std::string_view kConfig = "config.json";
constexpr std::string_view kWeights = "model.weights.h5";
constexpr std::string_view kNpzWeights = "model.weights.npz";
// How many findings LoadModelFile's error message lists.
constexpr size_t kFindingsInError = 20;

std::string_view BaseName(std::string_view path) {
  size_t slash = path.find_last_of('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return base.empty() ? std::string_view("model") : base;
}

constexpr uint8_t kHdf5Signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
// The ZIP end-of-central-directory record is within the last 22 + 65535 bytes.
constexpr size_t kZipTailBytes = 22 + 65535;

// Offsets 512, 1024, 2048, ... where an HDF5 signature sits: where libhdf5
// looks for a superblock after a user block.
std::vector<uint64_t> Hdf5SignaturesAfterUserBlock(std::span<const uint8_t> bytes) {
  std::vector<uint64_t> out;
  for (uint64_t off = 512; off <= bytes.size() && bytes.size() - off >= 8; off *= 2) {
    if (std::memcmp(bytes.data() + off, kHdf5Signature, 8) == 0) out.push_back(off);
  }
  return out;
}

// A ZIP end-of-central-directory record whose comment ends exactly at the
// end of the file (what every ZIP writer produces). Requiring the exact
// length keeps random weight bytes from looking like a ZIP.
bool HasZipEndRecord(std::span<const uint8_t> bytes) {
  if (bytes.size() < 22) return false;
  size_t start = bytes.size() > kZipTailBytes ? bytes.size() - kZipTailBytes : 0;
  for (size_t i = bytes.size() - 21; i-- > start;) {
    if (bytes[i] != 'P' || bytes[i + 1] != 'K' || bytes[i + 2] != 5 || bytes[i + 3] != 6) continue;
    size_t comment = bytes[i + 20] | (static_cast<size_t>(bytes[i + 21]) << 8);
    if (i + 22 + comment == bytes.size()) return true;
  }
  return false;
}

bool StartsLikeZip(std::span<const uint8_t> bytes) {
  static constexpr uint8_t kEmptyArchive[4] = {'P', 'K', 5, 6};
  return io::zip::LooksLikeZip(bytes) || (bytes.size() >= 4 && std::memcmp(bytes.data(), kEmptyArchive, 4) == 0);
}

// Audits `root`, then builds the model unless the audit rejected it.
void AuditAndBuild(const Value& root, const std::string& prefix, ModelReport& report) {
  util::FindingList audit;
  AuditConfig(root, prefix, &audit);
  for (const util::Finding& f : audit.findings()) report.findings.Add(f);
  if (audit.dropped() > 0) {
    report.findings.Add(rules::kConfigInvalid, util::StrCat(audit.dropped(), " more config findings were dropped"),
                        prefix);
  }
  if (audit.Rejects()) return;
  report.graph = BuildModel(root, prefix, &report.findings);
}

// Reads and parses a JSON member; findings on failure.
std::optional<Value> ParseMember(const io::zip::ZipArchive& zip, const io::zip::Entry& entry,
                                 const LoadOptions& options, ModelReport& report) {
  absl::StatusOr<io::zip::MemberData> data = zip.Read(entry);
  if (!data.ok()) {
    report.findings.AddStatus(data.status(), rules::kZipMalformed, entry.name);
    return std::nullopt;
  }
  absl::StatusOr<Value> json = io::json::Parse(data->text(), options.json);
  if (!json.ok()) {
    report.findings.AddStatus(json.status(), rules::kJsonMalformed, entry.name);
    return std::nullopt;
  }
  return std::move(*json);
}

void ReadMetadata(const Value& meta, ModelReport& report) {
  auto low = [&](std::string message, std::string location) {
    report.findings.Add(util::Finding{std::string(rules::kConfigInvalid), util::Severity::kLow, std::move(message),
                                      std::move(location)});
  };
  if (!meta.is_object()) return low("metadata.json is not a JSON object", "metadata.json:");
  for (const io::json::Member& m : meta.object()) {
    if (m.first == "keras_version") {
      if (m.second.is_string()) {
        report.keras_version = m.second.string();
      } else {
        low("keras_version is not a string", "metadata.json:/keras_version");
      }
    } else if (m.first != "date_saved") {
      low("unknown field in metadata.json (Keras writes keras_version and date_saved)",
          util::StrCat("metadata.json:/", io::json::PointerToken(m.first)));
    }
  }
}

void AnalyzeWeightsFile(std::span<const uint8_t> bytes, std::string label, bool legacy, const LoadOptions& options,
                        ModelReport& report);

// An HDF5 superblock inside a ZIP at a user-block offset makes the file a
// ZIP/HDF5 polyglot, unless it is the start of the STORED weights member.
void CheckZipPolyglot(std::span<const uint8_t> bytes, const io::zip::ZipArchive* zip, const std::string& label,
                      ModelReport& report) {
  const io::zip::Entry* weights = zip != nullptr ? zip->Find(kWeights) : nullptr;
  for (uint64_t off : Hdf5SignaturesAfterUserBlock(bytes)) {
    if (weights != nullptr && weights->method == 0 && weights->data_offset == off) continue;
    report.findings.Add(rules::kHdf5UserBlock,
                        util::StrCat("an HDF5 superblock at offset ", off,
                                     " outside model.weights.h5: the file is also an HDF5 file (polyglot)"),
                        util::StrCat(label, "@", off));
  }
}

void AnalyzeKeras(std::span<const uint8_t> bytes, const std::string& label, const LoadOptions& options,
                  ModelReport& report) {
  absl::StatusOr<io::zip::ZipArchive> zip = io::zip::ZipArchive::Open(bytes, options.zip);
  CheckZipPolyglot(bytes, zip.ok() ? &*zip : nullptr, label, report);
  if (!zip.ok()) {
    report.findings.AddStatus(zip.status(), rules::kZipMalformed, label);
    return;
  }
  for (const io::zip::Entry& e : zip->entries()) {
    if (e.name == kMetadata || e.name == kConfig || e.name == kWeights) continue;
    if (e.name == kNpzWeights) {
      report.findings.Add(rules::kUnexpectedMember,
                          "model.weights.npz: numpy weight archives are not supported (Keras's npz loader has "
                          "unpickled object arrays); kgate reads only model.weights.h5",
                          e.name);
    } else if (e.name.substr(0, 7) == "assets/") {
      report.findings.Add(rules::kUnexpectedMember,
                          "asset member: only lookup/vectorization layers save assets, and kgate allowlists none",
                          e.name);
    } else {
      report.findings.Add(rules::kUnexpectedMember,
                          "archive member that Keras never reads (expected metadata.json, config.json, "
                          "model.weights.h5)",
                          e.name);
    }
  }
  if (const io::zip::Entry* meta = zip->Find(kMetadata); meta != nullptr) {
    if (std::optional<Value> v = ParseMember(*zip, *meta, options, report)) ReadMetadata(*v, report);
  } else {
    report.findings.Add(util::Finding{std::string(rules::kMissingMember), util::Severity::kLow,
                                      "metadata.json is missing (Keras always writes it)", std::string(kMetadata)});
  }
  if (const io::zip::Entry* config = zip->Find(kConfig); config != nullptr) {
    if (std::optional<Value> v = ParseMember(*zip, *config, options, report)) {
      AuditAndBuild(*v, util::StrCat(kConfig, ":"), report);
    }
  } else {
    report.findings.Add(rules::kMissingMember, "config.json is missing: the archive holds no model",
                        std::string(kConfig));
  }
  const io::zip::Entry* weights = zip->Find(kWeights);
  if (weights == nullptr) {
    report.findings.Add(rules::kMissingMember, "model.weights.h5 is missing", std::string(kWeights));
    return;
  }
  absl::StatusOr<io::zip::MemberData> data = zip->Read(*weights);
  if (!data.ok()) {
    report.findings.AddStatus(data.status(), rules::kZipMalformed, std::string(kWeights));
    return;
  }
  AnalyzeWeightsFile(data->bytes(), std::string(kWeights), /*legacy=*/false, options, report);
}

void AnalyzeWeightsFile(std::span<const uint8_t> bytes, std::string label, bool legacy, const LoadOptions& options,
                        ModelReport& report) {
  absl::StatusOr<io::hdf5::File> file = io::hdf5::File::Open(bytes, options.hdf5);
  if (!file.ok()) {
    report.findings.AddStatus(file.status(), rules::kHdf5Malformed, util::StrCat(label, ":/"));
    return;
  }
  Hdf5Inventory inventory = AuditHdf5(*file, label, &report.findings);
  if (report.graph != nullptr) {
    BindOptions bind{options.keep_weight_values, label};
    if (legacy) {
      BindLegacyWeights(*file, inventory, *report.graph, bind, &report.findings);
    } else {
      BindKerasWeights(*file, inventory, *report.graph, bind, &report.findings);
    }
  }
}

// A root attribute of a legacy .h5 as one string, or nullopt when absent.
std::optional<std::string> RootString(const io::hdf5::Group& root, std::string_view name, ModelReport& report,
                                      const std::string& label) {
  const io::hdf5::Attribute* a = root.FindAttribute(name);
  if (a == nullptr) return std::nullopt;
  if (a->strings.size() != 1) {
    report.findings.Add(rules::kConfigInvalid, util::StrCat("root attribute '", name, "' must be one string"),
                        util::StrCat(label, ":@", name));
    return std::nullopt;
  }
  return a->strings[0];
}

void AnalyzeH5(std::span<const uint8_t> bytes, const std::string& label, const LoadOptions& options,
               ModelReport& report) {
  absl::StatusOr<io::hdf5::File> file = io::hdf5::File::Open(bytes, options.hdf5);
  if (!file.ok()) {
    report.findings.AddStatus(file.status(), rules::kHdf5Malformed, util::StrCat(label, ":/"));
    return;
  }
  absl::StatusOr<io::hdf5::Group> root = file->Root();
  if (!root.ok()) {
    report.findings.AddStatus(root.status(), rules::kHdf5Malformed, util::StrCat(label, ":/"));
    return;
  }
  if (auto v = RootString(*root, "keras_version", report, label)) report.keras_version = *v;
  std::optional<std::string> model_config = RootString(*root, "model_config", report, label);
  std::string model_prefix = util::StrCat(label, ":@model_config:");
  if (!model_config) {
    report.findings.Add(rules::kMissingMember,
                        "no model_config attribute: this is not a saved Keras model (a weights-only file?)",
                        util::StrCat(label, ":@model_config"));
  } else if (absl::StatusOr<Value> json = io::json::Parse(*model_config, options.json); !json.ok()) {
    report.findings.AddStatus(json.status(), rules::kJsonMalformed, model_prefix);
  } else {
    AuditAndBuild(*json, model_prefix, report);
  }
  if (std::optional<std::string> training = RootString(*root, "training_config", report, label)) {
    std::string prefix = util::StrCat(label, ":@training_config:");
    report.findings.Add(rules::kIgnoredTrainingState,
                        "training_config (optimizer, losses, metrics) is ignored at inference; it was audited",
                        prefix);
    if (absl::StatusOr<Value> json = io::json::Parse(*training, options.json); !json.ok()) {
      report.findings.AddStatus(json.status(), rules::kJsonMalformed, prefix);
    } else {
      AuditConfig(*json, prefix, &report.findings);
    }
  }
  Hdf5Inventory inventory = AuditHdf5(*file, label, &report.findings);
  if (report.graph != nullptr) {
    BindOptions bind{options.keep_weight_values, label};
    BindLegacyWeights(*file, inventory, *report.graph, bind, &report.findings);
  }
}

}  // namespace

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kKerasV3: return "keras_v3";
    case Format::kLegacyH5: return "legacy_h5";
    case Format::kUnknown: break;
  }
  return "unknown";
}

ModelReport AnalyzeModel(std::span<const uint8_t> bytes, std::string_view name, const LoadOptions& options) {
  ModelReport report;
  std::string label(BaseName(name));
  if (io::hdf5::LooksLikeHdf5(bytes)) {
    report.format = Format::kLegacyH5;
    if (HasZipEndRecord(bytes)) {
      report.findings.Add(rules::kZipHiddenData,
                          "the HDF5 file also ends with a ZIP end-of-central-directory record (HDF5/ZIP polyglot)",
                          label);
    }
    AnalyzeH5(bytes, label, options, report);
  } else if (StartsLikeZip(bytes) || HasZipEndRecord(bytes)) {
    // A ZIP that does not start at offset 0 (prepended data) is still opened,
    // so the ZIP reader can say what is wrong with it.
    report.format = Format::kKerasV3;
    AnalyzeKeras(bytes, label, options, report);
  } else if (io::hdf5::HasHdf5SignatureAfterUserBlock(bytes)) {
    report.format = Format::kLegacyH5;
    report.findings.Add(rules::kHdf5UserBlock,
                        "the HDF5 signature follows a user block: bytes before the superblock can hide another "
                        "file format (polyglot); kgate refuses them",
                        label);
  } else {
    report.findings.Add(rules::kUnknownFormat,
                        "neither a ZIP (.keras) nor an HDF5 (.h5) file: the format is recognised by its first bytes, "
                        "never by its extension",
                        label);
  }
  return report;
}

absl::StatusOr<std::unique_ptr<graph::Graph>> LoadModelFile(const std::string& path, const LoadOptions& options) {
  absl::StatusOr<util::MappedFile> file = util::MappedFile::Open(path);
  if (!file.ok()) return file.status();
  ModelReport report = AnalyzeModel(file->data(), path, options);
  if (report.findings.Rejects() || report.graph == nullptr) {
    std::string message = util::StrCat(path, ": refused");
    size_t shown = 0;
    for (const util::Finding& f : report.findings.findings()) {
      if (f.severity < util::kRejectAtOrAbove) continue;
      if (shown == kFindingsInError) break;
      util::StrAppend(&message, shown == 0 ? ": " : "; ", f.rule, " ", f.location, ": ", f.message);
      ++shown;
    }
    size_t rejecting = 0;
    for (const util::Finding& f : report.findings.findings()) rejecting += f.severity >= util::kRejectAtOrAbove;
    if (rejecting > shown) util::StrAppend(&message, "; and ", rejecting - shown, " more");
    if (rejecting == 0) util::StrAppend(&message, ": the model could not be built");
    return absl::FailedPreconditionError(message);
  }
  return std::move(report.graph);
}

}  // namespace kgate::keras
