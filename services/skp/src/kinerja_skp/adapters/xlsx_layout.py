"""The SKP workbook layout shared by the XLSX writer and reader.

Sheet "SKP" follows the official form of PermenPANRB 6/2022 (format SKP
JA/JF; the JPT columns add PERSPEKTIF): title, instansi, period, the identity
blocks of the pegawai (left) and the pejabat penilai (right), the Hasil
Kerja table with section A. UTAMA and B. TAMBAHAN, Perilaku Kerja with the
seven BerAKHLAK values and their Ekspektasi Khusus Pimpinan, the Lampiran
and the signature block. A few rows and columns the printed form lacks keep
the round trip lossless: the kind of pegawai, position and approach, the SK
date, NRK / instansi / e-mail, the atasan pejabat penilai, and the ids of
RHK and IKI (columns H-K). Sheets "Rincian Target" (breakdowns by month and
quarter) and "Rencana Aksi" hold the rest.
"""

from __future__ import annotations

SHEET = "SKP"
SHEET_TARGET = "Rincian Target"
SHEET_RA = "Rencana Aksi"

TITLE = "SASARAN KINERJA PEGAWAI"
LBL_PERIODE = "PERIODE PENILAIAN:"
META = {  # label in column A, value in column C
    "JENIS PEGAWAI": "jenis_pegawai",
    "JENIS JABATAN": "jenis_jabatan",
    "PENDEKATAN": "pendekatan",
    "TANGGAL SK": "tanggal_sk",
    "TEMPAT": "tempat",
}
HDR_PEGAWAI = "PEGAWAI YANG DINILAI"
HDR_PENILAI = "PEJABAT PENILAI KINERJA"
HDR_ATASAN = "ATASAN PEJABAT PENILAI KINERJA"
IDENTITY = [  # (label, field)
    ("NAMA", "nama"),
    ("NIP", "nip"),
    ("NRK", "nrk"),
    ("PANGKAT/ GOL. RUANG", "pangkat_golongan"),
    ("JABATAN", "jabatan"),
    ("UNIT KERJA", "unit_kerja"),
    ("INSTANSI", "instansi"),
    ("E-MAIL", "email"),
]
IDENTITY_ALIASES = {"NI PPPK": "nip", "NIP/NI PPPK": "nip", "PANGKAT/GOL. RUANG": "pangkat_golongan",
                    "PANGKAT / GOLONGAN RUANG": "pangkat_golongan", "EMAIL": "email"}

HDR_HASIL_KERJA = "HASIL KERJA"
COLS_HASIL_KERJA = ["NO", "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI", "RENCANA HASIL KERJA", "ASPEK",
                    "INDIKATOR KINERJA INDIVIDU", "TARGET", "PERSPEKTIF", "ID RHK", "ID IKI", "ID RHK PIMPINAN", "POLARITAS"]
SEC_UTAMA = "A. UTAMA"
SEC_TAMBAHAN = "B. TAMBAHAN"
HDR_PERILAKU = "PERILAKU KERJA"
LBL_EKSPEKTASI = "Ekspektasi Khusus Pimpinan:"
HDR_LAMPIRAN = "LAMPIRAN SASARAN KINERJA PEGAWAI"
LAMPIRAN = [("DUKUNGAN SUMBER DAYA", "dukungan_sumber_daya"), ("SKEMA PERTANGGUNGJAWABAN", "skema_pertanggungjawaban"),
            ("KONSEKUENSI", "konsekuensi")]
SIGN_PEGAWAI = "Pegawai yang Dinilai"
SIGN_PENILAI = "Pejabat Penilai Kinerja"

BULAN_SINGKAT = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
COLS_TARGET = ["ID IKI", "JENIS TARGET", "NILAI", "MINIMUM", "MAKSIMUM", "DESKRIPSI", "SATUAN", "TRIWULAN TARGET",
               *[f"TARGET {b.upper()}" for b in BULAN_SINGKAT], "TARGET TW I", "TARGET TW II", "TARGET TW III", "TARGET TW IV",
               "RINCIAN BULANAN", "RINCIAN TRIWULAN", "SIFAT TARGET"]
COLS_RA = ["ID IKI", "NO RENCANA AKSI", "RENCANA AKSI", "OUTPUT", "TRIWULAN"]

JENIS_PEGAWAI_LABEL = {"PNS": "PNS", "PPPK": "PPPK", "PPPK_PARUH_WAKTU": "PPPK Paruh Waktu"}
