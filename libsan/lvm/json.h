// A small strict JSON reader for lvm's `--reportformat json` output (objects, arrays, strings,
// numbers, booleans, null). Pure: text in, a tree out; InvalidConfig-free, Corruption on bad input.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/util/status.h"

namespace san::lvm {

class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Type type() const { return type_; }
  bool is_object() const { return type_ == Type::kObject; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_string() const { return type_ == Type::kString; }
  // The text of a string, or the literal text of a number; "" otherwise.
  const std::string& text() const { return text_; }
  bool boolean() const { return boolean_; }
  const std::vector<JsonValue>& items() const { return items_; }
  // Member `key` of an object, or nullptr when absent (or not an object).
  const JsonValue* Find(std::string_view key) const;
  const std::vector<std::pair<std::string, JsonValue>>& members() const { return members_; }

 private:
  friend class JsonParser;
  Type type_ = Type::kNull;
  std::string text_;
  bool boolean_ = false;
  std::vector<JsonValue> items_;
  std::vector<std::pair<std::string, JsonValue>> members_;  // in document order
};

// Parses one JSON document (surrounding blanks allowed). Corruption naming the byte offset when
// the text is not JSON, nests deeper than 64 levels or holds trailing data.
Result<JsonValue> ParseJson(std::string_view text);

}  // namespace san::lvm
