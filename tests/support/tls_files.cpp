// TlsFiles (see the header): runs `openssl req` / `openssl x509` in a child process
// per file; an expired certificate is made with `-days -1` (notAfter a day before
// notBefore), which OpenSSL 3.0's x509 accepts.
#include "support/tls_files.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace herald::test {

TlsFiles::TlsFiles() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "herald-tls-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  dir_ = tmpl;
  make_ca("ca", "/CN=Herald Test CA");
  make_ca("other-ca", "/CN=Some Other CA");
  make_leaf("server", "/CN=localhost", "DNS:localhost,IP:127.0.0.1", 2, 2);
  make_leaf("other-name", "/CN=other.example", "DNS:other.example", 2, 3);
  make_leaf("expired", "/CN=localhost", "DNS:localhost,IP:127.0.0.1", -1, 4);
  make_leaf("client", "/CN=herald", "DNS:herald", 2, 5);
  std::filesystem::create_directory(ca_dir());
  std::filesystem::copy_file(ca(), ca_dir() + "/ca.crt");
  openssl({"rehash", ca_dir()});
}

TlsFiles::~TlsFiles() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void TlsFiles::make_ca(const std::string& name, const std::string& subject) const {
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-keyout", path(name + ".key"), "-out", path(name + ".crt"), "-days", "2", "-subj",
           subject, "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
           "keyUsage=critical,keyCertSign,cRLSign"});
}

void TlsFiles::make_leaf(const std::string& name, const std::string& subject,
                         const std::string& san, int days, int serial) const {
  openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-keyout", path(name + ".key"), "-out", path(name + ".csr"), "-subj", subject});
  const std::string ext = path(name + ".ext");
  std::ofstream(ext) << "subjectAltName=" << san << "\n";
  openssl({"x509", "-req", "-in", path(name + ".csr"), "-CA", ca(), "-CAkey", path("ca.key"),
           "-set_serial", std::to_string(serial), "-days", std::to_string(days), "-extfile", ext,
           "-out", path(name + ".crt")});
}

void TlsFiles::openssl(std::vector<std::string> args) const {
  args.insert(args.begin(), "openssl");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = path("openssl.log");
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::ifstream in(log);
    std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    throw std::runtime_error("failed: " + cmd + "\n" + out);
  }
}

}  // namespace herald::test
