/*
 * wasi_more: a test guest calling the WASI 0.2 interfaces real components import besides
 * wasi:http, declared by hand at their Canonical ABI lowering (0.2.12, the newest patch, and 0.2.0
 * for a few, to show both link), answering through the C SDK. Paths:
 *   GET /environment  the environment (NAME=VALUE lines), the argument count, the cwd and the
 *                     three terminals, as wasi:cli/environment and terminal-* give them
 *   GET /random       what wasi:random/insecure and insecure-seed give
 *   GET /preopens     the number of preopened directories (0.2.12 and 0.2.0)
 *   GET /sockets      what creating a TCP and a UDP socket and resolving a name answer
 *   GET /exit-code    answers "bye", writes "exit-with-code(3) next" to stderr, calls
 *                     wasi:cli/exit.exit-with-code(3); should that return, it writes
 *                     "exit-with-code returned" to stderr and traps
 *   GET /exit-early   calls exit-with-code(3) without answering
 *   GET /bogus-exit   wasi:cli/exit.exit with result discriminant 2 (there are two cases)
 *   GET /bogus-descriptor    a wasi:filesystem/types method on handle 42 (no descriptor exists)
 *   GET /bogus-family        create-tcp-socket with address family 7 (there are two)
 *   GET /bogus-error         filesystem-error-code on handle 42 (not a wasi:io/error)
 *   GET /long-names   resolve-addresses of a 253-byte name (the longest DNS name) and of a 254-byte
 *                     one that is not UTF-8
 *   GET /long-name-outside   resolve-addresses of a 1000-byte name reaching past memory
 * Every return area is filled with 0xAA before each call, so a host function that writes nothing
 * (or not all it should) shows in the answer instead of passing on what an earlier call left.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wruntime.h>

#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define V "@0.2.12"

typedef struct {
  _Alignas(8) uint8_t b[16];
} ret_area;

typedef struct {
  const char *ptr;
  size_t len;
} wasi_string;

typedef struct {
  wasi_string name;
  wasi_string value;
} wasi_env_var;

IMPORT("wasi:cli/environment" V, "get-environment") void get_environment(ret_area *ret);
IMPORT("wasi:cli/environment" V, "get-arguments") void get_arguments(ret_area *ret);
IMPORT("wasi:cli/environment" V, "initial-cwd") void initial_cwd(ret_area *ret);
IMPORT("wasi:cli/terminal-stdin" V, "get-terminal-stdin") void get_terminal_stdin(ret_area *ret);
IMPORT("wasi:cli/terminal-stdout" V, "get-terminal-stdout") void get_terminal_stdout(ret_area *ret);
IMPORT("wasi:cli/terminal-stderr" V, "get-terminal-stderr") void get_terminal_stderr(ret_area *ret);
IMPORT("wasi:cli/exit" V, "exit-with-code") void exit_with_code(int32_t code);
IMPORT("wasi:cli/exit" V, "exit") void exit_status(int32_t status);

IMPORT("wasi:random/insecure" V, "get-insecure-random-bytes")
void insecure_random_bytes(uint64_t len, ret_area *ret);
IMPORT("wasi:random/insecure" V, "get-insecure-random-u64") uint64_t insecure_random_u64(void);
IMPORT("wasi:random/insecure-seed" V, "insecure-seed") void insecure_seed(ret_area *ret);

IMPORT("wasi:filesystem/preopens" V, "get-directories") void get_directories(ret_area *ret);
IMPORT("wasi:filesystem/preopens@0.2.0", "get-directories") void get_directories_0(ret_area *ret);
IMPORT("wasi:filesystem/types" V, "[method]descriptor.get-type")
void descriptor_get_type(int32_t self, ret_area *ret);
IMPORT("wasi:filesystem/types" V, "filesystem-error-code")
void filesystem_error_code(int32_t err, ret_area *ret);

IMPORT("wasi:sockets/instance-network" V, "instance-network") int32_t instance_network(void);
IMPORT("wasi:sockets/network" V, "[resource-drop]network") void network_drop(int32_t self);
IMPORT("wasi:sockets/tcp-create-socket" V, "create-tcp-socket")
void create_tcp_socket(int32_t family, ret_area *ret);
IMPORT("wasi:sockets/udp-create-socket@0.2.0", "create-udp-socket")
void create_udp_socket(int32_t family, ret_area *ret);
IMPORT("wasi:sockets/ip-name-lookup" V, "resolve-addresses")
void resolve_addresses(int32_t network, const char *name, size_t len, ret_area *ret);

static char body[4096];
static size_t used;

static void add(const char *format, ...) __attribute__((format(printf, 1, 2)));

static void add(const char *format, ...) {
  va_list args;
  va_start(args, format);
  int n = vsnprintf(body + used, sizeof body - used, format, args);
  va_end(args);
  if (n > 0) {
    used += (size_t)n < sizeof body - used ? (size_t)n : sizeof body - used - 1;
  }
}

static void answer(wr_response_t *response, int status) {
  wr_respond(response, status, "text/plain; charset=utf-8", body, used, NULL);
}

#define FILL 0xAA

/* Fills a return area with FILL before a call: what the host leaves unwritten stays FILL. */
static void fill(void *area, size_t size) { memset(area, FILL, size); }

