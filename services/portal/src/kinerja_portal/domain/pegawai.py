"""The SKP draft form of the pegawai pages: form fields <-> the skp service's JSON.

Pure functions, no I/O. Every form field is named by the JSON path of what it
holds in the SKP content (``hasil_kerja[0].iki[1].target.nilai``), so an error
the service reports for a path lands beside the field of that path
(:func:`errors_beside_fields`). Fields the form does not show (e.g. an IKI's
``target_periode`` or ``perspektif``) travel in one hidden ``_lain`` field per
part as JSON and are merged back on save, so editing in the portal never drops
what another channel (XLSX, API) wrote.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

BERAKHLAK = ("Berorientasi Pelayanan", "Akuntabel", "Kompeten", "Harmonis", "Loyal", "Adaptif", "Kolaboratif")
LAMPIRAN = ("dukungan_sumber_daya", "skema_pertanggungjawaban", "konsekuensi")
BULAN_PENDEK = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
TRIWULAN = ("I", "II", "III", "IV")

#: the keys each part edits in the form; the rest of the part goes to ``_lain``
TOP_KEYS = ("periode", "jenis_pegawai", "jenis_jabatan", "pendekatan", "tempat", "hasil_kerja", "perilaku_kerja",
            "lampiran")
#: filled by the skp service from the directory: never sent by the form
PEOPLE_KEYS = ("pegawai", "penilai", "atasan_pejabat_penilai", "atasan_penilai")
RHK_KEYS = ("id", "jenis", "uraian", "rhk_intervensi_uraian", "iki")
IKI_KEYS = ("id", "aspek", "indikator", "target", "polaritas", "target_bulanan", "target_triwulan", "rencana_aksi")
TARGET_KEYS = ("jenis", "nilai", "minimum", "maksimum", "deskripsi", "satuan")

_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
_MAX_INDEX = 200  # a form never has more rows than this: a bigger index is refused, not allocated


# --- form fields -> a tree ------------------------------------------------------


def split_path(path: str) -> list[str | int]:
    """``a.b[0].c`` -> ``['a', 'b', 0, 'c']``; raises ValueError on anything else."""
    parts: list[str | int] = []
    pos = 0
    for m in _TOKEN.finditer(path):
        gap = path[pos:m.start()]
        if gap not in ("", ".") or (gap == "." and not parts) or (gap == "" and parts and m.group(1)):
            raise ValueError(f"bad field name {path!r}")
        parts.append(m.group(1) if m.group(1) else int(m.group(2)))
        pos = m.end()
    if pos != len(path) or not parts or not isinstance(parts[0], str):
        raise ValueError(f"bad field name {path!r}")
    return parts


def join_path(parts: Iterable[str | int]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def form_tree(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The nested dict/list tree the form's fields describe (values as typed).

    Unknown shapes (a field both a list and an object, an index past
    ``_MAX_INDEX``) are ignored, never trusted: the tree is only ever sent to
    the skp service with the person's own token."""
    root: dict[str, Any] = {}
    for name, value in pairs:
        if name in ("csrftoken", "version", "aksi", "id_skp"):
            continue
        try:
            parts = split_path(name)
        except ValueError:
            continue
        if any(isinstance(p, int) and p > _MAX_INDEX for p in parts):
            continue
        node: Any = root
        ok = True
        for here, nxt in zip(parts, parts[1:], strict=False):
            child: Any = [] if isinstance(nxt, int) else {}
            if isinstance(node, dict) and isinstance(here, str):
                node = node.setdefault(here, child)
            elif isinstance(node, list) and isinstance(here, int):
                while len(node) <= here:
                    node.append(None)
                if node[here] is None:
                    node[here] = child
                node = node[here]
            else:
                ok = False
                break
            if not isinstance(node, list | dict) or isinstance(node, list) != isinstance(nxt, int):
                ok = False
                break
        if not ok:
            continue
        last = parts[-1]
        if isinstance(node, dict) and isinstance(last, str):
            node[last] = value
        elif isinstance(node, list) and isinstance(last, int):
            while len(node) <= last:
                node.append(None)
            node[last] = value
    return root


# --- a tree -> the skp service's content ------------------------------------------


