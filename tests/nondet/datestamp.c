/* compiled inside the tracer by tools_gcc_date.sh */
#include <stdio.h>

int main(void) {
  printf("built %s %s\n", __DATE__, __TIME__);
  printf("timestamp %s\n", __TIMESTAMP__);
  return 0;
}
