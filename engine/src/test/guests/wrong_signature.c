/* A handler that imports get-random-u64 with the wrong type (i32 instead of i64 result). */
#include "wasi_raw.h"

IMPORT("wasi:random/random@0.2.0", "get-random-u64")
int32_t bad_random(void);

EXPORT("wasi:http/incoming-handler@0.2.0#handle")
void handle(int32_t request, int32_t response_out) {
  (void)request;
  (void)response_out;
  bad_random();
}
