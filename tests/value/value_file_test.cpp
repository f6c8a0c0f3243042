// Tests for src/value/value_file and value_files: checked reads by reference
// from the in-memory and the POSIX file system, the remap of a growing file,
// compressed values (LZ4 blocks with a raw_size), every error (naming path
// and offset), and the obsolete flag's deletion.
#include "value/value_file.hpp"

#include <lz4.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "sand/file_system.hpp"
#include "support/db_helpers.hpp"
#include "support/temp_dir.hpp"
#include "value/value_files.hpp"
#include "value/value_ref.hpp"

using namespace sand;
using namespace sand::value;
using sand::test::must;

namespace {

// One file system to run a test against, with a directory to put files in.
struct Env {
  explicit Env(bool posix) {
    if (posix) {
      tmp = std::make_unique<test::TempDir>();
      fs = posix_file_system();
      dir = tmp->path();
      name = "posix";
    } else {
      fs = memory_file_system();
      dir = "/db";
      must(fs->create_dir(dir));
      name = "memory";
    }
  }
  std::string path(const std::string& file) const { return dir + "/" + file; }

  std::unique_ptr<test::TempDir> tmp;
  std::shared_ptr<FileSystem> fs;
  std::string dir;
  std::string name;
};

void write_file(FileSystem& fs, const std::string& path, std::string_view bytes) {
  auto f = must(fs.new_writable_file(path));
  must(f->append(bytes));
  must(f->close());
}

ValueRef ref_to(std::uint64_t file, std::uint64_t offset, std::string_view value) {
  return ValueRef{
      .file = file, .offset = offset, .size = value.size(), .checksum = value_checksum(value)};
}

std::string encoded(const ValueRef& ref) {
  std::string s;
  encode_value_ref(ref, &s);
  return s;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// `value` as one LZ4 block (what a compressed put stores).
std::string lz4_block(std::string_view value) {
  std::string block(static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(value.size()))),
                    '\0');
  const int n = LZ4_compress_default(value.data(), block.data(), static_cast<int>(value.size()),
                                     static_cast<int>(block.size()));
  REQUIRE(n > 0);
  block.resize(static_cast<std::size_t>(n));
  return block;
}

// A reference to `block` at `offset` of file `file`, decompressing to
// `raw_size` bytes.
ValueRef compressed_ref_to(std::uint64_t file, std::uint64_t offset, std::string_view block,
                           std::uint64_t raw_size) {
  ValueRef ref = ref_to(file, offset, block);
  ref.raw_size = raw_size;
  return ref;
}

// 1000 bytes that LZ4 shrinks well.
std::string compressible_value() {
  std::string v;
  for (int i = 0; v.size() < 1000; ++i) v += "value " + std::to_string(i % 7) + " abcabcabc ";
  v.resize(1000);
  return v;
}

}  // namespace

TEST_CASE("a value file read returns the referenced bytes", "[value][value_file]") {
  Env env(GENERATE(false, true));
  INFO(env.name);
  const std::string path = env.path("000005.wal");
  write_file(*env.fs, path, "xxhelloyy");
  const ValueFile vf(env.fs, path, 5);
  CHECK(vf.path() == path);
  CHECK(vf.number() == 5);
  std::string out = "stale";
  must(vf.read(ref_to(5, 2, "hello"), &out));
  CHECK(out == "hello");
  must(vf.read(ref_to(5, 0, "xxhelloyy"), &out));
  CHECK(out == "xxhelloyy");
  // An empty value at the very end.
  must(vf.read(ref_to(5, 9, ""), &out));
  CHECK(out.empty());
  must(vf.read(ref_to(5, 7, "yy"), &out));
  CHECK(out == "yy");
}

