"""Who an SKP names: the pegawai, the pejabat penilai and the atasan pejabat
penilai, taken from the directory, never from the client.

The directory (services/directory, docs/directory.md) is the one source of
who a person is, their e-mail and who appraises them (DESIGN.md "Trust";
docs/security.md, "Who says who appraises whom"). The SKP's three identity
blocks are a snapshot of the directory's records, for printing; the client
may leave them out, and when it sends them they must name the same people.

Rules (pure; the service layer reads the directory and calls them):

- the chain is read on :func:`tanggal_rantai`: today (Asia/Jakarta) clamped
  into the SKP's periode (a local choice: a draft for a past period takes the
  superior who held office at its end, one for a future period the superior
  at its start, one for the running period today's);
- the pegawai must be an active person of the directory on that date, of the
  token's instansi when the token is limited to one; otherwise the answer is
  ``pegawai-not-in-directory`` (the same for an unknown person and for one of
  another instansi: no existence oracle);
- the pejabat penilai is the directory's (``atasan_id``), or the one an admin
  of the pegawai's instansi set on this SKP (:class:`PenilaiOverride`); a
  client that names someone else gets ``penilai-mismatch``; a pegawai with no
  (active, same-instansi) superior gets ``penilai-not-in-directory``;
- the atasan pejabat penilai is the penilai's own superior; naming another
  gets ``atasan-pejabat-penilai-mismatch``;
- every snapshot field (nama, e-mail, pangkat, jabatan, unit, instansi) is
  the directory's: what the client sent is not kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kinerja_contracts.directory import RantaiPenilai, as_pegawai
from kinerja_contracts.events.types import DirectoryRecord
from kinerja_contracts.values import Pegawai, Periode


class PeopleRefused(Exception):
    """A draft whose people the directory does not confirm (HTTP 422)."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Named:
    """The NIPs the client wrote into the identity blocks (None: left out)."""

    penilai: str | None = None
    atasan_pejabat_penilai: str | None = None


@dataclass(frozen=True)
class PenilaiOverride:
    """Another pejabat penilai set by an admin of the pegawai's instansi:
    the person as the directory holds them on the date, and their own
    superior (the atasan pejabat penilai then)."""

    nip: str
    penilai: DirectoryRecord | None
    atasan_penilai: DirectoryRecord | None


@dataclass(frozen=True)
class People:
    pegawai: Pegawai
    penilai: Pegawai
    atasan_pejabat_penilai: Pegawai | None


def tanggal_rantai(periode: Periode, today: dt.date) -> dt.date:
    """The date the chain of appraisal is read on: today clamped into the periode."""
    return min(max(today, periode.mulai), periode.selesai)


def pegawai_refused(nip: str, tanggal: dt.date) -> PeopleRefused:
    return PeopleRefused(
        "pegawai-not-in-directory", "pegawai.nip",
        f"NIP {nip} tidak tercatat sebagai pegawai aktif instansi Anda di direktori kepegawaian pada "
        f"{tanggal.isoformat()}; minta admin kepegawaian instansi Anda memperbarui direktori (NIP {nip} is not an "
        "active person of your instansi in the directory on that date; the admin of your instansi updates it).")


def ensure_override_candidate(nip: str, record: DirectoryRecord | None, pegawai: DirectoryRecord,
                              tanggal: dt.date) -> None:
    """An admin may name as penilai only an active person with a NIP of the
    pegawai's own instansi, other than the pegawai."""
    if (record is None or not record.aktif or record.instansi != pegawai.instansi or record.nip is None
            or record.person_id == pegawai.person_id):
        raise PeopleRefused(
            "penilai-override-invalid", "nip",
            f"NIP {nip} bukan pegawai aktif ber-NIP di instansi {pegawai.instansi} pada {tanggal.isoformat()} menurut "
            "direktori, atau sama dengan pegawai yang dinilai (the penilai an admin sets must be an active person with a "
            "NIP of the pegawai's instansi in the directory, other than the pegawai).")


