"""The SKP document (Sasaran Kinerja Pegawai) on the wire: the typed snapshot.

``SkpSubmitted``/``SkpResubmitted`` and ``ApprovalApproved`` carry the whole
document as :class:`SkpSnapshot`. The skp service owns the document (its
domain model extends these classes with its rules and refuses unknown fields
on input); every other service reads it through these types, as a tolerant
reader: fields it does not know are ignored. Field names keep the Indonesian
terms of the official form; docstrings explain them in English.

Numbers (targets) are decimals and travel as JSON strings (``"12.5"``), as
pydantic writes :class:`~decimal.Decimal`. Every part carries the bounds of
:mod:`.values`: numbers as :data:`~.values.Angka`, dates in the window
(:data:`~.values.Tanggal`), texts without control characters and at most
``TEKS_MAX`` characters (:func:`~.values.check_texts`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import AliasChoices, Field, ValidationInfo, field_validator

from .targets import Polaritas, SifatTarget, TargetPerPeriode
from .values import Angka, JenisPegawai, Pegawai, Periode, Tanggal, WireModel, check_texts, is_stored

__all__ = [
    "JenisJabatan",
    "Pendekatan",
    "JenisRhk",
    "Aspek",
    "Perspektif",
    "Polaritas",
    "SifatTarget",
    "TargetPerPeriode",
    "Triwulan",
    "NilaiBerakhlak",
    "Target",
    "OutputRencanaAksi",
    "RencanaAksi",
    "Iki",
    "Rhk",
    "PerilakuKerja",
    "Lampiran",
    "SkpSnapshot",
]


class JenisJabatan(StrEnum):
    """Kind of position: JPT (senior leader), administrator, pengawas,
    pelaksana (the three JA kinds), fungsional (JF)."""

    JPT = "JPT"
    administrator = "administrator"
    pengawas = "pengawas"
    pelaksana = "pelaksana"
    fungsional = "fungsional"


class Pendekatan(StrEnum):
    """Approach: kuantitatif (measurable targets) or kualitatif (descriptive)."""

    kuantitatif = "kuantitatif"
    kualitatif = "kualitatif"


class JenisRhk(StrEnum):
    """RHK priority: Utama (section A) or Tambahan (section B)."""

    Utama = "Utama"
    Tambahan = "Tambahan"


class Aspek(StrEnum):
    """What an IKI measures."""

    Kuantitas = "Kuantitas"
    Kualitas = "Kualitas"
    Waktu = "Waktu"
    Biaya = "Biaya"


class Perspektif(StrEnum):
    """Balanced-scorecard perspective of a JPT indicator."""

    penerima_layanan = "Penerima Layanan"
    proses_bisnis = "Proses Bisnis"
    penguatan_internal = "Penguatan Internal"
    anggaran = "Anggaran"


class Triwulan(StrEnum):
    """Quarter (TW I-IV)."""

    I = "I"  # noqa: E741 (the quarter's Roman numeral)
    II = "II"
    III = "III"
    IV = "IV"


class NilaiBerakhlak(StrEnum):
    """The seven BerAKHLAK core values (perilaku kerja), in their fixed order."""

    berorientasi_pelayanan = "Berorientasi Pelayanan"
    akuntabel = "Akuntabel"
    kompeten = "Kompeten"
    harmonis = "Harmonis"
    loyal = "Loyal"
    adaptif = "Adaptif"
    kolaboratif = "Kolaboratif"


class _Part(WireModel):
    """A part of the SKP: every text in it is bounded (no control character
    but tab and line breaks, at most ``TEKS_MAX`` characters)."""

    @field_validator("*", mode="after")
    @classmethod
    def _bounded_text(cls, value: object, info: ValidationInfo) -> object:
        return value if is_stored(info) else check_texts(value)


class Target(_Part):
    """An IKI target: a number, a range ("80 - 90 %") or a descriptive text
    (kualitatif), with its unit (satuan), e.g. 12 Laporan."""

    jenis: Literal["angka", "rentang", "deskriptif"] = Field(
        default="angka", description="angka (a number), rentang (a range), deskriptif (descriptive, kualitatif)"
    )
    nilai: Angka | None = Field(default=None, description="the number, for jenis=angka")
    minimum: Angka | None = Field(default=None, description="lower bound, for jenis=rentang")
    maksimum: Angka | None = Field(default=None, description="upper bound, for jenis=rentang")
    deskripsi: str | None = Field(default=None, description="descriptive target, for jenis=deskriptif")
    satuan: str | None = Field(default=None, description="unit, e.g. Laporan, %, Dokumen")


class OutputRencanaAksi(_Part):
    """One output of a rencana aksi, placed in a quarter."""

    uraian: str
    triwulan: Triwulan


class RencanaAksi(_Part):
    """Key steps toward an IKI, with outputs placed in quarters."""

    uraian: str
    output: list[OutputRencanaAksi] = Field(default_factory=list)


class Iki(_Part):
    """Indikator Kinerja Individu: the indicator that measures an RHK."""

    id: str = Field(description="stable id within the SKP, e.g. 'iki-1'")
    aspek: Aspek = Aspek.Kuantitas
    indikator: str
    target: Target | None = None
    polaritas: Polaritas = Polaritas.higher_is_better
    perspektif: Perspektif | None = Field(default=None, description="JPT only")
    target_bulanan: list[Angka | None] | None = Field(
        default=None, min_length=12, max_length=12, description="12 monthly targets (Jan..Des); null for a month without one"
    )
    target_triwulan: list[Angka | None] | None = Field(
        default=None, min_length=4, max_length=4, description="4 quarterly targets (TW I..IV)"
    )
    target_periode: TargetPerPeriode | None = Field(
        default=None, description="per-period targets as typed (win over target_bulanan/target_triwulan): each a number, "
        "a range '80 - 100', 'N/A' (not measured that period) or an object with its own polaritas")
    sifat_target: SifatTarget | None = Field(
        default=None, description="jumlah (a count, split over periods), tingkat (a level, holds), waktu or biaya; "
        "when absent it is derived from satuan by the shared table (kinerja_contracts.targets)")
    triwulan_target: Triwulan | None = Field(default=None, description="quarter in which the target falls (rencana aksi rule)")
    rencana_aksi: list[RencanaAksi] = Field(default_factory=list)


class Rhk(_Part):
    """Rencana Hasil Kerja: a planned result, with its indicators."""

    id: str = Field(description="stable id within the SKP, e.g. 'rhk-1'")
    jenis: JenisRhk = JenisRhk.Utama
    uraian: str
    rhk_intervensi_id: str | None = Field(
        default=None, description="id of the superior's RHK this one supports (cascading)"
    )
    rhk_intervensi_uraian: str | None = Field(default=None, description="text of that superior RHK")
    iki: list[Iki] = Field(default_factory=list)


class PerilakuKerja(_Part):
    """One BerAKHLAK value with the superior's special expectation (the fixed
    guidance lines of each value are printed, not sent)."""

    nilai: NilaiBerakhlak
    ekspektasi_khusus: str | None = Field(default=None, description="Ekspektasi Khusus Pimpinan")


class Lampiran(_Part):
    """Attachment of the SKP."""

    dukungan_sumber_daya: list[str] = Field(default_factory=list)
    skema_pertanggungjawaban: list[str] = Field(default_factory=list)
    konsekuensi: list[str] = Field(default_factory=list)


class SkpSnapshot(_Part):
    """The whole SKP document at one version: identity blocks, RHK utama and
    tambahan with their IKI (aspek, target, satuan, polaritas, per-period
    targets, rencana aksi), perilaku kerja and lampiran."""

    periode: Periode
    jenis_pegawai: JenisPegawai = JenisPegawai.PNS
    jenis_jabatan: JenisJabatan = JenisJabatan.pelaksana
    pendekatan: Pendekatan = Pendekatan.kuantitatif
    pegawai: Pegawai = Field(description="pegawai yang dinilai (snapshot)")
    penilai: Pegawai = Field(description="pejabat penilai kinerja (snapshot)")
    #: called ``atasan_penilai`` before schema_version 2 (events and stored SKPs): still read
    atasan_pejabat_penilai: Pegawai | None = Field(
        default=None, description="atasan pejabat penilai kinerja (snapshot)",
        validation_alias=AliasChoices("atasan_pejabat_penilai", "atasan_penilai"),
    )
    tanggal_sk: Tanggal | None = Field(default=None, description="date of the appointment decree (SK), if mid-year")
    tanggal_terima_sk: Tanggal | None = Field(
        default=None, description="date the pegawai received the SK; the 10-day deadline runs from it (DKI 2026)")
    tempat: str | None = Field(default=None, description="place written above the signatures, e.g. Jakarta")
    hasil_kerja: list[Rhk] = Field(default_factory=list)
    perilaku_kerja: list[PerilakuKerja] = Field(
        default_factory=list, description="the seven BerAKHLAK values in their fixed order"
    )
    lampiran: Lampiran = Field(default_factory=Lampiran)
