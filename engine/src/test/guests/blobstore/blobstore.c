/*
 * blobstore: a test guest using wruntime:blobstore through the C SDK (wruntime_blobstore.h).
 * Query parameters are %-decoded; `b` is the bucket, `k` the key. Paths:
 *   PUT    /put?b=&k=[&size=N][&leave=1]  streams the request body (64 KiB reads) into the
 *                               object, its content-type the request's; with size, declared as N
 *                               bytes (otherwise unknown); answers "stored <key> size=<n>
 *                               etag=<0|1>"; with leave=1, returns "left open" without finishing
 *                               or dropping the object (the end of the request drops it)
 *   GET    /get?b=&k=           streams the object back (its content-type, x-blob-size header)
 *   GET    /meta?b=&k=          opens the object and answers its meta as /head does
 *   GET    /head?b=&k=          "key=<key> size=<n> type=<type|-> etag=<0|1> modified=<ms>"
 *   DELETE /delete?b=&k=        "deleted"
 *   GET    /list?b=&p=&max=N[&c=] one line "<key> <size>" per object, then "next=<c>" or "end"
 *   GET    /listall?b=&p=&max=N every page: one line per key, then "pages=<n>"
 *   GET    /drop?b=&k=          put with size 10, writes 3 bytes, drops it: "dropped"
 *   GET    /open?b=&k=          opens gets of k until one fails: "<n> open; <kind>: <message>"
 *   GET    /chunks?b=&k=&n=N    reads the object in N-byte reads: "reads=<r> bytes=<total>"
 *   PUT    /hold?b=&k=&n=N      opens up to N gets of k, streams "opened <n>\n", holds them
 *                               unread until the request body ends
 *   GET    /hoard?b=&n=N&kb=K[&sized=1]  puts N objects hoard/<i> of unknown size, writes K KiB
 *                               (a multiple of 64) to each from one 64 KiB buffer and leaves them
 *                               open: "<N> filled", or "<i> filled; <kind>: <message>" (503);
 *                               with sized, declared 2*K KiB and written from one 1 MiB buffer;
 *                               with hold, a failure is answered once the request body ended
 * A failure answers "<kind>: <message>" with 404 not-found, 403 access-denied, 413 too-large,
 * 502 io.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wruntime.h>
#include <wruntime_blobstore.h>

#define CHUNK 65536

static char buffer[CHUNK];

static void text(wr_response_t *response, int status, const char *body) {
  wr_respond(response, status, "text/plain; charset=utf-8", body, strlen(body), NULL);
}

static void failed(wr_response_t *response, const wr_blob_error_t *err) {
  char body[512];
  snprintf(body, sizeof body, "%s: %s", wr_blob_error_name(err->kind), err->message);
  int status = err->kind == WR_BLOB_E_NOT_FOUND       ? 404
               : err->kind == WR_BLOB_E_ACCESS_DENIED ? 403
               : err->kind == WR_BLOB_E_TOO_LARGE     ? 413
                                                      : 502;
  text(response, status, body);
}

static int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The %-decoded value of query parameter `name` in `path`, or NULL (caller frees). */
static char *param(const char *path, const char *name) {
  const char *q = strchr(path, '?');
  size_t n = strlen(name);
  while (q != NULL) {
    q++;
    if (strncmp(q, name, n) == 0 && q[n] == '=') {
      const char *v = q + n + 1;
      size_t len = strcspn(v, "&");
      char *out = malloc(len + 1);
      size_t o = 0;
      for (size_t i = 0; i < len; i++) {
        if (v[i] == '%' && i + 2 < len + 1 && hex(v[i + 1]) >= 0 && hex(v[i + 2]) >= 0) {
          out[o++] = (char)(hex(v[i + 1]) * 16 + hex(v[i + 2]));
          i += 2;
        } else {
          out[o++] = v[i];
        }
      }
      out[o] = 0;
      return out;
    }
    q = strchr(q, '&');
  }
  return NULL;
}

static int route(const char *path, const char *name) {
  size_t n = strlen(name);
  return strncmp(path, name, n) == 0 && (path[n] == '?' || path[n] == 0);
}

static void describe(char *out, size_t cap, const wr_blob_meta_t *meta) {
  snprintf(out, cap, "key=%s size=%llu type=%s etag=%d modified=%llu", meta->key,
           (unsigned long long)meta->size, meta->content_type ? meta->content_type : "-",
           meta->etag != NULL && meta->etag[0] != 0, (unsigned long long)meta->last_modified);
}

