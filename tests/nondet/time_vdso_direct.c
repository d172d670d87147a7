// Calls the vDSO's own entry points directly (found by parsing the vDSO ELF image that
// AT_SYSINFO_EHDR points at), bypassing glibc: __vdso_clock_gettime, __vdso_gettimeofday,
// __vdso_time, __vdso_getcpu.
#define _GNU_SOURCE
#include <elf.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/time.h>
#include <time.h>

static void *vdso_sym(const char *name) {
  unsigned long base = getauxval(AT_SYSINFO_EHDR);
  if (!base) return NULL;
  Elf64_Ehdr *eh = (Elf64_Ehdr *)base;
  Elf64_Phdr *ph = (Elf64_Phdr *)(base + eh->e_phoff);
  long load = -1;
  for (int i = 0; i < eh->e_phnum; i++)
    if (ph[i].p_type == PT_LOAD) { load = (long)(base + ph[i].p_offset - ph[i].p_vaddr); break; }
  if (load == -1) return NULL;
  Elf64_Shdr *sh = (Elf64_Shdr *)(base + eh->e_shoff);
  for (int i = 0; i < eh->e_shnum; i++) {
    if (sh[i].sh_type != SHT_DYNSYM) continue;
    Elf64_Sym *syms = (Elf64_Sym *)(base + sh[i].sh_offset);
    const char *str = (const char *)(base + sh[sh[i].sh_link].sh_offset);
    size_t n = sh[i].sh_size / sizeof(Elf64_Sym);
    for (size_t k = 0; k < n; k++)
      if (syms[k].st_name && strcmp(str + syms[k].st_name, name) == 0 && syms[k].st_shndx != SHN_UNDEF)
        return (void *)(load + syms[k].st_value);
  }
  return NULL;
}

int main(void) {
  int (*cg)(clockid_t, struct timespec *) = vdso_sym("__vdso_clock_gettime");
  int (*gtod)(struct timeval *, void *) = vdso_sym("__vdso_gettimeofday");
  time_t (*tm)(time_t *) = vdso_sym("__vdso_time");
  int (*res)(clockid_t, struct timespec *) = vdso_sym("__vdso_clock_getres");
  if (!cg || !gtod || !tm || !res) {
    printf("vdso symbols missing\n");
    return 1;
  }
  static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME,
                                  CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_TAI};
  for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++) {
    struct timespec t, r;
    int a = cg(ids[i], &t);
    int b = res(ids[i], &r);
    printf("vdso clock %d ret %d %lld.%09ld res %d %lld.%09ld\n", (int)ids[i], a, (long long)t.tv_sec, t.tv_nsec, b,
           (long long)r.tv_sec, r.tv_nsec);
  }
  struct timeval tv;
  int g = gtod(&tv, NULL);
  printf("vdso gettimeofday ret %d %lld.%06ld\n", g, (long long)tv.tv_sec, (long)tv.tv_usec);
  printf("vdso time %lld\n", (long long)tm(NULL));
  struct timespec a, b;
  cg(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < 2000; i++) cg(CLOCK_MONOTONIC, &b);
  printf("vdso monotonic span %lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
  return 0;
}
