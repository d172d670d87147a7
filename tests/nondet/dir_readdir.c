// readdir(3) order of the input directory (whose files the test created in a varying
// order), with each entry's d_type; then rewinddir and the first entry again.
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>

int main(void) {
  DIR *d = opendir("tree");
  if (!d) return 1;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) printf("%s %d\n", e->d_name, e->d_type);
  rewinddir(d);
  e = readdir(d);
  printf("after rewind: %s\n", e ? e->d_name : "(none)");
  closedir(d);
  return 0;
}
