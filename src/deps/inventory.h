// File: inventory.h
// What an audit looks at: the packages read from one input (an environment,
// a requirements file or a lockfile), each with its version and where it
// came from, the lines that could not be audited and why, and, when the
// input records them, each package's dependencies (for "keras → h5py" paths).
// Plain values; readers fill them, the auditor only reads them.
#pragma once

#include <string>
#include <vector>

namespace kgate::deps {

struct Package {
  std::string name;        // as the input spells it
  std::string normalized;  // PEP 503, the key for matching
  std::string version;     // as written (an OSV `versions` entry is compared as written too)
  std::string source;      // "requirements.txt:3", "site-packages/keras-3.10.0.dist-info/METADATA"
  std::vector<std::string> dependencies;  // PEP 503 names this package requires
};

struct NotAudited {
  std::string line;    // the requirement or entry, as written
  std::string reason;  // "not pinned", "editable install", ...
  std::string source;  // file:line
};

struct Inventory {
  std::string input;  // what was read: a path and its kind
  std::vector<Package> packages;
  std::vector<NotAudited> not_audited;
  std::vector<std::string> warnings;
  // True when dependencies were read (environments and most lockfiles), so
  // an empty `dependencies` means "none" rather than "unknown".
  bool has_dependency_graph = false;
};

}  // namespace kgate::deps
