// Network: the sandbox has a private network namespace with loopback only (sandbox.cc);
// what is left is the ephemeral ports the kernel picks at random, which show up in
// getsockname/getpeername and in whatever a server logs about its clients.
//
// Every port the kernel would pick comes from a per-run counter instead (32768, 32769, ...
// up to 60999, then around again; a port in use is skipped), in schedule order:
//   bind(port 0) on AF_INET/AF_INET6 stream and datagram sockets: the tracer binds the
//     socket itself (pidfd_getfd shares the socket; bind() acts in the socket's network
//     namespace) with the port filled in, and the call returns its result.
//   the implicit binds: connect(), listen() and, for datagram sockets, sendto/sendmsg/
//     sendmmsg (and TCP fast-open sends) on a socket that is not bound yet: the tracer
//     binds it to the wildcard address and the next port first, then the call runs as usual
//     (the source address is still chosen by the route at connect, as with an autobind).
// Not covered: a socket bound with IP_BIND_ADDRESS_NO_PORT (address set, port picked at
// connect) keeps the kernel's choice; SCTP and other socket types are left alone.
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/tracer.h"

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

namespace det {
namespace {

constexpr int kFirstPort = 32768, kLastPort = 60999;  // ip_local_port_range's default
int next_port = kFirstPort;

int take_port() {
  int p = next_port;
  next_port = next_port >= kLastPort ? kFirstPort : next_port + 1;
  return p;
}

int socket_type(int local) {
  int type = 0;
  socklen_t len = sizeof type;
  if (getsockopt(local, SOL_SOCKET, SO_TYPE, &type, &len) != 0) return -1;
  return type;
}

// Binds `local` to addr with the next free port of the counter; 0 or -errno.
int bind_next(Tracer& tr, int local, sockaddr_storage* addr, socklen_t len) {
  for (int tries = 0; tries <= kLastPort - kFirstPort; ++tries) {
    uint16_t port = static_cast<uint16_t>(take_port());
    reinterpret_cast<sockaddr_in*>(addr)->sin_port = htons(port);  // same offset for in6
    if (bind(local, reinterpret_cast<sockaddr*>(addr), len) == 0) {
      tr.count("network-ports");
      tr.log(2, "port %u assigned", port);
      return 0;
    }
    if (errno != EADDRINUSE) return -errno;
  }
  return -EADDRINUSE;
}

Verdict on_bind(SysCtx& c) {
  uint64_t len = c.arg(2);
  if (len < sizeof(sockaddr_in) || len > sizeof(sockaddr_storage)) return Verdict::Pass;
  sockaddr_storage addr{};
  if (read_mem(c.t.tid, c.arg(1), &addr, len) != static_cast<ssize_t>(len)) return Verdict::Pass;
  if (addr.ss_family != AF_INET && addr.ss_family != AF_INET6) return Verdict::Pass;
  if (reinterpret_cast<sockaddr_in*>(&addr)->sin_port != 0) return Verdict::Pass;
  int local = grab_fd(c.t.proc->pidfd, c.t.tid, static_cast<int>(c.arg(0)));
  if (local < 0) return Verdict::Pass;
  int type = socket_type(local);
  if (type != SOCK_STREAM && type != SOCK_DGRAM) {
    close(local);
    return Verdict::Pass;
  }
  int r = bind_next(c.tr, local, &addr, static_cast<socklen_t>(len));
  close(local);
  return c.emulate(r);
}

// The implicit bind: an unbound AF_INET/AF_INET6 socket of a type in `types` gets the
// wildcard address and the next port. Always Passes: the call itself runs as usual.
Verdict autobind(SysCtx& c, bool stream, bool dgram) {
  int local = grab_fd(c.t.proc->pidfd, c.t.tid, static_cast<int>(c.arg(0)));
  if (local < 0) return Verdict::Pass;
  sockaddr_storage me{};
  socklen_t len = sizeof me;
  int type = socket_type(local);
  if (((type == SOCK_STREAM && stream) || (type == SOCK_DGRAM && dgram)) &&
      getsockname(local, reinterpret_cast<sockaddr*>(&me), &len) == 0 &&
      (me.ss_family == AF_INET || me.ss_family == AF_INET6) && reinterpret_cast<sockaddr_in*>(&me)->sin_port == 0) {
    bool wildcard = me.ss_family == AF_INET
                        ? reinterpret_cast<sockaddr_in*>(&me)->sin_addr.s_addr == htonl(INADDR_ANY)
                        : IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<sockaddr_in6*>(&me)->sin6_addr);
    if (wildcard) {
      int r = bind_next(c.tr, local, &me, len);
      if (r < 0) c.tr.log(1, "implicit bind of fd %d failed: %s", static_cast<int>(c.arg(0)), strerror(-r));
    }
  }
  close(local);
  return Verdict::Pass;
}

Verdict on_connect(SysCtx& c) {
  uint16_t family = 0;
  if (c.arg(2) < sizeof family || read_mem(c.t.tid, c.arg(1), &family, sizeof family) != sizeof family)
    return Verdict::Pass;
  if (family != AF_INET && family != AF_INET6) return Verdict::Pass;  // AF_UNSPEC: disconnect
  return autobind(c, true, true);
}

Verdict on_listen(SysCtx& c) { return autobind(c, true, false); }

Verdict on_sendto(SysCtx& c) {
  bool fastopen = c.arg(3) & MSG_FASTOPEN;
  return autobind(c, fastopen, true);
}

Verdict on_sendmsg(SysCtx& c) {
  bool fastopen = c.arg(2) & MSG_FASTOPEN;
  return autobind(c, fastopen, true);
}

Verdict on_sendmmsg(SysCtx& c) {
  bool fastopen = c.arg(3) & MSG_FASTOPEN;
  return autobind(c, fastopen, true);
}

const bool registered = [] {
  register_handler("bind", on_bind, 50);
  register_handler("connect", on_connect, 50);
  register_handler("listen", on_listen, 50);
  register_handler("sendto", on_sendto, 50);
  register_handler("sendmsg", on_sendmsg, 50);
  register_handler("sendmmsg", on_sendmmsg, 50);
  return true;
}();

}  // namespace
}  // namespace det
