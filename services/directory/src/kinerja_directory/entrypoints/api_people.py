"""HTTP API: people (portals and admins write; everyone reads within their scope)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from kinerja_platform.web.errors import PROBLEM_RESPONSES, ProblemError

from ..domain.validation import new_person_id
from ..service_layer import people
from .deps import ContainerDep, NowDep, Reader, UowDep, Writer
from .schemas import BulkIn, BulkOut, HistoryOut, PeoplePage, PenilaiOut, PersonInput, PersonOut, WriteOut

router = APIRouter(prefix="/api/v1/people", tags=["people"], responses=PROBLEM_RESPONSES)

PersonId = Annotated[str, Path(min_length=1, max_length=64, description="NIP / NI PPPK, or the id of a person without one")]
Tanggal = Annotated[dt.date | None, Query(description="the date (Asia/Jakarta); default today")]


def _write_out(o: people.Outcome) -> WriteOut:
    assert o.person_id is not None and o.version is not None
    return WriteOut(person_id=o.person_id, status=o.status, version=o.version, perubahan=o.perubahan)  # type: ignore[arg-type]


@router.put("/{person_id}", response_model=WriteOut, summary="Catat orang (upsert one person's record from a date)",
            description="Idempotent: the same record again changes nothing (no new version, no event). A record "
                        "from a date after the current one's start is a mutasi (the current record ends the day "
                        "before); from the same date, a correction. 201 when the person is new.")
async def put_person(person_id: PersonId, body: PersonInput, principal: Writer, uow: UowDep, now: NowDep,
                     response: Response) -> WriteOut:
    outcome = await people.upsert(uow, principal, person_id, body, now=now)
    if outcome.status == "created":
        response.status_code = 201
    return _write_out(outcome)


@router.post("", status_code=201, response_model=WriteOut,
             summary="Catat orang tanpa NIP (a person without NIP, e.g. a governor who appraises a JPT)",
             description="The directory generates the `person_id`; send an `Idempotency-Key` header so that a retry "
                         "does not create the person twice. A person with a NIP is written with PUT /people/{nip}.")
async def create_person(body: PersonInput, principal: Writer, uow: UowDep, now: NowDep, response: Response) -> WriteOut:
    if body.nip is not None:
        raise ProblemError(422, "person-has-nip", "Orang ber-NIP dicatat dengan PUT /api/v1/people/{nip} "
                           "(a person with a NIP is written with PUT /api/v1/people/{nip}).",
                           errors=[{"path": "body.nip", "message": "use PUT /api/v1/people/{nip}"}])
    outcome = await people.upsert(uow, principal, new_person_id(), body, now=now)
    response.headers["Location"] = f"/api/v1/people/{outcome.person_id}"
    return _write_out(outcome)


@router.post("/bulk", response_model=BulkOut, summary="Catat banyak orang (idempotent bulk upsert)",
             description="Each item is `person_id` (or `nip`) with the fields of PUT /people/{person_id}. Items are "
                         "checked one by one: a bad item is `invalid` with its errors and the others are written. "
                         "Sending the same items again answers `unchanged` for each.")
async def bulk(body: BulkIn, principal: Writer, c: ContainerDep, now: NowDep) -> BulkOut:
    if len(body.items) > c.settings.bulk_max_items:
        raise ProblemError(413, "bulk-too-large", f"Paling banyak {c.settings.bulk_max_items} orang per panggilan "
                           f"(at most {c.settings.bulk_max_items} items per call).")
    results = await people.upsert_many(c.uow, principal, people.parse_items(body.items), now=now, source="bulk")
    out = []
    for i, r in enumerate(results):
        d = {"index": i, **r.as_dict()}
        for e in d.get("errors", []):
            e["path"] = f"items[{i}]" + (f".{e['path']}" if e["path"] else "")
        out.append(d)
    summary = dict(Counter(r.status for r in results))
    summary["total"] = len(results)
    return BulkOut(summary=summary, results=out)


@router.get("", response_model=PeoplePage, summary="Daftar orang instansi saya (the instansi's people on a date)")
async def list_people(
    principal: Writer, uow: UowDep, now: NowDep, tanggal: Tanggal = None,
    q: Annotated[str | None, Query(max_length=100, description="search in nama, person_id and jabatan")] = None,
    unit_id: Annotated[str | None, Query(max_length=64)] = None,
    atasan_id: Annotated[str | None, Query(max_length=64, description="only those whose direct superior this is")] = None,
    aktif: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PeoplePage:
    day = tanggal or people.today(now)
    total, items = await people.list_people(uow, principal, day=day, q=q, unit_id=unit_id, atasan_id=atasan_id,
                                            aktif=aktif, limit=limit, offset=offset)
    return PeoplePage(total=total, limit=limit, offset=offset, tanggal=day, items=items)


@router.get("/{person_id}", response_model=PersonOut, summary="Satu orang dan riwayatnya (a person and their records)")
async def get_person(person_id: PersonId, principal: Reader, uow: UowDep, now: NowDep,
                     tanggal: Tanggal = None) -> PersonOut:
    day = tanggal or people.today(now)
    view = await people.get_person(uow, principal, person_id, day=day)
    return PersonOut(person_id=view.person_id, version=view.version, instansi=view.instansi, tanggal=day,
                     record=view.record, riwayat=view.riwayat)


@router.get("/{person_id}/penilai", response_model=PenilaiOut,
            summary="Pejabat penilai dan atasan pejabat penilai pada suatu tanggal (who appraises a person on a date)")
async def get_penilai(person_id: PersonId, principal: Reader, uow: UowDep, now: NowDep,
                      tanggal: Tanggal = None) -> PenilaiOut:
    day = tanggal or people.today(now)
    chain, names = await people.penilai_of(uow, principal, person_id, day=day)

    def w(r):
        return people.wire(r, names) if r is not None else None

    return PenilaiOut(tanggal=day, pegawai=people.wire(chain.pegawai, names), penilai_id=chain.penilai_id,
                      penilai=w(chain.penilai), atasan_pejabat_penilai_id=chain.atasan_pejabat_penilai_id,
                      atasan_pejabat_penilai=w(chain.atasan_pejabat_penilai))


@router.get("/{person_id}/history", response_model=HistoryOut,
            summary="Riwayat perubahan (every version: who changed what, when, through which door)")
async def get_history(person_id: PersonId, principal: Reader, uow: UowDep) -> HistoryOut:
    rows = await people.history(uow, principal, person_id)
    return HistoryOut(person_id=person_id, versions=[r.model_dump() for r in rows])  # type: ignore[misc]
