"""The SKP document (Sasaran Kinerja Pegawai) as docs/skp.md describes it.

Pure data with no I/O. The fields and enums are the wire contract
(:mod:`kinerja_contracts.skp`, the typed snapshot every event carries); the
classes here extend them with the rules of the skp service: input is strict
(an unknown field is refused, where the wire ignores it), the seven BerAKHLAK
values are filled in, and targets print as the form prints them. An
``SkpContent`` is an ``SkpSnapshot``: it goes into the events as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from kinerja_contracts import skp as wire
from kinerja_contracts.skp import (
    Aspek,
    JenisJabatan,
    JenisRhk,
    NilaiBerakhlak,
    Pendekatan,
    Perspektif,
    Polaritas,
    Triwulan,
)
from kinerja_contracts.values import Pegawai, TeksPendek
from pydantic import AliasChoices, ConfigDict, Field, model_validator

__all__ = [
    "Aspek", "JenisJabatan", "JenisRhk", "NilaiBerakhlak", "Pendekatan", "Perspektif", "Polaritas", "Triwulan",
    "Target", "OutputRencanaAksi", "RencanaAksi", "Iki", "Rhk", "PerilakuKerja", "Lampiran", "SkpContent",
    "PANDUAN_BERAKHLAK", "format_angka", "OrangIn", "SkpDraft",
]

#: input is strict: a misspelt field is an error, never silently dropped
_STRICT = ConfigDict(extra="forbid", use_enum_values=False)

# Each class below narrows the fields that hold nested parts to this module's
# strict classes, so strictness reaches every level. The type checker sees a
# list of a subclass replacing a list of the base (lists are invariant), hence
# the ``type: ignore[assignment]`` on those lines; pydantic validates them as
# declared here.


def format_angka(value: Decimal | None) -> str:
    """A number as Indonesian forms print it: no trailing zeros, decimal comma ("12,5")."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f").replace(".", ",")


class Target(wire.Target):
    """An IKI target: a number, a range ("80 - 90 %") or a descriptive text
    (kualitatif), with its unit (satuan), e.g. 12 Laporan."""

    model_config = _STRICT

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


class OutputRencanaAksi(wire.OutputRencanaAksi):
    """One output of a rencana aksi, placed in a quarter."""

    model_config = _STRICT


class RencanaAksi(wire.RencanaAksi):
    """Key steps toward an IKI, with outputs placed in quarters."""

    model_config = _STRICT
    output: list[OutputRencanaAksi] = Field(default_factory=list)  # type: ignore[assignment]


class Iki(wire.Iki):
    """Indikator Kinerja Individu: the indicator that measures an RHK."""

    model_config = _STRICT
    target: Target | None = None
    rencana_aksi: list[RencanaAksi] = Field(default_factory=list)  # type: ignore[assignment]


class Rhk(wire.Rhk):
    """Rencana Hasil Kerja: a planned result, with its indicators."""

    model_config = _STRICT
    iki: list[Iki] = Field(default_factory=list)  # type: ignore[assignment]


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


class PerilakuKerja(wire.PerilakuKerja):
    """One BerAKHLAK value with the superior's special expectation.

    The three guidance lines are fixed (:data:`PANDUAN_BERAKHLAK`) and are not
    stored; only the optional "Ekspektasi Khusus Pimpinan" is.
    """

    model_config = _STRICT

    @property
    def panduan(self) -> tuple[str, ...]:
        return PANDUAN_BERAKHLAK[self.nilai]


class Lampiran(wire.Lampiran):
    """Attachment of the SKP."""

    model_config = _STRICT


class SkpContent(wire.SkpSnapshot):
    """Everything a pegawai (or a portal) writes into an SKP."""

    model_config = _STRICT
    hasil_kerja: list[Rhk] = Field(default_factory=list)  # type: ignore[assignment]
    perilaku_kerja: list[PerilakuKerja] = Field(  # type: ignore[assignment]
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

    def iter_iki(self) -> Iterator[tuple[int, int, Rhk, Iki]]:
        """(rhk index, iki index, rhk, iki) for every IKI."""
        for i, rhk in enumerate(self.hasil_kerja):
            for j, iki in enumerate(rhk.iki):
                yield i, j, rhk, iki

    @property
    def rhk_utama(self) -> list[Rhk]:
        return [r for r in self.hasil_kerja if r.jenis == JenisRhk.Utama]


class OrangIn(Pegawai):
    """An identity block as a client may send it: only the NIP counts. The
    service fills the block from the directory; nama, e-mail and the rest
    the client sends are not kept."""

    nama: TeksPendek | None = None  # type: ignore[assignment]


class SkpDraft(SkpContent):
    """What a client writes: an SKP whose identity blocks may be left out.

    The service fills ``pegawai``, ``penilai`` and ``atasan_pejabat_penilai``
    from the directory (:mod:`.people`); a block that is sent must name the
    directory's person (by NIP)."""

    pegawai: OrangIn | None = Field(  # type: ignore[assignment]
        default=None, description="pegawai yang dinilai: filled from the directory (a portal or admin sends `nip`)")
    penilai: OrangIn | None = Field(  # type: ignore[assignment]
        default=None, description="pejabat penilai: filled from the directory; if sent, its `nip` must be the directory's")
    atasan_pejabat_penilai: OrangIn | None = Field(
        default=None, description="atasan pejabat penilai: filled from the directory; if sent, its `nip` must match",
        validation_alias=AliasChoices("atasan_pejabat_penilai", "atasan_penilai"),
    )

    def with_people(self, pegawai: Pegawai, penilai: Pegawai, atasan_pejabat_penilai: Pegawai | None) -> SkpContent:
        """The SKP with the directory's identity blocks."""
        data = {name: getattr(self, name) for name in SkpContent.model_fields}
        data.update(pegawai=pegawai, penilai=penilai, atasan_pejabat_penilai=atasan_pejabat_penilai)
        return SkpContent.model_validate(data)
