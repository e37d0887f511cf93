"""The evaluasi pages' rules (pure): form fields <-> the evaluation API's JSON,
the API's field paths -> the form's field names, list filters and labels.

Field names of the realisasi form are per IKI: ``nilai-<iki_id>``,
``uraian-<iki_id>``, ``bukti-<iki_id>``, ``catatan-<iki_id>``. The penilaian
form: ``ub-rhk-<rhk_id>``, ``ub-perilaku-<index>`` (the BerAKHLAK value's
position in the list shown) and ``rating_hasil_kerja`` / ``rating_perilaku``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kinerja_contracts.teks import nama_periode_dari_id, persen

#: the two ratings of PermenPANRB 6/2022, as the evaluation API spells them
RATINGS = ("Diatas Ekspektasi", "Sesuai Ekspektasi", "Dibawah Ekspektasi")
PREDIKAT = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang")
STATUS_LABEL = {"open": "Terbuka", "closed": "Ditutup"}
KEBERATAN_STATUS = {"diajukan": "Diajukan, menunggu keputusan", "diterima": "Diterima", "ditolak": "Ditolak"}
KIND_LABEL = {"monthly": "Bulanan", "quarterly": "Triwulanan", "annual": "Tahunan"}
BELUM = "belum"  # the predikat filter's "not rated yet"

Errors = dict[str, list[str]]


def periode_label(period_id: str) -> str:
    """``2026-03/PPPK_PARUH_WAKTU/monthly`` -> ``Maret 2026``."""
    return nama_periode_dari_id(period_id)


def capaian_label(value: float | None) -> str:
    """A capaian as the rule computed it, the Indonesian way (``103,33 %``); ``-`` when none."""
    return "-" if value is None else persen(value)


def parse_angka(text: str) -> float:
    """A number as people type it: ``1``, ``2,5``, ``2.5``, ``1.000,5`` (thousands with dots)."""
    s = text.strip().replace(" ", "")
    if "," in s:
        s = s.replace(".", "").replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", s):
        raise ValueError(text)
    return float(s)


def angka_text(value: float | None) -> str:
    """A stored realisasi back into the form (``2`` not ``2.0``, ``2,5``)."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def realisasi_field(prefix: str, iki_id: str) -> str:
    return f"{prefix}-{iki_id}"