/* An option discriminant: 0 none, 1 some; anything else (FILL: unwritten) is reported as such. */
static const char *present(const ret_area *r) {
  return r->b[0] == 0 ? "none" : r->b[0] == 1 ? "some" : "unwritten";
}

static const char *socket_error(int32_t code) {
  static const char *names[] = {"unknown",       "access-denied", "not-supported",
                                "invalid-argument", "out-of-memory", "timeout"};
  return code >= 0 && code < (int32_t)(sizeof names / sizeof names[0]) ? names[code] : "other";
}

/* A result<handle, error-code> return area: [0] 0=ok 1=err, [4] the handle or the code. */
static void add_result(const char *what, const ret_area *r) {
  if (r->b[0] == 0) {
    add("%s: ok %d\n", what, *(const int32_t *)(r->b + 4));
  } else if (r->b[0] == 1) {
    add("%s: %s\n", what, socket_error(r->b[4]));
  } else {
    add("%s: unwritten\n", what);
  }
}

/* A list<T> return area: [0] ptr, [4] len. The length, or "unwritten" if the host left FILL. */
static void add_list_length(const char *what, const ret_area *r) {
  uint32_t len = *(const uint32_t *)(r->b + 4);
  if (len == 0xAAAAAAAAu) {
    add("%s unwritten\n", what);
  } else {
    add("%s %u\n", what, (unsigned)len);
  }
}

/* Whether all n bytes at p are FILL (what the guest wrote there before the call). */
static int all_filled(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (p[i] != FILL) {
      return 0;
    }
  }
  return 1;
}

/* Whether the n bytes at p are not all one value: 100 random bytes never are. */
static int varied(const uint8_t *p, size_t n) {
  for (size_t i = 1; i < n; i++) {
    if (p[i] != p[0]) {
      return 1;
    }
  }
  return 0;
}

static void environment(void) {
  ret_area r;
  fill(&r, sizeof r);
  get_environment(&r);
  if (*(const uint32_t *)(r.b + 4) == 0xAAAAAAAAu) {
    add("environment unwritten\n");
  } else {
    const wasi_env_var *vars = *(wasi_env_var *const *)(r.b);
    size_t count = *(const uint32_t *)(r.b + 4);
    for (size_t i = 0; i < count; i++) {
      add("%.*s=%.*s\n", (int)vars[i].name.len, vars[i].name.ptr, (int)vars[i].value.len,
          vars[i].value.ptr);
    }
  }
  fill(&r, sizeof r);
  get_arguments(&r);
  add_list_length("arguments", &r);
  fill(&r, sizeof r);
  initial_cwd(&r);
  add("cwd %s\n", present(&r));
  fill(&r, sizeof r);
  get_terminal_stdin(&r);
  add("terminal-stdin %s\n", present(&r));
  fill(&r, sizeof r);
  get_terminal_stdout(&r);
  add("terminal-stdout %s\n", present(&r));
  fill(&r, sizeof r);
  get_terminal_stderr(&r);
  add("terminal-stderr %s\n", present(&r));
}

