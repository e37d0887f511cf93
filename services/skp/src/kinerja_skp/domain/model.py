"""The SKP document (Sasaran Kinerja Pegawai) as docs/skp.md describes it.

Pure data with no I/O. Field names keep the Indonesian terms of the official
form; docstrings explain them in English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from kinerja_contracts.values import JenisPegawai, Pegawai, Periode
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator


def format_angka(value: Decimal | None) -> str:
    """A number as Indonesian forms print it: no trailing zeros, decimal comma ("12,5")."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f").replace(".", ",")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


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


class Polaritas(StrEnum):
    """How realisasi compares to target when capaian is computed."""

    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"
    range = "range"


class Target(_Model):
    """An IKI target: a number, a range ("80 - 90 %") or a descriptive text
    (kualitatif), with its unit (satuan), e.g. 12 Laporan."""

    jenis: Literal["angka", "rentang", "deskriptif"] = Field(
        default="angka", description="angka (a number), rentang (a range), deskriptif (descriptive, kualitatif)"
    )
    nilai: Decimal | None = Field(default=None, description="the number, for jenis=angka")
    minimum: Decimal | None = Field(default=None, description="lower bound, for jenis=rentang")
    maksimum: Decimal | None = Field(default=None, description="upper bound, for jenis=rentang")
    deskripsi: str | None = Field(default=None, description="descriptive target, for jenis=deskriptif")
    satuan: str | None = Field(default=None, description="unit, e.g. Laporan, %, Dokumen")

    def teks(self) -> str:
        """The target as the SKP form prints it: "12 Laporan", "80 - 90 %", or the description."""
        if self.jenis == "deskriptif":
            body = self.deskripsi or ""
        elif self.jenis == "rentang":
            body = f"{format_angka(self.minimum)} - {format_angka(self.maksimum)}"
        else:
            body = format_angka(self.nilai)
        return " ".join(x for x in (body, self.jenis != "deskriptif" and self.satuan or None) if x)

    def acuan(self) -> Decimal | None:
        """The number that stands for the target in comparisons: the value, or a range's upper bound."""
        if self.jenis == "angka":
            return self.nilai
        if self.jenis == "rentang":
            return self.maksimum
        return None


class Triwulan(StrEnum):
    """Quarter (TW I-IV)."""

    I = "I"  # noqa: E741 (the Roman numeral of the first quarter)
    II = "II"
    III = "III"
    IV = "IV"


class OutputRencanaAksi(_Model):
    """One output of a rencana aksi, placed in a quarter."""

    uraian: str
    triwulan: Triwulan


class RencanaAksi(_Model):
    """Key steps toward an IKI, with outputs placed in quarters."""

    uraian: str
    output: list[OutputRencanaAksi] = Field(default_factory=list)


class Iki(_Model):
    """Indikator Kinerja Individu: the indicator that measures an RHK."""

    id: str = Field(description="stable id within the SKP, e.g. 'iki-1'")
    aspek: Aspek = Aspek.Kuantitas
    indikator: str
    target: Target | None = None
    polaritas: Polaritas = Polaritas.higher_is_better
    perspektif: Perspektif | None = Field(default=None, description="JPT only")
    target_bulanan: list[Decimal | None] | None = Field(
        default=None, min_length=12, max_length=12, description="12 monthly targets (Jan..Des); null for a month without one"
    )
    target_triwulan: list[Decimal | None] | None = Field(
        default=None, min_length=4, max_length=4, description="4 quarterly targets (TW I..IV)"
    )
    triwulan_target: Triwulan | None = Field(default=None, description="quarter in which the target falls (rencana aksi rule)")
    rencana_aksi: list[RencanaAksi] = Field(default_factory=list)


class Rhk(_Model):
    """Rencana Hasil Kerja: a planned result, with its indicators."""

    id: str = Field(description="stable id within the SKP, e.g. 'rhk-1'")
    jenis: JenisRhk = JenisRhk.Utama
    uraian: str
    rhk_intervensi_id: str | None = Field(
        default=None, description="id of the superior's RHK this one supports (cascading)"
    )
    rhk_intervensi_uraian: str | None = Field(default=None, description="text of that superior RHK")
    iki: list[Iki] = Field(default_factory=list)


class NilaiBerakhlak(StrEnum):
    """The seven BerAKHLAK core values (perilaku kerja)."""

    berorientasi_pelayanan = "Berorientasi Pelayanan"
    akuntabel = "Akuntabel"
    kompeten = "Kompeten"
    harmonis = "Harmonis"
    loyal = "Loyal"
    adaptif = "Adaptif"
    kolaboratif = "Kolaboratif"