TEST_CASE("a value file read of bytes appended after the first read remaps",
          "[value][value_file]") {
  Env env(GENERATE(false, true));
  INFO(env.name);
  const std::string path = env.path("000006.wal");
  auto writer = must(env.fs->new_writable_file(path));
  must(writer->append("hello"));
  const ValueFile vf(env.fs, path, 6);
  std::string out;
  must(vf.read(ref_to(6, 0, "hello"), &out));  // maps 5 bytes
  CHECK(out == "hello");
  must(writer->append("world!"));
  // Past the mapped end: remapped, not reported past the end.
  must(vf.read(ref_to(6, 5, "world!"), &out));
  CHECK(out == "world!");
  must(vf.read(ref_to(6, 3, "loworl"), &out));
  CHECK(out == "loworl");
  must(writer->append(std::string(5000, 'z')));
  must(vf.read(ref_to(6, 11, std::string(5000, 'z')), &out));
  CHECK(out == std::string(5000, 'z'));
  // Earlier references still read right from the new mapping.
  must(vf.read(ref_to(6, 0, "hello"), &out));
  CHECK(out == "hello");
  must(writer->close());
}

TEST_CASE("a value file read of a preallocated log file sees later appends",
          "[value][value_file]") {
  // The POSIX log file (the WAL) grows in preallocated windows written
  // through a shared mapping: appends land inside the reader's mapping.
  test::TempDir tmp;
  const auto fs = posix_file_system();
  const std::string path = tmp.path() + "/000007.wal";
  auto writer = must(fs->new_log_file(path));
  must(writer->append("hello"));
  const ValueFile vf(fs, path, 7);
  std::string out;
  must(vf.read(ref_to(7, 0, "hello"), &out));
  CHECK(out == "hello");
  must(writer->append("world!"));
  must(vf.read(ref_to(7, 5, "world!"), &out));
  CHECK(out == "world!");
  must(writer->close());
  must(vf.read(ref_to(7, 1, "ellowo"), &out));
  CHECK(out == "ellowo");
}

TEST_CASE("a value file read of a missing file is Corruption naming the path",
          "[value][value_file]") {
  Env env(GENERATE(false, true));
  INFO(env.name);
  const std::string path = env.path("000008.wal");
  const ValueFile vf(env.fs, path, 8);
  std::string out = "untouched";
  const Status s = vf.read(ref_to(8, 0, "hello"), &out);
  INFO(s.to_string());
  CHECK(s.code() == Code::kCorruption);
  CHECK(contains(s.message(), path));
  CHECK(contains(s.message(), "missing"));
  CHECK(out == "untouched");
}

TEST_CASE("a value file read past the end is Corruption naming path and offset",
          "[value][value_file]") {
  Env env(GENERATE(false, true));
  INFO(env.name);
  const std::string path = env.path("000009.wal");
  write_file(*env.fs, path, "xxhelloyy");
  const ValueFile vf(env.fs, path, 9);
  std::string out = "untouched";
  // Reaching one byte past the end, before and after a first good read.
  for (int round = 0; round < 2; ++round) {
    INFO("round " << round);
    const Status s = vf.read(ref_to(9, 7, "yy!"), &out);
    INFO(s.to_string());
    CHECK(s.code() == Code::kCorruption);
    CHECK(s.message().rfind(path + ": offset 7: ", 0) == 0);
    CHECK(contains(s.message(), "past the end"));
    CHECK(out == "untouched");
    if (round == 0) {
      std::string good;
      must(vf.read(ref_to(9, 2, "hello"), &good));
    }
  }
  // Starting past the end.
  const Status far = vf.read(ref_to(9, 1000, "a"), &out);
  CHECK(far.code() == Code::kCorruption);
  CHECK(far.message().rfind(path + ": offset 1000: ", 0) == 0);
  CHECK(out == "untouched");
}

TEST_CASE("a value file read of a flipped byte is Corruption naming path and offset",
          "[value][value_file]") {
  Env env(GENERATE(false, true));
  INFO(env.name);
  const std::string path = env.path("000010.wal");
  write_file(*env.fs, path, "xxhfllo");  // "hello" with its second byte flipped
  const ValueFile vf(env.fs, path, 10);
  std::string out = "untouched";
  const Status s = vf.read(ref_to(10, 2, "hello"), &out);
  CHECK(s == Status::corruption(path, 2, "value of 5 bytes does not match its checksum"));
  CHECK(out == "untouched");
  // A ref whose checksum has one bit flipped fails the same way.
  ValueRef bad = ref_to(10, 0, "xxhfllo");
  bad.checksum ^= 1;
  const Status t = vf.read(bad, &out);
  CHECK(t.code() == Code::kCorruption);
  CHECK(t.message().rfind(path + ": offset 0: ", 0) == 0);
  CHECK(contains(t.message(), "does not match its checksum"));
  // The unflipped checksum reads.
  must(vf.read(ref_to(10, 0, "xxhfllo"), &out));
  CHECK(out == "xxhfllo");
}

