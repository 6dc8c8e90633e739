// File: h5_audit.h
// The structural audit of an HDF5 file (model.weights.h5 inside a .keras, or
// a whole legacy .h5): every object reachable through hard links is opened
// and every link is inspected, and each problem becomes its own finding
// located "<file>:/path":
//   KG-H002 external link (with its target), KG-H003 soft / user-defined
//   link, and every object the reader refuses with its own rule (KG-H004
//   external storage, KG-H005 virtual dataset, KG-H006 unsupported feature,
//   KG-H007 declared/stored size mismatch, KG-H001 malformed).
// The audit also returns the datasets it saw, so weight binding can report
// the ones no variable claims (extra variables, KG-W001) without walking the
// file again. Thread-safe: no shared state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "io/hdf5/hdf5.h"
#include "util/finding.h"

namespace kgate::keras {

struct Hdf5Inventory {
  std::vector<std::string> dataset_paths;  // absolute ("/layers/dense/vars/0"), visit order
  bool complete = false;                   // the walk finished (no limit or root error)
};

// Audits `file`, adding findings located as `file_label` + ":" + path.
Hdf5Inventory AuditHdf5(const io::hdf5::File& file, std::string_view file_label, util::FindingList* findings);

}  // namespace kgate::keras
