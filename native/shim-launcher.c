/*
 * caisson-shim-launcher: the first thing containerd runs for containerd-shim-caisson-v2.
 *
 * Why: containerd runs the shim binary's `start` for every container and, with containerd 1.6,
 * its `delete` every time it closes a task's connection, and waits for both. Node's start-up
 * alone is ~50 ms; most of these calls have almost nothing to do (a live shim for the group
 * already runs; the task was already deleted by that shim). This launcher answers those two
 * cases itself in a couple of milliseconds and execs Node (dist/shim.cjs through the bin's .cjs
 * entry) for everything else, with the same argv and stdin, so the Node code stays the only
 * implementation of the protocol and this file only ever says "yes, it is there" or "nothing
 * left to do".
 *
 *   start:  legacy protocol only (containerd 1.x: no BootstrapParams on stdin), grouping key
 *           from config.json's annotations, socket = /run/containerd/s/<sha256 hex> as
 *           lib/shim/address.ts computes it; under the group lock, a ttrpc Connect to the socket
 *           that answers OK means reuse: write `address`, print it, exit 0.
 *   delete: no caisson state for the container and no mount on <bundle>/rootfs: print a
 *           DeleteResponse (exit status 137, now), exit 0.
 * Anything unusual (escapes in JSON strings, paths that need normalising, a dead socket, ...)
 * goes to Node. Usage (from bin/containerd-shim-caisson-v2): launcher ENTRY.cjs [shim args...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SOCKET_DIR "/run/containerd/s"
#define DEFAULT_ROOT "/run/containerd/caisson"
#define INPUT_LIMIT (10 << 20)

static char **g_argv;
static int g_argc;
static char *g_stdin;
static size_t g_stdin_len;

/* ---- going to Node ---- */

static void exec_node(void) {
  if (g_stdin_len) {
    /* Node must see the stdin we consumed. */
    int fd = memfd_create("shim-stdin", 0);
    if (fd >= 0) {
      size_t off = 0;
      while (off < g_stdin_len) {
        ssize_t n = write(fd, g_stdin + off, g_stdin_len - off);
        if (n <= 0) break;
        off += (size_t)n;
      }
      lseek(fd, 0, SEEK_SET);
      dup2(fd, 0);
      close(fd);
    }
  }
  char **args = calloc((size_t)g_argc + 2, sizeof(char *));
  if (!args) _exit(1);
  args[0] = "node";
  for (int i = 1; i < g_argc; i++) args[i] = g_argv[i];
  execvp("node", args);
  dprintf(2, "containerd-shim-caisson-v2: exec node: %s\n", strerror(errno));
  _exit(1);
}

/* ---- small helpers ---- */

/* snprintf into a fixed buffer; a path too long for it is Node's problem. */
#define PATHF(buf, ...)                                                          \
  do {                                                                           \
    int n_ = snprintf(buf, sizeof(buf), __VA_ARGS__);                            \
    if (n_ < 0 || (size_t)n_ >= sizeof(buf)) exec_node();                        \
  } while (0)

static char *read_file(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap + 1);
  for (;;) {
    if (!buf) break;
    if (n == cap) {
      if (cap >= INPUT_LIMIT) {
        free(buf);
        buf = NULL;
        break;
      }
      cap *= 2;
      char *b = realloc(buf, cap + 1);
      if (!b) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = b;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += (size_t)r;
  }
  close(fd);
  if (buf) {
    buf[n] = 0;
    *len = n;
  }
  return buf;
}

static void read_stdin(void) {
  size_t cap = 4096;
  g_stdin = malloc(cap);
  for (;;) {
    if (!g_stdin) exec_node();
    if (g_stdin_len == cap) {
      if (cap >= INPUT_LIMIT) exec_node();
      cap *= 2;
      g_stdin = realloc(g_stdin, cap);
      continue;
    }
    ssize_t r = read(0, g_stdin + g_stdin_len, cap - g_stdin_len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    g_stdin_len += (size_t)r;
  }
}

static int write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static size_t put_varint(uint8_t *out, uint64_t v) {
  size_t n = 0;
  while (v > 0x7f) {
    out[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  out[n++] = (uint8_t)v;
  return n;
}

static int get_varint(const uint8_t *p, size_t len, size_t *off, uint64_t *v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*off >= len) return -1;
    uint8_t b = p[(*off)++];
    *v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) return 0;
  }
  return -1;
}

