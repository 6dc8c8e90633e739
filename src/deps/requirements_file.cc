#include "deps/requirements_file.h"

#include <filesystem>
#include <set>

#include "deps/requirement.h"
#include "util/mapped_file.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::deps {
namespace {

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// pip's rule: "#" starts a comment at the start of a line or after whitespace.
std::string_view StripComment(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) return line.substr(0, i);
  }
  return line;
}

// Options that take a value and only steer where pip downloads from or how
// it builds; they do not change which versions are named.
constexpr std::string_view kSkippedOptionsWithValue[] = {
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host", "--no-binary",
    "--only-binary", "--use-feature", "-c", "--constraint"};
constexpr std::string_view kSkippedSwitches[] = {"--pre", "--prefer-binary", "--require-hashes", "--no-index"};

struct LogicalLine {
  std::string text;
  int number;  // of its first physical line
};

std::vector<LogicalLine> JoinContinuations(std::string_view text) {
  std::vector<LogicalLine> out;
  std::string pending;
  int pending_line = 0;
  int number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (pending.empty()) pending_line = number;
    if (!line.empty() && line.back() == '\\') {
      pending.append(line.substr(0, line.size() - 1));
      pending.push_back(' ');
    } else {
      pending.append(line);
      out.push_back({std::move(pending), pending_line});
      pending.clear();
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (!pending.empty()) out.push_back({std::move(pending), pending_line});
  return out;
}

// Splits "--opt=value" or "--opt value" into the option and its value.
std::pair<std::string_view, std::string_view> SplitOption(std::string_view line) {
  size_t cut = line.find_first_of(" \t=");
  if (cut == std::string_view::npos) return {line, {}};
  return {line.substr(0, cut), TrimBlanks(line.substr(cut + 1))};
}

class RequirementsReader {
 public:
  explicit RequirementsReader(bool follow_includes) : follow_includes_(follow_includes) {}

  absl::Status ReadFile(const std::string& path, int depth) {
    if (depth > kMaxRequirementsIncludeDepth) {
      return absl::InvalidArgumentError(util::StrCat(path, ": -r includes nest deeper than ",
                                                     kMaxRequirementsIncludeDepth, " files"));
    }
    std::error_code ec;
    std::string canonical = std::filesystem::weakly_canonical(path, ec).string();
    if (ec) canonical = path;
    if (!open_.insert(canonical).second) {
      return absl::InvalidArgumentError(util::StrCat(path, ": -r include cycle (the file includes itself)"));
    }
    KGATE_ASSIGN_OR_RETURN(util::MappedFile file, util::MappedFile::Open(path, kMaxRequirementsFileBytes));
    std::string_view text(reinterpret_cast<const char*>(file.data().data()), file.data().size());
    KGATE_RETURN_IF_ERROR(ParseText(text, path, depth));
    open_.erase(canonical);
    return absl::OkStatus();
  }

  absl::Status ParseText(std::string_view text, const std::string& name, int depth) {
    for (const LogicalLine& logical : JoinContinuations(text)) {
      std::string_view line = TrimBlanks(StripComment(logical.text));
      if (line.empty()) continue;
      std::string where = util::StrCat(name, ":", logical.number);
      if (line.front() == '-') {
        KGATE_RETURN_IF_ERROR(HandleOption(line, name, where, depth));
      } else {
        HandleRequirement(line, where);
      }
    }
    return absl::OkStatus();
  }

  Inventory Take() && { return std::move(inventory_); }

 private:
  absl::Status HandleOption(std::string_view line, const std::string& file, const std::string& where, int depth) {
    auto [option, value] = SplitOption(line);
    if (option == "-r" || option == "--requirement") {
      if (value.empty()) return absl::InvalidArgumentError(util::StrCat(where, ": ", option, " needs a file name"));
      if (!follow_includes_) {
        inventory_.not_audited.push_back({std::string(line), "include not followed", where});
        return absl::OkStatus();
      }
      std::filesystem::path target(value);
      if (target.is_relative()) target = std::filesystem::path(file).parent_path() / target;
      return ReadFile(target.string(), depth + 1);
    }
    if (option == "-e" || option == "--editable") {
      inventory_.not_audited.push_back(
          {std::string(value), "editable install: its version is whatever the checkout holds", where});
      return absl::OkStatus();
    }
    for (std::string_view skipped : kSkippedOptionsWithValue) {
      if (option == skipped) return absl::OkStatus();
    }
    for (std::string_view skipped : kSkippedSwitches) {
      if (option == skipped) return absl::OkStatus();
    }
    inventory_.not_audited.push_back({std::string(line), util::StrCat("unknown option '", option, "'"), where});
    return absl::OkStatus();
  }

  void HandleRequirement(std::string_view line, const std::string& where) {
    // Per-requirement options (--hash=..., --config-settings ...) follow the
    // requirement after whitespace.
    std::string_view spec = line;
    for (size_t i = 1; i + 1 < line.size(); ++i) {
      if ((line[i - 1] == ' ' || line[i - 1] == '\t') && line[i] == '-' && line[i + 1] == '-') {
        spec = TrimBlanks(line.substr(0, i));
        break;
      }
    }
    absl::StatusOr<Requirement> req = ParseRequirement(spec);
    if (!req.ok()) {
      inventory_.not_audited.push_back({std::string(spec), util::StrCat("not a requirement: ", util::ToStd(req.status().message())), where});
      return;
    }
    std::optional<std::string> version = req->PinnedVersion();
    if (!req->url.empty()) version = WheelVersionFromUrl(req->url);
    if (!version) {
      std::string reason = !req->url.empty()        ? "direct URL that is not a wheel: its version is unknown"
                           : req->specifiers.empty() ? "not pinned (no version)"
                                                     : "not pinned (a range, not ==VERSION)";
      inventory_.not_audited.push_back({std::string(spec), std::move(reason), where});
      return;
    }
    std::string source = where;
    if (!req->marker.empty()) util::StrAppend(&source, " ; ", req->marker);
    inventory_.packages.push_back({req->name, NormalizeName(req->name), *version, std::move(source), {}});
  }

  bool follow_includes_;
  Inventory inventory_;
  std::set<std::string> open_;
};

}  // namespace

absl::StatusOr<Inventory> ReadRequirementsFile(const std::string& path) {
  RequirementsReader reader(/*follow_includes=*/true);
  KGATE_RETURN_IF_ERROR(reader.ReadFile(path, 0));
  Inventory inv = std::move(reader).Take();
  inv.input = util::StrCat(path, " (requirements)");
  return inv;
}

absl::StatusOr<Inventory> ParseRequirementsText(std::string_view text, const std::string& display_name) {
  if (text.size() > kMaxRequirementsFileBytes) {
    return absl::InvalidArgumentError(util::StrCat(display_name, ": ", text.size(), " bytes exceeds the cap of ",
                                                   kMaxRequirementsFileBytes));
  }
  RequirementsReader reader(/*follow_includes=*/false);
  KGATE_RETURN_IF_ERROR(reader.ParseText(text, display_name, 0));
  Inventory inv = std::move(reader).Take();
  inv.input = util::StrCat(display_name, " (requirements)");
  return inv;
}

}  // namespace kgate::deps
