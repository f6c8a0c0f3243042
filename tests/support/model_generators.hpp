// RapidCheck generators shared by the model tests. Test-only.
#pragma once

#include <rapidcheck.h>

#include <optional>
#include <string>
#include <tuple>
#include <utility>

namespace sand::test {

// One batch operation over the given key and value generators: a put
// (value) or, one time in four, a delete (nullopt).
// A put's value (three in four) or a delete (nullopt).
inline rc::Gen<std::optional<std::string>> gen_put_or_delete(rc::Gen<std::string> value) {
  return rc::gen::map(rc::gen::tuple(rc::gen::inRange(0, 4), std::move(value)),
                      [](const std::tuple<int, std::string>& t) {
                        return std::get<0>(t) == 0 ? std::nullopt
                                                   : std::optional<std::string>(std::get<1>(t));
                      });
}

inline rc::Gen<std::pair<std::string, std::optional<std::string>>> gen_batch_op(
    rc::Gen<std::string> keys, rc::Gen<std::string> values) {
  return rc::gen::map(rc::gen::tuple(std::move(keys), std::move(values), rc::gen::inRange(0, 4)),
                      [](const std::tuple<std::string, std::string, int>& t) {
                        const auto& [k, v, d] = t;
                        return std::pair<std::string, std::optional<std::string>>(
                            k, d == 0 ? std::nullopt : std::optional<std::string>(v));
                      });
}

}  // namespace sand::test
