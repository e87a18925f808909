/* wasmux bench: closed-loop echo client (vmbench method) over epoll.
 * Each of C connections sends one message of S bytes, waits until all S bytes came back, records the
 * round-trip latency, and sends the next. Optionally first opens I idle connections (each confirmed with a
 * 1-byte round trip, so the server has accepted it), prints "idle-ready" and waits before the active phase.
 * With WAKE_MS > 0, every WAKE_MS during the measured window one idle connection (the next in turn) sends one
 * byte, and the time until its echo comes back is its wake-up latency: how long a server under load takes to
 * notice a connection that had been idle.
 * Prints one JSON line: completed requests in the measured window, bytes, CPU time of this process in the
 * window, errors, a sparse latency histogram of every request's round trip ([bucket lower bound in us, count];
 * log-linear buckets: exact below 64 ns, then 64 per power of two, so a bucket is within 1/64 = 1.6 % of its
 * samples) and the wake-up latencies in us.
 * Usage: echo-client HOST PORT SIZE CONNS DURATION_S WARMUP_S [IDLE [IDLE_HOLD_MS [WAKE_MS]]]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Log-linear latency histogram in ns, fixed size (no allocation per request): values below SUB are their own
 * bucket; above, each power of two [2^e, 2^(e+1)) is split into SUB equal buckets. Covers up to 2^MAXE ns (~18
 * min); longer lands in the last bucket. */
#define SUB_BITS 6
#define SUB (1 << SUB_BITS)
#define MAXE 40
#define NBUCKETS (SUB + (MAXE - SUB_BITS) * SUB)
static uint64_t hist[NBUCKETS];
#define WAKE_MAX 4096       /* wake-up samples kept */
#define WAKE_TAG 0x80000000u /* epoll data of an idle connection being probed: WAKE_TAG | its index */
static uint64_t wake_us[WAKE_MAX];
static int wake_n;

