// A linearizability checker for small concurrent histories (test-only).
//
// A history is a list of completed operations, each with the tick at which
// it was invoked and the tick at which it returned, both read from one clock
// shared by every thread (so `a.response < b.invoke` means a finished before
// b started), plus whatever result it observed. The history is linearizable
// if some total order of the operations (1) respects real time: a finished
// before b started implies a comes first, and (2) replayed one by one on a
// sequential model from the initial state, gives every operation exactly the
// result it observed.
//
// The search is Wing & Gong's, with Lowe's memoisation: depth-first, at each
// step try every operation that may go next (no pending operation finished
// before it was invoked), and never revisit a (set of placed operations,
// model state) pair that already failed. Exponential in the worst case; meant
// for histories of at most a few dozen operations.
//
// Invariants: the answer depends only on the history and the model, not on
// the order of `ops`. Thread-safety: a pure function; call it from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace sand::test {

// Returns a linearization of `ops` (indices into `ops`, in linearized order),
// or nullopt if none exists.
//
// REQUIRES: every op is complete, with members `std::uint64_t invoke` and
// `std::uint64_t response` (invoke < response), and a member
//   bool apply(State& state) const;
// that applies the operation to the sequential model `state` and returns
// whether the result the operation observed is the one the model gives.
// State must be copyable and ordered by operator< (for the memo).
template <typename State, typename Op>
std::optional<std::vector<std::size_t>> find_linearization(const std::vector<Op>& ops,
                                                           const State& initial) {
  struct Search {
    const std::vector<Op>& ops;
    std::vector<bool> placed;
    std::vector<std::size_t> order;
    // (placed set, state) pairs already explored without success.
    std::set<std::pair<std::vector<bool>, State>> dead;

    bool run(const State& state) {
      if (order.size() == ops.size()) return true;
      // An op may go next only if it was invoked before every pending op
      // returned; otherwise that op must precede it.
      std::uint64_t first_response = UINT64_MAX;
      for (std::size_t i = 0; i < ops.size(); ++i) {
        if (!placed[i] && ops[i].response < first_response) first_response = ops[i].response;
      }
      for (std::size_t i = 0; i < ops.size(); ++i) {
        if (placed[i] || ops[i].invoke > first_response) continue;
        State next = state;
        if (!ops[i].apply(next)) continue;
        placed[i] = true;
        if (dead.count({placed, next}) == 0) {
          order.push_back(i);
          if (run(next)) return true;
          order.pop_back();
          dead.insert({placed, std::move(next)});
        }
        placed[i] = false;
      }
      return false;
    }
  };
  Search search{ops, std::vector<bool>(ops.size(), false), {}, {}};
  search.order.reserve(ops.size());
  if (!search.run(initial)) return std::nullopt;
  return std::move(search.order);
}

}  // namespace sand::test
