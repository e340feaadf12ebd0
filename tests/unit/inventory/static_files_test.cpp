// StaticFiles over a temporary web root: files load, and a symlink that resolves
// outside the web root (or the client's directory) is not published.
#include <inventory/static_files.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace herald::inventory::test {
namespace {

namespace fs = std::filesystem;

class TempTree {
 public:
  TempTree() {
    std::random_device rd;
    root_ = fs::temp_directory_path() /
            ("herald-static-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(root_ / "web" / "css");
    fs::create_directories(root_ / "client");
    fs::create_directories(root_ / "outside");
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  void write(const fs::path& rel, const std::string& text) {
    std::ofstream(root_ / rel, std::ios::binary) << text;
  }
  const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

TEST(StaticFiles, DoesNotFollowSymlinksOutOfTheWebRoot) {
  TempTree t;
  t.write("web/index.html", "<h1>hi</h1>");
  t.write("web/css/site.css", "body{}");
  t.write("outside/secret.txt", "secret");
  t.write("outside/evil.js", "evil()");
  t.write("client/herald.js", "export{}");
  fs::create_symlink(t.root() / "outside" / "secret.txt", t.root() / "web" / "secret.txt");
  fs::create_directory_symlink(t.root() / "outside", t.root() / "web" / "out");
  fs::create_symlink(t.root() / "outside" / "evil.js", t.root() / "client" / "evil.js");
  // A symlink that stays inside the web root is fine.
  fs::create_symlink(t.root() / "web" / "css" / "site.css", t.root() / "web" / "alias.css");

  StaticFiles files(t.root() / "web", t.root() / "client");
  EXPECT_EQ(files.serve("/")->status, 200);
  EXPECT_EQ(files.serve("/static/css/site.css")->body, "body{}");
  EXPECT_EQ(files.serve("/static/alias.css")->body, "body{}");
  EXPECT_EQ(files.serve("/static/secret.txt")->status, 404);
  EXPECT_EQ(files.serve("/static/out/secret.txt")->status, 404);
  EXPECT_EQ(files.serve("/client/herald.js")->status, 200);
  EXPECT_EQ(files.serve("/client/evil.js")->status, 404);
}

}  // namespace
}  // namespace herald::inventory::test
