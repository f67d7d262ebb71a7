/*
 * A wasi:http handler whose state is set up by its initialization (constructors, run by
 * _initialize; in a component by the start function wit-component adds) and changed by every
 * request, for the component snapshot tests. Each request answers 200 with
 *   "init_runs=<how often the constructor ran> counter=<counter> heap=<string on the heap>\n"
 * and then changes all three. An instance started from the state after initialization answers
 * "init_runs=1 counter=41 heap=set by init" every time, whatever earlier requests did.
 */
#define WASI_HTTP_VERSION "0.2.0"
#include "wasi_http_raw.h"

static volatile int init_runs;
static volatile int counter;
static char *heap;

__attribute__((constructor)) static void init(void) {
  init_runs++;
  counter = 41;
  heap = malloc(64);
  strcpy(heap, "set by init");
}

EXPORT("wasi:http/incoming-handler@0.2.0#handle")
void handle(int32_t request, int32_t outparam) {
  (void)request;
  char text[160];
  snprintf(text, sizeof text, "init_runs=%d counter=%d heap=%s\n", init_runs, counter,
           heap == NULL ? "(none)" : heap);
  init_runs += 100;
  counter++;
  if (heap != NULL) {
    strcpy(heap, "changed by a request");
  }

  respond_text(outparam, text);
}
