// Histogram: per-operation latencies in log-spaced buckets, for p50/p99/p99.9.
//
// Invariants: a fixed array of counters (no allocation per recorded value).
// Values are nanoseconds. Values below 16 ns get one bucket each; above,
// every power of two is split into 16 equal buckets, so a bucket is at most
// 1/16 of its value wide and a percentile (the middle of its bucket, clamped
// to the observed min/max) is within ~3% of the true value.
//
// Thread-safety: none; each thread records into its own Histogram and the
// runner merges them afterwards.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

namespace sand_bench {

class Histogram {
 public:
  void record(std::uint64_t nanos) {
    ++buckets_[bucket_of(nanos)];
    ++count_;
    sum_ += nanos;
    min_ = std::min(min_, nanos);
    max_ = std::max(max_, nanos);
  }

  void merge(const Histogram& other) {
    for (std::size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }

  std::uint64_t count() const { return count_; }
  double mean_micros() const {
    return count_ == 0 ? 0 : static_cast<double>(sum_) / static_cast<double>(count_) / 1000.0;
  }
  double min_micros() const { return count_ == 0 ? 0 : static_cast<double>(min_) / 1000.0; }
  double max_micros() const { return static_cast<double>(max_) / 1000.0; }

  // The p-th percentile (0 < p <= 100) in microseconds; 0 when empty.
  double percentile_micros(double p) const {
    if (count_ == 0) return 0;
    const double rank = p / 100.0 * static_cast<double>(count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += buckets_[i];
      if (buckets_[i] != 0 && static_cast<double>(seen) >= rank) {
        const double mid =
            (static_cast<double>(lower_bound(i)) + static_cast<double>(upper_bound(i))) / 2;
        return std::clamp(mid, static_cast<double>(min_), static_cast<double>(max_)) / 1000.0;
      }
    }
    return max_micros();
  }

  // db_bench-style text: count, mean, percentiles and the non-empty buckets.
  std::string to_string() const {
    std::string out;
    char line[200];
    std::snprintf(line, sizeof line,
                  "Count: %llu  Average: %.4f  Min: %.3f  Max: %.3f micros\n"
                  "Percentiles: P50: %.2f P75: %.2f P99: %.2f P99.9: %.2f P99.99: %.2f\n",
                  static_cast<unsigned long long>(count_), mean_micros(), min_micros(),
                  max_micros(), percentile_micros(50), percentile_micros(75), percentile_micros(99),
                  percentile_micros(99.9), percentile_micros(99.99));
    out += line;
    out += "------------------------------------------------------\n";
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      if (buckets_[i] == 0) continue;
      seen += buckets_[i];
      const double pct = 100.0 * static_cast<double>(buckets_[i]) / static_cast<double>(count_);
      std::snprintf(line, sizeof line, "[ %10.3f, %10.3f ) %10llu %7.3f%% %7.3f%%\n",
                    static_cast<double>(lower_bound(i)) / 1000.0,
                    static_cast<double>(upper_bound(i)) / 1000.0,
                    static_cast<unsigned long long>(buckets_[i]), pct,
                    100.0 * static_cast<double>(seen) / static_cast<double>(count_));
      out += line;
    }
    return out;
  }

 private:
  static constexpr int kSubBits = 4;  // 16 buckets per power of two
  static constexpr std::uint64_t kSub = std::uint64_t{1} << kSubBits;
  static constexpr std::size_t kBuckets = kSub + (64 - kSubBits) * kSub;

  static std::size_t bucket_of(std::uint64_t v) {
    if (v < kSub) return static_cast<std::size_t>(v);
    const int e = std::bit_width(v) - 1;  // v in [2^e, 2^(e+1)), e >= kSubBits
    const std::uint64_t sub = (v >> (e - kSubBits)) & (kSub - 1);
    return static_cast<std::size_t>(kSub + static_cast<std::uint64_t>(e - kSubBits) * kSub + sub);
  }
  static std::uint64_t lower_bound(std::size_t i) {
    if (i < kSub) return i;
    const int e = static_cast<int>((i - kSub) / kSub) + kSubBits;
    const std::uint64_t sub = (i - kSub) % kSub;
    return (std::uint64_t{1} << e) + (sub << (e - kSubBits));
  }
  static std::uint64_t upper_bound(std::size_t i) {
    if (i < kSub) return i + 1;
    const int e = static_cast<int>((i - kSub) / kSub) + kSubBits;
    return lower_bound(i) + (std::uint64_t{1} << (e - kSubBits));
  }

  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t max_ = 0;
};

}  // namespace sand_bench
