// PeerIterator: the EngineIterator over a RocksDB or LevelDB iterator. Both
// libraries share one iterator contract (Seek/SeekToFirst/SeekToLast/Next/
// Prev/Valid/key/value/status, Slice with data() and size()), so one
// template serves both adapters without including either library here.
// An iterator that stops on an error ends the program (die()) instead of
// looking like the end of the data.
// Thread-safety: one thread at a time, like the wrapped iterator.
#pragma once

#include <memory>
#include <string_view>
#include <utility>

#include "engine.hpp"

namespace sand_bench {

template <typename Iterator, typename Slice>
class PeerIterator final : public EngineIterator {
 public:
  PeerIterator(std::unique_ptr<Iterator> it, std::string_view engine)
      : it_(std::move(it)), engine_(engine) {}

  void seek(std::string_view target) override {
    it_->Seek(Slice(target.data(), target.size()));
    settle();
  }
  void seek_to_first() override {
    it_->SeekToFirst();
    settle();
  }
  void seek_to_last() override {
    it_->SeekToLast();
    settle();
  }
  void next() override {
    it_->Next();
    settle();
  }
  void prev() override {
    it_->Prev();
    settle();
  }
  bool valid() const override { return it_->Valid(); }
  std::string_view key() const override { return view(it_->key()); }
  std::string_view value() const override { return view(it_->value()); }

 private:
  static std::string_view view(const Slice& s) { return {s.data(), s.size()}; }
  void settle() {
    if (it_->Valid()) return;
    const auto status = it_->status();
    if (!status.ok()) die(engine_, "iterator", status.ToString());
  }

  std::unique_ptr<Iterator> it_;
  std::string_view engine_;  // a string literal
};

}  // namespace sand_bench
