// Recursive-descent JSON reader. lvm prints UTF-8 strings with \" and \\ escapes; \uXXXX is
// decoded too so that no valid document is refused.
#include "libsan/lvm/json.h"

#include <cstdint>

namespace san::lvm {

const JsonValue* JsonValue::Find(std::string_view key) const {
  for (const auto& [name, value] : members_) {
    if (name == key) return &value;
  }
  return nullptr;
}

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : s_(text) {}

  Result<JsonValue> Document() {
    JsonValue v;
    SAN_RETURN_IF_ERROR(Value(&v, 0));
    SkipBlanks();
    if (pos_ != s_.size()) return Error("trailing data");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 64;

  Status Error(const std::string& what) const {
    return Status::Corruption("invalid JSON at byte " + std::to_string(pos_) + ": " + what);
  }

  void SkipBlanks() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Consume(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Status Value(JsonValue* v, int depth) {
    if (depth > kMaxDepth) return Error("nested too deeply");
    SkipBlanks();
    if (pos_ >= s_.size()) return Error("unexpected end");
    const char c = s_[pos_];
    if (c == '{') return Object(v, depth);
    if (c == '[') return Array(v, depth);
    if (c == '"') {
      v->type_ = JsonValue::Type::kString;
      return String(&v->text_);
    }
    if (Consume("true") || Consume("false")) {
      v->type_ = JsonValue::Type::kBool;
      v->boolean_ = s_[pos_ - 1] == 'e' && s_[pos_ - 2] == 'u';  // "true" ends in "ue"
      return Status::Ok();
    }
    if (Consume("null")) return Status::Ok();
    if (c == '-' || (c >= '0' && c <= '9')) return Number(v);
    return Error(std::string("unexpected character '") + c + "'");
  }

  Status Number(JsonValue* v) {
    const size_t begin = pos_;
    if (s_[pos_] == '-') ++pos_;
    size_t digits = 0;
    while (pos_ < s_.size() &&
           ((s_[pos_] >= '0' && s_[pos_] <= '9') || s_[pos_] == '.' || s_[pos_] == 'e' ||
            s_[pos_] == 'E' || s_[pos_] == '+' || s_[pos_] == '-')) {
      ++pos_;
      ++digits;
    }
    if (digits == 0) return Error("bad number");
    v->type_ = JsonValue::Type::kNumber;
    v->text_ = std::string(s_.substr(begin, pos_ - begin));
    return Status::Ok();
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xC0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *out += static_cast<char>(0xE0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  Status String(std::string* out) {
    ++pos_;  // opening quote
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return Status::Ok();
      if (static_cast<unsigned char>(c) < 0x20) return Error("control character in string");
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (pos_ >= s_.size()) break;
      const char e = s_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          *out += e;
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'n':
          *out += '\n';
          break;
        case 'r':
          *out += '\r';
          break;
        case 't':
          *out += '\t';
          break;
        case 'u': {
          if (pos_ + 4 > s_.size()) return Error("short \\u escape");
          uint32_t cp = 0;
          for (int i = 0; i < 4; ++i) {
            const char h = s_[pos_++];
            cp <<= 4;
            if (h >= '0' && h <= '9') {
              cp |= h - '0';
            } else if (h >= 'a' && h <= 'f') {
              cp |= h - 'a' + 10;
            } else if (h >= 'A' && h <= 'F') {
              cp |= h - 'A' + 10;
            } else {
              return Error("bad \\u escape");
            }
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return Error("bad escape");
      }
    }
    return Error("unterminated string");
  }

  Status Array(JsonValue* v, int depth) {
    ++pos_;
    v->type_ = JsonValue::Type::kArray;
    SkipBlanks();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return Status::Ok();
    }
    while (true) {
      JsonValue item;
      SAN_RETURN_IF_ERROR(Value(&item, depth + 1));
      v->items_.push_back(std::move(item));
      SkipBlanks();
      if (pos_ >= s_.size()) return Error("unterminated array");
      if (s_[pos_] == ']') {
        ++pos_;
        return Status::Ok();
      }
      if (s_[pos_++] != ',') return Error("expected ',' or ']'");
    }
  }

  Status Object(JsonValue* v, int depth) {
    ++pos_;
    v->type_ = JsonValue::Type::kObject;
    SkipBlanks();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return Status::Ok();
    }
    while (true) {
      SkipBlanks();
      if (pos_ >= s_.size() || s_[pos_] != '"') return Error("expected a member name");
      std::string key;
      SAN_RETURN_IF_ERROR(String(&key));
      SkipBlanks();
      if (pos_ >= s_.size() || s_[pos_++] != ':') return Error("expected ':'");
      JsonValue member;
      SAN_RETURN_IF_ERROR(Value(&member, depth + 1));
      v->members_.emplace_back(std::move(key), std::move(member));
      SkipBlanks();
      if (pos_ >= s_.size()) return Error("unterminated object");
      if (s_[pos_] == '}') {
        ++pos_;
        return Status::Ok();
      }
      if (s_[pos_++] != ',') return Error("expected ',' or '}'");
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

Result<JsonValue> ParseJson(std::string_view text) { return JsonParser(text).Document(); }

}  // namespace san::lvm