TEST_CASE("an obsolete value file is deleted when destroyed and a live one is kept",
          "[value][value_file]") {
  Env env(GENERATE(false, true));
  INFO(env.name);
  const std::string kept = env.path("000011.wal");
  const std::string gone = env.path("000012.wal");
  const std::string gone_unmapped = env.path("000013.wal");
  write_file(*env.fs, kept, "hello");
  write_file(*env.fs, gone, "hello");
  write_file(*env.fs, gone_unmapped, "hello");
  {
    auto a = std::make_unique<ValueFile>(env.fs, kept, 11);
    auto b = std::make_unique<ValueFile>(env.fs, gone, 12);
    auto c = std::make_unique<ValueFile>(env.fs, gone_unmapped, 13);
    std::string out;
    must(a->read(ref_to(11, 0, "hello"), &out));
    must(b->read(ref_to(12, 0, "hello"), &out));
    CHECK_FALSE(a->obsolete.load());
    b->obsolete = true;
    c->obsolete = true;  // never read: never mapped
    a.reset();
    b.reset();
    c.reset();
  }
  CHECK(env.fs->exists(kept));
  CHECK_FALSE(env.fs->exists(gone));
  CHECK_FALSE(env.fs->exists(gone_unmapped));
  // The kept file is intact for the next reader.
  const ValueFile again(env.fs, kept, 11);
  std::string out;
  must(again.read(ref_to(11, 0, "hello"), &out));
  CHECK(out == "hello");
}

TEST_CASE("an obsolete value file already gone is destroyed quietly", "[value][value_file]") {
  Env env(GENERATE(false, true));
  INFO(env.name);
  const std::string path = env.path("000014.wal");
  write_file(*env.fs, path, "hello");
  auto vf = std::make_unique<ValueFile>(env.fs, path, 14);
  must(env.fs->remove_file(path));
  vf->obsolete = true;
  vf.reset();  // remove_file fails with NotFound: ignored
  CHECK_FALSE(env.fs->exists(path));
}

TEST_CASE("map_now of a missing value file is NotFound", "[value][value_file]") {
  Env env(GENERATE(false, true));
  INFO(env.name);
  const ValueFile vf(env.fs, env.path("000015.wal"), 15);
  const Status s = vf.map_now();
  INFO(s.to_string());
  CHECK(s.code() == Code::kNotFound);
}

TEST_CASE("map_now keeps a value file readable after its name is removed", "[value][value_file]") {
  Env env(GENERATE(false, true));
  INFO(env.name);
  const std::string path = env.path("000016.wal");
  write_file(*env.fs, path, "xxhelloyy");
  const ValueFile vf(env.fs, path, 16);
  must(vf.map_now());
  must(env.fs->remove_file(path));
  std::string out;
  must(vf.read(ref_to(16, 2, "hello"), &out));
  CHECK(out == "hello");
  // A ref past the mapping looks for the file again: gone, so Corruption.
  const Status s = vf.read(ref_to(16, 8, "yz"), &out);
  CHECK(s.code() == Code::kCorruption);
  CHECK(contains(s.message(), path));
}

TEST_CASE("ValueFiles reads each reference from the file it names", "[value][value_files]") {
  Env env(GENERATE(false, true));
  INFO(env.name);
  write_file(*env.fs, env.path("000003.wal"), "abcHELLO");
  write_file(*env.fs, env.path("000004.wal"), "WORLDxyz");
  ValueFiles::Map map;
  map[3] = std::make_shared<ValueFile>(env.fs, env.path("000003.wal"), 3);
  map[4] = std::make_shared<ValueFile>(env.fs, env.path("000004.wal"), 4);
  const ValueFiles files(map);
  CHECK(files.files().size() == 2);
  std::string out;
  must(files.read(encoded(ref_to(3, 3, "HELLO")), &out));
  CHECK(out == "HELLO");
  must(files.read(encoded(ref_to(4, 0, "WORLD")), &out));
  CHECK(out == "WORLD");
  // A reference with the right bytes but the other file's number fails.
  const Status s = files.read(encoded(ref_to(4, 3, "HELLO")), &out);
  CHECK(s.code() == Code::kCorruption);
  CHECK(contains(s.message(), env.path("000004.wal")));
}

