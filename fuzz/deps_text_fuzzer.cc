// Fuzzes the line-oriented readers of `kgate audit` on untrusted text: PEP
// 440 versions, PEP 508 requirements, requirements files, METADATA headers
// and CVSS vectors. The first byte picks the reader; the rest is its input.
// Besides "no crash, no leak, no hang", it checks invariants and aborts on
// a violation:
//  - an accepted version re-parses from its canonical spelling to an equal
//    version, compares equal to itself, and orders consistently against a
//    fixed set of versions (antisymmetry);
//  - LeadingVersion returns a version whose spelling is a prefix reading;
//  - CVSS scores are within [0, 10] and have one decimal.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "deps/cvss.h"
#include "deps/environment.h"
#include "deps/pep440.h"
#include "deps/requirement.h"
#include "deps/requirements_file.h"

namespace {

using kgate::deps::Version;

void CheckVersion(std::string_view text) {
  absl::StatusOr<Version> v = Version::Parse(text);
  if (!v.ok()) {
    (void)kgate::deps::LeadingVersion(text);
    return;
  }
  absl::StatusOr<Version> again = Version::Parse(v->ToString());
  if (!again.ok() || !(*again == *v) || again->ToString() != v->ToString()) std::abort();
  static const char* kProbes[] = {"0", "1.0", "1.0a1", "1.0.post1", "1!0", "1.0+local", "1.0.dev0", "2.6.0"};
  for (const char* p : kProbes) {
    Version probe = *Version::Parse(p);
    const bool lt = *v < probe, gt = *v > probe, eq = *v == probe;
    if (lt + gt + eq != 1) std::abort();
    if ((probe < *v) != gt) std::abort();
  }
}

void CheckCvss(std::string_view text) {
  for (absl::StatusOr<double> s : {kgate::deps::CvssV3BaseScore(text), kgate::deps::CvssV4Score(text)}) {
    if (!s.ok()) continue;
    if (!(*s >= 0.0 && *s <= 10.0) || std::fabs(*s * 10 - std::round(*s * 10)) > 1e-9) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0:
      CheckVersion(text);
      break;
    case 1: {
      absl::StatusOr<kgate::deps::Requirement> r = kgate::deps::ParseRequirement(text);
      if (r.ok()) {
        (void)r->PinnedVersion();
        if (!kgate::deps::IsValidName(r->name)) std::abort();
        (void)kgate::deps::WheelVersionFromUrl(r->url);
      }
      break;
    }
    case 2:
      (void)kgate::deps::ParseRequirementsText(text, "fuzz.txt");
      break;
    case 3:
      (void)kgate::deps::ParseMetadata(text, "fuzz/METADATA");
      break;
    case 4:
      CheckCvss(text);
      break;
  }
  return 0;
}
