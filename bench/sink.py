"""The benchmark's SMTP sink, in a process of its own.

    python -m bench.sink PORT

Accepts every mail on 127.0.0.1:PORT and writes one line per mail to stdout,
``<unix time>\\t<rcpt>,<rcpt>...``, stamped when the DATA arrived. A process of
its own, so that a busy benchmark driver never delays the notification
service's SMTP conversation (which would lengthen the mail hop it measures).
"""

from __future__ import annotations

import asyncio
import sys
import time

from aiosmtpd.smtp import SMTP


class _Stamp:
    async def handle_DATA(self, server, session, envelope):
        sys.stdout.write(f"{time.time():.6f}\t{','.join(envelope.rcpt_tos)}\n")
        sys.stdout.flush()
        return "250 Message accepted"


async def _serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(_Stamp(), hostname="bench-sink"), "127.0.0.1", port)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1])))