/* Whether a protobuf message has a top-level field numbered 4 or 9 (2.3's BootstrapParams:
 * containerd_version, socket_dir); an options Any has only 1 and 2. Malformed: say yes. */
static int looks_like_bootstrap(const uint8_t *p, size_t len) {
  size_t off = 0;
  while (off < len) {
    uint64_t tag, v;
    if (get_varint(p, len, &off, &tag) < 0) return 1;
    uint64_t no = tag >> 3, wire = tag & 7;
    if (no == 4 || no == 9) return 1;
    if (wire == 0) {
      if (get_varint(p, len, &off, &v) < 0) return 1;
    } else if (wire == 2) {
      if (get_varint(p, len, &off, &v) < 0 || v > len - off) return 1;
      off += v;
    } else if (wire == 1 || wire == 5) {
      size_t w = wire == 1 ? 8 : 4;
      if (w > len - off) return 1;
      off += w;
    } else {
      return 1;
    }
  }
  return 0;
}

/* ---- SHA-256 (FIPS 180-4) ---- */

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
    0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
    0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
    0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
    0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const uint8_t *b) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++) w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 | (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c));
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = bb;
    bb = a;
    a = t1 + t2;
  }
  h[0] += a, h[1] += bb, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

static void sha256_hex(const char *msg, size_t len, char out[65]) {
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  size_t i = 0;
  for (; i + 64 <= len; i += 64) sha256_block(h, (const uint8_t *)msg + i);
  uint8_t tail[128] = {0};
  size_t rest = len - i;
  memcpy(tail, msg + i, rest);
  tail[rest] = 0x80;
  size_t tl = rest + 1 + 8 <= 64 ? 64 : 128;
  uint64_t bits = (uint64_t)len * 8;
  for (int k = 0; k < 8; k++) tail[tl - 1 - k] = (uint8_t)(bits >> (8 * k));
  sha256_block(h, tail);
  if (tl == 128) sha256_block(h, tail + 64);
  for (int k = 0; k < 8; k++) sprintf(out + 8 * k, "%08x", h[k]);
  out[64] = 0;
}

/* ---- the grouping key from config.json's annotations ---- */

static const char *js;
static size_t jpos, jlen;

static void ws(void) {
  while (jpos < jlen && (js[jpos] == ' ' || js[jpos] == '\n' || js[jpos] == '\r' || js[jpos] == '\t')) jpos++;
}

/* A string at jpos; returns its body (not NUL-terminated) and length; -1 if malformed.
 * *escaped is set when it has escapes (then the body is not the value). */
static int jstring(const char **body, size_t *blen, int *escaped) {
  ws();
  if (jpos >= jlen || js[jpos] != '"') return -1;
  size_t start = ++jpos;
  *escaped = 0;
  while (jpos < jlen && js[jpos] != '"') {
    if (js[jpos] == '\\') {
      *escaped = 1;
      jpos++;
    }
    jpos++;
  }
  if (jpos >= jlen) return -1;
  *body = js + start;
  *blen = jpos - start;
  jpos++;
  return 0;
}

static int jskip(int depth) {
  if (depth > 64) return -1;
  ws();
  if (jpos >= jlen) return -1;
  char c = js[jpos];
  if (c == '"') {
    const char *b;
    size_t l;
    int e;
    return jstring(&b, &l, &e);
  }
  if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    jpos++;
    ws();
    if (jpos < jlen && js[jpos] == close) {
      jpos++;
      return 0;
    }
    for (;;) {
      if (c == '{') {
        const char *b;
        size_t l;
        int e;
        if (jstring(&b, &l, &e) < 0) return -1;
        ws();
        if (jpos >= jlen || js[jpos++] != ':') return -1;
      }
      if (jskip(depth + 1) < 0) return -1;
      ws();
      if (jpos >= jlen) return -1;
      if (js[jpos] == ',') {
        jpos++;
        continue;
      }
      if (js[jpos] == close) {
        jpos++;
        return 0;
      }
      return -1;
    }
  }
  while (jpos < jlen && !strchr(",}] \n\r\t", js[jpos])) jpos++; /* number, true, false, null */
  return 0;
}

