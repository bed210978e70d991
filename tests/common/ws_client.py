#!/usr/bin/python3
"""WebSocket test client for the proxy integration tests (Debian's python3-websockets, 10.x).

Connects to URL, sends one text and/or binary message per size, checks each echo byte for byte,
optionally pings, then closes with a code and reason -- or, with --wait-close, waits for the
other side (e.g. the gateway's request timeout) to end the connection. Prints one JSON summary
on stdout and exits 0 when everything matched (1 otherwise, 2 on bad usage).

  ws_client.py ws://127.0.0.1:8080/chat --sizes 0,125,126,65535,65536,16777216 --ping
  ws_client.py ws://127.0.0.1:8080/chat --sizes '' --wait-close 30 --expect-close-code 1006

Summary fields: ok, url, subprotocol, messages[{type,size,ok,ms}], ping{ok,ms}, closeCode,
closeReason (as this client saw them: 1006 when no close frame came), error.
Run it with /usr/bin/python3: the python3-websockets package is installed for Debian's Python.
"""

import argparse
import asyncio
import json
import os
import sys
import time

import websockets


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("url")
    p.add_argument("--sizes", default="0,125,126,65535,65536",
                   help="comma-separated message sizes in bytes ('' for none)")
    p.add_argument("--type", choices=["text", "binary", "both"], default="both")
    p.add_argument("--ping", action="store_true", help="send a ping and wait for its pong")
    p.add_argument("--close-code", type=int, default=1000)
    p.add_argument("--close-reason", default="bye")
    p.add_argument("--wait-close", type=float, default=0,
                   help="instead of closing, wait up to N s for the peer to close")
    p.add_argument("--expect-close-code", type=int, default=None,
                   help="fail unless this close code is seen")
    p.add_argument("--subprotocol", action="append", default=[])
    p.add_argument("--timeout", type=float, default=60, help="per-step timeout in seconds")
    p.add_argument("--deflate", action="store_true", help="offer permessage-deflate")
    return p.parse_args()


def payload(kind, size, seed):
    if kind == "text":
        # ASCII, so the UTF-8 size equals the character count.
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        block = "".join(alphabet[(i * 7 + seed) % len(alphabet)] for i in range(min(size, 4096)))
        return (block * (size // max(len(block), 1) + 1))[:size]
    return (os.urandom(min(size, 4096)) * (size // 4096 + 1))[:size] if size else b""


async def run(args, summary):
    sizes = [int(s) for s in args.sizes.split(",") if s.strip() != ""]
    kinds = ["text", "binary"] if args.type == "both" else [args.type]
    async with websockets.connect(
        args.url, max_size=None, max_queue=None, ping_interval=None,
        compression="deflate" if args.deflate else None,
        subprotocols=args.subprotocol or None,
        open_timeout=args.timeout, close_timeout=args.timeout,
    ) as ws:
        summary["subprotocol"] = ws.subprotocol
        ok = True
        seed = 0
        for size in sizes:
            for kind in kinds:
                seed += 1
                message = payload(kind, size, seed)
                start = time.monotonic()
                await ws.send(message)
                echo = await asyncio.wait_for(ws.recv(), args.timeout)
                matched = type(echo) is type(message) and echo == message
                ok = ok and matched
                summary["messages"].append({"type": kind, "size": size, "ok": matched,
                                            "ms": round((time.monotonic() - start) * 1000, 1)})
        if args.ping:
            start = time.monotonic()
            try:
                pong = await ws.ping(b"appgw-ping")
                await asyncio.wait_for(pong, args.timeout)
                summary["ping"] = {"ok": True,
                                   "ms": round((time.monotonic() - start) * 1000, 1)}
            except (asyncio.TimeoutError, websockets.ConnectionClosed) as e:
                summary["ping"] = {"ok": False, "error": type(e).__name__}
                ok = False
        if args.wait_close > 0:
            try:
                await asyncio.wait_for(ws.wait_closed(), args.wait_close)
            except asyncio.TimeoutError:
                summary["error"] = "peer did not close within %.1f s" % args.wait_close
                ok = False
                await ws.close(args.close_code, args.close_reason)
        else:
            await ws.close(args.close_code, args.close_reason)
        summary["closeCode"] = ws.close_code
        summary["closeReason"] = ws.close_reason
        return ok


def main():
    args = parse_args()
    summary = {"ok": False, "url": args.url, "subprotocol": None, "messages": [], "ping": None,
               "closeCode": None, "closeReason": None, "error": None}
    try:
        ok = asyncio.run(run(args, summary))
    except websockets.InvalidStatusCode as e:
        summary["error"] = "handshake refused: HTTP %d" % e.status_code
        summary["httpStatus"] = e.status_code
        ok = False
    except websockets.ConnectionClosed as e:
        summary["error"] = "connection closed: %s" % e
        summary["closeCode"] = e.rcvd.code if e.rcvd else 1006
        summary["closeReason"] = e.rcvd.reason if e.rcvd else ""
        ok = False
    except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake, ValueError) as e:
        summary["error"] = "%s: %s" % (type(e).__name__, e)
        ok = False
    if args.expect_close_code is not None:
        if summary["closeCode"] == args.expect_close_code:
            # The expected close is the point of the run, even if it cut a step short.
            ok = ok or (summary["error"] or "").startswith("connection closed")
        else:
            ok = False
    summary["ok"] = bool(ok)
    print(json.dumps(summary))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
