// Exposition: a scrape of /metrics read back into families for the convention
// checks (Prometheus text format 0.0.4: `# HELP`, `# TYPE`, then samples
// `name{label="value",...} number`). Test-only: it reads Herald's own output, and
// throws std::runtime_error on a line it cannot read (which fails the test).
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace herald::test {

struct Sample {
  std::string name;  ///< as written, e.g. herald_x_bucket
  std::map<std::string, std::string> labels;
  std::string value;  ///< as written ("12", "0.5", "+Inf")
};

struct Family {
  std::string help;  ///< empty: no HELP line
  std::string type;  ///< empty: no TYPE line
  std::vector<Sample> samples;
};

class Exposition {
 public:
  /// Reads a whole scrape. Samples join the family of the last TYPE line whose name
  /// they extend (name, name_bucket, name_sum, name_count); others get their own.
  static Exposition parse(std::string_view text) {
    Exposition out;
    std::string current;
    while (!text.empty()) {
      auto nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
      if (line.empty()) continue;
      if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
        std::string_view rest = line.substr(7);
        auto sp = rest.find(' ');
        if (sp == std::string_view::npos)
          throw std::runtime_error("bad line: " + std::string(line));
        std::string name(rest.substr(0, sp));
        Family& f = out.families[name];
        (line[2] == 'H' ? f.help : f.type) = std::string(rest.substr(sp + 1));
        current = name;
        continue;
      }
      if (line.starts_with("#")) continue;
      Sample s = parse_sample(line);
      std::string family = s.name;
      if (!current.empty() && (s.name == current || s.name == current + "_bucket" ||
                               s.name == current + "_sum" || s.name == current + "_count"))
        family = current;
      out.families[family].samples.push_back(std::move(s));
    }
    return out;
  }

  /// The value of the sample `name` with exactly `labels`; -1 when absent.
  double value(const std::string& name,
               const std::map<std::string, std::string>& labels = {}) const {
    for (const auto& [_, f] : families)
      for (const Sample& s : f.samples)
        if (s.name == name && s.labels == labels) return std::stod(s.value);
    return -1;
  }

  std::map<std::string, Family> families;

 private:
  static Sample parse_sample(std::string_view line) {
    Sample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = std::string(line.substr(0, i));
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        auto eq = line.find('=', i);
        if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"')
          throw std::runtime_error("bad labels: " + std::string(line));
        std::string key(line.substr(i, eq - i));
        std::string value;
        std::size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\' && j + 1 < line.size()) ++j;
          value += line[j];
        }
        if (j >= line.size()) throw std::runtime_error("unterminated label: " + std::string(line));
        s.labels[key] = value;
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size()) throw std::runtime_error("unterminated labels: " + std::string(line));
      ++i;  // '}'
    }
    if (i >= line.size() || line[i] != ' ')
      throw std::runtime_error("no value: " + std::string(line));
    s.value = std::string(line.substr(i + 1));
    if (s.value.empty()) throw std::runtime_error("no value: " + std::string(line));
    return s;
  }
};

}  // namespace herald::test