/* Sets group to "group:<value>" or "namespace"; -1 when Node should decide. */
static int group_key(char *group, size_t cap) {
  size_t len;
  char *text = read_file("config.json", &len);
  if (!text) return -1;
  js = text, jpos = 0, jlen = len;
  const char *found[2] = {NULL, NULL}; /* runc's group annotation first, then the sandbox id */
  size_t flen[2] = {0, 0};
  int rc = -1;
  ws();
  if (jpos >= jlen || js[jpos++] != '{') goto out;
  for (;;) {
    ws();
    if (jpos < jlen && js[jpos] == '}') break;
    const char *k;
    size_t kl;
    int e;
    if (jstring(&k, &kl, &e) < 0 || e) goto out;
    ws();
    if (jpos >= jlen || js[jpos++] != ':') goto out;
    ws();
    if (kl == 11 && !memcmp(k, "annotations", 11) && jpos < jlen && js[jpos] == '{') {
      jpos++;
      for (;;) {
        ws();
        if (jpos < jlen && js[jpos] == '}') {
          jpos++;
          break;
        }
        const char *ak, *av;
        size_t akl, avl;
        int ae, ve;
        if (jstring(&ak, &akl, &ae) < 0) goto out;
        ws();
        if (jpos >= jlen || js[jpos++] != ':') goto out;
        ws();
        int is_group = !ae && akl == 27 && !memcmp(ak, "io.containerd.runc.v2.group", 27);
        int is_sandbox = !ae && akl == 28 && !memcmp(ak, "io.kubernetes.cri.sandbox-id", 28);
        if ((is_group || is_sandbox) && jpos < jlen && js[jpos] == '"') {
          if (jstring(&av, &avl, &ve) < 0 || ve) goto out;
          if (avl) found[is_group ? 0 : 1] = av, flen[is_group ? 0 : 1] = avl;
        } else if (jskip(1) < 0) {
          goto out;
        }
        ws();
        if (jpos < jlen && js[jpos] == ',') jpos++;
      }
    } else if (jskip(1) < 0) {
      goto out;
    }
    ws();
    if (jpos < jlen && js[jpos] == ',') jpos++;
  }
  for (int i = 0; i < 2; i++) {
    if (!found[i]) continue;
    if (flen[i] + 7 >= cap) goto out;
    memcpy(group, "group:", 6);
    memcpy(group + 6, found[i], flen[i]);
    group[6 + flen[i]] = 0;
    rc = 0;
    goto out;
  }
  snprintf(group, cap, "namespace");
  rc = 0;
out:
  free(text);
  return rc;
}

/* path.posix.join(a, b, ...) for inputs that need no normalising; -1 otherwise. */
static int join_plain(char *out, size_t cap, const char *const *parts, int n) {
  size_t len = 0;
  out[0] = 0;
  for (int i = 0; i < n; i++) {
    if (!*parts[i]) continue;
    int w = snprintf(out + len, cap - len, "%s%s", len ? "/" : "", parts[i]);
    if (w < 0 || (size_t)w >= cap - len) return -1;
    len += (size_t)w;
  }
  if (!len || strstr(out, "//") || strstr(out, "/./") || strstr(out, "/../") || out[len - 1] == '/' || !strncmp(out, "./", 2) ||
      !strncmp(out, "../", 3))
    return -1;
  size_t l = strlen(out);
  if ((l >= 2 && !strcmp(out + l - 2, "/.")) || (l >= 3 && !strcmp(out + l - 3, "/.."))) return -1;
  return 0;
}

/* ---- start: is a live shim for the group there? ---- */

static int lock_group(const char *socket) {
  char path[PATH_MAX];
  PATHF(path, "%s.lock", socket);
  for (int tries = 0; tries < 100; tries++) {
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    int rc;
    do rc = flock(fd, LOCK_EX);
    while (rc < 0 && errno == EINTR);
    struct stat a, b;
    if (rc == 0 && fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) return fd;
    close(fd);
  }
  return -1;
}

static int read_full(int fd, uint8_t *buf, size_t len, int timeout_ms) {
  size_t off = 0;
  while (off < len) {
    struct pollfd p = {fd, POLLIN, 0};
    int pr = poll(&p, 1, timeout_ms);
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) return -1;
    ssize_t n = read(fd, buf + off, len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    off += (size_t)n;
  }
  return 0;
}

static int socket_fd_connect(const char *path) {
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof(addr.sun_path)) return -1;
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int rc;
  do rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
  while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* A ttrpc call of containerd.task.v2.Task/Connect{id} on `socket`: 1 when it answers OK. */
