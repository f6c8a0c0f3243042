// Tests for src/cli/completion.cpp: Tab completion of commands and options.
#include "cli/completion.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace sand::cli {
namespace {

using Words = std::vector<std::string>;

TEST_CASE("completion: a unique command completes with a space", "[cli][completion]") {
  CHECK(complete("sc") == Completion{"an ", {"scan"}});
  CHECK(complete("forg") == Completion{"et-before ", {"forget-before"}});
  CHECK(complete("  fl") == Completion{"ush ", {"flush"}});
  CHECK(complete("scan") == Completion{" ", {"scan"}});
}

TEST_CASE("completion: several commands extend to their common prefix", "[cli][completion]") {
  // history, help: nothing in common past "h", so nothing to insert.
  CHECK(complete("h") == Completion{"", {"history", "help"}});
  CHECK(complete("he") == Completion{"lp ", {"help"}});
  const Completion all = complete("");
  CHECK(all.insert.empty());
  CHECK(all.candidates == Words{"put", "get", "del", "scan", "history", "getv", "put-if", "del-if",
                                "changes", "flush", "compact", "forget-before", "checkpoint",
                                "stats", "refresh", "sync", "help", "quit"});
  CHECK(complete("s") == Completion{"", {"scan", "stats", "sync"}});
  CHECK(complete("st") == Completion{"ats ", {"stats"}});
}

TEST_CASE("completion: nothing matches an unknown word", "[cli][completion]") {
  CHECK(complete("x") == Completion{});
  CHECK(complete("bogus --") == Completion{});
}

TEST_CASE("completion: scan options after scan", "[cli][completion]") {
  CHECK(complete("scan ") == Completion{"--", {"--at", "--reverse", "--limit", "--prefix"}});
  CHECK(complete("scan --r") == Completion{"everse ", {"--reverse"}});
  CHECK(complete("scan a z --l") == Completion{"imit ", {"--limit"}});
  CHECK(complete("scan --p") == Completion{"refix ", {"--prefix"}});
  // An option already on the line is not offered again.
  CHECK(complete("scan --reverse --") == Completion{"", {"--at", "--limit", "--prefix"}});
  // The word after an option that takes a value is that value.
  CHECK(complete("scan --limit ") == Completion{});
  CHECK(complete("scan --at 1") == Completion{});
  CHECK(complete("scan --limit 5 --r") == Completion{"everse ", {"--reverse"}});
}

TEST_CASE("completion: fixed words, help topics, and nothing in keys or values",
          "[cli][completion]") {
  CHECK(complete("sync o") == Completion{"", {"on", "off"}});
  CHECK(complete("sync of") == Completion{"f ", {"off"}});
  CHECK(complete("sync on ") == Completion{});
  CHECK(complete("help sc") == Completion{"an ", {"scan"}});
  CHECK(complete("help scan ") == Completion{});
  CHECK(complete("put k --") == Completion{});
  CHECK(complete("get ") == Completion{});
  CHECK(complete("del k") == Completion{});
}

}  // namespace
}  // namespace sand::cli
