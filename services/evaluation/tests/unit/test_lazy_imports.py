"""The evaluation service starts without the PDF library (RSS at rest, docs/performance.md)."""

import subprocess
import sys


def test_starting_the_service_does_not_import_fpdf():
    code = "import sys, kinerja_evaluation.main; print(sorted(m for m in ('fpdf', 'fontTools') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_document_still_renders_after_the_lazy_import():
    from kinerja_evaluation.service_layer.dokumen import render

    data = {"judul_periode": "Januari 2027", "periode_mulai": None, "periode_selesai": None, "kind": "bulanan",
            "jenis_pegawai": "PNS", "instansi": "X", "pegawai": {}, "penilai": {}, "atasan_pejabat_penilai": {},
            "dinilai_oleh": None, "capaian_organisasi": None, "capaian_hasil_kerja": None, "rating_hasil_kerja": None,
            "rating_perilaku": None, "predikat": None, "catatan": None, "hasil_kerja": [], "tanggal": None,
            "tempat": None}
    assert render(data, "dokumen", "pdf").startswith(b"%PDF")
