#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sim {

// Generated list pages, kept by a key the caller builds from everything the page depends on
// (the vendor's fleet knobs and the request's paging and filter parameters). Regenerating a
// 1,000-VM page on every request made the simulator, which shares the benchmark machine's two
// cores with the exporter, cost as much CPU as the exporter itself.
class PageMemo {
 public:
  // The page under `key`, made by `make` the first time.
  std::shared_ptr<const std::string> get(const std::string& key,
                                         const std::function<std::string()>& make);

 private:
  static constexpr size_t kMaxBytes = 256u << 20;  // then it starts over
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> pages_;
  size_t bytes_ = 0;
};

}  // namespace sim