TEST_CASE("ValueFiles read of malformed reference bytes is Corruption", "[value][value_files]") {
  const auto fs = memory_file_system();
  must(fs->create_dir("/db"));
  write_file(*fs, "/db/000003.wal", "hello");
  ValueFiles::Map map;
  map[3] = std::make_shared<ValueFile>(fs, "/db/000003.wal", 3);
  const ValueFiles files(map);
  const std::string good = encoded(ref_to(3, 0, "hello"));
  std::string out = "untouched";
  const std::string bad[] = {
      "",
      good.substr(0, good.size() - 1),                           // truncated
      good + std::string("\x00", 1),                             // trailing byte
      encoded(ValueRef{.file = 0, .size = 5}),                   // file 0
      encoded(ValueRef{.file = 3, .offset = ~0ull, .size = 5}),  // overflow
  };
  for (const std::string& bytes : bad) {
    INFO("ref of " << bytes.size() << " bytes");
    const Status s = files.read(bytes, &out);
    CHECK(s.code() == Code::kCorruption);
    CHECK(contains(s.message(), "malformed value reference"));
    CHECK(out == "untouched");
  }
  must(files.read(good, &out));
  CHECK(out == "hello");
}

TEST_CASE("ValueFiles read of a file number not in the set is Corruption", "[value][value_files]") {
  const auto fs = memory_file_system();
  must(fs->create_dir("/db"));
  write_file(*fs, "/db/000003.wal", "hello");
  write_file(*fs, "/db/000009.wal", "hello");  // on disk but not in the set
  ValueFiles::Map map;
  map[3] = std::make_shared<ValueFile>(fs, "/db/000003.wal", 3);
  const ValueFiles files(map);
  std::string out = "untouched";
  const Status s = files.read(encoded(ref_to(9, 0, "hello")), &out);
  INFO(s.to_string());
  CHECK(s.code() == Code::kCorruption);
  CHECK(contains(s.message(), "file 9"));
  CHECK(out == "untouched");
  // An empty set knows no file.
  const ValueFiles none;
  CHECK(none.read(encoded(ref_to(3, 0, "hello")), &out).code() == Code::kCorruption);
  CHECK(out == "untouched");
}

