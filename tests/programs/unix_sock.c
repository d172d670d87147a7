/* accept/connect on a unix stream socket bound in the current directory (./det.sock),
 * 4 racing clients (see sockets.h); then a socketpair passing a pipe's fd with SCM_RIGHTS
 * to a child, which writes through it. */
#include "sockets.h"
#include <sys/un.h>

static const char *PATH = "det.sock";

static int connect_unix(void) {
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  strcpy(a.sun_path, PATH);
  if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) return -1;
  return s;
}

int main(void) {
  unlink(PATH);
  int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (l < 0) FAIL("socket");
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  strcpy(a.sun_path, PATH);
  if (bind(l, (struct sockaddr *)&a, sizeof a) != 0) FAIL("bind");
  if (listen(l, 8) != 0) FAIL("listen");
  run_server_and_clients("unix", l, connect_unix);
  close(l);
  unlink(PATH);

  int sp[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0) FAIL("socketpair");
  pid_t c = fork();
  if (c < 0) FAIL("fork");
  if (c == 0) {
    close(sp[0]);
    char dummy;
    struct iovec iov = {&dummy, 1};
    union {
      char buf[CMSG_SPACE(sizeof(int))];
      struct cmsghdr align;
    } u;
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    if (recvmsg(sp[1], &m, 0) != 1) FAIL("recvmsg");
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    CHECK(cm && cm->cmsg_type == SCM_RIGHTS, "no SCM_RIGHTS");
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    fdsay(fd, "written through a passed fd\n");
    _exit(0);
  }
  close(sp[1]);
  char dummy = 'x';
  struct iovec iov = {&dummy, 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  memset(&u, 0, sizeof u);
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  /* pass a fresh pipe's write end: the child writes, we read */
  int q[2];
  if (pipe(q) != 0) FAIL("pipe");
  memcpy(CMSG_DATA(cm), &q[1], sizeof(int));
  if (sendmsg(sp[0], &m, 0) != 1) FAIL("sendmsg");
  close(q[1]);
  char line[128];
  if (read_line(q[0], line, sizeof line) <= 0) FAIL("read passed pipe");
  say("SCM_RIGHTS: parent read \"%s\"\n", line);
  int st;
  waitpid(c, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
  return 0;
}
