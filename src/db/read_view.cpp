// Arranging live tables into levels and runs; deleting retired table files.
#include "db/read_view.hpp"

#include <algorithm>
#include <map>

namespace sand {

LiveTable::~LiveTable() {
  if (!obsolete.load()) return;
  table.reset();                   // unmap before unlinking
  fs->remove_file(path).ignore();  // best effort: a leftover is an orphan, removed at open
}

const LiveTable* SortedRun::file_for(std::string_view user_key) const {
  const auto it = std::lower_bound(files.begin(), files.end(), user_key,
                                   [](const TableRef& f, std::string_view k) {
                                     return std::string_view(f->meta.largest_key) < k;
                                   });
  if (it == files.end() || user_key < std::string_view((*it)->meta.smallest_key)) return nullptr;
  return it->get();
}

std::vector<TableRef> ReadView::all_tables() const {
  std::vector<TableRef> all(l0.begin(), l0.end());
  for (const auto& run : l1) all.insert(all.end(), run.files.begin(), run.files.end());
  all.insert(all.end(), l2.files.begin(), l2.files.end());
  return all;
}

namespace {

SortedRun make_run(std::vector<TableRef> files) {
  SortedRun run;
  std::sort(files.begin(), files.end(), [](const TableRef& a, const TableRef& b) {
    return a->meta.smallest_key < b->meta.smallest_key;
  });
  for (const auto& f : files) {
    run.max_version = std::max(run.max_version, f->meta.max_version);
    run.min_version =
        run.files.empty() ? f->meta.min_version : std::min(run.min_version, f->meta.min_version);
    run.files.push_back(f);
  }
  return run;
}

}  // namespace

std::shared_ptr<const ReadView> ReadView::tables_only() const {
  auto view = std::make_shared<ReadView>(*this);
  view->mem.reset();
  view->frozen.clear();
  return view;
}

std::shared_ptr<ReadView> ReadView::with_tables(std::vector<TableRef> tables) const {
  auto view = std::make_shared<ReadView>();
  view->mem = mem;
  view->frozen = frozen;
  view->last_version = last_version;
  view->values = values;
  std::map<std::uint64_t, std::vector<TableRef>> runs;  // level 1, by run id
  std::vector<TableRef> last;
  for (auto& t : tables) {
    switch (t->meta.level) {
      case 0:
        view->l0.push_back(std::move(t));
        break;
      case 1:
        runs[t->meta.run].push_back(std::move(t));
        break;
      default:
        last.push_back(std::move(t));
        break;
    }
  }
  std::sort(view->l0.begin(), view->l0.end(), [](const TableRef& a, const TableRef& b) {
    return a->meta.max_version > b->meta.max_version;
  });
  for (auto& [id, files] : runs) view->l1.push_back(make_run(std::move(files)));
  std::sort(view->l1.begin(), view->l1.end(),
            [](const SortedRun& a, const SortedRun& b) { return a.max_version > b.max_version; });
  view->l2 = make_run(std::move(last));
  return view;
}

}  // namespace sand
