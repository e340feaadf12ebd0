// StaticFiles: loads the web root at start-up and answers from memory.
#include <inventory/api_response.hpp>
#include <inventory/static_files.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace herald::inventory {
namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool unsafe(std::string_view rel) {
  if (rel.find('\\') != std::string_view::npos || rel.find('\0') != std::string_view::npos)
    return true;
  std::size_t start = 0;
  while (start <= rel.size()) {
    const std::size_t end = std::min(rel.find('/', start), rel.size());
    if (rel.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

// `path` resolves (symlinks followed) to a file inside `root` (already canonical): a
// symlink in the web root must not publish a file from elsewhere (/etc/passwd).
bool inside(const fs::path& path, const fs::path& root) {
  std::error_code ec;
  const fs::path real = fs::canonical(path, ec);
  if (ec) return false;
  auto [r, p] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
  return r == root.end();
}

gateway::AppResponse file_response(const std::string& type, const std::string& body) {
  gateway::AppResponse r;
  r.content_type = type;
  r.body = body;
  // no-cache: the browser revalidates, so an edited page shows on reload.
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace

StaticFiles::StaticFiles(const fs::path& web_root, const fs::path& client_dir) {
  std::error_code ec;
  if (fs::is_directory(web_root, ec)) {
    const fs::path root = fs::canonical(web_root, ec);
    for (auto it = fs::recursive_directory_iterator(web_root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec) || !inside(it->path(), root)) continue;
      auto body = read_file(it->path());
      if (!body) continue;
      const std::string rel = it->path().lexically_relative(web_root).generic_string();
      files_.emplace(rel, File{content_type(rel), std::move(*body)});
    }
  } else {
    missing_ += "web root " + web_root.string() + " not found; ";
  }
  if (fs::is_directory(client_dir, ec)) {
    const fs::path root = fs::canonical(client_dir, ec);
    for (const auto& entry : fs::directory_iterator(client_dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (!entry.is_regular_file(ec) || !name.ends_with(".js") || !inside(entry.path(), root))
        continue;
      if (auto body = read_file(entry.path()))
        client_.emplace(name, File{content_type(name), std::move(*body)});
    }
  }
  if (!client_.count("herald.js"))
    missing_ += "JS client " + (client_dir / "herald.js").string() + " not found; ";
}

std::optional<gateway::AppResponse> StaticFiles::serve(std::string_view path) const {
  std::string_view rel;
  if (path == "/" || path == "/index.html") {
    rel = "index.html";
  } else if (path.starts_with("/client/")) {
    auto it = client_.find(path.substr(8));
    if (it == client_.end()) return error_response(404, "no such client module");
    return file_response(it->second.content_type, it->second.body);
  } else if (path.starts_with("/static/")) {
    rel = path.substr(8);
    if (unsafe(rel)) return error_response(400, "invalid path");
  } else {
    return std::nullopt;
  }
  auto it = files_.find(rel);
  if (it == files_.end()) return error_response(404, "no such file");
  return file_response(it->second.content_type, it->second.body);
}

std::string StaticFiles::content_type(std::string_view name) {
  const auto dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "txt" || ext == "md") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace herald::inventory
