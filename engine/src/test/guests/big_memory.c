/* A handler linked with a 4 MiB initial memory (see the Makefile). */
#include "wasi_raw.h"

EXPORT("wasi:http/incoming-handler@0.2.0#handle")
void handle(int32_t request, int32_t response_out) {
  (void)request;
  (void)response_out;
}
