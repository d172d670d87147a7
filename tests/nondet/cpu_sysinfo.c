// sysinfo(2): uptime, load averages, memory and swap, process count.
#include <stdio.h>
#include <sys/sysinfo.h>

int main(void) {
  struct sysinfo s;
  sysinfo(&s);
  printf("uptime %ld\n", s.uptime);
  printf("loads %lu %lu %lu\n", s.loads[0], s.loads[1], s.loads[2]);
  printf("totalram %lu freeram %lu sharedram %lu bufferram %lu\n", s.totalram, s.freeram, s.sharedram, s.bufferram);
  printf("totalswap %lu freeswap %lu\n", s.totalswap, s.freeswap);
  printf("procs %u totalhigh %lu freehigh %lu mem_unit %u\n", s.procs, s.totalhigh, s.freehigh, s.mem_unit);
  return 0;
}
