/* accept/connect over TCP on 127.0.0.1 (an ephemeral port, not printed) with 4 racing
 * clients (see sockets.h); then a non-blocking connect completed through poll. */
#include "sockets.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>

static struct sockaddr_in addr;

static int connect_tcp(void) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  int one = 1;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) return -1;
  return s;
}

int main(void) {
  int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (l < 0) FAIL("socket");
  int one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(l, (struct sockaddr *)&addr, sizeof addr) != 0) FAIL("bind 127.0.0.1");
  socklen_t len = sizeof addr;
  if (getsockname(l, (struct sockaddr *)&addr, &len) != 0) FAIL("getsockname");
  if (listen(l, 8) != 0) FAIL("listen");
  run_server_and_clients("tcp", l, connect_tcp);

  int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (s < 0) FAIL("socket");
  int r = connect(s, (struct sockaddr *)&addr, sizeof addr);
  CHECK(r == 0 || errno == EINPROGRESS, "non-blocking connect");
  struct pollfd pfd = {s, POLLOUT, 0};
  CHECK(poll(&pfd, 1, -1) == 1 && (pfd.revents & POLLOUT), "poll connect");
  int err = -1;
  len = sizeof err;
  getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
  CHECK(err == 0, "SO_ERROR %d", err);
  int a = accept(l, NULL, NULL);
  if (a < 0) FAIL("accept");
  if (write(s, "ping\n", 5) != 5) FAIL("write");
  char line[16];
  if (read_line(a, line, sizeof line) <= 0) FAIL("read");
  say("tcp: non-blocking connect completed, server read \"%s\"\n", line);
  close(a);
  close(s);
  close(l);
  return 0;
}
