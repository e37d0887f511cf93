"""Rules on the Hasil Kerja (RHK and IKI) of an SKP."""

from __future__ import annotations

from ..model import JenisJabatan, Pendekatan, Perspektif, Polaritas, SkpContent
from .findings import Finding, error, warning


def check_rhk_utama(content: SkpContent) -> list[Finding]:
    """At least one RHK Utama: an SKP with only Tambahan is invalid."""
    if content.rhk_utama:
        return []
    return [error("rhk-utama-required", "hasil_kerja",
                  "SKP harus memiliki minimal satu RHK Utama (at least one RHK Utama is required).")]


def check_uraian(content: SkpContent) -> list[Finding]:
    """Every RHK and IKI has its text."""
    out = []
    for i, rhk in enumerate(content.hasil_kerja):
        if not rhk.uraian.strip():
            out.append(error("rhk-uraian-required", f"hasil_kerja[{i}].uraian",
                             "Uraian Rencana Hasil Kerja wajib diisi (the RHK text is required)."))
    for i, j, _, iki in content.iter_iki():
        if not iki.indikator.strip():
            out.append(error("iki-indikator-required", f"hasil_kerja[{i}].iki[{j}].indikator",
                             "Teks Indikator Kinerja Individu wajib diisi (the IKI text is required)."))
    return out


def check_ids_unique(content: SkpContent) -> list[Finding]:
    """RHK ids and IKI ids are unique within the SKP (they key versions, diffs and evaluation)."""
    out = []
    seen_rhk: set[str] = set()
    seen_iki: set[str] = set()
    for i, rhk in enumerate(content.hasil_kerja):
        if rhk.id in seen_rhk:
            out.append(error("rhk-id-unique", f"hasil_kerja[{i}].id",
                             f"Id RHK '{rhk.id}' dipakai lebih dari sekali (RHK ids must be unique)."))
        seen_rhk.add(rhk.id)
        for j, iki in enumerate(rhk.iki):
            if iki.id in seen_iki:
                out.append(error("iki-id-unique", f"hasil_kerja[{i}].iki[{j}].id",
                                 f"Id IKI '{iki.id}' dipakai lebih dari sekali (IKI ids must be unique)."))
            seen_iki.add(iki.id)
    return out


def check_iki_and_target(content: SkpContent) -> list[Finding]:
    """Every RHK has at least one IKI; every IKI has a complete target."""
    out = []
    for i, rhk in enumerate(content.hasil_kerja):
        if not rhk.iki:
            out.append(error("iki-required", f"hasil_kerja[{i}].iki",
                             f"RHK '{rhk.uraian[:80]}' belum memiliki IKI (every RHK needs at least one IKI)."))
    for i, j, _, iki in content.iter_iki():
        path = f"hasil_kerja[{i}].iki[{j}].target"
        t = iki.target
        if t is None:
            out.append(error("target-required", path,
                             f"IKI '{iki.indikator[:80]}' belum memiliki target (every IKI needs a target)."))
            continue
        if t.jenis == "angka" and t.nilai is None:
            out.append(error("target-required", f"{path}.nilai", "Nilai target wajib diisi (the target value is required)."))
        elif t.jenis == "rentang":
            if t.minimum is None or t.maksimum is None:
                out.append(error("target-required", path,
                                 "Target rentang perlu batas bawah dan batas atas (a range needs both bounds)."))
            elif t.minimum > t.maksimum:
                out.append(error("target-range-order", f"{path}.minimum",
                                 f"Batas bawah {t.minimum} melebihi batas atas {t.maksimum} (range bounds reversed)."))
        elif t.jenis == "deskriptif":
            if not (t.deskripsi or "").strip():
                out.append(error("target-required", f"{path}.deskripsi",
                                 "Target deskriptif wajib berisi uraian (a descriptive target needs its text)."))
            elif content.pendekatan == Pendekatan.kuantitatif:
                out.append(error("target-kuantitatif", f"{path}.jenis",
                                 "Pendekatan kuantitatif memerlukan target berupa angka atau rentang "
                                 "(the kuantitatif approach needs a numeric or range target)."))
        if t.jenis in ("angka", "rentang") and not (t.satuan or "").strip():
            out.append(error("target-satuan-required", f"{path}.satuan",
                             "Satuan target wajib diisi, mis. Laporan, %, Dokumen (the target needs its unit)."))
        if t.jenis != "angka" or t.nilai is None or t.nilai >= 0:
            pass
        else:
            out.append(error("target-negative", f"{path}.nilai", "Target tidak boleh negatif (a target cannot be negative)."))
        if iki.polaritas == Polaritas.range and t.jenis != "rentang":
            out.append(error("polaritas-range-target", f"hasil_kerja[{i}].iki[{j}].polaritas",
                             "Polaritas 'range' memerlukan target rentang (polarity range needs a range target)."))
    return out


def check_jpt_perspektif(content: SkpContent) -> list[Finding]:
    """JPT: every IKI names its perspektif and the Anggaran perspective appears
    at least once. Other positions carry no perspektif."""
    out = []
    if content.jenis_jabatan != JenisJabatan.JPT:
        for i, j, _, iki in content.iter_iki():
            if iki.perspektif is not None:
                out.append(warning("perspektif-non-jpt", f"hasil_kerja[{i}].iki[{j}].perspektif",
                                   "Perspektif hanya dipakai pada SKP JPT; isian ini diabaikan "
                                   "(perspektif applies to JPT only)."))
        return out
    for i, j, _, iki in content.iter_iki():
        if iki.perspektif is None:
            out.append(error("jpt-perspektif-required", f"hasil_kerja[{i}].iki[{j}].perspektif",
                             "IKI pada SKP JPT wajib mencantumkan perspektif (every JPT indicator needs a perspektif)."))
    if not any(iki.perspektif == Perspektif.anggaran for *_, iki in content.iter_iki()):
        out.append(error("jpt-perspektif-anggaran", "hasil_kerja",
                         "SKP JPT wajib memuat minimal satu IKI dengan perspektif Anggaran "
                         "(every JPT SKP needs the Anggaran perspective)."))
    return out


def check_intervensi_present(content: SkpContent) -> list[Finding]:
    """JA/JF: each RHK names the superior's RHK it intervenes (a warning: the
    superior's SKP may not be written yet)."""
    if content.jenis_jabatan == JenisJabatan.JPT:
        return []
    return [
        warning("rhk-intervensi-missing", f"hasil_kerja[{i}].rhk_intervensi_uraian",
                f"RHK '{rhk.uraian[:60]}' belum mencantumkan RHK pimpinan yang diintervensi "
                "(the superior's RHK this one supports is not named).")
        for i, rhk in enumerate(content.hasil_kerja)
        if not rhk.rhk_intervensi_id and not (rhk.rhk_intervensi_uraian or "").strip()
    ]
