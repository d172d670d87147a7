/* Shared by unix_sock.c and tcp_sock.c: a server process with a listening socket and 4
 * client processes released together that connect, send a greeting and read a reply. The
 * order in which the server accepts them varies natively. Before the clients start, a
 * non-blocking accept4 must fail with EAGAIN (nothing pending). */
#ifndef DET_SOCKETS_H
#define DET_SOCKETS_H
#include "common.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define NCLIENTS 4

static ssize_t read_line(int fd, char *buf, size_t cap) {
  size_t n = 0;
  while (n + 1 < cap) {
    ssize_t r = read(fd, buf + n, 1);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (r == 0 || buf[n] == '\n') break;
    n++;
  }
  buf[n] = 0;
  return (ssize_t)n;
}

/* connect_fn: make a socket connected to the server, or -1 */
static void run_server_and_clients(const char *tag, int lfd, int (*connect_fn)(void)) {
  int go[2];
  if (pipe(go) != 0) FAIL("pipe");
  int fl = fcntl(lfd, F_GETFL);
  fcntl(lfd, F_SETFL, fl | O_NONBLOCK);
  errno = 0;
  CHECK(accept4(lfd, NULL, NULL, SOCK_CLOEXEC) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK),
        "non-blocking accept with nothing pending");
  fcntl(lfd, F_SETFL, fl);
  say("%s: non-blocking accept: EAGAIN\n", tag);
  pid_t pids[NCLIENTS];
  for (int i = 0; i < NCLIENTS; i++) {
    pid_t c = fork();
    if (c < 0) FAIL("fork");
    if (c == 0) {
      close(lfd);
      close(go[1]);
      char b;
      (void)read(go[0], &b, 1);
      spin_work(10000);
      int s = connect_fn();
      if (s < 0) FAIL("client %d connect", i);
      fdsay(s, "hello from client %d\n", i);
      char line[128];
      if (read_line(s, line, sizeof line) <= 0) FAIL("client %d read", i);
      say("%s: client %d got \"%s\"\n", tag, i, line);
      shutdown(s, SHUT_WR);
      char x;
      CHECK(read(s, &x, 1) == 0, "client %d expected EOF", i);
      close(s);
      _exit(0);
    }
    pids[i] = c;
  }
  close(go[0]);
  close(go[1]);
  for (int k = 0; k < NCLIENTS; k++) {
    int s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (s < 0) FAIL("accept4");
    char line[128];
    if (read_line(s, line, sizeof line) <= 0) FAIL("server read");
    say("%s: server accepted #%d: \"%s\"\n", tag, k, line);
    fdsay(s, "welcome, you were #%d\n", k);
    char x;
    CHECK(read(s, &x, 1) == 0, "server expected EOF");
    close(s);
  }
  for (int i = 0; i < NCLIENTS; i++) {
    int st;
    if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0) FAIL("client %d", i);
  }
  say("%s: all %d clients done\n", tag, NCLIENTS);
}
#endif