#: The fixed guidance lines of each BerAKHLAK value (PermenPANRB 6/2022,
#: format SKP); printed under the value on every SKP.
PANDUAN_BERAKHLAK: dict[NilaiBerakhlak, tuple[str, ...]] = {
    NilaiBerakhlak.berorientasi_pelayanan: (
        "Memahami dan memenuhi kebutuhan masyarakat",
        "Ramah, cekatan, solutif, dan dapat diandalkan",
        "Melakukan perbaikan tiada henti",
    ),
    NilaiBerakhlak.akuntabel: (
        "Melaksanakan tugas dengan jujur, bertanggung jawab, cermat, disiplin, dan berintegritas tinggi",
        "Menggunakan kekayaan dan barang milik negara secara bertanggung jawab, efektif, dan efisien",
        "Tidak menyalahgunakan kewenangan jabatan",
    ),
    NilaiBerakhlak.kompeten: (
        "Meningkatkan kompetensi diri untuk menjawab tantangan yang selalu berubah",
        "Membantu orang lain belajar",
        "Melaksanakan tugas dengan kualitas terbaik",
    ),
    NilaiBerakhlak.harmonis: (
        "Menghargai setiap orang apapun latar belakangnya",
        "Suka menolong orang lain",
        "Membangun lingkungan kerja yang kondusif",
    ),
    NilaiBerakhlak.loyal: (
        (
            "Memegang teguh ideologi Pancasila, Undang-Undang Dasar Negara Republik Indonesia Tahun 1945, "
            "setia pada NKRI serta pemerintahan yang sah"
        ),
        "Menjaga nama baik sesama ASN, Pimpinan, Instansi, dan Negara",
        "Menjaga rahasia jabatan dan negara",
    ),
    NilaiBerakhlak.adaptif: (
        "Cepat menyesuaikan diri menghadapi perubahan",
        "Terus berinovasi dan mengembangkan kreativitas",
        "Bertindak proaktif",
    ),
    NilaiBerakhlak.kolaboratif: (
        "Memberi kesempatan kepada berbagai pihak untuk berkontribusi",
        "Terbuka dalam bekerja sama untuk menghasilkan nilai tambah",
        "Menggerakkan pemanfaatan berbagai sumberdaya untuk tujuan bersama",
    ),
}


class PerilakuKerja(_Model):
    """One BerAKHLAK value with the superior's special expectation.

    The three guidance lines are fixed (:data:`PANDUAN_BERAKHLAK`) and are not
    stored; only the optional "Ekspektasi Khusus Pimpinan" is.
    """

    nilai: NilaiBerakhlak
    ekspektasi_khusus: str | None = Field(default=None, description="Ekspektasi Khusus Pimpinan")

    @property
    def panduan(self) -> tuple[str, ...]:
        return PANDUAN_BERAKHLAK[self.nilai]


class Lampiran(_Model):
    """Attachment of the SKP."""

    dukungan_sumber_daya: list[str] = Field(default_factory=list)
    skema_pertanggungjawaban: list[str] = Field(default_factory=list)
    konsekuensi: list[str] = Field(default_factory=list)


class SkpContent(_Model):
    """Everything a pegawai (or a portal) writes into an SKP."""

    periode: Periode
    jenis_pegawai: JenisPegawai = JenisPegawai.PNS
    jenis_jabatan: JenisJabatan = JenisJabatan.pelaksana
    pendekatan: Pendekatan = Pendekatan.kuantitatif
    pegawai: Pegawai = Field(description="pegawai yang dinilai (snapshot)")
    penilai: Pegawai = Field(description="pejabat penilai kinerja (snapshot)")
    #: SKPs stored before the rename (issue 13) say ``atasan_penilai``: still read
    atasan_pejabat_penilai: Pegawai | None = Field(
        default=None, description="atasan pejabat penilai kinerja (snapshot)",
        validation_alias=AliasChoices("atasan_pejabat_penilai", "atasan_penilai"),
    )
    tanggal_sk: dt.date | None = Field(default=None, description="date of the appointment decree (SK), if mid-year")
    tempat: str | None = Field(default=None, description="place written above the signatures, e.g. Jakarta")
    hasil_kerja: list[Rhk] = Field(default_factory=list)
    perilaku_kerja: list[PerilakuKerja] = Field(
        default_factory=list,
        description="the seven BerAKHLAK values; missing ones are added in their fixed order, without ekspektasi khusus",
    )
    lampiran: Lampiran = Field(default_factory=Lampiran)

    @model_validator(mode="after")
    def _seven_values(self) -> SkpContent:
        """Every SKP carries all seven BerAKHLAK values, once each, in the fixed order."""
        given: dict[NilaiBerakhlak, PerilakuKerja] = {}
        for p in self.perilaku_kerja:
            if p.nilai in given:
                raise ValueError(f"nilai perilaku kerja '{p.nilai}' tercantum dua kali (a BerAKHLAK value appears twice)")
            given[p.nilai] = p
        self.perilaku_kerja = [given.get(n) or PerilakuKerja(nilai=n) for n in NilaiBerakhlak]
        return self

    @property
    def rhk_utama(self) -> list[Rhk]:
        return [r for r in self.hasil_kerja if r.jenis == JenisRhk.Utama]

    def iter_iki(self) -> Iterator[tuple[int, int, Rhk, Iki]]:
        """(rhk index, iki index, rhk, iki) for every IKI."""
        for i, rhk in enumerate(self.hasil_kerja):
            for j, iki in enumerate(rhk.iki):
                yield i, j, rhk, iki
