/* wasmux bench peer: a small single-threaded epoll echo server (level-triggered, non-blocking).
 * Reads up to 64 KiB, writes it back; on a partial write it keeps the rest, stops reading and waits for
 * EPOLLOUT. Usage: c-epoll-echo HOST PORT   (prints "listening" on stderr when ready) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF (64 * 1024)
typedef struct { int fd; char *pend; size_t off, len; } conn_t;

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s HOST PORT\n", argv[0]); return 2; }
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)atoi(argv[2]));
  inet_pton(AF_INET, argv[1], &a.sin_addr);
  if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1024) < 0) { perror("bind/listen"); return 1; }
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  fprintf(stderr, "c-epoll-echo: listening on %s:%s\n", argv[1], argv[2]);
  static char buf[BUF];
  struct epoll_event evs[256];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    if (n < 0) { if (errno == EINTR) continue; return 1; }
    for (int k = 0; k < n; k++) {
      conn_t *c = evs[k].data.ptr;
      if (!c) {
        for (;;) {
          int fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
          if (fd < 0) break;
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          conn_t *nc = calloc(1, sizeof *nc);
          nc->fd = fd;
          struct epoll_event e = {.events = EPOLLIN, .data.ptr = nc};
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
        }
        continue;
      }
      int closeit = 0;
      if (c->len > c->off) { /* flushing a partial write */
        ssize_t w = send(c->fd, c->pend + c->off, c->len - c->off, MSG_NOSIGNAL);
        if (w > 0) c->off += (size_t)w;
        else if (w < 0 && errno != EAGAIN) closeit = 1;
        if (!closeit && c->off == c->len) {
          c->off = c->len = 0;
          struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
          epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
        }
      } else {
        for (;;) {
          ssize_t r = recv(c->fd, buf, BUF, 0);
          if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) { closeit = 1; break; }
          if (r < 0) break;
          ssize_t w = send(c->fd, buf, (size_t)r, MSG_NOSIGNAL);
          if (w < 0 && errno != EAGAIN) { closeit = 1; break; }
          if (w < 0) w = 0;
          if (w < r) {
            if (!c->pend) c->pend = malloc(BUF);
            memcpy(c->pend, buf + w, (size_t)(r - w));
            c->off = 0; c->len = (size_t)(r - w);
            struct epoll_event e = {.events = EPOLLOUT, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
            break;
          }
          if (r < BUF) break;
        }
      }
      if (closeit) { epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); close(c->fd); free(c->pend); free(c); }
    }
  }
}
