"""wasmux bench peer: uvloop echo server with an asyncio Protocol (vmbench's fastest uvloop variant).
Usage: python3 uvloop_echo.py HOST PORT"""
import asyncio
import socket
import sys

import uvloop


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, sys.argv[1], int(sys.argv[2]), backlog=1024)
    print("uvloop: listening", file=sys.stderr, flush=True)
    async with server:
        await server.serve_forever()


uvloop.install()
asyncio.run(main())
