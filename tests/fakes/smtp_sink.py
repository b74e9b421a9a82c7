#!/usr/bin/python3
"""A local SMTP sink for the API tests: accepts every message and stores it as an .eml file.

usage: /usr/bin/python3 tests/fakes/smtp_sink.py --dir DIR --port PORT [--host 127.0.0.1]

Runs with Debian's python3-aiosmtpd (hence /usr/bin/python3, not a pyenv python on PATH).

Each message lands in DIR as `<nanoseconds>-<seq>.eml` (written to a dot-file first, then renamed,
so a reader never sees half a message); names sort in arrival order. Two headers are prepended,
as a receiving MTA would: `X-Sink-Envelope-From` and one `X-Sink-Envelope-To` per recipient.

Switches (control files in DIR, read at each DATA command):
  fail-next     a count N: the next N messages are answered `451 4.3.0` (temporary failure) and
                not stored; the count goes down by one each time.
  reject-next   a count N: the next N messages are answered `550 5.1.1` (permanent failure).
Stops on SIGTERM or SIGINT.
"""
import argparse
import asyncio
import itertools
import os
import signal
import sys
import time

from aiosmtpd.smtp import SMTP


def take_one(path):
    """Decrement the count in control file `path`; True when it was positive."""
    try:
        with open(path, encoding="ascii") as f:
            count = int(f.read().strip() or "0")
    except (FileNotFoundError, ValueError):
        return False
    if count <= 0:
        return False
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(f"{count - 1}\n")
    os.replace(tmp, path)
    return True


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.seq = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        if take_one(os.path.join(self.directory, "fail-next")):
            print("sink: 451 (fail-next)", flush=True)
            return "451 4.3.0 Temporary failure (test sink)"
        if take_one(os.path.join(self.directory, "reject-next")):
            print("sink: 550 (reject-next)", flush=True)
            return "550 5.1.1 Mailbox unavailable (test sink)"
        head = f"X-Sink-Envelope-From: {envelope.mail_from}\r\n"
        for rcpt in envelope.rcpt_tos:
            head += f"X-Sink-Envelope-To: {rcpt}\r\n"
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        name = f"{time.time_ns():020d}-{next(self.seq):06d}.eml"
        tmp = os.path.join(self.directory, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(head.encode("utf-8") + data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.directory, name))
        print(f"sink: stored {name} for {len(envelope.rcpt_tos)} recipient(s)", flush=True)
        return "250 2.0.0 OK: queued"


async def serve(directory, host, port):
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    handler = Sink(directory)
    # No per-session command limit: the server reuses one connection for a batch of messages.
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", command_call_limit=None), host=host, port=port
    )
    print(f"sink: listening on {host}:{port}, storing in {directory}", flush=True)
    await stop
    server.close()
    await server.wait_closed()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    asyncio.run(serve(args.dir, args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
