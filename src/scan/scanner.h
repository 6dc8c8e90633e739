// File: scanner.h
// `kgate scan` and `kgate inspect` share this entry: it expands the paths a
// user gives into model files, analyzes each through keras::AnalyzeModel (the
// same code path the server loads with), and gives a verdict per file. A
// directory is walked recursively without following symlinks; inside
// directories only model-looking files (.keras, .h5, .hdf5) are scanned,
// while a file named explicitly is scanned whatever its extension.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "keras/model_loader.h"
#include "util/finding.h"

namespace kgate::scan {

enum class Verdict { kAccept, kReject, kError };
std::string_view VerdictName(Verdict v);  // "accept", "reject", "error"

struct FileResult {
  std::string path;
  Verdict verdict = Verdict::kError;
  keras::ModelReport report;  // findings, format, graph
  std::string error;          // set when verdict == kError (unreadable path)
};

struct ScanOptions {
  keras::LoadOptions load;
  // Caps the directory walk so a hostile tree cannot make a scan unbounded.
  size_t max_files = 100000;
  int max_depth = 64;
};

// Scans one file.
FileResult ScanFile(const std::string& path, const ScanOptions& options = {});

// Expands `paths` (files and directories) and scans every model file found,
// in the order given (directory entries sorted by name). A path that does not
// exist or cannot be listed yields one kError result.
std::vector<FileResult> ScanPaths(const std::vector<std::string>& paths, const ScanOptions& options = {});

}  // namespace kgate::scan