static void put(wr_request_t *request, wr_response_t *response, const char *b, const char *k,
                const char *size, int leave) {
  char type[128];
  int has_type = wr_request_header(request, "content-type", type, sizeof type) >= 0;
  wr_blob_error_t err;
  wr_blob_writer_t *w = wr_blob_put(b, k, has_type ? type : NULL, size != NULL,
                                    size ? strtoull(size, NULL, 10) : 0, &err);
  if (w == NULL) {
    failed(response, &err);
    return;
  }
  for (;;) {
    wr_error_t rerr;
    ssize_t n = wr_request_read(request, buffer, sizeof buffer, &rerr);
    if (n < 0) {
      wr_blob_writer_abort(w);
      text(response, 400, "reading the request body failed");
      return;
    }
    if (n == 0) {
      break;
    }
    if (wr_blob_write(w, buffer, (size_t)n, &err) != 0) {
      wr_blob_writer_abort(w);
      failed(response, &err);
      return;
    }
  }
  if (leave) {
    text(response, 200, "left open");
    return; /* w leaks on purpose: the host closes the object when the request ends */
  }
  wr_blob_meta_t meta;
  if (wr_blob_finish(w, &meta, &err) != 0) {
    failed(response, &err);
    return;
  }
  char body[512];
  snprintf(body, sizeof body, "stored %s size=%llu etag=%d", meta.key,
           (unsigned long long)meta.size, meta.etag != NULL && meta.etag[0] != 0);
  wr_blob_meta_free(&meta);
  text(response, 200, body);
}

static void get(wr_response_t *response, const char *b, const char *k) {
  wr_blob_error_t err;
  wr_blob_reader_t *r = wr_blob_get(b, k, &err);
  if (r == NULL) {
    failed(response, &err);
    return;
  }
  wr_blob_meta_t meta;
  if (wr_blob_reader_meta(r, &meta) == 0) {
    char size[32];
    snprintf(size, sizeof size, "%llu", (unsigned long long)meta.size);
    wr_response_header(response, "x-blob-size", size, NULL);
    if (meta.content_type != NULL) {
      wr_response_header(response, "content-type", meta.content_type, NULL);
    }
    wr_blob_meta_free(&meta);
  }
  wr_response_start(response, 200, NULL);
  for (;;) {
    ssize_t n = wr_blob_read(r, buffer, sizeof buffer, &err);
    if (n < 0) {
      wr_response_abort(response);
      break;
    }
    if (n == 0) {
      wr_response_finish(response, NULL);
      break;
    }
    if (wr_response_write(response, buffer, (size_t)n, NULL) != 0) {
      break;
    }
  }
  wr_blob_reader_close(r);
}

static void list(wr_response_t *response, const char *b, const char *p, const char *max,
                 const char *c, int all) {
  static char body[65536];
  size_t at = 0;
  int pages = 0;
  char *cont = c != NULL ? strdup(c) : NULL;
  for (;;) {
    wr_blob_page_t page;
    wr_blob_error_t err;
    if (wr_blob_list(b, p ? p : "", cont, max ? (uint32_t)strtoul(max, NULL, 10) : 0, &page,
                     &err) != 0) {
      free(cont);
      failed(response, &err);
      return;
    }
    pages++;
    free(cont);
    cont = NULL;
    for (size_t i = 0; i < page.count && at < sizeof body - 256; i++) {
      if (all) {
        at += (size_t)snprintf(body + at, sizeof body - at, "%s\n", page.objects[i].key);
      } else {
        at += (size_t)snprintf(body + at, sizeof body - at, "%s %llu\n", page.objects[i].key,
                               (unsigned long long)page.objects[i].size);
      }
    }
    if (page.continuation != NULL) {
      cont = strdup(page.continuation);
    }
    wr_blob_page_free(&page);
    if (!all || cont == NULL || pages > 100) {
      break;
    }
  }
  if (all) {
    snprintf(body + at, sizeof body - at, "pages=%d", pages);
  } else if (cont != NULL) {
    snprintf(body + at, sizeof body - at, "next=%s", cont);
  } else {
    snprintf(body + at, sizeof body - at, "end");
  }
  free(cont);
  text(response, 200, body);
}

