// SysCtx's per-stop cache of the descriptor a call names (see handler.h).
#include <cerrno>
#include <unistd.h>

#include "core/handler.h"

namespace det {

SysCtx::~SysCtx() {
  if (fd_local_ >= 0) close(fd_local_);
  if (answer_fd >= 0) close(answer_fd);
}

int SysCtx::fd_copy(int fd) {
  if (fd_ != fd || (fd_local_ < 0 && fd_errno_ == 0)) {
    if (fd_local_ >= 0) close(fd_local_);
    fd_ = fd;
    fd_stat_done_ = false;
    fd_local_ = fd < 0 ? -1 : grab_fd(t.proc->pidfd, t.tid, fd);
    fd_errno_ = fd_local_ < 0 ? (fd < 0 ? EBADF : errno) : 0;
    if (fd_local_ < 0 && fd_errno_ == 0) fd_errno_ = EBADF;
  }
  if (fd_local_ < 0) errno = fd_errno_;
  return fd_local_;
}

const struct stat* SysCtx::fd_stat(int fd) {
  int local = fd_copy(fd);
  if (local < 0) return nullptr;
  if (!fd_stat_done_) {
    fd_stat_done_ = true;
    fd_stat_ok_ = fstat(local, &fd_st_) == 0;
  }
  return fd_stat_ok_ ? &fd_st_ : nullptr;
}

int SysCtx::take_fd_copy(int fd) {
  int local = fd_copy(fd);
  if (local < 0) return -1;
  fd_ = -1;  // asked again, the descriptor is copied again
  fd_local_ = -1;
  fd_errno_ = 0;
  fd_stat_done_ = false;
  return local;
}

}  // namespace det
