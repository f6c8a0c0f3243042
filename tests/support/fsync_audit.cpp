// The syscall-order audit's checkers (support/fsync_audit.hpp).
#include "support/fsync_audit.hpp"

#include <algorithm>
#include <set>

#include "db/filenames.hpp"
#include "wal/log_format.hpp"
#include "wal/record_reader.hpp"

namespace sand::test::fsync_audit {

std::string name_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string dir_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

bool is_table(const std::string& path) { return path.ends_with(".sst"); }

bool is_wal(const std::string& path) { return path.ends_with(".wal"); }

bool is_manifest(const std::string& path) { return name_of(path) == "MANIFEST"; }

bool is_manifest_tmp(const std::string& path) { return name_of(path) == "MANIFEST.tmp"; }

bool is(const Event& e, OpKind kind) { return e.ok && e.kind == kind; }

bool is(const Event& e, OpKind kind, const std::string& path) {
  return is(e, kind) && e.path == path;
}

bool is_rollover_rename(const Event& e) {
  return is(e, OpKind::kRename) && is_manifest_tmp(e.path) && is_manifest(e.to);
}

std::string describe(const std::vector<Event>& ev, std::size_t i) {
  const Event& e = ev[i];
  return "#" + std::to_string(i) + " " + std::string(sand::test::op_kind_name(e.kind)) + " " +
         e.path + (e.to.empty() ? "" : " -> " + e.to);
}

std::optional<std::size_t> first_between(const std::vector<Event>& ev, std::size_t from,
                                         std::size_t to, const Pred& p) {
  for (std::size_t i = from + 1; i < to && i < ev.size(); ++i) {
    if (p(ev[i])) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> last_between(const std::vector<Event>& ev, std::size_t from,
                                        std::size_t to, const Pred& p) {
  for (std::size_t i = std::min(to, ev.size()); i-- > 0;) {
    if (from != std::string::npos && i <= from) break;
    if (p(ev[i])) return i;
  }
  return std::nullopt;
}

RuleResult check_r1(const std::vector<Event>& ev) {
  RuleResult r;
  for (std::size_t c = 0; c < ev.size(); ++c) {
    if (!is(ev[c], OpKind::kCreate) || !is_table(ev[c].path)) continue;
    const std::string& t = ev[c].path;
    const auto named = first_between(ev, c, ev.size(), [](const Event& e) {
      return is(e, OpKind::kAppend) && (is_manifest(e.path) || is_manifest_tmp(e.path));
    });
    if (!named) continue;  // never named (an orphan, or the workload ended)
    ++r.checked;
    const auto last_append =
        last_between(ev, c, *named, [&](const Event& e) { return is(e, OpKind::kAppend, t); });
    if (!first_between(ev, last_append.value_or(c), *named,
                       [&](const Event& e) { return is(e, OpKind::kSync, t); })) {
      r.violations.push_back("R1: " + t + " is named by " + describe(ev, *named) +
                             " before its data is synced");
    }
    if (!first_between(ev, c, *named,
                       [&](const Event& e) { return is(e, OpKind::kSyncDir, dir_of(t)); })) {
      r.violations.push_back("R1: " + t + " is named by " + describe(ev, *named) +
                             " before its directory entry is synced");
    }
    if (const auto late = first_between(
            ev, *named, ev.size(), [&](const Event& e) { return is(e, OpKind::kAppend, t); })) {
      r.violations.push_back("R1: " + t + " is appended to at " + describe(ev, *late) + " after " +
                             describe(ev, *named) + " named it");
    }
  }
  return r;
}

RuleResult check_r2(const std::vector<Event>& ev) {
  RuleResult r;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (!is_rollover_rename(ev[i])) continue;
    ++r.checked;
    const std::string& tmp = ev[i].path;
    const auto created =
        last_between(ev, kStart, i, [&](const Event& e) { return is(e, OpKind::kCreate, tmp); });
    const auto last_append = last_between(ev, created.value_or(kStart), i, [&](const Event& e) {
      return is(e, OpKind::kAppend, tmp);
    });
    if (last_append && !first_between(ev, *last_append, i,
                                      [&](const Event& e) { return is(e, OpKind::kSync, tmp); })) {
      r.violations.push_back("R2: " + describe(ev, i) + " renames " + tmp +
                             " before it is synced (last append " + describe(ev, *last_append) +
                             ")");
    }
    const std::string dir = dir_of(ev[i].to);
    const auto dependent = first_between(ev, i, ev.size(), [&](const Event& e) {
      return (is(e, OpKind::kAppend) && e.path == ev[i].to) || is(e, OpKind::kRemove) ||
             is(e, OpKind::kRename);
    });
    if (!dependent) continue;
    if (!first_between(ev, i, *dependent,
                       [&](const Event& e) { return is(e, OpKind::kSyncDir, dir); })) {
      r.violations.push_back("R2: " + describe(ev, *dependent) + " depends on " + describe(ev, i) +
                             " before the directory is synced");
    }
  }
  return r;
}

RuleResult check_r3(const std::vector<Event>& ev, const std::vector<Ack>& acks) {
  RuleResult r;
  for (const Ack& a : acks) {
    ++r.checked;
    const auto append =
        first_between(ev, a.begin == 0 ? kStart : a.begin - 1, a.end,
                      [](const Event& e) { return is(e, OpKind::kAppend) && is_wal(e.path); });
    if (!append) {
      r.violations.push_back("R3: a synced write acknowledged at event " + std::to_string(a.end) +
                             " appended to no WAL");
      continue;
    }
    const std::string& wal = ev[*append].path;
    const auto sync = first_between(ev, *append, a.end,
                                    [&](const Event& e) { return is(e, OpKind::kSync, wal); });
    if (!sync) {
      r.violations.push_back("R3: a synced write acknowledged at event " + std::to_string(a.end) +
                             " after " + describe(ev, *append) + " without syncing " + wal);
      continue;
    }
    const auto created = last_between(ev, kStart, *sync,
                                      [&](const Event& e) { return is(e, OpKind::kCreate, wal); });
    if (!created) {
      r.violations.push_back("R3: " + wal + " acknowledges a write but was never created");
      continue;
    }
    if (!first_between(ev, *created, *sync,
                       [&](const Event& e) { return is(e, OpKind::kSyncDir, dir_of(wal)); })) {
      r.violations.push_back("R3: " + describe(ev, *sync) + " acknowledges a synced write from " +
                             wal + " (created at " + describe(ev, *created) +
                             ") before its directory entry is synced");
    }
  }
  return r;
}

// One manifest file (MANIFEST or MANIFEST.tmp, followed through renames) as
// rebuilt from its appends.
struct ManifestFile {
  std::string bytes;
  std::optional<std::uint64_t> log_id;  // once the 28-byte file header is complete
  std::uint64_t parsed_end = 0;         // the offset past the last decoded record
  std::vector<ManifestRecord> staged;   // decoded records of a MANIFEST.tmp, not committed
  std::vector<std::size_t> committed;   // indices in ManifestHistory::records
  std::optional<std::size_t> name_durable;
};

// Decodes the whole records that the bytes from `f.parsed_end` on hold now;
// a partial record waits for the next append. RecordReader::open reads the
// file header the first time, resume() every later piece.
std::vector<ManifestRecord> decode_new_records(ManifestFile& f, const std::string& path,
                                               ManifestHistory& h) {
  std::vector<ManifestRecord> out;
  std::optional<wal::RecordReader> reader;
  if (!f.log_id) {
    if (f.bytes.size() < wal::kFileHeaderSize) return out;
    auto opened = wal::RecordReader::open(f.bytes, path, wal::LogKind::kManifest, false);
    if (!opened.is_ok()) {
      h.problems.push_back(opened.status().to_string());
      f.parsed_end = f.bytes.size();  // report a bad header once
      f.log_id = 0;
      return out;
    }
    f.log_id = opened->log_id();
    reader.emplace(std::move(opened).value());
  } else {
    reader.emplace(wal::RecordReader::resume(std::string_view(f.bytes).substr(f.parsed_end),
                                             f.parsed_end, path, *f.log_id, false));
  }
  while (true) {
    auto next = reader->next();
    if (!next.is_ok()) {
      h.problems.push_back(next.status().to_string());
      f.parsed_end = f.bytes.size();  // skip the damage; it is reported
      return out;
    }
    if (!next->has_value()) break;
    const wal::LogRecord& rec = **next;
    auto edit = manifest::Edit::decode(rec.payload, path, rec.offset);
    if (!edit.is_ok()) {
      h.problems.push_back(edit.status().to_string());
      continue;
    }
    ManifestRecord m;
    m.file = path;
    m.offset = rec.offset;
    m.edit = std::move(edit).value();
    out.push_back(std::move(m));
  }
  f.parsed_end = reader->valid_end();
  return out;
}

ManifestHistory decode_manifest_history(const std::vector<Event>& ev,
                                        const std::vector<std::string>& appended) {
  ManifestHistory h;
  std::map<std::string, std::shared_ptr<ManifestFile>> files;  // by current path
  auto is_log = [](const std::string& p) { return is_manifest(p) || is_manifest_tmp(p); };
  for (std::size_t i = 0; i < ev.size(); ++i) {
    const Event& e = ev[i];
    if (!e.ok) continue;
    switch (e.kind) {
      case OpKind::kCreate:
        if (is_log(e.path)) files[e.path] = std::make_shared<ManifestFile>();  // O_TRUNC
        break;
      case OpKind::kReopen:
        if (is_log(e.path) && !files.contains(e.path)) {
          h.problems.push_back(describe(ev, i) + ": reopens a manifest whose bytes were not seen");
          files[e.path] = std::make_shared<ManifestFile>();
          files[e.path]->log_id = 0;
          files[e.path]->parsed_end = e.size_after;
        }
        break;
      case OpKind::kAppend: {
        if (!is_log(e.path)) break;
        auto& f = files[e.path];
        if (!f) f = std::make_shared<ManifestFile>();
        static const std::string kNothing;
        const std::string& data = i < appended.size() ? appended[i] : kNothing;
        f->bytes += data;
        if (data.size() != e.bytes || f->bytes.size() != e.size_after) {
          h.problems.push_back(
              describe(ev, i) + ": the captured bytes (" + std::to_string(data.size()) +
              ", file now " + std::to_string(f->bytes.size()) + ") disagree with the event (" +
              std::to_string(e.bytes) + ", file now " + std::to_string(e.size_after) + ")");
        }
        for (auto& m : decode_new_records(*f, e.path, h)) {
          if (is_manifest_tmp(e.path)) {
            f->staged.push_back(std::move(m));
          } else {
            m.committed = i;
            m.name_durable = f->name_durable;
            f->committed.push_back(h.records.size());
            h.records.push_back(std::move(m));
          }
        }
        break;
      }
      case OpKind::kSync:
        if (const auto it = files.find(e.path); it != files.end()) {
          // A sync makes every byte appended so far durable.
          for (auto& m : it->second->staged) m.synced = m.synced.value_or(i);
          for (std::size_t k : it->second->committed) {
            h.records[k].synced = h.records[k].synced.value_or(i);
          }
        }
        break;
      case OpKind::kRename: {
        const auto it = files.find(e.path);
        if (it == files.end()) {
          files.erase(e.to);  // whatever is renamed over `to` is no manifest we read
          break;
        }
        std::shared_ptr<ManifestFile> f = it->second;
        files.erase(it);
        f->name_durable.reset();  // the new name is durable at the next sync_dir
        if (is_manifest(e.to)) {
          // The rollover's commit point: the snapshot becomes current.
          for (auto& m : f->staged) {
            m.committed = i;
            f->committed.push_back(h.records.size());
            h.records.push_back(std::move(m));
          }
          f->staged.clear();
        }
        files[e.to] = std::move(f);
        break;
      }
      case OpKind::kRemove:
        files.erase(e.path);
        break;
      case OpKind::kSyncDir:
        for (auto& [path, f] : files) {
          if (dir_of(path) != e.path || f->name_durable) continue;
          f->name_durable = i;
          for (std::size_t k : f->committed) {
            h.records[k].name_durable = h.records[k].name_durable.value_or(i);
          }
        }
        break;
      default:
        break;
    }
  }
  manifest::State state;
  for (auto& m : h.records) {
    const Status s = state.apply(m.edit, m.file, m.offset);
    if (!s.is_ok()) h.problems.push_back(s.to_string());
    m.after = state;
  }
  return h;
}

RuleResult check_r4(const std::vector<Event>& ev, const std::vector<std::string>& appended,
                    R4Coverage* coverage) {
  R4Coverage unused;
  R4Coverage& cov = coverage != nullptr ? *coverage : unused;
  const ManifestHistory h = decode_manifest_history(ev, appended);
  RuleResult r;
  for (const auto& p : h.problems) r.violations.push_back("R4: " + p);
  // Whether the removal at `i` of `what` passes, given the record retiring it.
  auto report = [&](std::size_t i, const std::string& what, const ManifestRecord* retiring) {
    if (retiring == nullptr || retiring->committed > i) {
      r.violations.push_back("R4: " + describe(ev, i) + " removes " + what +
                             " with no manifest edit retiring it before");
      return false;
    }
    if (!retiring->durable_before(i)) {
      r.violations.push_back("R4: " + describe(ev, i) + " removes " + what + " before " +
                             retiring->describe() + " (the edit retiring it) is durable");
      return false;
    }
    return true;
  };
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (!is(ev[i], OpKind::kRemove)) continue;
    const auto parsed = parse_file_name(name_of(ev[i].path));
    if (!parsed || (parsed->type != FileType::kTable && parsed->type != FileType::kWal)) continue;
    ++r.checked;
    const std::uint64_t n = parsed->number;
    const ManifestRecord* retiring = nullptr;
    if (parsed->type == FileType::kWal) {
      for (const auto& m : h.records) {
        if (m.after.wal_number > n) {
          retiring = &m;
          break;
        }
      }
      cov.wals += report(i, "WAL " + std::to_string(n), retiring);
      continue;
    }
    auto names = [n](const ManifestRecord& m) {
      return std::any_of(m.edit.added.begin(), m.edit.added.end(),
                         [n](const manifest::TableMeta& t) { return t.number == n; });
    };
    const auto first = std::find_if(h.records.begin(), h.records.end(), names);
    const bool ever_durable = std::any_of(h.records.begin(), h.records.end(), [&](const auto& m) {
      return names(m) && m.durable_before(ev.size());
    });
    if (!ever_durable) {  // an orphan: no durable edit ever named it
      ++cov.orphan_tables;
      continue;
    }
    if (first->committed > i) {
      r.violations.push_back("R4: " + describe(ev, i) + " removes table " + std::to_string(n) +
                             " before " + first->describe() + " names it");
      continue;
    }
    const auto retire = std::find_if(first, h.records.end(), [n](const ManifestRecord& m) {
      return !m.after.tables.contains(n);
    });
    if (report(i, "table " + std::to_string(n), retire == h.records.end() ? nullptr : &*retire)) {
      ++(retire->edit.snapshot ? cov.tables_by_snapshot : cov.tables_by_edit);
    }
  }
  return r;
}

RuleResult check_r5(const std::vector<Event>& ev) {
  RuleResult r;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (!is(ev[i], OpKind::kCreate) || !is_wal(ev[i].path)) continue;
    const std::string& fresh = ev[i].path;
    const auto prev = last_between(ev, kStart, i, [&](const Event& e) {
      return (is(e, OpKind::kCreate) || is(e, OpKind::kReopen)) && is_wal(e.path) &&
             e.path != fresh && dir_of(e.path) == dir_of(fresh);
    });
    if (!prev) continue;  // the directory's first WAL
    ++r.checked;
    const std::string& old = ev[*prev].path;
    const auto last_append =
        last_between(ev, *prev, i, [&](const Event& e) { return is(e, OpKind::kAppend, old); });
    if (!last_append) continue;
    if (!first_between(ev, *last_append, i,
                       [&](const Event& e) { return is(e, OpKind::kSync, old); })) {
      r.violations.push_back("R5: " + describe(ev, i) + " creates " + fresh + " while " + old +
                             " has unsynced appends (last " + describe(ev, *last_append) + ")");
    }
  }
  return r;
}

}  // namespace sand::test::fsync_audit