TEST_CASE("a value file read past the end of a log file trimmed after mapping is Corruption",
          "[value][value_file]") {
  // The POSIX WAL is preallocated in 1 MiB windows and trimmed to its last
  // record on close. A value file mapped before the trim keeps the longer
  // mapping; once its size is known (set_size: the engine sets it from the
  // manifest when the WAL becomes a value file), a reference past the
  // trimmed end must be Corruption, not a SIGBUS on the pages past the end
  // of the file. Run in a child process so a crash fails this test instead
  // of the whole run.
  test::TempDir tmp;
  const auto fs = posix_file_system();
  const std::string path = tmp.path() + "/000017.wal";
  auto writer = must(fs->new_log_file(path));
  must(writer->append("hello"));
  const ValueFile vf(fs, path, 17);
  std::string out;
  must(vf.read(ref_to(17, 0, "hello"), &out));  // maps the preallocated window
  must(writer->close());                        // trims the file to 5 bytes
  vf.set_size(5);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::string child_out;
    const Status s = vf.read(ref_to(17, 100000, "0123456789"), &child_out);
    const bool right =
        s.code() == Code::kCorruption && s.message().rfind(path + ": offset 100000: ", 0) == 0;
    ::_exit(right ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  INFO("child " << (WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                        : "exited " + std::to_string(WEXITSTATUS(status))));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a compressed value reads back decompressed and read_stored returns the block",
          "[value][value_file][compressed]") {
  Env env(GENERATE(false, true));
  INFO(env.name);
  const std::string value = compressible_value();
  const std::string block = lz4_block(value);
  REQUIRE(block.size() < value.size());
  const std::string path = env.path("000020.wal");
  write_file(*env.fs, path, "xx" + block + "yy");
  const ValueFile vf(env.fs, path, 20);
  const ValueRef ref = compressed_ref_to(20, 2, block, value.size());
  std::string out = "stale";
  must(vf.read(ref, &out));
  CHECK(out == value);
  out = "stale";
  must(vf.read_stored(ref, &out));
  CHECK(out == block);
  // The same stored bytes read as an uncompressed reference are the block.
  must(vf.read(ref_to(20, 2, block), &out));
  CHECK(out == block);
  // Through ValueFiles: the encoded reference, and read_stored.
  ValueFiles::Map map;
  map[20] = std::make_shared<ValueFile>(env.fs, path, 20);
  const ValueFiles files(map);
  out.clear();
  must(files.read(encoded(ref), &out));
  CHECK(out == value);
  out.clear();
  must(files.read_stored(ref, &out));
  CHECK(out == block);
  // A file not in the set, for read_stored too.
  ValueRef elsewhere = ref;
  elsewhere.file = 21;
  out = "untouched";
  const Status s = files.read_stored(elsewhere, &out);
  CHECK(s.code() == Code::kCorruption);
  CHECK(contains(s.message(), "file 21"));
  CHECK(out == "untouched");
}

TEST_CASE("a compressed value of one byte and an uncompressible one read back",
          "[value][value_file][compressed]") {
  // A writer compresses only what shrinks, but a reader must not care: any
  // LZ4 block that decompresses to exactly raw_size bytes is that value.
  Env env(GENERATE(false, true));
  INFO(env.name);
  std::string noise(300, '\0');
  for (std::size_t i = 0; i < noise.size(); ++i) {
    noise[i] = static_cast<char>((i * 2654435761u) >> 13);
  }
  const std::string one_block = lz4_block("!");
  const std::string noise_block = lz4_block(noise);
  const std::string path = env.path("000022.wal");
  write_file(*env.fs, path, one_block + noise_block);
  const ValueFile vf(env.fs, path, 22);
  std::string out;
  must(vf.read(compressed_ref_to(22, 0, one_block, 1), &out));
  CHECK(out == "!");
  must(vf.read(compressed_ref_to(22, one_block.size(), noise_block, noise.size()), &out));
  CHECK(out == noise);
}

TEST_CASE("a compressed value that does not decompress to raw_size is Corruption",
          "[value][value_file][compressed]") {
  // The checksum matches (it is computed over the stored bytes), so only the
  // decompression can tell: a block written wrong, never a shorter value.
  Env env(GENERATE(false, true));
  INFO(env.name);
  const std::string value = compressible_value();
  const std::string block = lz4_block(value);
  const std::string garbage("\xff\xff\xff\xff\xff\xff", 6);  // a literal run past the end
  const std::string path = env.path("000023.wal");
  write_file(*env.fs, path, "xx" + block + garbage);
  const ValueFile vf(env.fs, path, 23);
  const std::uint64_t garbage_at = 2 + block.size();
  struct Case {
    ValueRef ref;
    std::string what;
  };
  const std::string bs = std::to_string(block.size());
  const Case cases[] = {
      {compressed_ref_to(23, 2, block, value.size() + 1),
       "compressed value of " + bs + " bytes does not decompress to its 1001 bytes"},
      {compressed_ref_to(23, 2, block, value.size() - 1),
       "compressed value of " + bs + " bytes does not decompress to its 999 bytes"},
      {compressed_ref_to(23, 2, block, 1),
       "compressed value of " + bs + " bytes does not decompress to its 1 bytes"},
      {compressed_ref_to(23, garbage_at, garbage, 10),
       "compressed value of 6 bytes does not decompress to its 10 bytes"},
      // No stored bytes at all: an empty block is not a valid LZ4 block.
      {compressed_ref_to(23, garbage_at, "", 5),
       "compressed value of 0 bytes does not decompress to its 5 bytes"},
  };
  for (const Case& c : cases) {
    INFO(c.what << " at " << c.ref.offset);
    std::string out = "untouched";
    const Status s = vf.read(c.ref, &out);
    CHECK(s == Status::corruption(path, c.ref.offset, c.what));
    CHECK(s.message().rfind(path + ": offset " + std::to_string(c.ref.offset) + ": ", 0) == 0);
    // Never a partly decompressed value.
    CHECK((out.empty() || out == "untouched"));
    // read_stored does not decompress: the checked stored bytes.
    must(vf.read_stored(c.ref, &out));
    CHECK(out == std::string_view("xx" + block + garbage).substr(c.ref.offset, c.ref.size));
  }
  // The right raw_size still reads.
  std::string out;
  must(vf.read(compressed_ref_to(23, 2, block, value.size()), &out));
  CHECK(out == value);
}

TEST_CASE("a compressed value with a damaged block byte is the checksum Corruption",
          "[value][value_file][compressed]") {
  Env env(GENERATE(false, true));
  INFO(env.name);
  const std::string value = compressible_value();
  const std::string block = lz4_block(value);
  const ValueRef ref = compressed_ref_to(24, 3, block, value.size());
  for (const std::size_t at : {std::size_t{0}, block.size() / 2, block.size() - 1}) {
    INFO("flipped block byte " << at);
    std::string damaged = block;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x04);
    const std::string path = env.path("000024.wal");
    write_file(*env.fs, path, "xyz" + damaged);
    const ValueFile vf(env.fs, path, 24);
    const std::string what =
        "value of " + std::to_string(block.size()) + " bytes does not match its checksum";
    std::string out = "untouched";
    CHECK(vf.read(ref, &out) == Status::corruption(path, 3, what));
    CHECK(out == "untouched");
    CHECK(vf.read_stored(ref, &out) == Status::corruption(path, 3, what));
    CHECK(out == "untouched");
  }
}

