/* Writes a "build info" block that is nondeterministic in three common ways:
 * the build time (time(2), clock_gettime(2) and the compiler's __DATE__/__TIME__),
 * random numbers (getrandom(2) and /dev/urandom), and directory order (readdir(3)
 * of the directory given as argv[1], printed in the order the file system returns). */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : ".";
  time_t now = time(NULL);
  struct tm tm;
  char when[64];
  gmtime_r(&now, &tm);
  strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  printf("built at:    %s (%lld.%09ld)\n", when, (long long)ts.tv_sec, ts.tv_nsec);
  printf("compiled at: %s %s\n", __DATE__, __TIME__);

  unsigned long long r1 = 0, r2 = 0;
  if (getrandom(&r1, sizeof r1, 0) != (ssize_t)sizeof r1) r1 = 0;
  FILE *u = fopen("/dev/urandom", "rb");
  if (u) {
    if (fread(&r2, sizeof r2, 1, u) != 1) r2 = 0;
    fclose(u);
  }
  printf("build id:    %016llx%016llx\n", r1, r2);

  DIR *d = opendir(dir);
  if (!d) {
    perror(dir);
    return 1;
  }
  printf("sources:    ");
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] != '.') printf(" %s", e->d_name);
  }
  printf("\n");
  closedir(d);
  return 0;
}