typedef struct {
  int fd;
  size_t sent, recvd;
  uint64_t t0;
  int dead;
  int want_out;
} conn_t;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
static double cpu_s(double *user, double *sys) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  *user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
  *sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  return *user + *sys;
}
static int bucket_of(uint64_t ns) {
  if (ns < SUB) return (int)ns;
  int e = 63 - __builtin_clzll(ns); /* 2^e <= ns < 2^(e+1), e >= SUB_BITS */
  if (e >= MAXE) return NBUCKETS - 1;
  return SUB + (e - SUB_BITS) * SUB + (int)((ns >> (e - SUB_BITS)) & (SUB - 1));
}
/* The smallest ns value of bucket b. */
static uint64_t bucket_floor(int b) {
  if (b < SUB) return (uint64_t)b;
  int e = SUB_BITS + (b - SUB) / SUB;
  return (uint64_t)(SUB + (b - SUB) % SUB) << (e - SUB_BITS);
}
static void record(uint64_t ns) { hist[bucket_of(ns)]++; }
static int connect_to(const char *host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, host, &a.sin_addr);
  struct timeval tv = {10, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) { close(fd); return -1; }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: %s HOST PORT SIZE CONNS DURATION_S WARMUP_S [IDLE [IDLE_HOLD_MS [WAKE_MS]]]\n", argv[0]);
    return 2;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]);
  size_t size = (size_t)atol(argv[3]);
  int nconn = atoi(argv[4]);
  double duration = atof(argv[5]), warmup = atof(argv[6]);
  int idle = argc > 7 ? atoi(argv[7]) : 0;
  int hold_ms = argc > 8 ? atoi(argv[8]) : 1000;
  int wake_ms = argc > 9 ? atoi(argv[9]) : 0;
  int *ifd = NULL;

  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }

  int idle_failed = 0;
  if (idle > 0) {
    ifd = calloc((size_t)idle, sizeof(int));
    const int batch = 100;
    for (int b = 0; b < idle; b += batch) {
      int e = b + batch < idle ? b + batch : idle;
      for (int i = b; i < e; i++) ifd[i] = connect_to(host, port);
      for (int i = b; i < e; i++) {
        char c = 'i';
        if (ifd[i] < 0 || write(ifd[i], &c, 1) != 1) { idle_failed++; continue; }
      }
      for (int i = b; i < e; i++) {
        char c;
        if (ifd[i] >= 0 && read(ifd[i], &c, 1) != 1) idle_failed++;
      }
    }
    printf("idle-ready %d %d\n", idle, idle_failed);
    fflush(stdout);
    usleep((useconds_t)hold_ms * 1000);
    /* the idle fds stay open until exit */
  }

  char *msg = malloc(size);
  memset(msg, 'x', size);
  size_t rbufsz = 256 * 1024;
  char *rbuf = malloc(rbufsz);
  conn_t *conns = calloc((size_t)nconn, sizeof(conn_t));
  int ep = epoll_create1(0);
  int errors = 0;
  for (int i = 0; i < nconn; i++) {
    conn_t *c = &conns[i];
    c->fd = connect_to(host, port);
    if (c->fd < 0) { c->dead = 1; errors++; continue; }
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
  }
  uint64_t start = now_ns();
  uint64_t wstart = start + (uint64_t)(warmup * 1e9);
  uint64_t end = wstart + (uint64_t)(duration * 1e9);
  double u0 = 0, s0 = 0, u1, s1;
  cpu_s(&u0, &s0);
  int measuring = warmup <= 0;
  uint64_t requests = 0;
  /* wake-up probe: at most one idle connection in flight; the next one starts WAKE_MS after the last began */
  int probe = -1, probe_next = 0;
  uint64_t probe_t0 = 0, probe_due = wstart;

  /* kick off: every connection sends its first message */
  for (int i = 0; i < nconn; i++) {
    conn_t *c = &conns[i];
    if (c->dead) continue;
    c->t0 = now_ns();
    c->sent = c->recvd = 0;
  }
  struct epoll_event evs[512];
  /* send step for a connection; returns -1 on error */
  #define PUMP_SEND(c, idx) do { \
      while ((c)->sent < size) { \
        ssize_t w = send((c)->fd, msg + (c)->sent, size - (c)->sent, MSG_NOSIGNAL); \
        if (w > 0) { (c)->sent += (size_t)w; continue; } \
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break; \
        (c)->dead = 1; errors++; break; \
      } \
      int want = !(c)->dead && (c)->sent < size; \
      if (!(c)->dead && want != (c)->want_out) { \
        struct epoll_event e2 = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.u32 = (uint32_t)(idx)}; \
        epoll_ctl(ep, EPOLL_CTL_MOD, (c)->fd, &e2); (c)->want_out = want; \
      } \
    } while (0)
  for (int i = 0; i < nconn; i++) if (!conns[i].dead) PUMP_SEND(&conns[i], i);

  for (;;) {
    uint64_t t = now_ns();
    if (!measuring && t >= wstart) { measuring = 1; requests = 0; memset(hist, 0, sizeof hist); cpu_s(&u0, &s0); }
    if (t >= end) break;
    if (wake_ms > 0 && ifd && measuring && probe < 0 && t >= probe_due && wake_n < WAKE_MAX) {
      for (int tries = 0; tries < idle && probe < 0; tries++, probe_next = (probe_next + 1) % idle) {
        int fd = ifd[probe_next];
        if (fd < 0) continue;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = WAKE_TAG | (uint32_t)probe_next};
        char c = 'w';
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0 && send(fd, &c, 1, MSG_NOSIGNAL) == 1) {
          probe = probe_next; probe_t0 = now_ns(); probe_due = probe_t0 + (uint64_t)wake_ms * 1000000ull;
        }
      }
    }
    int n = epoll_wait(ep, evs, 512, 50);
    if (n < 0) { if (errno == EINTR) continue; break; }
    for (int k = 0; k < n; k++) {
      if (evs[k].data.u32 & WAKE_TAG) {
        int j = (int)(evs[k].data.u32 & ~WAKE_TAG);
        char c;
        if (recv(ifd[j], &c, 1, 0) == 1 && j == probe) wake_us[wake_n++] = (now_ns() - probe_t0) / 1000;
        epoll_ctl(ep, EPOLL_CTL_DEL, ifd[j], NULL);
        if (j == probe) probe = -1;
        continue;
      }
      int i = (int)evs[k].data.u32;
      conn_t *c = &conns[i];
      if (c->dead) continue;
      if (evs[k].events & EPOLLOUT) PUMP_SEND(c, i);
      if (c->dead) continue;
      if (evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        for (;;) {
          ssize_t r = recv(c->fd, rbuf, rbufsz, 0);
          if (r > 0) {
            c->recvd += (size_t)r;
            if (c->recvd >= size) {
              uint64_t t1 = now_ns();
              if (measuring) { requests++; record(t1 - c->t0); }
              c->t0 = t1;
              c->sent = c->recvd = 0; /* (an echo server never sends more than we sent) */
              PUMP_SEND(c, i);
              if (c->dead) break;
            }
            continue;
          }
          if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
          if (r < 0 && errno == EINTR) continue;
          c->dead = 1; errors++;
          epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
          break;
        }
      }
    }
  }
  uint64_t stop = now_ns();
  cpu_s(&u1, &s1);
  double window = measuring ? (stop - (wstart > start ? wstart : start)) / 1e9 : 0;
  printf("{\"requests\":%llu,\"duration\":%.6f,\"size\":%zu,\"conns\":%d,\"errors\":%d,\"idle\":%d,\"idle_failed\":%d,"
         "\"cpu_user\":%.6f,\"cpu_sys\":%.6f,\"hist\":[",
         (unsigned long long)requests, window, size, nconn, errors, idle, idle_failed, u1 - u0, s1 - s0);
  int first = 1;
  for (int b = 0; b < NBUCKETS; b++) {
    if (!hist[b]) continue;
    printf("%s[%.3f,%llu]", first ? "" : ",", bucket_floor(b) / 1000.0, (unsigned long long)hist[b]);
    first = 0;
  }
  printf("],\"wake_us\":[");
  for (int w = 0; w < wake_n; w++) printf("%s%llu", w ? "," : "", (unsigned long long)wake_us[w]);
  /* a probe still unanswered at the end: its age so far (a lower bound of its wake-up latency), else -1 */
  printf("],\"wake_pending_us\":%lld}\n", probe >= 0 ? (long long)((stop - probe_t0) / 1000) : -1ll);
  fflush(stdout);
  return 0;
}
