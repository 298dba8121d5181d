// The one way drvsec spreads work over cores: a shared counter hands out indexes, so uneven items
// (a 10 KB driver next to a 5 MB one) balance themselves.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace drvsec {

// Worker threads for `items` pieces of work: `requested` (--jobs), or one per core when it is 0;
// never more than the items.
inline unsigned worker_count(unsigned requested, size_t items) {
  const unsigned jobs = requested ? requested : std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<size_t>(jobs, std::max<size_t>(1, items)));
}

// Calls work(i) for every i < n on `jobs` threads (the caller's among them).
template <typename Work>
void parallel_for(size_t n, unsigned jobs, const Work& work) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) work(i);
  };
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
}

}  // namespace drvsec
