#!/usr/bin/python3
"""WebSocket echo backend for the proxy integration tests (Debian's python3-websockets, 10.x).

Listens on 127.0.0.1 (port 0 by default) and prints the port it got, alone on one line of stdout,
as soon as it listens. Echoes every text and binary message byte for byte. Extras:
  * a plain GET /health (no upgrade) gets 200 "Healthy", so the gateway's probe passes;
    other plain GETs get 404 unless --http-root is given (then / gets 200 too);
  * a text message "close:<code>:<reason>" makes the server close with that code (server close);
  * a text message "drop" makes the server drop the TCP connection without a close frame.
Stops on SIGTERM/SIGINT or when stdin reaches EOF (so a test that dies does not leak it).

Usage: ws_echo_server.py [--port N] [--deflate] [--subprotocol NAME ...] [--http-root]
Run it with /usr/bin/python3: the python3-websockets package is installed for Debian's Python.
"""

import argparse
import asyncio
import http
import os
import signal
import stat
import sys

import websockets


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--deflate", action="store_true",
                   help="accept permessage-deflate (off by default: frames stay plain)")
    p.add_argument("--subprotocol", action="append", default=[],
                   help="subprotocol to accept (repeatable)")
    p.add_argument("--http-root", action="store_true",
                   help="answer a plain GET / with 200 (default: 404, a WebSocket-only backend)")
    p.add_argument("--ping-interval", type=float, default=0,
                   help="server pings every N seconds (0: never)")
    return p.parse_args()


async def main():
    args = parse_args()

    async def process_request(path, headers):
        if headers.get("Upgrade", "").lower() == "websocket":
            return None  # go on with the handshake
        route = path.split("?", 1)[0]
        if route == "/health":
            return http.HTTPStatus.OK, [("Content-Type", "text/plain")], b"Healthy"
        if route == "/" and args.http_root:
            return http.HTTPStatus.OK, [("Content-Type", "text/plain")], b"echo backend"
        return http.HTTPStatus.NOT_FOUND, [("Content-Type", "text/plain")], b"Not Found"

    async def handler(ws, path=None):
        try:
            async for message in ws:
                if isinstance(message, str) and message.startswith("close:"):
                    _, code, reason = (message.split(":", 2) + [""])[:3]
                    await ws.close(int(code), reason)
                    return
                if message == "drop":
                    ws.transport.abort()
                    return
                await ws.send(message)
        except websockets.ConnectionClosed:
            pass

    stop = asyncio.get_running_loop().create_future()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))

    def stdin_closed():
        if not stop.done():
            stop.set_result(None)

    mode = os.fstat(0).st_mode
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        reader = asyncio.StreamReader()
        try:
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

            async def watch():
                while await reader.read(4096):
                    pass
                stdin_closed()

            loop.create_task(watch())
        except (ValueError, OSError):
            pass  # stdin is not a pipe (e.g. /dev/null file): rely on signals

    async with websockets.serve(
        handler, args.host, args.port,
        max_size=None, max_queue=None,
        compression="deflate" if args.deflate else None,
        subprotocols=args.subprotocol or None,
        ping_interval=args.ping_interval or None,
        process_request=process_request,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(port, flush=True)
        await stop


if __name__ == "__main__":
    asyncio.run(main())
