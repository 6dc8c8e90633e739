#include "deps/dependency_paths.h"

#include <deque>

#include "util/strings.h"

namespace kgate::deps {

std::map<std::string, std::vector<std::string>> FrameworkPaths(const Inventory& inventory) {
  std::map<std::string, const Package*> by_name;
  for (const Package& p : inventory.packages) by_name.emplace(p.normalized, &p);
  std::map<std::string, std::string> parent;  // child -> the package it was reached from ("" for roots)
  std::deque<std::string> queue;
  for (const char* root : kFrameworkRoots) {
    if (by_name.count(root) && parent.emplace(root, "").second) queue.push_back(root);
  }
  while (!queue.empty()) {
    const std::string current = queue.front();
    queue.pop_front();
    for (const std::string& dep : by_name[current]->dependencies) {
      if (!by_name.count(dep) || parent.count(dep)) continue;
      parent.emplace(dep, current);
      queue.push_back(dep);
    }
  }
  std::map<std::string, std::vector<std::string>> paths;
  for (const auto& [name, from] : parent) {
    std::vector<std::string> path;
    // Depth is bounded by the number of packages: every step is a distinct
    // package discovered earlier in the search.
    for (std::string at = name; !at.empty(); at = parent[at]) {
      const Package* p = by_name[at];
      path.insert(path.begin(), util::StrCat(p->name, " ", p->version));
    }
    paths.emplace(name, std::move(path));
  }
  return paths;
}

}  // namespace kgate::deps
