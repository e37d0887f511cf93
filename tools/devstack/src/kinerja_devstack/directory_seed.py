"""Seed people into a running stack's directory service and wait until the
skp service's projection holds them (process tests, the chaos run, the
bench and ``make run``).

skp fills every SKP's pegawai, pejabat penilai and atasan pejabat penilai
from its copy of the directory (docs/directory.md), so whoever drafts SKPs
against a fresh stack first writes the people through the directory's API
(``POST /api/v1/people/bulk``, a portal token of their instansi) and then
waits for the ``directory.person_changed`` events to reach skp. The wait
polls ``GET /api/v1/skp/rantai-penilai?nip=`` until it no longer answers 404
``pegawai-not-in-directory``, for every NIP named, and gives up after
``timeout`` seconds with the last answer (it cannot hang).

One implementation, async (:func:`seed_people_async`,
:func:`wait_until_known_async` on the caller's ``httpx.AsyncClient``);
:func:`seed_people` and :func:`wait_until_known` run it for synchronous
callers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import httpx

#: the directory takes at most this many items per bulk call (KINERJA_DIRECTORY_BULK_MAX_ITEMS)
BULK_CHUNK = 5000


class DirectoryNotReady(TimeoutError):
    """skp did not see the seeded people in time."""


def person_item(nip: str, atasan: str | None, *, nama: str, email: str | None, instansi: str | None = None,
                berlaku_mulai: str = "2020-01-01", jenis_asn: str = "PNS") -> dict:
    """One item of ``POST /api/v1/people/bulk``: a PNS (by default) under ``atasan``."""
    item = {"nip": nip, "nama": nama, "email": email, "jenis_asn": jenis_asn, "atasan_id": atasan,
            "berlaku_mulai": berlaku_mulai}
    if instansi:
        item["instansi"] = instansi
    return item


def _check(r: httpx.Response, n: int) -> None:
    r.raise_for_status()
    bad = [x for x in r.json()["results"] if x["status"] == "invalid"]
    if bad:
        raise ValueError(f"directory refused {len(bad)} of {n} people, e.g. {bad[0]}")


def _known(r: httpx.Response) -> bool:
    """The pegawai is in skp's projection: anything but 404 (a top official without a
    superior answers 422 ``penilai-not-in-directory``, and is known)."""
    if r.status_code >= 500:
        return False
    return r.status_code != 404


async def seed_people_async(client: httpx.AsyncClient, directory_url: str, headers: dict[str, str],
                            items: list[dict], *, timeout: float = 120.0) -> None:
    """Write ``items`` (POST /api/v1/people/bulk items) through the directory's API, in
    calls of at most :data:`BULK_CHUNK` items (``timeout`` per call)."""
    for start in range(0, len(items), BULK_CHUNK):
        chunk = items[start:start + BULK_CHUNK]
        _check(await client.post(f"{directory_url}/api/v1/people/bulk", json={"items": chunk}, headers=headers,
                                 timeout=timeout), len(chunk))


async def wait_until_known_async(client: httpx.AsyncClient, skp_url: str, headers: dict[str, str],
                                 nips: Iterable[str], *, timeout: float = 60.0, interval: float = 0.1) -> None:
    """Poll skp until every NIP is in its directory projection; raise :class:`DirectoryNotReady` after ``timeout``."""
    waiting = list(dict.fromkeys(nips))
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    last: object = None
    while waiting:
        try:
            r = await client.get(f"{skp_url}/api/v1/skp/rantai-penilai", params={"nip": waiting[0]}, headers=headers)
            last = (r.status_code, r.text[:300])
            if _known(r):
                waiting.pop(0)
                continue
        except httpx.HTTPError as exc:
            last = exc
        if loop.time() > end:
            raise DirectoryNotReady(f"skp has not seen {len(waiting)} seeded people after {timeout}s "
                                    f"(first: {waiting[0]}; last answer: {last!r})")
        await asyncio.sleep(interval)


def _run_blocking(work: Callable[[httpx.AsyncClient], Awaitable[None]], *, timeout: float) -> None:
    """Run ``work`` on a fresh ``httpx.AsyncClient`` to the end, from synchronous code: in a
    new event loop, or in a worker thread's when this thread already runs one."""
    async def main() -> None:
        async with httpx.AsyncClient(timeout=timeout) as client:
            await work(client)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(main())
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, main()).result()


def seed_people(directory_url: str, headers: dict[str, str], items: list[dict], *, timeout: float = 60.0) -> None:
    """:func:`seed_people_async` for synchronous callers (``timeout`` per call)."""
    _run_blocking(lambda client: seed_people_async(client, directory_url, headers, items, timeout=timeout),
                  timeout=timeout)


def wait_until_known(skp_url: str, headers: dict[str, str], nips: Iterable[str], *, timeout: float = 60.0,
                     interval: float = 0.1) -> None:
    """:func:`wait_until_known_async` for synchronous callers (10 s per request)."""
    _run_blocking(lambda client: wait_until_known_async(client, skp_url, headers, nips, timeout=timeout,
                                                        interval=interval), timeout=10.0)


def seed_sample_directory(directory_url: str, skp_url: str, headers: dict[str, str], *, timeout: float = 60.0) -> None:
    """The sample directory of ``make run`` (kinerja_devstack.samples.directory_people: the README
    tour's pegawai, her penilai and his superior, in their unit kerja), then wait for skp to see it.
    ``headers``: a portal token of :data:`kinerja_devstack.samples.DKI`."""
    from .samples import SAMPLE_UNIT, SAMPLE_UNIT_ID, directory_people

    with httpx.Client(base_url=directory_url, timeout=timeout) as client:
        client.put(f"/api/v1/units/{SAMPLE_UNIT_ID}", json=SAMPLE_UNIT, headers=headers).raise_for_status()
    people = directory_people()
    seed_people(directory_url, headers, people)
    wait_until_known(skp_url, headers, [p["person_id"] for p in people], timeout=timeout)
