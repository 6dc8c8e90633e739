#include "serve/live_repository.h"

#include <chrono>

namespace kgate::serve {

std::shared_ptr<const ModelRepository> LiveRepository::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void LiveRepository::Swap(std::shared_ptr<const ModelRepository> next) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_.swap(next);
  }
  // `next` now holds the previous snapshot: released here, outside the lock,
  // so freeing its models never blocks a request taking a snapshot.
}

RepositoryPoller::RepositoryPoller(RepositoryLoader& loader, LiveRepository& live, absl::Duration interval,
                                   std::function<void(const ModelRepository&)> on_swap)
    : loader_(loader), live_(live), interval_(interval), on_swap_(std::move(on_swap)) {
  thread_ = std::thread([this] { Run(); });
}

RepositoryPoller::~RepositoryPoller() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void RepositoryPoller::Run() {
  const auto wait = std::chrono::nanoseconds(absl::ToInt64Nanoseconds(interval_));
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, wait, [this] { return stop_; })) {
    lock.unlock();
    std::shared_ptr<const ModelRepository> next = loader_.Poll();
    if (next != nullptr) {
      live_.Swap(next);
      if (on_swap_) on_swap_(*next);
    }
    lock.lock();
  }
}

}  // namespace kgate::serve