static int shim_alive(const char *socket, const char *id) {
  int fd = socket_fd_connect(socket);
  if (fd < 0) return 0;
  static const char svc[] = "containerd.task.v2.Task", method[] = "Connect";
  size_t idl = strlen(id);
  if (idl > 1024) {
    close(fd);
    return 0;
  }
  uint8_t payload[1100], req[1300], frame[1400];
  size_t pl = 0, rl = 0;
  payload[pl++] = 0x0a;
  pl += put_varint(payload + pl, idl);
  memcpy(payload + pl, id, idl), pl += idl;
  req[rl++] = 0x0a, req[rl++] = (uint8_t)(sizeof(svc) - 1);
  memcpy(req + rl, svc, sizeof(svc) - 1), rl += sizeof(svc) - 1;
  req[rl++] = 0x12, req[rl++] = (uint8_t)(sizeof(method) - 1);
  memcpy(req + rl, method, sizeof(method) - 1), rl += sizeof(method) - 1;
  req[rl++] = 0x1a;
  rl += put_varint(req + rl, pl);
  memcpy(req + rl, payload, pl), rl += pl;
  uint8_t hdr[10] = {(uint8_t)(rl >> 24), (uint8_t)(rl >> 16), (uint8_t)(rl >> 8), (uint8_t)rl, 0, 0, 0, 1, 1, 0};
  memcpy(frame, hdr, 10);
  memcpy(frame + 10, req, rl);
  int ok = 0;
  if (write_all(fd, frame, rl + 10) == 0 && read_full(fd, hdr, 10, 5000) == 0) {
    uint32_t len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
    uint32_t sid = (uint32_t)hdr[4] << 24 | (uint32_t)hdr[5] << 16 | (uint32_t)hdr[6] << 8 | hdr[7];
    uint8_t *res = len <= (4u << 20) ? malloc(len ? len : 1) : NULL;
    if (res && sid == 1 && hdr[8] == 2 && read_full(fd, res, len, 5000) == 0) {
      /* Response{status=1 {code=1}, payload=2}: OK when status is absent or its code is 0 */
      uint64_t code = 0;
      size_t off = 0;
      int bad = 0;
      while (off < len && !bad) {
        uint64_t tag, v;
        if (get_varint(res, len, &off, &tag) < 0 || (tag & 7) != 2 || get_varint(res, len, &off, &v) < 0 || v > len - off) {
          bad = 1;
          break;
        }
        if (tag >> 3 == 1) {
          size_t so = off, end = off + v;
          while (so < end) {
            uint64_t st, sv;
            if (get_varint(res, end, &so, &st) < 0) {
              bad = 1;
              break;
            }
            if ((st & 7) == 0) {
              if (get_varint(res, end, &so, &sv) < 0) {
                bad = 1;
                break;
              }
              if (st >> 3 == 1) code = sv;
            } else if ((st & 7) == 2) {
              if (get_varint(res, end, &so, &sv) < 0 || sv > end - so) {
                bad = 1;
                break;
              }
              so += sv;
            } else {
              bad = 1;
              break;
            }
          }
        }
        off += v;
      }
      ok = !bad && code == 0;
    }
    free(res);
  }
  close(fd);
  return ok;
}

static void start_fast(const char *ns, const char *address, const char *id) {
  if (g_stdin_len && looks_like_bootstrap((const uint8_t *)g_stdin, g_stdin_len)) exec_node();
  char group[512];
  if (group_key(group, sizeof(group)) < 0) exec_node();
  char joined[PATH_MAX];
  const char *parts[] = {address, ns, "caisson", group};
  if (join_plain(joined, sizeof(joined), parts, 4) < 0) exec_node();
  char hex[65], socket[sizeof(SOCKET_DIR) + 66];
  sha256_hex(joined, strlen(joined), hex);
  PATHF(socket, "%s/%s", SOCKET_DIR, hex);
  int lock = lock_group(socket);
  if (lock < 0) exec_node();
  int alive = shim_alive(socket, id);
  close(lock);
  if (!alive) exec_node();
  char address_line[sizeof(socket) + 8];
  int n = snprintf(address_line, sizeof(address_line), "unix://%s", socket);
  int afd = open("address", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (afd < 0 || write_all(afd, address_line, (size_t)n) < 0) exec_node();
  close(afd);
  if (write_all(1, address_line, (size_t)n) < 0) _exit(1);
  _exit(0);
}

/* ---- delete: anything left? ---- */

static int plain_id(const char *id) {
  if (!*id || !strcmp(id, ".") || !strcmp(id, "..") || strlen(id) > 1024) return 0;
  for (const char *c = id; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("_+-.", *c))) return 0;
  return 1;
}