static void randomness(void) {
  ret_area r;
  fill(&r, sizeof r);
  insecure_random_bytes(100, &r);
  add_list_length("insecure-random-bytes", &r);
  if (*(const uint32_t *)(r.b + 4) == 100) {
    /* The list is ours (malloc'd by cabi_realloc): fill it and free it, so that the next list of
       the same size most likely reuses it; then the bytes must have changed from the fill, and
       not be all one value either (as fresh, zeroed memory is). */
    uint8_t *bytes = *(uint8_t *const *)(r.b);
    fill(bytes, 100);
    free(bytes);
    fill(&r, sizeof r);
    insecure_random_bytes(100, &r);
    bytes = *(uint8_t *const *)(r.b);
    add("insecure-random-bytes %s\n",
        *(const uint32_t *)(r.b + 4) == 100 && varied(bytes, 100) ? "varied" : "unwritten");
    free(bytes);
  }
  fill(&r, sizeof r);
  insecure_random_bytes(0, &r);
  add_list_length("insecure-random-bytes", &r);
  uint64_t a = insecure_random_u64(), b = insecure_random_u64();
  add("insecure-random-u64 %s\n", a != b ? "differ" : "equal");
  ret_area s1, s2;
  fill(&s1, sizeof s1);
  fill(&s2, sizeof s2);
  insecure_seed(&s1);
  insecure_seed(&s2);
  add("insecure-seed %s\n", all_filled(s1.b, 16)                 ? "unwritten"
                             : memcmp(s1.b, s2.b, 16) == 0 ? "stable"
                                                           : "changed");
}

static void preopens(void) {
  ret_area r;
  fill(&r, sizeof r);
  get_directories(&r);
  add_list_length("preopens", &r);
  fill(&r, sizeof r);
  get_directories_0(&r);
  add_list_length("preopens@0.2.0", &r);
}

static void sockets(void) {
  ret_area r;
  fill(&r, sizeof r);
  create_tcp_socket(0, &r);
  add_result("create-tcp-socket ipv4", &r);
  fill(&r, sizeof r);
  create_udp_socket(1, &r);
  add_result("create-udp-socket ipv6", &r);
  int32_t network = instance_network();
  add("instance-network %s\n", network > 0 ? "handle" : "none");
  const char *name = "example.com";
  fill(&r, sizeof r);
  resolve_addresses(network, name, strlen(name), &r);
  add_result("resolve-addresses example.com", &r);
  network_drop(network);
}

void wr_handle(wr_request_t *request, wr_response_t *response) {
  const char *path = wr_request_path(request);
  ret_area r;
  used = 0;
  body[0] = 0;
  if (strcmp(path, "/environment") == 0) {
    environment();
  } else if (strcmp(path, "/random") == 0) {
    randomness();
  } else if (strcmp(path, "/preopens") == 0) {
    preopens();
  } else if (strcmp(path, "/sockets") == 0) {
    sockets();
  } else if (strcmp(path, "/exit-code") == 0) {
    add("bye");
    answer(response, 200);
    fputs("exit-with-code(3) next\n", stderr);
    exit_with_code(3);
    /* Unseen by the client, which has its whole answer: only the engine's log shows this. */
    fputs("exit-with-code returned\n", stderr);
    __builtin_trap();
  } else if (strcmp(path, "/exit-early") == 0) {
    exit_with_code(3);
  } else if (strcmp(path, "/bogus-exit") == 0) {
    exit_status(2);
  } else if (strcmp(path, "/long-names") == 0) {
    static char name[254];
    int32_t network = instance_network();
    memset(name, 'a', sizeof name);
    fill(&r, sizeof r);
    resolve_addresses(network, name, 253, &r);
    add_result("resolve-addresses 253 bytes", &r);
    /* Not UTF-8 either: answered without being read, so that is no ABI violation. */
    memset(name, 0xFF, sizeof name);
    fill(&r, sizeof r);
    resolve_addresses(network, name, 254, &r);
    add_result("resolve-addresses 254 bytes", &r);
    network_drop(network);
  } else if (strcmp(path, "/long-name-outside") == 0) {
    resolve_addresses(instance_network(), (const char *)0xFFFFFF00u, 1000, &r);
  } else if (strcmp(path, "/bogus-descriptor") == 0) {
    descriptor_get_type(42, &r);
  } else if (strcmp(path, "/bogus-family") == 0) {
    create_tcp_socket(7, &r);
  } else if (strcmp(path, "/bogus-error") == 0) {
    filesystem_error_code(42, &r);
  } else {
    add("no such path: %s\n", path);
    answer(response, 404);
    return;
  }
  answer(response, 200);
}