def _penilai(rantai: RantaiPenilai, override: PenilaiOverride | None) -> tuple[DirectoryRecord, DirectoryRecord | None]:
    if override is not None:
        if override.penilai is None or not override.penilai.aktif or override.penilai.instansi != rantai.pegawai.instansi:
            raise PeopleRefused(
                "penilai-not-in-directory", "penilai",
                f"Pejabat penilai yang ditetapkan admin (NIP {override.nip}) tidak lagi aktif di instansi ini menurut "
                f"direktori pada {rantai.tanggal.isoformat()}; admin perlu menetapkan ulang (the penilai an admin set is "
                "no longer an active person of this instansi; the admin sets another or clears it).")
        return override.penilai, override.atasan_penilai
    if rantai.penilai is None:
        why = (f"atasan tercatat ({rantai.penilai_id}) tidak aktif atau bukan dari instansi yang sama"
               if rantai.penilai_id else "tidak ada atasan langsung yang tercatat")
        raise PeopleRefused(
            "penilai-not-in-directory", "penilai",
            f"Direktori kepegawaian tidak mencatat pejabat penilai untuk NIP {rantai.pegawai.person_id} pada "
            f"{rantai.tanggal.isoformat()}: {why}. Minta admin kepegawaian instansi Anda memperbaikinya (the directory "
            "holds no active pejabat penilai of this instansi for the pegawai on that date; the admin of the instansi "
            "fixes the directory).")
    return rantai.penilai, rantai.atasan_penilai


def people_of(rantai: RantaiPenilai | None, pegawai_nip: str, tanggal: dt.date, *, scope: str | None,
              named: Named, override: PenilaiOverride | None = None) -> People:
    """The identity blocks of an SKP of ``pegawai_nip`` from the directory's
    chain on ``tanggal`` (``scope``: the only instansi the caller may act in,
    None for any). Raises :class:`PeopleRefused`."""
    if rantai is None or not rantai.pegawai.aktif or (scope is not None and rantai.pegawai.instansi != scope):
        raise pegawai_refused(pegawai_nip, tanggal)
    pegawai = as_pegawai(rantai.pegawai)
    if pegawai is None:  # pragma: no cover - an SKP's pegawai is looked up by NIP
        raise pegawai_refused(pegawai_nip, tanggal)
    penilai_rec, atasan_rec = _penilai(rantai, override)
    penilai = as_pegawai(penilai_rec)
    if penilai is None:
        raise PeopleRefused(
            "penilai-without-nip", "penilai",
            f"Pejabat penilai menurut direktori ({penilai_rec.nama}) tidak memiliki NIP; SKP belum dapat memuat penilai "
            "tanpa NIP (the directory's penilai has no NIP, which an SKP cannot carry yet).")
    if named.penilai is not None and named.penilai != penilai.nip:
        raise PeopleRefused(
            "penilai-mismatch", "penilai.nip",
            f"Pejabat penilai Anda menurut direktori kepegawaian adalah {penilai.nama} (NIP {penilai.nip}), bukan NIP "
            f"{named.penilai}. Pejabat penilai lain hanya dapat ditetapkan oleh admin kepegawaian instansi Anda (the "
            f"directory's pejabat penilai is NIP {penilai.nip}; only an admin of your instansi can set another).",
        )
    atasan = as_pegawai(atasan_rec) if atasan_rec is not None else None
    if named.atasan_pejabat_penilai is not None and named.atasan_pejabat_penilai != (atasan.nip if atasan else None):
        said = f"{atasan.nama} (NIP {atasan.nip})" if atasan else "tidak ada (none)"
        raise PeopleRefused(
            "atasan-pejabat-penilai-mismatch", "atasan_pejabat_penilai.nip",
            f"Atasan pejabat penilai menurut direktori kepegawaian: {said}, bukan NIP {named.atasan_pejabat_penilai} "
            "(the directory names another atasan pejabat penilai; leave the block out to take the directory's).",
        )
    return People(pegawai=pegawai, penilai=penilai, atasan_pejabat_penilai=atasan)
