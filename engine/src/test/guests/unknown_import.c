/* A handler that imports a function the engine does not provide. */
#include "wasi_raw.h"

IMPORT("acme:rockets/launch@1.0.0", "fire")
int32_t fire(int32_t count);

EXPORT("wasi:http/incoming-handler@0.2.0#handle")
void handle(int32_t request, int32_t response_out) {
  fire(request + response_out);
}
