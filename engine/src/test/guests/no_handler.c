/* A reactor without the wasi:http handler export. */
#include "wasi_raw.h"

EXPORT("run")
int32_t run(void) {
  return 42;
}
