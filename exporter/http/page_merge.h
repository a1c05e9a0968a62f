#pragma once

#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace fue::http {

// Joins pages into one list and drops repeats of the same key: a listing can shift while it is
// paged (a row created or deleted between requests moves others across a page boundary), so the
// same resource may be seen twice. Items whose key is empty are kept, as they cannot be compared.
// Returns how many items were dropped through `duplicates` when given.
template <class T, class KeyFn>
std::vector<T> merge_unique(std::vector<std::vector<T>>&& pages, KeyFn&& key,
                            size_t* duplicates = nullptr) {
  size_t total = 0;
  for (const auto& page : pages) total += page.size();
  std::vector<T> out;
  out.reserve(total);
  std::unordered_set<std::string_view> seen;
  seen.reserve(total);
  size_t dropped = 0;
  for (auto& page : pages) {
    for (auto& item : page) {
      out.push_back(std::move(item));
      // Keys point into `out`, whose storage was reserved up front and never reallocates.
      std::string_view k = key(out.back());
      if (!k.empty() && !seen.insert(k).second) {
        out.pop_back();
        ++dropped;
      }
    }
    page.clear();
  }
  if (duplicates) *duplicates = dropped;
  return out;
}

}  // namespace fue::http
