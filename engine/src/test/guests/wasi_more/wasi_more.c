/*
 * wasi_more: a test guest calling the WASI 0.2 interfaces real components import besides
 * wasi:http, declared by hand at their Canonical ABI lowering (0.2.12, the newest patch, and 0.2.0
 * for a few, to show both link), answering through the C SDK. Paths:
 *   GET /environment  the environment (NAME=VALUE lines), the argument count, the cwd and the
 *                     three terminals, as wasi:cli/environment and terminal-* give them
 *   GET /random       what wasi:random/insecure and insecure-seed give
 *   GET /preopens     the number of preopened directories (0.2.12 and 0.2.0)
 *   GET /sockets      what creating a TCP and a UDP socket and resolving a name answer
 *   GET /exit-code    answers "bye", then calls wasi:cli/exit.exit-with-code(3)
 *   GET /exit-early   calls exit-with-code(3) without answering
 *   GET /bogus-descriptor    a wasi:filesystem/types method on handle 42 (no descriptor exists)
 *   GET /bogus-family        create-tcp-socket with address family 7 (there are two)
 *   GET /bogus-error         filesystem-error-code on handle 42 (not a wasi:io/error)
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
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

static const char *present(const ret_area *r) { return r->b[0] == 0 ? "none" : "some"; }

static const char *socket_error(int32_t code) {
  static const char *names[] = {"unknown",       "access-denied", "not-supported",
                                "invalid-argument", "out-of-memory", "timeout"};
  return code >= 0 && code < (int32_t)(sizeof names / sizeof names[0]) ? names[code] : "other";
}

/* A result<handle, error-code> return area: [0] 0=ok 1=err, [4] the handle or the code. */
static void add_result(const char *what, const ret_area *r) {
  if (r->b[0] == 0) {
    add("%s: ok %d\n", what, *(const int32_t *)(r->b + 4));
  } else {
    add("%s: %s\n", what, socket_error(r->b[4]));
  }
}

static void environment(void) {
  ret_area r;
  get_environment(&r);
  const wasi_env_var *vars = *(wasi_env_var *const *)(r.b);
  size_t count = *(const uint32_t *)(r.b + 4);
  for (size_t i = 0; i < count; i++) {
    add("%.*s=%.*s\n", (int)vars[i].name.len, vars[i].name.ptr, (int)vars[i].value.len,
        vars[i].value.ptr);
  }
  get_arguments(&r);
  add("arguments %u\n", (unsigned)*(const uint32_t *)(r.b + 4));
  initial_cwd(&r);
  add("cwd %s\n", present(&r));
  get_terminal_stdin(&r);
  add("terminal-stdin %s\n", present(&r));
  get_terminal_stdout(&r);
  add("terminal-stdout %s\n", present(&r));
  get_terminal_stderr(&r);
  add("terminal-stderr %s\n", present(&r));
}

static void randomness(void) {
  ret_area r;
  insecure_random_bytes(100, &r);
  add("insecure-random-bytes %u\n", (unsigned)*(const uint32_t *)(r.b + 4));
  insecure_random_bytes(0, &r);
  add("insecure-random-bytes %u\n", (unsigned)*(const uint32_t *)(r.b + 4));
  uint64_t a = insecure_random_u64(), b = insecure_random_u64();
  add("insecure-random-u64 %s\n", a != b ? "differ" : "equal");
  ret_area s1, s2;
  insecure_seed(&s1);
  insecure_seed(&s2);
  add("insecure-seed %s\n", memcmp(s1.b, s2.b, 16) == 0 ? "stable" : "changed");
}

static void preopens(void) {
  ret_area r;
  get_directories(&r);
  add("preopens %u\n", (unsigned)*(const uint32_t *)(r.b + 4));
  get_directories_0(&r);
  add("preopens@0.2.0 %u\n", (unsigned)*(const uint32_t *)(r.b + 4));
}

static void sockets(void) {
  ret_area r;
  create_tcp_socket(0, &r);
  add_result("create-tcp-socket ipv4", &r);
  create_udp_socket(1, &r);
  add_result("create-udp-socket ipv6", &r);
  int32_t network = instance_network();
  add("instance-network %s\n", network > 0 ? "handle" : "none");
  const char *name = "example.com";
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
    exit_with_code(3);
    return;
  } else if (strcmp(path, "/exit-early") == 0) {
    exit_with_code(3);
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