def realisasi_values(lines: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The form's values from the evaluation's stored realisasi."""
    out: dict[str, str] = {}
    for line in lines:
        i = str(line["iki_id"])
        out[realisasi_field("nilai", i)] = angka_text(line.get("realisasi"))
        out[realisasi_field("uraian", i)] = line.get("uraian_realisasi") or ""
        out[realisasi_field("bukti", i)] = line.get("bukti_dukung") or ""
        out[realisasi_field("catatan", i)] = line.get("catatan") or ""
    return out


def realisasi_merge(form: Mapping[str, str], stored: Mapping[str, str]) -> dict[str, str]:
    """After a save over a newer version: what this person changed (the typed value differs from
    ``was-<field>``, the value the page was shown with) stays as typed; the rest shows the newer
    stored value, so saving again neither loses their typing nor undoes the other save."""
    out = dict(stored)
    for name, value in stored.items():
        typed = form.get(name)
        if typed is not None and typed != form.get(f"was-{name}", value):
            out[name] = typed
    return out


def realisasi_items(form: Mapping[str, str], lines: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], Errors]:
    """The ``items`` of ``PUT .../realisasi`` from the form, and what the form
    itself can tell is wrong (a number that is not one, a link that is not a
    web address), by field name. An IKI left wholly empty is not sent."""
    items: list[dict[str, Any]] = []
    errors: Errors = {}
    for line in lines:
        i = str(line["iki_id"])
        raw = {k: (form.get(realisasi_field(k, i)) or "").strip() for k in ("nilai", "uraian", "bukti", "catatan")}
        if not any(raw.values()):
            continue
        item: dict[str, Any] = {"iki_id": i, "nilai": None, "uraian": raw["uraian"] or None,
                                "bukti_dukung": raw["bukti"] or None, "catatan": raw["catatan"] or None}
        if raw["nilai"]:
            try:
                value = parse_angka(raw["nilai"])
            except ValueError:
                errors.setdefault(realisasi_field("nilai", i), []).append("Isi dengan angka, misalnya 1 atau 2,5.")
            else:
                if value < 0:
                    errors.setdefault(realisasi_field("nilai", i), []).append("Realisasi tidak boleh negatif.")
                item["nilai"] = value
        elif line.get("target") is not None:
            errors.setdefault(realisasi_field("nilai", i), []).append(
                "Realisasi angka wajib diisi untuk IKI yang bertarget pada periode ini.")
        if raw["bukti"] and not re.match(r"https?://[^\s/]+", raw["bukti"]):
            errors.setdefault(realisasi_field("bukti", i), []).append(
                "Bukti dukung berupa tautan yang diawali http:// atau https://.")
        items.append(item)
    if not items and not errors:
        errors["_form"] = ["Isi realisasi paling sedikit satu IKI."]
    return items, errors


_ITEM_PATH = re.compile(r"^items\[(\d+)\]\.?(\w+)?")
_ITEM_FIELD = {"nilai": "nilai", "uraian": "uraian", "bukti_dukung": "bukti", "catatan": "catatan", "iki_id": "nilai"}


def realisasi_api_errors(field_errors: Mapping[str, list[str]], items: Sequence[Mapping[str, Any]]) -> Errors:
    """The API's ``items[0].nilai`` (index into what was sent) -> ``nilai-<iki_id>``;
    anything else -> ``_form`` (shown above the form)."""
    out: Errors = {}
    for path, messages in field_errors.items():
        m = _ITEM_PATH.match(path)
        name = "_form"
        if m and int(m.group(1)) < len(items):
            name = realisasi_field(_ITEM_FIELD.get(m.group(2) or "", "nilai"), str(items[int(m.group(1))]["iki_id"]))
        out.setdefault(name, []).extend(id_message(x) for x in messages)
    return out


def id_message(message: str) -> str:
    """The services write ``Indonesian (English)``: people read the Indonesian part."""
    cut = re.sub(r"\s*\((?:[a-z][A-Za-z0-9 ,;:'/-]*)\)(\.?)\s*$", r"\1", message).strip()
    return cut or message


def penilaian_body(form: Mapping[str, str], version: int, rhk_ids: Iterable[str],
                   perilaku: Sequence[str]) -> tuple[dict[str, Any], Errors]:
    """The body of ``POST .../penilaian`` from the form. Both ratings together
    or neither (umpan balik alone is kept as a draft of the penilai)."""
    errors: Errors = {}
    ub_rhk = {r: t for r in rhk_ids if (t := (form.get(f"ub-rhk-{r}") or "").strip())}
    ub_perilaku = {p: t for n, p in enumerate(perilaku) if (t := (form.get(f"ub-perilaku-{n}") or "").strip())}
    body: dict[str, Any] = {"version": version, "umpan_balik_rhk": ub_rhk, "umpan_balik_perilaku": ub_perilaku}
    rhk, rp = (form.get("rating_hasil_kerja") or "").strip(), (form.get("rating_perilaku") or "").strip()
    for name, value in (("rating_hasil_kerja", rhk), ("rating_perilaku", rp)):
        if value and value not in RATINGS:
            errors.setdefault(name, []).append("Pilih salah satu rating yang tersedia.")
    if bool(rhk) != bool(rp):
        missing = "rating_perilaku" if rhk else "rating_hasil_kerja"
        errors.setdefault(missing, []).append("Rating hasil kerja dan rating perilaku diberikan bersama; pilih keduanya.")
    if rhk and rp:
        body["rating_hasil_kerja"], body["rating_perilaku"] = rhk, rp
    return body, errors


def penilaian_api_errors(field_errors: Mapping[str, list[str]], perilaku: Sequence[str]) -> Errors:
    """``umpan_balik_rhk.<id>`` -> ``ub-rhk-<id>``, ``umpan_balik_perilaku.<nilai>`` -> ``ub-perilaku-<n>``."""
    out: Errors = {}
    for path, messages in field_errors.items():
        name = "_form"
        if path.startswith("umpan_balik_rhk."):
            name = "ub-rhk-" + path.removeprefix("umpan_balik_rhk.")
        elif path.startswith("umpan_balik_perilaku."):
            value = path.removeprefix("umpan_balik_perilaku.")
            name = f"ub-perilaku-{perilaku.index(value)}" if value in perilaku else "_form"
        elif path in ("rating_hasil_kerja", "rating_perilaku"):
            name = path
        out.setdefault(name, []).extend(id_message(x) for x in messages)
    return out


def penilaian_values(ev: Mapping[str, Any], perilaku: Sequence[str]) -> dict[str, str]:
    """The penilaian form's values from the evaluation (umpan balik and ratings given so far)."""
    ub = ev.get("umpan_balik") or {}
    out = {f"ub-rhk-{k}": v for k, v in (ub.get("rhk") or {}).items()}
    out |= {f"ub-perilaku-{n}": (ub.get("perilaku") or {}).get(p, "") for n, p in enumerate(perilaku)}
    out["rating_hasil_kerja"] = ev.get("rating_hasil_kerja") or ""
    out["rating_perilaku"] = ev.get("rating_perilaku") or ""
    return out


def rhk_groups(lines: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The evaluation's IKI lines grouped by RHK, in order (utama first as the API lists them)."""
    groups: dict[str, dict[str, Any]] = {}
    for line in lines:
        rid = str(line["rhk_id"])
        g = groups.setdefault(rid, {"rhk_id": rid, "jenis": line.get("rhk_jenis"), "uraian": line.get("rhk_uraian"),
                                    "iki": []})
        g["iki"].append(line)
    return list(groups.values())


def target_label(target: Mapping[str, Any] | None, satuan: str | None) -> str:
    """``4 Laporan``, ``80 - 100 %``, or ``tidak diukur`` for an IKI with no target in the period."""
    if target is None:
        return "tidak diukur pada periode ini"
    unit = f" {satuan}" if satuan else ""
    if target.get("minimum") is not None and target.get("maksimum") is not None:
        return f"{angka_text(target['minimum'])} - {angka_text(target['maksimum'])}{unit}"
    return f"{angka_text(target.get('nilai'))}{unit}"


def keberatan_possible(ev: Mapping[str, Any]) -> bool:
    """Is there a result to object to and no keberatan yet? The window (``keberatan_deadline``)
    is the service's to judge by its own clock: the page shows the date, the service answers
    ``keberatan-too-late`` after it."""
    return bool(ev.get("predikat")) and not ev.get("keberatan") and bool(ev.get("keberatan_deadline"))


def keberatan_form(form: Mapping[str, str]) -> tuple[str, Errors]:
    alasan = (form.get("alasan") or "").strip()
    if len(alasan) < 10:
        return alasan, {"alasan": ["Tuliskan alasan keberatan, paling sedikit 10 karakter."]}
    if len(alasan) > 4000:
        return alasan, {"alasan": ["Alasan paling banyak 4000 karakter."]}
    return alasan, {}


def keputusan_body(form: Mapping[str, str]) -> tuple[dict[str, Any], Errors]:
    """The body of ``POST /keberatan/{id}/keputusan``: upheld needs both new ratings."""
    errors: Errors = {}
    decision = (form.get("decision") or "").strip()
    body: dict[str, Any] = {"decision": decision, "note": (form.get("note") or "").strip() or None}
    if decision not in ("upheld", "rejected"):
        errors["decision"] = ["Pilih keputusan: terima atau tolak keberatan."]
    if decision == "upheld":
        for name in ("rating_hasil_kerja", "rating_perilaku"):
            value = (form.get(name) or "").strip()
            if value not in RATINGS:
                errors[name] = ["Keberatan yang diterima wajib disertai rating baru."]
            else:
                body[name] = value
    return body, errors


def keputusan_api_errors(field_errors: Mapping[str, list[str]]) -> Errors:
    out: Errors = {}
    for path, messages in field_errors.items():
        name = path if path in ("decision", "rating_hasil_kerja", "rating_perilaku", "note") else "_form"
        out.setdefault(name, []).extend(id_message(x) for x in messages)
    return out


def filter_rows(rows: Iterable[Mapping[str, Any]], *, status: str = "", predikat: str = "") -> list[Mapping[str, Any]]:
    """The list filtered by status (open/closed) and predikat (``belum``: not rated yet); the API
    filters by period itself."""
    out = []
    for r in rows:
        if status and r.get("status") != status:
            continue
        if predikat == BELUM and r.get("predikat"):
            continue
        if predikat and predikat != BELUM and r.get("predikat") != predikat:
            continue
        out.append(r)
    return out


def sort_rows(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Open ones first, then the newest period first, then by NIP."""
    return sorted(rows, key=lambda r: (r.get("status") != "open", _neg(str(r.get("period_id", ""))), str(r.get("nip", ""))))


def sort_periods(period_ids: Iterable[str]) -> list[str]:
    """Distinct period ids, the newest first (a year's annual period before its months)."""
    return sorted(set(period_ids), key=_neg)


def _neg(period_id: str) -> tuple[int, ...]:
    label = period_id.split("/", 1)[0]
    digits = [int(x) for x in re.findall(r"\d+", label)] + [99]
    return tuple(-d for d in digits[:2])


def preferensi_body(form: Mapping[str, str], version: int) -> tuple[dict[str, Any], Errors]:
    """``PUT /recipients/{nip}/preferences``: digest ``ya``/``tidak``/``bawaan`` (the service default),
    locale ``id``/``en``/``bawaan``."""
    errors: Errors = {}
    digest_raw = form.get("digest") or "bawaan"
    locale_raw = form.get("locale") or "bawaan"
    digest: bool | None = {"ya": True, "tidak": False, "bawaan": None}.get(digest_raw)
    if digest_raw not in ("ya", "tidak", "bawaan"):
        errors["digest"] = ["Pilih salah satu pilihan ringkasan."]
    if locale_raw not in ("id", "en", "bawaan"):
        errors["locale"] = ["Pilih bahasa Indonesia atau Inggris."]
    return {"digest": digest, "locale": None if locale_raw == "bawaan" else locale_raw, "version": version}, errors


def preferensi_values(prefs: Mapping[str, Any]) -> dict[str, str]:
    d = prefs.get("digest")
    return {"digest": "bawaan" if d is None else ("ya" if d else "tidak"), "locale": prefs.get("locale") or "bawaan"}
