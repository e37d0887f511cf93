"""The delivery worker: sends pending e-mails, at most ``rate`` per second,
retries temporary failures with backoff, records permanent ones.

Mails reach the worker two ways, both leases on the row (``next_attempt_at``
moved forward, so no other worker takes it meanwhile):

- the fast path: a consumer writes a new mail already leased to this
  process's worker and hands it over in memory after its commit;
- the database: a feeder claims due rows (retries, resends, digests, rows
  whose lease ended because their worker died), when woken or every
  ``poll_interval``: it reads due rows (FOR UPDATE SKIP LOCKED on
  PostgreSQL) and leases them with one conditional UPDATE (still pending and
  still due), which takes only the rows no other worker leased since they
  were read. On SQLite that UPDATE is the only guard: a SELECT there locks
  nothing, and two processes on one file read the same due rows.

A row's lease names its worker (``leased_by``, a random id per worker) and
ends at ``next_attempt_at``. The lease rule, for any number of replicas:

- a worker leases only what it can send soon: it holds at most
  :attr:`DeliveryWorker.capacity` rows (the batch size, and no more than its
  rate limit sends in half a lease); the fast path of a bulk event hands it
  no more than that, the rest is written due at once for any worker to claim;
- right before sending, a lane extends the row's lease by compare-and-set
  (still ``pending`` and still ``leased_by`` this worker): a row whose lease
  ran out and that another worker claimed meanwhile is dropped, never sent
  (the other worker sends it); the outcome is written under the same
  condition. A lease must outlast one send (longer than the SMTP timeout).

Both put rows on one queue served by ``len(senders)`` lanes, one SMTP
connection each; a lane sends a mail and waits until its outcome is
committed before taking the next. Outcomes, and the lease extensions of
mails about to go, that arrive while another write is under way share the
next transaction (group commit), so a new mail never waits for a batch to
fill; a lane sends only once its lease extension is committed. A worker that dies mid-send leaves its
rows to come back when the lease ends, and the mail goes again with the same
Message-ID (a duplicate to the mail system, never a different mail).

An SMTP server that cannot be reached is not the mail's fault: the worker
pauses, the mail waits with backoff and keeps its attempts, so it goes out
when the server is back however long it was away. A 4xx reply to the mail
itself counts as an attempt; a 5xx is final.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable

from kinerja_contracts.calendar import Clock, utcnow
from kinerja_contracts.values import email_problem
from kinerja_platform.isolation import set_aside
from kinerja_platform.logging import get_logger
from ..adapters.repository import NotificationRepository
from ..adapters.smtp import PermanentSmtpError, SmtpUnavailable, TemporarySmtpError, build_message
from ..adapters.tables import Delivery
from ..domain.ratelimit import TokenBucket
from ..domain.retry import backoff

log = get_logger(__name__)

class DeliveryWorker:
    def __init__(self, sessions, senders, *, mail_from: str, poll_interval: float = 1.0, max_attempts: int = 12,
                 batch_size: int = 50, retry_base: float = 5.0, retry_max: float = 900.0,
                 rate: float = 0.0, burst: int | None = None, lease_seconds: float = 30.0,
                 clock: Clock = utcnow, unsubscribe_url: Callable[[str], str] | None = None):
        self.sessions = sessions
        #: NIP -> the one-click unsubscribe URL of the List-Unsubscribe header (None: no header)
        self.unsubscribe_url = unsubscribe_url
        #: one sender per parallel SMTP connection (lane)
        self.senders = list(senders) if isinstance(senders, list | tuple) else [senders]
        self.mail_from = mail_from
        self.poll_interval = poll_interval
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.retry_base, self.retry_max = retry_base, retry_max
        self.bucket = TokenBucket(rate, burst)
        self.lease = dt.timedelta(seconds=lease_seconds)
        #: this worker's name in ``Delivery.leased_by`` (a new one per process: a restarted
        #: process takes its old rows back only when their lease ends, like any other worker)
        self.worker_id = uuid.uuid4().hex
        self.clock = clock
        self._wake = asyncio.Event()
        #: (priority, arrival, row): a person's own mail before bulk mail, else first come first served
        self._queue: asyncio.PriorityQueue = asyncio.PriorityQueue()
        self._arrivals = 0
        self._in_hand: set[tuple] = set()
        self._paused_until: dt.datetime | None = None
        self._tasks: list[asyncio.Task] = []
        self._inflight: set[asyncio.Task] = set()
        self._outcomes: list[tuple] = []
        #: (row, future) of lanes waiting for their lease to be extended (rule 3), written with the outcomes
        self._leases: list[tuple[Delivery, asyncio.Future[bool]]] = []
        self._recorder: asyncio.Task | None = None
        self.sent = 0
        #: mails given up (refused for good, out of attempts, not a mail at all): kinerja_mail_failed_total
        self.failed = 0

    # -- life cycle ----------------------------------------------------------

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._feed(), name="delivery-feeder")]
        self._tasks += [asyncio.create_task(self._lane(s), name=f"delivery-lane-{i}") for i, s in enumerate(self.senders)]

    async def stop(self, grace: float = 15.0) -> None:
        """Stop taking mail; a mail being sent is finished and recorded first
        (a send cut between the server's "250" and the commit would go again
        after the restart, a duplicate)."""
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            try:
                await t
            except (asyncio.CancelledError, Exception):
                pass
        if self._inflight:
            await asyncio.wait(self._inflight, timeout=grace)
        for sender in self.senders:
            close = getattr(sender, "close", None)
            if close is not None:
                try:
                    await close()
                except Exception:
                    pass

    def wake(self) -> None:
        """Look in the database now (a retry, resend or digest was queued)."""
        self._wake.set()

    @property
    def capacity(self) -> int:
        """How many rows this worker holds leased at once: the batch size, and
        no more than the rate limit lets it send in half a lease (so a row is
        sent long before its lease ends)."""
        cap = self.batch_size
        if self.bucket.rate > 0:
            cap = min(cap, int(self.bucket.rate * self.lease.total_seconds() / 2))
        return max(1, cap)

    def has_room(self, promised: int = 0) -> bool:
        """Whether the fast path may hand this worker one more row, besides
        ``promised`` rows already written leased to it and not yet offered
        (the rest of the same transaction)."""
        return len(self._in_hand) + promised < self.capacity

    def offer(self, rows: list[Delivery]) -> None:
        """Rows just committed and leased to this worker (the fast path)."""
        for d in rows:
            self._put(d)

    def _put(self, d: Delivery) -> None:
        key = (d.event_id, d.recipient_nip)
        if key not in self._in_hand:
            self._in_hand.add(key)
            self._arrivals += 1
            self._queue.put_nowait((d.priority, self._arrivals, d))

    # -- the database feeder -------------------------------------------------

    async def _feed(self) -> None:
        while True:
            self._wake.clear()
            n = 0
            try:
                if not self._paused():
                    n = await self.claim()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("claiming mail failed", error=repr(exc))
            if n and len(self._in_hand) < self.capacity:
                continue  # there may be more due
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            except TimeoutError:
                pass

    def _paused(self) -> bool:
        return self._paused_until is not None and self.clock() < self._paused_until

    async def claim(self) -> int:
        """Lease due rows from the database onto the queue; returns how many."""
        limit = min(self.capacity - len(self._in_hand), self.bucket.available)
        if limit <= 0:
            return 0
        now = self.clock()
        until = now + self.lease
        async with self.sessions() as session, session.begin():
            repo = NotificationRepository(session)
            seen = await repo.due(now, limit)
            # compare-and-set: only the rows still due when the lease is written are ours
            taken = await repo.lease([(d.event_id, d.recipient_nip) for d in seen], self.worker_id, now, until)
        rows = [d for d in seen if (d.event_id, d.recipient_nip) in taken]
        for d in rows:
            d.next_attempt_at, d.leased_by = until, self.worker_id
            self._put(d)
        return len(rows)

    # -- lanes ---------------------------------------------------------------

    async def _lane(self, sender) -> None:
        while True:
            _, _, d = await self._queue.get()
            try:
                if self._paused():
                    await self._record(d, next_attempt_at=self._paused_until)  # give it back for later
                    continue
                await self.bucket.acquire()
                job = asyncio.create_task(self._send_one(d, sender))
                self._inflight.add(job)
                job.add_done_callback(self._inflight.discard)
                job.add_done_callback(_retrieve)
                await asyncio.shield(job)
            except asyncio.CancelledError:
                raise
            except SmtpUnavailable as exc:
                self._paused_until = self.clock() + dt.timedelta(seconds=self.retry_base)
                log.info("SMTP server unavailable; delivery paused", error=str(exc), waiting=self._queue.qsize())
            except Exception as exc:  # e.g. the database is away: the lease brings the row back
                log.warning("delivering a mail failed", error=repr(exc), message_id=d.message_id)
            finally:
                self._in_hand.discard((d.event_id, d.recipient_nip))

    async def _record(self, d, **values) -> None:
        """Write a mail's outcome (while it is still pending); returns once
        committed. Outcomes and lease extensions that arrive while a write
        is under way go together in the next transaction (group commit), so
        lanes finishing or starting at once share one commit and none waits
        for a batch to fill."""
        if values.get("status") == "failed":
            self.failed += 1
        done = asyncio.get_running_loop().create_future()
        self._outcomes.append((d, values, done))
        self._start_recorder()
        await done

    async def _keep_lease(self, d: Delivery) -> bool:
        """Extend ``d``'s lease for one send if it is still ours
        (compare-and-set); returns once committed, whether it was. Written in
        the recorder's next transaction, with whatever else waits."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._leases.append((d, done))
        self._start_recorder()
        return await done

    def _start_recorder(self) -> None:
        if self._recorder is None:
            self._recorder = asyncio.create_task(self._write_outcomes(), name="delivery-recorder")

    async def _write_outcomes(self) -> None:
        try:
            while self._outcomes or self._leases:
                batch, self._outcomes = self._outcomes, []
                leases, self._leases = self._leases, []
                waiting = [done for _, _, done in batch] + [done for _, done in leases]
                try:
                    kept = await self._write(batch, [d for d, _ in leases])
                except BaseException as exc:
                    for done in waiting:
                        if not done.done():
                            done.set_exception(exc if isinstance(exc, Exception) else RuntimeError(repr(exc)))
                    if not isinstance(exc, Exception):
                        raise
                else:
                    for _, _, done in batch:
                        if not done.done():
                            done.set_result(None)
                    for (_, lease_done), ok in zip(leases, kept, strict=True):
                        if not lease_done.done():
                            lease_done.set_result(ok)
        finally:
            self._recorder = None

    async def _write(self, batch: list, leases: list[Delivery] | None = None) -> list[bool]:
        """One transaction: the lease extensions (one compare-and-set each,
        in key order; returns whether each row was still this worker's),
        then per set of changed columns of the outcomes one UPDATE run for
        every row of the batch (in key order)."""
        shapes: dict[tuple[str, ...], list[dict]] = {}
        for d, values, _ in sorted(batch, key=lambda o: (str(o[0].event_id), o[0].recipient_nip)):
            shape = tuple(sorted(values))
            shapes.setdefault(shape, []).append(
                {"b_event_id": d.event_id, "b_recipient_nip": d.recipient_nip, "b_owner": self.worker_id,
                 **{f"v_{k}": v for k, v in values.items()}})
        leases = leases or []
        kept: dict[int, bool] = {}
        async with self.sessions() as session, session.begin():
            repo = NotificationRepository(session)
            until = self.clock() + self.lease
            for i in sorted(range(len(leases)), key=lambda i: (str(leases[i].event_id), leases[i].recipient_nip)):
                d = leases[i]
                kept[i] = await repo.keep_lease(d.event_id, d.recipient_nip, self.worker_id, until)
            for shape, params in shapes.items():
                await repo.record_outcomes(shape, params)
        return [kept[i] for i in range(len(leases))]

    async def _send_one(self, d: Delivery, sender) -> None:
        attempts = d.attempts + 1
        ctx = dict(to=d.email, kind=d.kind, message_id=d.message_id, correlation_id=d.correlation_id, attempts=attempts)
        if not await self._keep_lease(d):
            log.info("mail no longer leased to this worker; not sent here", **ctx)
            return
        try:  # a row that cannot become a mail (a bad address stored before it was checked) fails for good, alone
            problem = email_problem(d.email or "")
            if problem:
                raise ValueError(f"alamat e-mail tidak sah (invalid address, never sent): {problem}")
            msg = build_message(mail_from=self.mail_from, to=d.email or "", subject=d.subject, text=d.body_text,
                                html=d.body_html, message_id=d.message_id, correlation_id=d.correlation_id,
                                language=d.locale,
                                unsubscribe_url=self.unsubscribe_url(d.recipient_nip) if self.unsubscribe_url else None)
        except Exception as exc:
            await self._record(d, status="failed", attempts=attempts, last_error=str(exc)[:1000])
            set_aside("mail-worker", f"{d.event_id}/{d.recipient_nip}", exc)
            return
        try:
            await sender.send(msg)
        except PermanentSmtpError as exc:
            await self._record(d, status="failed", attempts=attempts, last_error=str(exc)[:1000])
            log.warning("mail refused permanently", error=str(exc), **ctx)
            return
        except SmtpUnavailable as exc:
            delay = backoff(max(d.attempts, 1), base=self.retry_base, cap=self.retry_max)
            await self._record(d, last_error=str(exc)[:1000], next_attempt_at=self.clock() + dt.timedelta(seconds=delay))
            raise
        except Exception as exc:  # temporary (or not understood): counted, retried, failed after its last try
            values: dict = {"attempts": attempts, "last_error": str(exc)[:1000]}
            if not isinstance(exc, TemporarySmtpError):
                log.warning("mail send raised an unexpected error", error=repr(exc), **ctx)
            if attempts >= self.max_attempts:
                values["status"] = "failed"
            else:
                delay = backoff(attempts, base=self.retry_base, cap=self.retry_max)
                values["next_attempt_at"] = self.clock() + dt.timedelta(seconds=delay)
            await self._record(d, **values)
            log.info("mail not sent yet; will retry" if "status" not in values else "mail failed after its last try",
                     error=str(exc), **ctx)
            return
        await self._record(d, status="sent", attempts=attempts, sent_at=self.clock(), last_error=None)
        self.sent += 1
        log.info("mail sent", **ctx)


def _retrieve(task: asyncio.Task) -> None:
    """Collect the outcome of a send that outlived its lane (at stop)."""
    if not task.cancelled():
        task.exception()
