/* Escape attempts from inside the det sandbox. Each attempt prints one line
 *   ESCAPE <name> blocked <errno-name>     (the attempt failed: good)
 *   ESCAPE <name> SUCCEEDED <detail>       (the attempt worked: a sandbox escape)
 * and the program exits 0 after trying them all. Usage: escapes HOST_PID1 HOST_PID2
 * (host pids of processes outside the sandbox: the test runner and a host sleep).
 * `escapes killall` only does kill(-1, SIGKILL) and reports. Never sends real traffic off
 * the machine: the only non-loopback connects target addresses that fail at once. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static int tried, escaped;

static void report(const char *name, long rc, int err) {
  tried++;
  if (rc < 0) {
    printf("ESCAPE %s blocked %s\n", name, strerrorname_np(err) ? strerrorname_np(err) : "?");
  } else {
    escaped++;
    printf("ESCAPE %s SUCCEEDED rc=%ld\n", name, rc);
  }
  fflush(stdout);
}
#define TRY(name, expr) do { errno = 0; long rc_ = (long)(expr); report(name, rc_, errno); } while (0)

static long write_file(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return -1;
  long n = write(fd, "x", 1);
  close(fd);
  if (n != 1) return -1;
  return 0;
}

static long connect_to(int family, const char *addr) {
  int s = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (s < 0) return -1;
  long rc;
  if (family == AF_INET) {
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(80)};
    inet_pton(AF_INET, addr, &sa.sin_addr);
    rc = connect(s, (struct sockaddr *)&sa, sizeof sa);
  } else {
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(80)};
    inet_pton(AF_INET6, addr, &sa.sin6_addr);
    rc = connect(s, (struct sockaddr *)&sa, sizeof sa);
  }
  int e = errno;
  /* EINPROGRESS would mean a route exists: count it as success (an escape). */
  if (rc < 0 && e == EINPROGRESS) rc = 0;
  close(s);
  errno = e;
  return rc;
}

/* Reading /proc/<pid>: success only if it exists AND is the host process (its cmdline
 * holds the marker given by the test); a same-numbered process of the sandbox is no leak. */
static long proc_host(const char *pid, const char *marker) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%s/cmdline", pid);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) { errno = ENOENT; return -1; }
  for (ssize_t i = 0; i < n; i++) if (!buf[i]) buf[i] = ' ';
  buf[n] = 0;
  if (marker && strstr(buf, marker)) return 0;
  errno = ENOENT; /* exists but is a sandbox process */
  return -1;
}

/* Any network interface but lo in the sandbox would be a way out. */
static long other_interface(void) {
  struct if_nameindex *ifs = if_nameindex();
  if (!ifs) return -1;
  long found = -1;
  for (struct if_nameindex *i = ifs; i->if_index; i++)
    if (strcmp(i->if_name, "lo")) { printf("INTERFACE %s\n", i->if_name); found = 0; }
  if_freenameindex(ifs);
  if (found < 0) errno = ENODEV;
  return found;
}

