"""Bulk upsert of SKP drafts from upstream portals.

Keyed by (NIP, periode): an item whose content equals the stored one is
``unchanged`` (so a retried call changes nothing), a new key is ``created``,
a changed Draft/Revisi is ``updated`` (a new version), a changed SKP that is
Pending or Approved is ``locked``, and an item that fails the schema, names
an impossible NIP / NI PPPK, names a pegawai the directory does not hold as
an active person of the caller's instansi, names another penilai than the
directory's, or would overwrite an SKP stored for another instansi is
``invalid`` with its errors. The people of every item are filled from the
directory exactly as a single write fills them (:mod:`.people`). Stored drafts report ``issues``: how many
validation errors still block their submission.

Speed: items are parsed and validated in memory; each chunk then costs one
SELECT (the existing keys, locked FOR UPDATE on PostgreSQL), one multi-row
INSERT .. ON CONFLICT DO NOTHING for new documents, one executemany UPDATE
and one multi-row INSERT of version rows, in one transaction per chunk.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kinerja_contracts.calendar import utcnow
from kinerja_contracts.lifecycle import SkpStatus, is_editable
from kinerja_contracts.values import JenisPegawai
from kinerja_platform.directory_view import DirectoryView
from kinerja_platform.web.auth import Principal
from pydantic import ValidationError

from ..adapters.repository import SkpRepository
from ..domain.model import SkpContent, SkpDraft
from ..domain.people import PeopleRefused, pegawai_refused, tanggal_rantai
from ..domain.validation import ValidationContext, nip_problems, validate
from . import people
from .access import intake_scope
from .documents import columns_of, hash_of
from .policy import Policy

@dataclass
class ItemResult:
    index: int
    status: str  # created, updated, unchanged, invalid, locked, conflict
    nip: str | None = None
    skp_id: uuid.UUID | None = None
    version: int | None = None
    issues: int | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    #: the validation errors of a stored draft (the import's report; not in the bulk answer)
    findings: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"index": self.index, "status": self.status, "nip": self.nip}
        if self.skp_id is not None:
            d["skp_id"] = str(self.skp_id)
            d["version"] = self.version
        if self.issues is not None:
            d["issues"] = self.issues
        if self.errors:
            d["errors"] = self.errors
        return d


@dataclass
class _Parsed:
    index: int
    draft: SkpDraft
    nip: str
    content: SkpContent | None = None
    data: dict[str, Any] = field(default_factory=dict)
    hash: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return (self.nip, self.draft.periode.mulai, self.draft.periode.selesai)


def _loc(prefix: str, loc: Sequence) -> str:
    out = prefix
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def parse_item(index: int, item: Any, policy: Policy) -> _Parsed | ItemResult:
    """Schema and NIP checks of one item (pure CPU work); its people come
    from the directory later (:func:`_fill_people`)."""
    prefix = f"items[{index}]"
    try:
        draft = SkpDraft.model_validate(item)
    except ValidationError as exc:
        nip = item.get("pegawai", {}).get("nip") if isinstance(item, dict) and isinstance(item.get("pegawai"), dict) else None
        return ItemResult(index, "invalid", nip=nip if isinstance(nip, str) else None, errors=[
            {"path": _loc(prefix, e["loc"]), "message": e["msg"], "type": e["type"]} for e in exc.errors()
        ])
    if draft.pegawai is None:
        return ItemResult(index, "invalid", errors=[{
            "path": f"{prefix}.pegawai.nip", "type": "pegawai-required",
            "message": "Sebutkan NIP pegawai pada `pegawai.nip` (name the pegawai by NIP)"}])
    nip = draft.pegawai.nip
    pppk = draft.jenis_pegawai in (JenisPegawai.PPPK, JenisPegawai.PPPK_PARUH_WAKTU)
    problems = nip_problems(nip, pppk=pppk)
    if problems:
        return ItemResult(index, "invalid", nip=nip, errors=[
            {"path": f"{prefix}.pegawai.nip", "message": f"NIP/NI PPPK {nip}: {p}", "type": "nip-format"} for p in problems
        ])
    return _Parsed(index, draft, nip)


def _finish(parsed: list[_Parsed], policy: Policy) -> None:
    """Dump, hash and validate the filled contents (CPU work, in a worker thread)."""
    for p in parsed:
        assert p.content is not None
        p.data = p.content.model_dump(mode="json")
        p.hash = hash_of(p.data)
        ctx = ValidationContext(rencana_aksi_wajib=policy.rencana_aksi_wajib(p.content.pegawai.instansi))
        p.findings = [f.as_dict() for f in validate(p.content, ctx).errors]


def _refused(p: _Parsed, code: str, where: str, message: str) -> ItemResult:
    return ItemResult(p.index, "invalid", p.nip, errors=[{"path": f"items[{p.index}].{where}", "message": message,
                                                         "type": code}])


async def _load_chains(view: DirectoryView, ids: list[str]) -> None:
    """Read the people of a chunk, their superiors and the superiors' superiors
    (on any date of their riwayat) with one SELECT per level."""
    for _ in range(3):
        await view.load(ids)
        ids = sorted({r.atasan_id for pid in ids for r in await view.riwayat(pid) if r.atasan_id})


async def _fill_people(session, parsed: list[_Parsed], existing: dict, principal: Principal, policy: Policy,
                       results: dict[int, ItemResult]) -> list[_Parsed]:
    """Fill each item's people from the directory, as a single write does
    (:mod:`.people`); an item the directory does not confirm, or whose stored
    SKP belongs to another instansi than the token's, is ``invalid``."""
    view = DirectoryView(session)
    scope = people.scope_of(principal)
    today = policy.today()
    await _load_chains(view, [p.nip for p in parsed] + [
        o["nip"] for r in existing.values() if (o := r.penilai_override)])
    kept: list[_Parsed] = []
    for p in parsed:
        row = existing.get(p.key)
        if row is not None and scope is not None and row.instansi != scope:
            results[p.index] = _refused(p, "pegawai-not-in-directory", "pegawai.nip", pegawai_refused(
                p.nip, tanggal_rantai(p.draft.periode, today)).message)
            continue
        try:
            p.content = await people.fill(view, p.draft, p.nip, principal, today,
                                          override=row.penilai_override if row is not None else None)
        except PeopleRefused as exc:
            results[p.index] = _refused(p, exc.code, exc.field, exc.message)
            continue
        kept.append(p)
    return kept


