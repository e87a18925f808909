"""wasmux bench peer: echo server on Python's selectors.DefaultSelector (epoll on Linux), non-blocking sockets.
Usage: python3 py_selectors_echo.py HOST PORT"""
import selectors
import socket
import sys

sel = selectors.DefaultSelector()
pending = {}  # socket -> bytes not yet sent


def accept(ls):
    while True:
        try:
            conn, _ = ls.accept()
        except BlockingIOError:
            return
        conn.setblocking(False)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sel.register(conn, selectors.EVENT_READ, serve)


def drop(conn):
    sel.unregister(conn)
    pending.pop(conn, None)
    conn.close()


def serve(conn, events):
    if events & selectors.EVENT_WRITE:
        try:
            n = conn.send(pending[conn])
        except BlockingIOError:
            return
        except OSError:
            return drop(conn)
        rest = pending[conn][n:]
        if rest:
            pending[conn] = rest
        else:
            del pending[conn]
            sel.modify(conn, selectors.EVENT_READ, serve)
        return
    try:
        data = conn.recv(65536)
    except BlockingIOError:
        return
    except OSError:
        return drop(conn)
    if not data:
        return drop(conn)
    try:
        n = conn.send(data)
    except BlockingIOError:
        n = 0
    except OSError:
        return drop(conn)
    if n < len(data):
        pending[conn] = data[n:]
        sel.modify(conn, selectors.EVENT_WRITE, serve)


def main():
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((sys.argv[1], int(sys.argv[2])))
    ls.listen(1024)
    ls.setblocking(False)
    sel.register(ls, selectors.EVENT_READ, None)
    print("python-selectors: listening", file=sys.stderr, flush=True)
    while True:
        for key, events in sel.select():
            if key.data is None:
                accept(key.fileobj)
            else:
                key.data(key.fileobj, events)


main()