void wr_handle(wr_request_t *request, wr_response_t *response) {
  const char *path = wr_request_path(request);
  char *b = param(path, "b");
  char *k = param(path, "k");
  wr_blob_error_t err;
  char body[1024];
  if (route(path, "/put")) {
    char *size = param(path, "size");
    char *leave = param(path, "leave");
    put(request, response, b, k, size, leave != NULL);
    free(size);
    free(leave);
  } else if (route(path, "/get")) {
    get(response, b, k);
  } else if (route(path, "/head") || route(path, "/meta")) {
    wr_blob_meta_t meta;
    if (route(path, "/head")) {
      if (wr_blob_head(b, k, &meta, &err) != 0) {
        failed(response, &err);
        goto out;
      }
    } else {
      wr_blob_reader_t *r = wr_blob_get(b, k, &err);
      if (r == NULL) {
        failed(response, &err);
        goto out;
      }
      wr_blob_reader_meta(r, &meta);
      wr_blob_reader_close(r);
    }
    describe(body, sizeof body, &meta);
    wr_blob_meta_free(&meta);
    text(response, 200, body);
  } else if (route(path, "/delete")) {
    if (wr_blob_delete(b, k, &err) != 0) {
      failed(response, &err);
    } else {
      text(response, 200, "deleted");
    }
  } else if (route(path, "/list") || route(path, "/listall")) {
    char *p = param(path, "p");
    char *max = param(path, "max");
    char *c = param(path, "c");
    list(response, b, p, max, c, route(path, "/listall"));
    free(p);
    free(max);
    free(c);
  } else if (route(path, "/drop")) {
    wr_blob_writer_t *w = wr_blob_put(b, k, NULL, 1, 10, &err);
    if (w == NULL || wr_blob_write(w, "abc", 3, &err) != 0) {
      wr_blob_writer_abort(w);
      failed(response, &err);
      goto out;
    }
    wr_blob_writer_abort(w);
    text(response, 200, "dropped");
  } else if (route(path, "/open")) {
    int n = 0;
    while (n < 1000) {
      if (wr_blob_get(b, k, &err) == NULL) {
        snprintf(body, sizeof body, "%d open; %s: %s", n, wr_blob_error_name(err.kind),
                 err.message);
        text(response, 503, body);
        goto out;
      }
      n++;
    }
    text(response, 200, "no limit");
  } else if (route(path, "/hoard")) {
    /* n objects of unknown size, each written kb KiB from the same 64 KiB buffer and left
       open: the guest holds 64 KiB, whatever the host buffers. */
    static char big[1024 * 1024];
    char *count = param(path, "n");
    char *kib = param(path, "kb");
    char *sized = param(path, "sized");
    char *hold = param(path, "hold");
    int objects = count ? atoi(count) : 1;
    size_t total = (kib ? strtoul(kib, NULL, 10) : 64) * 1024;
    /* sized: declared twice as long as written (never complete), written in 1 MiB chunks */
    size_t chunk = sized ? sizeof big : sizeof buffer;
    size_t chunks = total / chunk;
    free(count);
    free(kib);
    memset(buffer, 'h', sizeof buffer);
    memset(big, 'h', sizeof big);
    for (int i = 0; i < objects; i++) {
      char key[32];
      snprintf(key, sizeof key, "hoard/%d", i);
      wr_blob_writer_t *w = wr_blob_put(b, key, NULL, sized != NULL, 2 * (uint64_t)total, &err);
      for (size_t c = 0; w != NULL && c < chunks; c++) {
        if (wr_blob_write(w, sized ? big : buffer, chunk, &err) != 0) {
          wr_blob_writer_abort(w);
          w = NULL;
        }
      }
      if (w == NULL) {
        snprintf(body, sizeof body, "%d filled; %s: %s", i, wr_blob_error_name(err.kind),
                 err.message);
        if (hold != NULL) {
          wr_error_t rerr;
          while (wr_request_read(request, buffer, sizeof buffer, &rerr) > 0) {
          }
        }
        free(sized);
        free(hold);
        text(response, 503, body);
        goto out;
      }
    }
    free(sized);
    free(hold);
    snprintf(body, sizeof body, "%d filled", objects);
    text(response, 200, body);
  } else if (route(path, "/hold")) {
    /* Opens up to n gets of k and holds them unread while it reads the request body to its end
       (the caller decides how long), streaming "opened <n>\n" first. */
    char *count = param(path, "n");
    int want = count ? atoi(count) : 1;
    free(count);
    int n = 0;
    while (n < want && wr_blob_get(b, k, &err) != NULL) {
      n++;
    }
    snprintf(body, sizeof body, "opened %d\n", n);
    wr_response_start(response, 200, NULL);
    wr_response_write(response, body, strlen(body), NULL);
    wr_error_t rerr;
    while (wr_request_read(request, buffer, sizeof buffer, &rerr) > 0) {
    }
    wr_response_finish(response, NULL);
  } else if (route(path, "/chunks")) {
    char *size = param(path, "n");
    size_t want = size ? strtoul(size, NULL, 10) : 1;
    free(size);
    if (want > sizeof buffer) want = sizeof buffer;
    wr_blob_reader_t *r = wr_blob_get(b, k, &err);
    if (r == NULL) {
      failed(response, &err);
      goto out;
    }
    unsigned long long total = 0;
    int reads = 0;
    ssize_t n;
    while ((n = wr_blob_read(r, buffer, want, &err)) > 0) {
      total += (unsigned long long)n;
      reads++;
    }
    wr_blob_reader_close(r);
    if (n < 0) {
      failed(response, &err);
      goto out;
    }
    snprintf(body, sizeof body, "reads=%d bytes=%llu", reads, total);
    text(response, 200, body);
  } else {
    text(response, 404, "no such path");
  }
out:
  free(b);
  free(k);
}