async def _store_chunk(session, parsed: list[_Parsed], principal: Principal, policy: Policy,
                       results: dict[int, ItemResult]) -> None:
    repo = SkpRepository(session)
    rows = await repo.lock_existing(sorted({p.nip for p in parsed}))
    existing = {(r.nip, r.periode_mulai, r.periode_selesai): r for r in rows}
    parsed = await _fill_people(session, parsed, existing, principal, policy, results)
    await asyncio.to_thread(_finish, parsed, policy)
    now = utcnow()
    inserts, updates, versions = [], [], []
    pending_versions: dict[uuid.UUID, dict] = {}
    for p in parsed:
        assert p.content is not None
        nip, issues = p.nip, len(p.findings)
        cols = columns_of(p.content)
        row = existing.get(p.key)
        if row is None:
            new_id = uuid.uuid4()
            inserts.append({"id": new_id, "nip": nip, "status": SkpStatus.Draft.value, "version": 1, "content": p.data,
                            "content_hash": p.hash, "approval_sequence": 0, "catatan_perbaikan": None,
                            "created_by": principal.sub, "created_at": now, "updated_at": now, **cols})
            pending_versions[new_id] = {"skp_id": new_id, "version": 1, "content": p.data, "content_hash": p.hash,
                                        "created_by": principal.sub, "penilai_override": None, "created_at": now}
            results[p.index] = ItemResult(p.index, "created", nip, new_id, 1, issues, findings=p.findings)
        elif row.content_hash == p.hash:
            results[p.index] = ItemResult(p.index, "unchanged", nip, row.id, row.version, issues, findings=p.findings)
        elif not is_editable(SkpStatus(row.status)):
            results[p.index] = ItemResult(p.index, "locked", nip, row.id, row.version, issues, errors=[{
                "path": f"items[{p.index}]",
                "message": f"SKP berstatus {row.status} terkunci; perubahan ditolak (an SKP that is {row.status} is locked)",
                "type": "skp-locked",
            }])
        else:
            v = row.version + 1
            updates.append({"b_id": row.id, "b_version": row.version, "version": v, "content": p.data,
                            "content_hash": p.hash, "updated_at": now, **cols})
            versions.append({"skp_id": row.id, "version": v, "content": p.data, "content_hash": p.hash,
                             "created_by": principal.sub, "penilai_override": row.penilai_override, "created_at": now})
            results[p.index] = ItemResult(p.index, "updated", nip, row.id, v, issues, findings=p.findings)
    if inserts:
        inserted = await repo.insert_new(inserts)
        for p in parsed:
            r = results[p.index]
            if r.status == "created" and r.skp_id not in inserted:
                results[p.index] = ItemResult(p.index, "conflict", r.nip, errors=[{
                    "path": f"items[{p.index}]",
                    "message": "SKP yang sama sedang disimpan oleh permintaan lain; kirim ulang item ini "
                               "(stored concurrently by another request; send this item again)",
                    "type": "concurrent-write",
                }])
        versions += [v for k, v in pending_versions.items() if k in inserted]
    if updates:
        await repo.update_many(updates)
    if versions:
        await repo.insert_versions(versions)


def _parse_chunk(items, start: int, stop: int, policy: Policy, seen: dict, results: dict) -> list[_Parsed]:
    parsed: list[_Parsed] = []
    for i in range(start, stop):
        r = parse_item(i, items[i], policy)
        if isinstance(r, ItemResult):
            results[i] = r
            continue
        if r.key in seen:
            results[i] = ItemResult(i, "invalid", r.nip, errors=[{
                "path": f"items[{i}]",
                "message": f"NIP dan periode yang sama sudah ada pada items[{seen[r.key]}] "
                           "(duplicate of an earlier item: same NIP and period)",
                "type": "duplicate-item",
            }])
            continue
        seen[r.key] = i
        parsed.append(r)
    return parsed


async def bulk_upsert(
    uow: Callable,
    items: list[Any],
    principal: Principal,
    policy: Policy,
    *,
    chunk_size: int = 1000,
    progress: Callable[[int], Any] | None = None,
) -> tuple[dict[str, int], list[ItemResult]]:
    intake_scope(principal)  # an admin token without instansi is refused before anything is read
    results: dict[int, ItemResult] = {}
    seen: dict[tuple, int] = {}
    for start in range(0, len(items), chunk_size):
        # CPU-bound parsing runs in a worker thread so the event loop (other
        # requests, the NATS consumers' heartbeats) keeps turning meanwhile.
        parsed = await asyncio.to_thread(_parse_chunk, items, start, min(start + chunk_size, len(items)), policy,
                                         seen, results)
        if parsed:
            async with uow() as session:
                await _store_chunk(session, parsed, principal, policy, results)
        if progress is not None:
            progress(min(start + chunk_size, len(items)))
        await asyncio.sleep(0)  # let other requests in between chunks
    ordered = [results[i] for i in range(len(items))]
    summary = Counter(r.status for r in ordered)
    return {k: summary.get(k, 0) for k in ("created", "updated", "unchanged", "invalid", "locked", "conflict")}, ordered