/* Whether `dir` is a mount point; -1 when it cannot tell (Node decides). */
static int mounted(const char *dir) {
  if (strpbrk(dir, " \t\n\\")) return -1; /* mountinfo escapes these */
  size_t len;
  char *info = read_file("/proc/self/mountinfo", &len);
  if (!info) return -1;
  int found = 0;
  for (char *line = info; line && *line && !found;) {
    char *next = strchr(line, '\n');
    if (next) *next++ = 0;
    char *f = line;
    for (int i = 0; i < 4 && f; i++) {
      f = strchr(f, ' ');
      if (f) f++;
    }
    if (f) {
      char *end = strchr(f, ' ');
      size_t l = end ? (size_t)(end - f) : strlen(f);
      if (l == strlen(dir) && !memcmp(f, dir, l)) found = 1;
    }
    line = next;
  }
  free(info);
  return found;
}

static void delete_fast(const char *ns, const char *id, const char *bundle_flag) {
  if (!*ns || !plain_id(id)) exec_node();
  char bundle[PATH_MAX];
  if (*bundle_flag) PATHF(bundle, "%s", bundle_flag);
  else if (!getcwd(bundle, sizeof(bundle))) exec_node();
  if (bundle[0] != '/') exec_node();
  char path[PATH_MAX], root[PATH_MAX];
  PATHF(path, "%s/caisson-root", bundle);
  size_t len;
  char *recorded = read_file(path, &len);
  if (recorded) {
    while (len && (recorded[len - 1] == '\n' || recorded[len - 1] == ' ')) recorded[--len] = 0;
    PATHF(root, "%s", recorded);
    free(recorded);
  } else {
    if (errno != ENOENT) exec_node();
    const char *env = getenv("CAISSON_SHIM_ROOT");
    PATHF(root, "%s/%s", env && *env ? env : DEFAULT_ROOT, ns);
  }
  if (!*root) exec_node();
  struct stat st;
  PATHF(path, "%s/%s", root, id);
  if (stat(path, &st) == 0 || errno != ENOENT) exec_node();
  PATHF(path, "%s/rootfs", bundle);
  if (mounted(path) != 0) exec_node();
  /* DeleteResponse{exit_status=2: 137, exited_at=3: Timestamp{seconds=1, nanos=2}} */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint8_t tsbuf[24], out[40];
  size_t tl = 0, ol = 0;
  tsbuf[tl++] = 0x08;
  tl += put_varint(tsbuf + tl, (uint64_t)ts.tv_sec);
  if (ts.tv_nsec) {
    tsbuf[tl++] = 0x10;
    tl += put_varint(tsbuf + tl, (uint64_t)ts.tv_nsec);
  }
  out[ol++] = 0x10;
  ol += put_varint(out + ol, 137);
  out[ol++] = 0x1a;
  out[ol++] = (uint8_t)tl;
  memcpy(out + ol, tsbuf, tl), ol += tl;
  if (write_all(1, out, ol) < 0) _exit(1);
  _exit(0);
}

int main(int argc, char **argv) {
  g_argc = argc;
  g_argv = argv;
  if (argc < 2) {
    dprintf(2, "usage: %s ENTRY.cjs [shim arguments]\n", argv[0]);
    return 2;
  }
  const char *ns = "", *address = "", *id = "", *bundle = "", *action = "";
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-' || !a[1]) {
      action = a;
      break;
    }
    const char *name = a + (a[1] == '-' ? 2 : 1);
    const char *eq = strchr(name, '=');
    size_t nl = eq ? (size_t)(eq - name) : strlen(name);
#define IS(s) (nl == sizeof(s) - 1 && !strncmp(name, s, nl))
    if (IS("debug")) continue;
    const char **slot = IS("namespace") ? &ns : IS("address") ? &address : IS("id") ? &id : IS("bundle") ? &bundle : NULL;
    if (!slot && !IS("publish-binary")) exec_node(); /* -v, -info, -socket, or an error Node words */
#undef IS
    const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
    if (!v) exec_node();
    if (slot) *slot = v;
  }
  if (!*ns) ns = getenv("NAMESPACE") ? getenv("NAMESPACE") : "";
  if (!*address) address = getenv("GRPC_ADDRESS") ? getenv("GRPC_ADDRESS") : "";
  if (!strcmp(action, "start") && *ns && *id) {
    read_stdin();
    start_fast(ns, address, id);
  }
  if (!strcmp(action, "delete")) delete_fast(ns, id, bundle);
  exec_node();
  return 1;
}
