// Times keras::LoadModelFile (map, verify, build the graph, bind and convert
// every weight) on one model file and prints JSON. bench/load_vs_keras.py runs
// it next to Keras's load_model on the same file.
//
//   kgate_load_bench MODEL [ITERATIONS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "keras/model_loader.h"
#include "util/mapped_file.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: kgate_load_bench MODEL [ITERATIONS]\n");
    return 2;
  }
  const std::string path = argv[1];
  const int iterations = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  std::vector<double> seconds;
  int64_t params = 0;
  for (int i = 0; i < iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto graph = kgate::keras::LoadModelFile(path);
    auto stop = std::chrono::steady_clock::now();
    if (!graph.ok()) {
      std::fprintf(stderr, "load failed: %s\n", std::string(graph.status().message()).c_str());
      return 1;
    }
    params = (*graph)->ParamCount();
    seconds.push_back(std::chrono::duration<double>(stop - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  auto file = kgate::util::MappedFile::Open(path);
  const double bytes = file.ok() ? static_cast<double>(file->data().size()) : 0;
  std::printf("{\"path\": \"%s\", \"bytes\": %.0f, \"params\": %lld, \"iterations\": %d, "
              "\"min_s\": %.6f, \"median_s\": %.6f, \"mb_per_s\": %.1f}\n",
              path.c_str(), bytes, static_cast<long long>(params), iterations, seconds.front(),
              seconds[seconds.size() / 2], bytes / 1e6 / seconds[seconds.size() / 2]);
  return 0;
}