def _text(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def angka(v: Any) -> str | None:
    """A number as typed (``12,5`` or ``12.5``) as the service takes it (``"12.5"``); blank is None.
    Anything else is passed on as typed: the service names the field that is not a number."""
    s = _text(v)
    if s is None:
        return None
    t = s.replace(" ", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", t):  # 1.250,5: dots group thousands
        t = t.replace(".", "")
    t = t.replace(",", ".")
    return t if re.fullmatch(r"-?\d+(\.\d+)?", t) else s


def _extra(part: Mapping[str, Any]) -> dict[str, Any]:
    raw = part.get("_lain")
    if not raw:
        return {}
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _items(v: Any) -> list[dict[str, Any]]:
    if isinstance(v, dict):  # a list written with gaps arrives as an object only if misnamed: ignore
        return []
    return [x for x in (v or []) if isinstance(x, dict)]


def _lines(v: Any) -> list[str]:
    if isinstance(v, list):
        return [s for s in (_text(x) for x in v) if s]
    return [s for s in (_text(x) for x in str(v or "").splitlines()) if s]


def _periods(v: Any, n: int) -> list[str | None] | None:
    if not isinstance(v, list):
        return None
    values = [angka(x) for x in (v + [None] * n)[:n]]
    return values if any(x is not None for x in values) else None


def _target(t: Any) -> dict[str, Any] | None:
    if not isinstance(t, dict):
        return None
    jenis = _text(t.get("jenis")) or "angka"
    out: dict[str, Any] = {"jenis": jenis, "nilai": angka(t.get("nilai")), "minimum": angka(t.get("minimum")),
                           "maksimum": angka(t.get("maksimum")), "deskripsi": _text(t.get("deskripsi")),
                           "satuan": _text(t.get("satuan"))}
    if all(out[k] is None for k in TARGET_KEYS if k != "jenis"):
        return None
    return out


def _obj(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _blank(*values: Any) -> bool:
    return all(_text(v) is None for v in values)


def _new_id(prefix: str, taken: set[str]) -> str:
    n = 1
    while f"{prefix}-{n}" in taken:
        n += 1
    taken.add(f"{prefix}-{n}")
    return f"{prefix}-{n}"


def content_of(tree: Mapping[str, Any]) -> dict[str, Any]:
    return content_and_rows(tree)[0]


def content_and_rows(tree: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The SKP content the form describes, as the skp service takes it on create and update.

    Blank numbers are left out, numbers with a decimal comma become decimals,
    rows left wholly blank are dropped (the second value maps each row's path in
    the content to its path in the form, for :func:`errors_beside_fields`), a new RHK or IKI gets an id unique in
    the SKP, the lampiran's lines become lists, and the parts the form does
    not show come back from ``_lain``. The identity blocks are never sent (the
    service fills them from the directory)."""
    out: dict[str, Any] = {k: v for k, v in _extra(tree).items() if k not in PEOPLE_KEYS and k not in TOP_KEYS}
    periode = _obj(tree.get("periode"))
    out["periode"] = {"mulai": _text(periode.get("mulai")), "selesai": _text(periode.get("selesai"))}
    for k in ("jenis_pegawai", "jenis_jabatan", "pendekatan"):
        if _text(tree.get(k)):
            out[k] = _text(tree.get(k))
    out["tempat"] = _text(tree.get("tempat"))

    rhks = _items(tree.get("hasil_kerja"))
    rhk_ids = {str(r.get("id")) for r in rhks if _text(r.get("id"))}
    iki_ids = {str(i.get("id")) for r in rhks for i in _items(r.get("iki")) if _text(i.get("id"))}
    hasil: list[dict[str, Any]] = []
    rows: dict[str, str] = {}
    for fi, r in enumerate(rhks):
        ikis: list[dict[str, Any]] = []
        moved: dict[str, str] = {}
        for fj, i in enumerate(_items(r.get("iki"))):
            target = _target(i.get("target"))
            rencana: list[dict[str, Any]] = []
            ra_moved: dict[str, str] = {}
            for fa, ra in enumerate(_items(i.get("rencana_aksi"))):
                outputs: list[dict[str, Any]] = []
                for fo, o in enumerate(_items(ra.get("output"))):
                    if _blank(o.get("uraian"), o.get("triwulan")):
                        continue
                    ra_moved[f"rencana_aksi[{len(rencana)}].output[{len(outputs)}]"] = \
                        f"rencana_aksi[{fa}].output[{fo}]"
                    outputs.append({"uraian": _text(o.get("uraian")) or "", "triwulan": _text(o.get("triwulan"))})
                if _blank(ra.get("uraian")) and not outputs:
                    continue
                ra_moved[f"rencana_aksi[{len(rencana)}]"] = f"rencana_aksi[{fa}]"
                rencana.append({"uraian": _text(ra.get("uraian")) or "", "output": outputs})
            bulanan, triwulan = _periods(i.get("target_bulanan"), 12), _periods(i.get("target_triwulan"), 4)
            if _blank(i.get("indikator")) and target is None and not rencana and bulanan is None and triwulan is None:
                continue
            iki: dict[str, Any] = {k: v for k, v in _extra(i).items() if k not in IKI_KEYS}
            iki.update(id=_text(i.get("id")) or _new_id("iki", iki_ids), indikator=_text(i.get("indikator")) or "",
                       target=target, target_bulanan=bulanan, target_triwulan=triwulan, rencana_aksi=rencana)
            for k in ("aspek", "polaritas"):
                if _text(i.get(k)):
                    iki[k] = _text(i.get(k))
            moved[f"iki[{len(ikis)}]"] = f"iki[{fj}]"
            moved |= {f"iki[{len(ikis)}].{a}": f"iki[{fj}].{b}" for a, b in ra_moved.items()}
            ikis.append(iki)
        if _blank(r.get("uraian"), r.get("rhk_intervensi_uraian")) and not ikis:
            continue
        rhk: dict[str, Any] = {k: v for k, v in _extra(r).items() if k not in RHK_KEYS}
        rhk.update(id=_text(r.get("id")) or _new_id("rhk", rhk_ids), jenis=_text(r.get("jenis")) or "Utama",
                   uraian=_text(r.get("uraian")) or "", rhk_intervensi_uraian=_text(r.get("rhk_intervensi_uraian")),
                   iki=ikis)
        rows[f"hasil_kerja[{len(hasil)}]"] = f"hasil_kerja[{fi}]"
        rows |= {f"hasil_kerja[{len(hasil)}].{a}": f"hasil_kerja[{fi}].{b}" for a, b in moved.items()}
        hasil.append(rhk)
    out["hasil_kerja"] = hasil

    perilaku = []
    for p in _items(tree.get("perilaku_kerja")):
        if _text(p.get("nilai")):
            perilaku.append({"nilai": _text(p.get("nilai")), "ekspektasi_khusus": _text(p.get("ekspektasi_khusus"))})
    out["perilaku_kerja"] = perilaku
    lampiran = _obj(tree.get("lampiran"))
    out["lampiran"] = {k: _lines(lampiran.get(k)) for k in LAMPIRAN}
    return out, rows


# --- the service's content -> what the form shows ---------------------------------


def _lain(part: Mapping[str, Any], edited: Iterable[str]) -> str:
    rest = {k: v for k, v in part.items() if k not in edited and k != "_lain" and v not in (None, [], {})}
    return json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else ""


def _shown(v: Any) -> str:
    """A number from the service ("12.5") as an Indonesian form shows it ("12,5")."""
    s = "" if v is None else str(v)
    if re.fullmatch(r"-?\d+\.\d+", s):
        s = s.rstrip("0").rstrip(".").replace(".", ",")
    return s


def blank_rhk(jenis: str = "Utama") -> dict[str, Any]:
    return {"id": "", "jenis": jenis, "uraian": "", "rhk_intervensi_uraian": "", "iki": [blank_iki()], "_lain": ""}


def blank_iki() -> dict[str, Any]:
    return {"id": "", "aspek": "Kuantitas", "indikator": "", "polaritas": "higher_is_better",
            "target": {"jenis": "angka", "nilai": "", "minimum": "", "maksimum": "", "deskripsi": "", "satuan": ""},
            "target_bulanan": [""] * 12, "target_triwulan": [""] * 4, "rencana_aksi": [], "_lain": ""}


def blank_rencana_aksi() -> dict[str, Any]:
    return {"uraian": "", "output": [blank_output()]}


def blank_output() -> dict[str, Any]:
    return {"uraian": "", "triwulan": ""}


def new_draft(today: dt.date) -> dict[str, Any]:
    """What the form of a new SKP starts with: this year, one empty RHK Utama, the seven values."""
    return view_of({"periode": {"mulai": f"{today.year}-01-01", "selesai": f"{today.year}-12-31"},
                    "hasil_kerja": [], "perilaku_kerja": []})


def view_of(content: Mapping[str, Any]) -> dict[str, Any]:
    """The form's tree for an SKP content (from the service, or as typed): every
    list padded to what the form shows (12 months, 4 quarters, 7 values),
    numbers with a decimal comma, ``_lain`` filled."""
    periode = _obj(content.get("periode"))
    view: dict[str, Any] = {
        "periode": {"mulai": periode.get("mulai") or "", "selesai": periode.get("selesai") or ""},
        "jenis_pegawai": content.get("jenis_pegawai") or "PNS",
        "jenis_jabatan": content.get("jenis_jabatan") or "pelaksana",
        "pendekatan": content.get("pendekatan") or "kuantitatif",
        "tempat": content.get("tempat") or "",
        "_lain": content.get("_lain") if isinstance(content.get("_lain"), str)
        else _lain({k: v for k, v in content.items() if k not in PEOPLE_KEYS}, TOP_KEYS),
    }
    rhks = []
    for r in _items(content.get("hasil_kerja")):
        ikis = []
        for i in _items(r.get("iki")):
            t = _obj(i.get("target"))
            ikis.append({
                "id": i.get("id") or "", "aspek": i.get("aspek") or "Kuantitas", "indikator": i.get("indikator") or "",
                "polaritas": i.get("polaritas") or "higher_is_better",
                "target": {"jenis": t.get("jenis") or "angka", **{k: _shown(t.get(k)) for k in TARGET_KEYS if k != "jenis"}},
                "target_bulanan": [_shown(x) for x in ((i.get("target_bulanan") or []) + [None] * 12)[:12]],
                "target_triwulan": [_shown(x) for x in ((i.get("target_triwulan") or []) + [None] * 4)[:4]],
                "rencana_aksi": [{"uraian": ra.get("uraian") or "",
                                  "output": [{"uraian": o.get("uraian") or "", "triwulan": o.get("triwulan") or ""}
                                             for o in _items(ra.get("output"))]}
                                 for ra in _items(i.get("rencana_aksi"))],
                "_lain": i.get("_lain") if isinstance(i.get("_lain"), str) else _lain(i, IKI_KEYS),
            })
        rhks.append({"id": r.get("id") or "", "jenis": r.get("jenis") or "Utama", "uraian": r.get("uraian") or "",
                     "rhk_intervensi_uraian": r.get("rhk_intervensi_uraian") or "", "iki": ikis,
                     "_lain": r.get("_lain") if isinstance(r.get("_lain"), str) else _lain(r, RHK_KEYS)})
    if not any(r["jenis"] == "Utama" for r in rhks):
        rhks.append(blank_rhk("Utama"))  # appended: the rows before keep their index (errors name rows by index)
    view["hasil_kerja"] = rhks
    given = {p.get("nilai"): p for p in _items(content.get("perilaku_kerja"))}
    view["perilaku_kerja"] = [{"nilai": n, "ekspektasi_khusus": (given.get(n) or {}).get("ekspektasi_khusus") or ""}
                              for n in BERAKHLAK]
    lampiran = _obj(content.get("lampiran"))
    view["lampiran"] = {k: "\n".join(_lines(lampiran.get(k))) for k in LAMPIRAN}
    return view


# --- rows added and removed without JavaScript ---------------------------------------

#: what the "tambah" buttons add: list path (a pattern) -> the blank row
_ADDABLE = {
    "hasil_kerja": blank_rhk,
    "iki": blank_iki,
    "rencana_aksi": blank_rencana_aksi,
    "output": blank_output,
}


def apply_row_action(view: dict[str, Any], action: str) -> dict[str, Any]:
    """``tambah:<list path>[:jenis]`` adds a blank row to that list; ``hapus:<row path>``
    removes that row. The path is checked against the tree: a bad one changes nothing."""
    verb, _, rest = action.partition(":")
    path, _, jenis = rest.partition(":")
    try:
        parts = split_path(path)
    except ValueError:
        return view
    if verb == "tambah":
        name = parts[-1]
        target = _walk(view, parts)
        if isinstance(name, str) and name in _ADDABLE and isinstance(target, list) and len(target) < _MAX_INDEX:
            row = blank_rhk(jenis if jenis in ("Utama", "Tambahan") else "Utama") if name == "hasil_kerja" \
                else _ADDABLE[name]()
            target.append(row)
    elif verb == "hapus" and isinstance(parts[-1], int):
        target = _walk(view, parts[:-1])
        if isinstance(target, list) and 0 <= parts[-1] < len(target) and isinstance(parts[-2], str) \
                and parts[-2] in _ADDABLE:
            del target[parts[-1]]
    return view


def _walk(node: Any, parts: list[str | int]) -> Any:
    for p in parts:
        if isinstance(p, str) and isinstance(node, dict):
            node = node.get(p)
        elif isinstance(p, int) and isinstance(node, list) and 0 <= p < len(node):
            node = node[p]
        else:
            return None
    return node


# --- errors beside their fields ------------------------------------------------------


def anchors(view: Mapping[str, Any]) -> set[str]:
    """Every name the form shows an error beside: each field, and each part
    (an RHK, an IKI, its target, a list) for the errors about the part as a whole."""
    names = {"periode", "periode.mulai", "periode.selesai", "jenis_pegawai", "jenis_jabatan", "pendekatan", "tempat",
             "hasil_kerja", "perilaku_kerja", "lampiran"}
    names |= {f"lampiran.{k}" for k in LAMPIRAN}
    for n in range(len(BERAKHLAK)):
        names.add(f"perilaku_kerja[{n}].ekspektasi_khusus")
    for i, r in enumerate(_items(view.get("hasil_kerja"))):
        rp = f"hasil_kerja[{i}]"
        names |= {rp, f"{rp}.jenis", f"{rp}.uraian", f"{rp}.rhk_intervensi_uraian", f"{rp}.iki"}
        for j, k in enumerate(_items(r.get("iki"))):
            kp = f"{rp}.iki[{j}]"
            names |= {kp, f"{kp}.aspek", f"{kp}.indikator", f"{kp}.polaritas", f"{kp}.target", f"{kp}.target_bulanan",
                      f"{kp}.target_triwulan", f"{kp}.rencana_aksi"}
            names |= {f"{kp}.target.{t}" for t in TARGET_KEYS}
            names |= {f"{kp}.target_bulanan[{m}]" for m in range(12)}
            names |= {f"{kp}.target_triwulan[{q}]" for q in range(4)}
            for a, ra in enumerate(_items(k.get("rencana_aksi"))):
                ap = f"{kp}.rencana_aksi[{a}]"
                names |= {ap, f"{ap}.uraian", f"{ap}.output"}
                for o in range(len(_items(ra.get("output")))):
                    names |= {f"{ap}.output[{o}].uraian", f"{ap}.output[{o}].triwulan"}
    return names


def field_of(path: str, known: set[str], rows: Mapping[str, str] | None = None) -> str:
    """The form field (or part) an error about ``path`` belongs beside.

    ``path`` as the skp service writes it: ``body.content.hasil_kerja[0].iki[0].target.nilai``
    (a refused PUT), ``body.hasil_kerja[0]...`` (a refused POST) or
    ``hasil_kerja[0]...`` (a validation finding). The nearest enclosing name the
    form shows wins; ``""`` when none does (shown at the top of the form).
    ``rows``: where each row of the content sits in the form (:func:`content_and_rows`)."""
    p = path.strip()
    for prefix in ("body.", "content."):
        p = p.removeprefix(prefix)
    try:
        parts = split_path(p)
    except ValueError:
        return ""
    if rows:
        for n in range(len(parts), 0, -1):
            moved = rows.get(join_path(parts[:n]))
            if moved is not None:
                parts = split_path(moved) + parts[n:]
                break
    while parts:
        name = join_path(parts)
        if name in known:
            return name
        parts = parts[:-1]
    return ""


def errors_beside_fields(errors: Iterable[tuple[str, str]], known: set[str],
                         rows: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """``(path, message)`` pairs -> messages per form name (``""``: the form as a whole), each message once."""
    out: dict[str, list[str]] = {}
    for path, message in errors:
        msgs = out.setdefault(field_of(path, known, rows), [])
        if message not in msgs:
            msgs.append(message)
    return out


#: pydantic's messages (a request the service refused before its own rules ran), as a person reads them
_PYDANTIC = (
    (r"Input should be a valid (decimal|number|integer|float).*", "Harus berupa angka, misalnya 12 atau 12,5."),
    (r"Decimal input should have no more than (\d+) digits?.*", "Angka terlalu panjang."),
    (r"Field required", "Wajib diisi."),
    (r"Input should be a valid date.*", "Harus berupa tanggal yang benar."),
    (r"Input should be (greater|less) than.*", "Angka di luar batas yang diizinkan."),
    (r"Input should be '.*", "Pilih salah satu pilihan yang tersedia."),
    (r"String should have at most (\d+) characters?", "Terlalu panjang (paling banyak {0} karakter)."),
    (r"Value error, (.*)", "{0}"),
)


def pesan(message: str) -> str:
    """A service message as the person reads it: the Indonesian part of the service's own
    ("Nilai target wajib diisi (the target value is required).") and pydantic's in Indonesian."""
    for pattern, text in _PYDANTIC:
        hit = re.fullmatch(pattern, message.strip(), flags=re.S)
        if hit:
            return pesan(text.format(*hit.groups())) if "{0}" in text and pattern.startswith("Value") \
                else text.format(*hit.groups())
    m = re.fullmatch(r"(.*\S)\s*\((?:[a-z][^()]*)\)\.?", message.strip(), flags=re.S)
    if m:
        return m.group(1).rstrip(".") + "."
    return message


# --- the version diff ----------------------------------------------------------------

_LABEL = {
    "hasil_kerja": "RHK", "iki": "IKI", "uraian": "uraian", "indikator": "indikator", "target": "target",
    "nilai": "nilai", "satuan": "satuan", "minimum": "minimum", "maksimum": "maksimum", "deskripsi": "deskripsi",
    "jenis": "jenis", "aspek": "aspek", "polaritas": "polaritas", "target_bulanan": "target bulanan",
    "target_triwulan": "target triwulan", "rencana_aksi": "rencana aksi", "output": "output",
    "perilaku_kerja": "perilaku kerja", "ekspektasi_khusus": "ekspektasi khusus", "lampiran": "lampiran",
    "dukungan_sumber_daya": "dukungan sumber daya", "skema_pertanggungjawaban": "skema pertanggungjawaban",
    "konsekuensi": "konsekuensi", "periode": "periode", "mulai": "mulai", "selesai": "selesai",
    "rhk_intervensi_uraian": "RHK atasan yang diintervensi", "penilai": "pejabat penilai", "pegawai": "pegawai",
    "tempat": "tempat", "nama": "nama", "jabatan": "jabatan",
}


def path_label(path: str) -> str:
    """A diff path (``hasil_kerja[id=rhk-1].iki[id=iki-1].target.nilai``) as a person reads it:
    ``RHK rhk-1 › IKI iki-1 › target › nilai``."""
    out: list[str] = []
    for m in re.finditer(r"([A-Za-z_][A-Za-z0-9_]*)|\[id=([^\]]*)\]|\[(\d+)\]|\[nilai=([^\]]*)\]", path):
        if m.group(1):
            out.append(_LABEL.get(m.group(1), m.group(1).replace("_", " ")))
        elif m.group(2) is not None or m.group(4) is not None:
            out[-1:] = [f"{out[-1]} {m.group(2) or m.group(4)}" if out else (m.group(2) or m.group(4))]
        elif m.group(3) is not None:
            out[-1:] = [f"{out[-1]} ke-{int(m.group(3)) + 1}" if out else m.group(3)]
    return " › ".join(out) or path


def shown_value(v: Any) -> str:
    """A value of a diff as a cell shows it: nothing as ``-``, lists one item per line, objects as key: value."""
    if v is None or v == "" or v == []:
        return "-"
    if isinstance(v, list):
        return "\n".join(shown_value(x) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{_LABEL.get(str(k), str(k))}: {shown_value(x)}" for k, x in v.items() if x not in (None, "", []))
    return _shown(v) if isinstance(v, str) else str(v)


def _per_periode(path: str, v: Any) -> Any:
    """Targets per period as a cell shows them: ``TW IV: 95`` (only the periods with a target)."""
    names: tuple[str, ...] = ()
    if path.endswith("target_triwulan"):
        names = tuple(f"TW {q}" for q in TRIWULAN)
    elif path.endswith("target_bulanan"):
        names = BULAN_PENDEK
    if not names or not isinstance(v, list) or len(v) != len(names):
        return v
    return [f"{n}: {_shown(x)}" for n, x in zip(names, v, strict=True) if x not in (None, "")] or None


def diff_rows(changes: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The service's diff (``changes``: path, kind, before, after) as table rows."""
    rows = []
    for c in changes:
        path = str(c.get("path", ""))
        before = _per_periode(path, c.get("before", c.get("old", c.get("dari"))))
        after = _per_periode(path, c.get("after", c.get("new", c.get("ke"))))
        op = str(c.get("op") or c.get("kind") or c.get("change") or "")
        rows.append({"field": path_label(str(c.get("path", ""))), "path": str(c.get("path", "")),
                     "op": {"added": "ditambah", "add": "ditambah", "removed": "dihapus", "remove": "dihapus",
                            "changed": "diubah", "change": "diubah", "replace": "diubah"}.get(op, op or "diubah"),
                     "before": shown_value(before), "after": shown_value(after)})
    return rows
