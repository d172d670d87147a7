// Ports the kernel picks: a TCP listener bound to port 0, the ephemeral port of a client
// after connect (getsockname) as the server sees it (getpeername), and a UDP socket that
// got its port implicitly by connect.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int port_of(int fd, int peer) {
  struct sockaddr_in a;
  socklen_t l = sizeof a;
  if (peer) getpeername(fd, (struct sockaddr *)&a, &l);
  else getsockname(fd, (struct sockaddr *)&a, &l);
  return ntohs(a.sin_port);
}

int main(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(s, (struct sockaddr *)&a, sizeof a);
  listen(s, 4);
  int lport = port_of(s, 0);
  printf("tcp listen port %d\n", lport);
  for (int i = 0; i < 2; i++) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_port = htons(lport);
    connect(c, (struct sockaddr *)&a, sizeof a);
    int srv = accept(s, NULL, NULL);
    printf("client %d local port %d, server sees peer port %d\n", i, port_of(c, 0), port_of(srv, 1));
    close(srv);
    close(c);
  }
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  a.sin_port = htons(lport);
  connect(u, (struct sockaddr *)&a, sizeof a);
  printf("udp implicit port %d\n", port_of(u, 0));
  int u2 = socket(AF_INET, SOCK_DGRAM, 0);
  a.sin_port = 0;
  bind(u2, (struct sockaddr *)&a, sizeof a);
  printf("udp bound port %d\n", port_of(u2, 0));
  return 0;
}
