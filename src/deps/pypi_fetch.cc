#include "deps/pypi_fetch.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "deps/requirement.h"
#include "util/strings.h"

extern char** environ;

namespace kgate::deps {

absl::StatusOr<std::string> FetchPyPiDocument(std::string_view normalized) {
  if (!IsValidName(normalized) || NormalizeName(normalized) != normalized) {
    return absl::InvalidArgumentError(util::StrCat("'", normalized, "' is not a normalized project name"));
  }
  const std::string url = util::StrCat("https://pypi.org/pypi/", normalized, "/json");
  const std::string timeout = util::StrCat(kPyPiTimeoutSeconds);
  const std::string max_size = util::StrCat(kMaxPyPiDocumentBytes);
  std::vector<std::string> argv_store = {"curl", "--silent", "--show-error", "--fail", "--location",
                                         "--proto", "=https", "--proto-redir", "=https", "--max-time", timeout,
                                         "--max-filesize", max_size, url};
  std::vector<char*> argv;
  for (std::string& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out_pipe[2];
  if (::pipe(out_pipe) != 0) return absl::InternalError(util::StrCat("pipe: ", std::strerror(errno)));
  absl::Cleanup close_read = [&] { ::close(out_pipe[0]); };
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  absl::Cleanup destroy_actions = [&] { posix_spawn_file_actions_destroy(&actions); };
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "curl", &actions, nullptr, argv.data(), environ);
  ::close(out_pipe[1]);
  if (rc != 0) return absl::UnavailableError(util::StrCat("cannot run curl: ", std::strerror(rc)));
  std::string body;
  char buf[65536];
  bool too_big = false;
  while (true) {
    ssize_t n = ::read(out_pipe[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (body.size() + static_cast<size_t>(n) > kMaxPyPiDocumentBytes) {
      too_big = true;
      break;
    }
    body.append(buf, static_cast<size_t>(n));
  }
  if (too_big) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (too_big) return absl::ResourceExhaustedError(util::StrCat(url, ": response exceeds ", kMaxPyPiDocumentBytes, " bytes"));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::UnavailableError(util::StrCat(url, ": curl failed (exit ", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                                               "; no network, or the project does not exist)"));
  }
  return body;
}

}  // namespace kgate::deps
