"""Pure rules of the atasan pages (``/persetujuan``): the inbox's counts,
search and waiting times, the selection of a bulk approval and its results,
and the SKP diff and document as a person reads them. No I/O."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

JENIS_PEGAWAI = {"PNS": "PNS", "PPPK": "PPPK", "PPPK_PARUH_WAKTU": "PPPK Paruh Waktu"}
BULAN_PENDEK = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
TRIWULAN = ("TW I", "TW II", "TW III", "TW IV")

#: the most items the portal sends in one bulk approval (the approval service's default BATCH_MAX_ITEMS)
BATCH_MAX = 100

#: the names of the document's fields as the SKP form prints them
FIELD_LABEL = {
    "periode": "Periode", "mulai": "mulai", "selesai": "selesai", "jenis_pegawai": "Jenis pegawai",
    "jenis_jabatan": "Jenis jabatan", "pendekatan": "Pendekatan", "pegawai": "Pegawai yang dinilai",
    "penilai": "Pejabat penilai kinerja", "atasan_pejabat_penilai": "Atasan pejabat penilai kinerja",
    "nip": "NIP", "nama": "Nama", "email": "E-mail", "nrk": "NRK", "pangkat_golongan": "Pangkat/golongan",
    "jabatan": "Jabatan", "unit_kerja": "Unit kerja", "instansi": "Instansi", "tanggal_sk": "Tanggal SK",
    "tanggal_terima_sk": "Tanggal terima SK", "tempat": "Tempat", "hasil_kerja": "Rencana hasil kerja",
    "jenis": "jenis", "uraian": "uraian", "rhk_intervensi_id": "RHK atasan yang diintervensi",
    "rhk_intervensi_uraian": "RHK atasan yang diintervensi", "iki": "IKI", "aspek": "aspek",
    "indikator": "indikator", "target": "target", "nilai": "nilai", "minimum": "minimum", "maksimum": "maksimum",
    "deskripsi": "deskripsi", "satuan": "satuan", "polaritas": "polaritas", "perspektif": "perspektif",
    "target_bulanan": "target bulanan", "target_triwulan": "target triwulan", "target_periode": "target per periode",
    "bulanan": "bulanan", "triwulan": "triwulan", "sifat_target": "sifat target", "triwulan_target": "triwulan target",
    "rencana_aksi": "rencana aksi", "output": "output", "perilaku_kerja": "Perilaku kerja",
    "ekspektasi_khusus": "ekspektasi khusus pimpinan", "lampiran": "Lampiran",
    "dukungan_sumber_daya": "dukungan sumber daya", "skema_pertanggungjawaban": "skema pertanggungjawaban",
    "konsekuensi": "konsekuensi",
}

KIND_LABEL = {"added": "Ditambahkan", "removed": "Dihapus", "changed": "Diubah"}

_SEGMENT = re.compile(r"^(?P<name>[A-Za-z_]+)(?:\[(?:(?P<key>id|nilai)=(?P<value>[^\]]*)|(?P<index>\d+))\])?$")


# --- the inbox ---------------------------------------------------------------------------------------------


def parse_when(value: Any) -> dt.datetime | None:
    """An API timestamp (ISO 8601, ``Z`` for UTC) as an aware datetime; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def lama_menunggu(since: Any, now: dt.datetime) -> str:
    """How long an SKP has waited, as people say it: ``3 hari 4 jam``, ``5 jam``, ``kurang dari 1 jam``."""
    when = parse_when(since)
    if when is None:
        return "-"
    minutes = max(0, int((now - when).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours = rest // 60
    if days and hours:
        return f"{days} hari {hours} jam"
    if days:
        return f"{days} hari"
    if hours:
        return f"{hours} jam"
    return "kurang dari 1 jam"


def hari_menunggu(since: Any, now: dt.datetime) -> int:
    """Whole days waited (0 when unknown)."""
    when = parse_when(since)
    return max(0, (now - when).days) if when else 0


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def cocok(item: dict[str, Any], q: str) -> bool:
    """Whether an inbox item matches a search by the pegawai's name (every word, any order, any case)
    or NIP (digits; spaces and dots typed in a NIP are ignored)."""
    q = q.strip()
    if not q:
        return True
    pegawai = item.get("pegawai") or {}
    nama = str(pegawai.get("nama") or "").casefold()
    nip = str(pegawai.get("nip") or "")
    digits = _digits(q)
    if digits and len(digits) >= 3 and not any(ch.isalpha() for ch in q) and digits in nip:
        return True
    return all(word in nama for word in q.casefold().split())


@dataclass
class Ringkasan:
    """The counts above the inbox: everything waiting (not only the rows shown)."""

    total: int
    sendiri: int
    delegasi: int
    pengajuan_ulang: int = 0
    per_jenis: list[tuple[str, int]] = field(default_factory=list)
    lebih_dari_3_hari: int = 0
    terlama_sejak: str | None = None


def ringkasan(inbox: dict[str, Any], items: list[dict[str, Any]], now: dt.datetime, *, hari: int = 3) -> Ringkasan:
    """Counts of the inbox answer (``count``, ``counts``) and of its items: resubmissions (version > 1),
    per jenis pegawai, waiting more than ``hari`` days."""
    counts = inbox.get("counts") or {}
    jenis = Counter(str(i.get("jenis_pegawai") or "") for i in items)
    return Ringkasan(
        total=int(inbox.get("count") or 0), sendiri=int(counts.get("sendiri") or 0),
        delegasi=int(counts.get("delegasi") or 0),
        pengajuan_ulang=sum(1 for i in items if int(i.get("version") or 1) > 1),
        per_jenis=[(JENIS_PEGAWAI.get(k, k), n) for k, n in sorted(jenis.items()) if k],
        lebih_dari_3_hari=sum(1 for i in items if hari_menunggu(i.get("pending_since"), now) >= hari),
        terlama_sejak=inbox.get("oldest_pending_since"),
    )


def halaman(items: list[Any], nomor: int, per_halaman: int) -> tuple[list[Any], int, int]:
    """One page of ``items`` (1-based, clamped): (rows, the page number, how many pages)."""
    pages = max(1, -(-len(items) // per_halaman))
    nomor = min(max(1, nomor), pages)
    start = (nomor - 1) * per_halaman
    return items[start:start + per_halaman], nomor, pages


# --- bulk approval ------------------------------------------------------------------------------------------


def pilihan(values: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The checked boxes of the inbox (``<skp_id>:<version>``) as items of ``POST /approvals/batch-approve``,
    each once and in order, and the values that are not such a pair (never sent)."""
    items: list[dict[str, Any]] = []
    bad: list[str] = []
    seen: set[str] = set()
    for raw in values:
        sid, _, ver = raw.strip().partition(":")
        try:
            skp_id = str(uuid.UUID(sid))
            version = int(ver)
        except ValueError:
            bad.append(raw)
            continue
        if version < 1:
            bad.append(raw)
            continue
        if skp_id not in seen:
            seen.add(skp_id)
            items.append({"skp_id": skp_id, "version": version})
    return items, bad


REFUSAL = {
    "stale-version": "Pegawai telah mengubah SKP ini sejak daftar dimuat; buka dan periksa versi terbarunya.",
    "transition-refused": "SKP ini sudah tidak menunggu persetujuan (sudah diputuskan atau dikembalikan).",
    "decision-conflict": "SKP ini baru saja diputuskan pada saat yang sama; muat ulang daftar.",
    "not-your-decision": "Anda bukan pejabat penilai (atau Plt/Plh) SKP ini.",
    "approval-not-found": "SKP ini tidak ditemukan dalam daftar persetujuan.",
    "forbidden": "Anda tidak berhak memutuskan SKP ini.",
}


def alasan_penolakan(code: str | None, detail: str | None) -> str:
    """Why one item of a bulk approval was refused, in plain words (the service's text when the code is new)."""
    if code and code in REFUSAL:
        return REFUSAL[code]
    return detail or "Ditolak oleh layanan persetujuan."


@dataclass
class HasilItem:
    skp_id: str
    nama: str
    nip: str
    disetujui: bool
    pesan: str
    versi: int | None = None


def hasil_massal(answer: dict[str, Any], dikirim: list[dict[str, Any]],
                 dikenal: dict[str, dict[str, Any]]) -> list[HasilItem]:
    """One row per item of a ``batch-approve`` answer, in request order; names from the approved case, else
    from ``dikenal`` (cases read after the decision, by skp_id)."""
    versi = {i["skp_id"]: i["version"] for i in dikirim}
    rows: list[HasilItem] = []
    for r in answer.get("results") or []:
        sid = str(r.get("skp_id"))
        case = r.get("case") or dikenal.get(sid) or {}
        pegawai = case.get("pegawai") or {}
        ok = int(r.get("status") or 0) == 200
        rows.append(HasilItem(
            skp_id=sid, nama=str(pegawai.get("nama") or "SKP tidak dikenal"), nip=str(pegawai.get("nip") or "-"),
            disetujui=ok, pesan="Disetujui." if ok else alasan_penolakan(r.get("code"), r.get("detail")),
            versi=versi.get(sid)))
    return rows


# --- the diff ------------------------------------------------------------------------------------------------


def _find(items: Any, key: str, value: str) -> tuple[int, dict[str, Any]] | None:
    if not isinstance(items, list):
        return None
    for n, x in enumerate(items, start=1):
        if isinstance(x, dict) and str(x.get(key)) == value:
            return n, x
    return None


def _cut(text: Any, n: int = 45) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def label_path(path: str, after: dict[str, Any] | None, before: dict[str, Any] | None = None) -> str:
    """A diff path (``hasil_kerja[id=rhk-1].iki[id=iki-1].target.nilai``) as the person reads it
    (``RHK 1 "Terlaksananya …" › IKI 1 "Laporan …" › target › nilai``), numbering and naming RHK and
    IKI from the newer document (the older one for what was removed)."""
    parts: list[str] = []
    nodes: list[Any] = [after or {}, before or {}]
    for segment in path.split("."):
        m = _SEGMENT.match(segment)
        if m is None:
            parts.append(segment)
            nodes = [None, None]
            continue
        name = m.group("name")
        children = [n.get(name) if isinstance(n, dict) else None for n in nodes]
        if m.group("key"):
            key, value = m.group("key"), m.group("value")
            found = next((f for f in (_find(c, key, value) for c in children) if f), None)
            nodes = [(_find(c, key, value) or (0, None))[1] for c in children]
            if name == "hasil_kerja":
                parts.append(f"RHK {found[0]} \u201c{_cut(found[1].get('uraian'))}\u201d" if found else f"RHK {value}")
            elif name == "iki":
                parts.append(f"IKI {found[0]} \u201c{_cut(found[1].get('indikator'))}\u201d" if found else f"IKI {value}")
            elif name == "perilaku_kerja":
                parts.append(f"Perilaku kerja {value}")
            else:
                parts.append(f"{FIELD_LABEL.get(name, name)} {value}")
        elif m.group("index") is not None:
            i = int(m.group("index"))
            nodes = [c[i] if isinstance(c, list) and i < len(c) else None for c in children]
            if name == "target_bulanan" or (name == "bulanan" and parts and parts[-1].startswith("target")):
                parts.append(f"target bulan {BULAN_PENDEK[i]}" if i < 12 else f"target bulanan {i + 1}")
            elif name in ("target_triwulan", "triwulan") and i < 4:
                parts.append(f"target {TRIWULAN[i]}")
            else:
                parts.append(f"{FIELD_LABEL.get(name, name)} {i + 1}")
        else:
            nodes = children
            parts.append(FIELD_LABEL.get(name, name))
    return " \u203a ".join(parts)


def teks_nilai(value: Any) -> str:
    """A diff value as text: ``-`` for nothing, an RHK or IKI by its text, a list joined, an object as
    ``label: value`` pairs."""
    if value is None or value == "" or value == []:
        return "-"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, list):
        return "; ".join(teks_nilai(v) for v in value)
    if isinstance(value, dict):
        if "uraian" in value and "iki" in value:
            return f"RHK {value.get('jenis', '')}: {value['uraian']}".replace("  ", " ")
        if "indikator" in value:
            target = teks_target(value.get("target"))
            return f"IKI: {value['indikator']}" + (f" (target {target})" if target != "-" else "")
        if "jenis" in value and ("nilai" in value or "deskripsi" in value or "minimum" in value):
            return teks_target(value)
        pairs = [f"{FIELD_LABEL.get(k, k)}: {teks_nilai(v)}" for k, v in value.items() if v not in (None, "", [])]
        return ", ".join(pairs) or "-"
    return str(value)


@dataclass
class Perubahan:
    label: str
    jenis: str
    jenis_label: str
    sebelum: str
    sesudah: str


def perubahan(diff: list[dict[str, Any]] | None, after: dict[str, Any] | None,
              before: dict[str, Any] | None = None) -> list[Perubahan] | None:
    """The detail's ``diff`` as rows to read; None when the SKP was never returned."""
    if diff is None:
        return None
    return [Perubahan(label=label_path(str(c.get("path", "")), after, before), jenis=str(c.get("kind", "changed")),
                      jenis_label=KIND_LABEL.get(str(c.get("kind")), str(c.get("kind"))),
                      sebelum=teks_nilai(c.get("before")), sesudah=teks_nilai(c.get("after")))
            for c in diff]


# --- the document --------------------------------------------------------------------------------------------


def teks_target(target: Any) -> str:
    """An IKI target as printed: ``12 Laporan``, ``80 - 90 %``, or its description."""
    if not isinstance(target, dict):
        return "-" if target in (None, "") else str(target)
    satuan = f" {target['satuan']}" if target.get("satuan") else ""
    jenis = target.get("jenis") or "angka"
    if jenis == "rentang":
        return f"{target.get('minimum', '-')} - {target.get('maksimum', '-')}{satuan}"
    if jenis == "deskriptif":
        return str(target.get("deskripsi") or "-") + satuan
    return f"{target['nilai']}{satuan}" if target.get("nilai") not in (None, "") else "-"


def _periode_text(v: Any) -> str:
    if isinstance(v, dict):
        nilai = v.get("nilai")
        if nilai is None and "minimum" in v:
            nilai = f"{v.get('minimum')} - {v.get('maksimum')}"
        return str(nilai if nilai is not None else "-")
    return "-" if v is None else str(v)


def target_per_periode(iki: dict[str, Any]) -> list[tuple[str, str]]:
    """The per-period targets of an IKI that were written, as (period, target): per month, else per quarter."""
    tp = iki.get("target_periode") or {}
    bulanan = tp.get("bulanan") if isinstance(tp, dict) else None
    triwulan = tp.get("triwulan") if isinstance(tp, dict) else None
    bulanan = bulanan or iki.get("target_bulanan")
    triwulan = triwulan or iki.get("target_triwulan")
    if bulanan:
        return [(BULAN_PENDEK[i], _periode_text(v)) for i, v in enumerate(bulanan[:12]) if v is not None]
    if triwulan:
        return [(TRIWULAN[i], _periode_text(v)) for i, v in enumerate(triwulan[:4]) if v is not None]
    return []


def rhk_per_jenis(snapshot: dict[str, Any]) -> list[tuple[str, list[tuple[int, dict[str, Any]]]]]:
    """RHK utama then tambahan, each numbered in document order."""
    rhk = [(n, r) for n, r in enumerate(snapshot.get("hasil_kerja") or [], start=1) if isinstance(r, dict)]
    out = []
    for jenis in ("Utama", "Tambahan"):
        group = [(n, r) for n, r in rhk if (r.get("jenis") or "Utama") == jenis]
        if group:
            out.append((jenis, group))
    return out
