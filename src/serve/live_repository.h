// File: live_repository.h
// The repository a running server answers from, and the thread that keeps
// it current. LiveRepository holds the current snapshot; a request takes it
// once (Snapshot) and keeps it until its reply is written, so the models it
// uses stay alive however many swaps happen meanwhile, and are freed when
// the last request holding them ends. RepositoryPoller runs
// RepositoryLoader::Poll on its own thread every interval, so loading and
// compiling never happen on the request path, and swaps in what it built.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/time/time.h"
#include "serve/model_repository.h"
#include "serve/repository_loader.h"

namespace kgate::serve {

class LiveRepository {
 public:
  explicit LiveRepository(std::shared_ptr<const ModelRepository> initial) : current_(std::move(initial)) {}

  // Never null. Thread-safe.
  std::shared_ptr<const ModelRepository> Snapshot() const;
  // Makes `next` current; requests already running keep the previous one.
  void Swap(std::shared_ptr<const ModelRepository> next);

 private:
  // A mutex rather than std::atomic<std::shared_ptr>: held only for a
  // pointer copy, and libstdc++ 12's atomic shared_ptr takes a lock too.
  mutable std::mutex mu_;
  std::shared_ptr<const ModelRepository> current_;
};

class RepositoryPoller {
 public:
  // Starts polling `loader` every `interval` (> 0) into `live`; both must
  // outlive the poller. `on_swap` (may be empty) is told after each swap.
  RepositoryPoller(RepositoryLoader& loader, LiveRepository& live, absl::Duration interval,
                   std::function<void(const ModelRepository&)> on_swap = {});
  // Stops: waits for a poll in progress to finish.
  ~RepositoryPoller();
  RepositoryPoller(const RepositoryPoller&) = delete;
  RepositoryPoller& operator=(const RepositoryPoller&) = delete;

 private:
  void Run();

  RepositoryLoader& loader_;
  LiveRepository& live_;
  const absl::Duration interval_;
  std::function<void(const ModelRepository&)> on_swap_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace kgate::serve