TEST_CASE("a compressed value reference past the end is Corruption naming path and offset",
          "[value][value_file][compressed]") {
  Env env(GENERATE(false, true));
  INFO(env.name);
  const std::string block = lz4_block(compressible_value());
  const std::string path = env.path("000025.wal");
  write_file(*env.fs, path, block.substr(0, block.size() - 1));
  const ValueFile vf(env.fs, path, 25);
  std::string out = "untouched";
  const ValueRef ref = compressed_ref_to(25, 0, block, 1000);
  for (const Status& s : {vf.read(ref, &out), vf.read_stored(ref, &out)}) {
    INFO(s.to_string());
    CHECK(s.code() == Code::kCorruption);
    CHECK(s.message().rfind(path + ": offset 0: ", 0) == 0);
    CHECK(contains(s.message(), "past the end"));
  }
  CHECK(out == "untouched");
}

TEST_CASE("ValueFiles read of a malformed compressed reference is Corruption",
          "[value][value_files][compressed]") {
  const auto fs = memory_file_system();
  must(fs->create_dir("/db"));
  const std::string block = lz4_block(compressible_value());
  write_file(*fs, "/db/000003.wal", block);
  ValueFiles::Map map;
  map[3] = std::make_shared<ValueFile>(fs, "/db/000003.wal", 3);
  const ValueFiles files(map);
  const std::string plain = encoded(ref_to(3, 0, block));
  std::string out = "untouched";
  const std::string bad[] = {
      plain + std::string("\x00", 1),                                    // raw_size 0
      plain + std::string("\x81\x80\x80\x80\x01", 5),                    // raw_size 2^28 + 1
      plain + std::string("\xe8", 1),                                    // raw_size cut short
      plain + std::string("\xe8\x07\x00", 3),                            // a byte after raw_size
      plain + "\x81" + std::string(9, '\x80') + std::string("\x00", 1),  // 11-byte varint
  };
  for (const std::string& bytes : bad) {
    INFO("ref of " << bytes.size() << " bytes");
    const Status s = files.read(bytes, &out);
    CHECK(s.code() == Code::kCorruption);
    CHECK(contains(s.message(), "malformed value reference"));
    CHECK(out == "untouched");
  }
  must(files.read(plain + std::string("\xe8\x07", 2), &out));
  CHECK(out == compressible_value());
}