int main(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "killall")) {
    TRY("kill-minus-1", kill(-1, SIGKILL));
    /* kill(-1) may legitimately succeed inside the pid namespace (it reaches only the
     * sandbox); the test judges by whether the host process survived. */
    return 0;
  }
  const char *hpid1 = argc > 1 ? argv[1] : "999999";
  const char *hpid2 = argc > 2 ? argv[2] : "999998";
  const char *marker = argc > 3 ? argv[3] : NULL;
  char buf[64] = {0};

  TRY("ptrace-attach-pid1", ptrace(PTRACE_ATTACH, 1, 0, 0));
  TRY("ptrace-seize-pid1", ptrace(PTRACE_SEIZE, 1, 0, 0));
  TRY("ptrace-attach-parent", ptrace(PTRACE_ATTACH, getppid(), 0, 0));
  TRY("ptrace-attach-host-pid", ptrace(PTRACE_ATTACH, atoi(hpid1), 0, 0));
  {
    struct iovec l = {buf, 8}, r = {(void *)0x400000, 8};
    TRY("process_vm_writev-pid1", syscall(SYS_process_vm_writev, 1, &l, 1, &r, 1, 0));
    TRY("process_vm_writev-host-pid", syscall(SYS_process_vm_writev, atoi(hpid1), &l, 1, &r, 1, 0));
    TRY("process_vm_readv-pid1", syscall(SYS_process_vm_readv, 1, &l, 1, &r, 1, 0));
  }
  /* the host pids are large numbers; inside the fresh pid namespace they name nothing */
  TRY("kill-host-pid", kill(atoi(hpid2), SIGKILL));
  TRY("kill-host-runner-sig0", kill(atoi(hpid1), 0));
  TRY("proc-host-runner", proc_host(hpid1, marker));
  TRY("proc-host-sleep", proc_host(hpid2, marker));
  {
    int fd = open("/proc/1/ns/mnt", O_RDONLY);
    TRY("setns-pid1-mnt", syscall(SYS_setns, fd, 0));
    if (fd >= 0) close(fd);
    fd = open("/proc/self/ns/net", O_RDONLY);
    TRY("setns-self-net", syscall(SYS_setns, fd, CLONE_NEWNET));
    if (fd >= 0) close(fd);
  }
  TRY("unshare-user", unshare(CLONE_NEWUSER));
  TRY("unshare-mnt", unshare(CLONE_NEWNS));
  TRY("unshare-net", unshare(CLONE_NEWNET));
  TRY("mount-tmpfs", mount("none", "/tmp", "tmpfs", 0, NULL));
  TRY("mount-remount-usr-rw", mount(NULL, "/usr", NULL, MS_REMOUNT | MS_BIND, NULL));
  TRY("mount-bind-root", mount("/", "/tmp", NULL, MS_BIND | MS_REC, NULL));
  TRY("umount-usr", umount2("/usr", MNT_DETACH));
  TRY("umount-build", umount2("/build", MNT_DETACH));
  TRY("umount-proc", umount("/proc"));
  TRY("pivot_root", syscall(SYS_pivot_root, "/tmp", "/tmp"));
  TRY("chroot-tmp", chroot("/tmp"));
  TRY("fsopen", syscall(SYS_fsopen, "tmpfs", 0));
  TRY("open_tree", syscall(SYS_open_tree, AT_FDCWD, "/", 1 /*OPEN_TREE_CLONE*/));
  TRY("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, buf, O_RDONLY));
  TRY("connect-10.255.255.1", connect_to(AF_INET, "10.255.255.1"));
  TRY("connect-192.0.2.1", connect_to(AF_INET, "192.0.2.1"));
  TRY("connect-2001:db8::1", connect_to(AF_INET6, "2001:db8::1"));
  TRY("network-interface-besides-lo", other_interface());
  TRY("socket-raw-inet", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) < 0 ? -1 : connect_to(AF_INET, "10.255.255.1"));
  {
    struct timeval tv = {.tv_sec = 1000000000, .tv_usec = 0};
    TRY("settimeofday", settimeofday(&tv, NULL));
    struct timespec ts = {.tv_sec = 1000000000, .tv_nsec = 0};
    TRY("clock_settime", clock_settime(CLOCK_REALTIME, &ts));
    TRY("adjtimex", syscall(SYS_adjtimex, buf) < 0 ? -1 : -1 /* read-only mode allowed */);
  }
  TRY("init_module", syscall(SYS_init_module, buf, 8, ""));
  {
    int fd = open("/bin/sh", O_RDONLY);
    TRY("finit_module", syscall(SYS_finit_module, fd, "", 0));
    if (fd >= 0) close(fd);
  }
  TRY("delete_module", syscall(SYS_delete_module, "loop", O_NONBLOCK));
  TRY("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
  TRY("reboot", syscall(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, NULL));
  TRY("swapon", syscall(SYS_swapon, "/tmp/swap", 0));
  TRY("iopl", syscall(SYS_iopl, 3));
  TRY("bpf", syscall(SYS_bpf, 0, buf, 8));
  TRY("perf_event_open", syscall(SYS_perf_event_open, buf, 0, -1, -1, 0));
  TRY("sethostname", sethostname("evil", 4));
  TRY("mknod-block-dev", mknod("/tmp/sda", S_IFBLK | 0600, makedev(8, 0)) < 0 ? -1 : open("/tmp/sda", O_RDONLY));
  TRY("open-dev-mem", open("/dev/mem", O_RDONLY));
  TRY("open-dev-kmsg-write", open("/dev/kmsg", O_WRONLY));
  TRY("write-proc-sysrq", write_file("/proc/sysrq-trigger"));
  TRY("open-wr-proc-sys-core_pattern", open("/proc/sys/kernel/core_pattern", O_WRONLY));
  TRY("open-wr-proc-sys-drop_caches", open("/proc/sys/vm/drop_caches", O_WRONLY));
  TRY("open-wr-proc-sys-modprobe", open("/proc/sys/kernel/modprobe", O_WRONLY));
  TRY("write-usr", write_file("/usr/det-escape"));
  TRY("write-bin", write_file("/bin/det-escape"));
  TRY("write-lib", write_file("/lib/det-escape"));
  TRY("write-usr-existing", open("/usr/bin/env", O_WRONLY));
  TRY("mkdir-usr", mkdir("/usr/det-escape-dir", 0755));
  TRY("chmod-usr-bin", chmod("/usr/bin/env", 04777));
  TRY("rename-in-usr", rename("/usr/bin/env", "/usr/bin/env2"));
  TRY("unlink-in-bin", unlink("/bin/true"));
  TRY("symlink-in-usr", symlink("/x", "/usr/det-escape-link"));
  printf("SUMMARY tried=%d escaped=%d\n", tried, escaped);
  return 0;
}
