"""Indonesian texts: the shared rule (:mod:`kinerja_contracts.teks`)."""

from kinerja_contracts.teks import BULAN, angka, nama_periode, nama_periode_dari_id, persen

__all__ = ["BULAN", "angka", "nama_periode", "nama_periode_dari_id", "persen"]
