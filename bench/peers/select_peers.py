"""wasmux bench peer: the cost of one select call in CPython with N registered fds and one ready.
N fds are the ends of N/2 socket pairs (both ends registered for reading, so N fds fit in N file
descriptors: the soft limit here is too low for N pairs at N = 10,000); one byte written into one pair
makes exactly one fd readable. Times K calls with timeout 0 of select.select (N <= 1000: FD_SETSIZE),
select.poll and selectors.DefaultSelector (epoll). Prints one JSON line per (api, N).
Usage: python3 select_peers.py K N [N ...]"""
import json
import resource
import select
import selectors
import socket
import sys
import time

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft < hard:
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def make(n):
    socks = []
    while len(socks) < n:
        a, b = socket.socketpair()
        socks.append(a)
        if len(socks) < n:
            socks.append(b)
        else:
            socks.append(b)  # keep the odd end open (not registered) so the registered one sees no EOF
    return socks


def timeit(fn, k):
    for _ in range(min(k, 50)):
        fn()
    t0 = time.perf_counter_ns()
    for _ in range(k):
        fn()
    return (time.perf_counter_ns() - t0) / k


def main():
    k = int(sys.argv[1])
    for n in [int(x) for x in sys.argv[2:]]:
        socks = make(n)
        reg = socks[:n]
        # make one registered fd ready: write to its partner
        reg[0].fileno()
        partner_of_first = socks[1]
        partner_of_first.send(b"!")  # socks[0] and socks[1] are a pair: socks[0] becomes readable
        fds = [s.fileno() for s in reg]
        kk = max(20, k // max(1, n // 100)) if n >= 1000 else k
        out = []
        if max(fds) < 1024:
            ns = timeit(lambda: select.select(fds, [], [], 0), kk)
            ready = len(select.select(fds, [], [], 0)[0])
            out.append(("select.select", ns, ready))
        p = select.poll()
        for fd in fds:
            p.register(fd, select.POLLIN)
        ns = timeit(lambda: p.poll(0), kk)
        out.append(("select.poll", ns, len(p.poll(0))))
        sel = selectors.DefaultSelector()
        for s in reg:
            sel.register(s, selectors.EVENT_READ)
        ns = timeit(lambda: sel.select(0), kk)
        out.append(("selectors." + type(sel).__name__, ns, len(sel.select(0))))
        sel.close()
        for api, ns, ready in out:
            print(json.dumps({"api": api, "n": n, "k": kk, "ns_per_call": ns, "ready": ready}), flush=True)
        for s in socks:
            s.close()


main()
