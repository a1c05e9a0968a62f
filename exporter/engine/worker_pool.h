#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace fue {

// A fixed set of threads running queued jobs in order. Its size can change at runtime (a reload
// may change global.max_concurrent_targets); surplus threads leave once they are idle.
class WorkerPool {
 public:
  explicit WorkerPool(int size);
  ~WorkerPool();  // runs the jobs already queued, then joins every thread
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void submit(std::function<void()> job);
  void resize(int size);
  int size() const;

 private:
  void work();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  int wanted_ = 0;
  int running_ = 0;
  bool stopping_ = false;
};

}  // namespace fue
