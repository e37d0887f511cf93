from kinerja_evaluation.domain.organisasi import distribusi, peringatan_distribusi
from kinerja_evaluation.domain.tahunan import rekomendasi_perpanjangan


def test_extension_follows_the_penilais_ratings():
    # DKI 2026: "sesuai ekspektasi atau tidak" + perilaku minimal BAIK; no capaian number by default
    r = rekomendasi_perpanjangan("Sesuai Ekspektasi", "Sesuai Ekspektasi", 60.0)
    assert r.rekomendasi == "diperpanjang" and len(r.alasan) == 2
    r = rekomendasi_perpanjangan("Dibawah Ekspektasi", "Diatas Ekspektasi", 99.0)
    assert r.rekomendasi == "tidak diperpanjang" and "tidak sesuai" in r.alasan[0]
    r = rekomendasi_perpanjangan("Diatas Ekspektasi", "Dibawah Ekspektasi", 95.0)
    assert r.rekomendasi == "tidak diperpanjang" and "kurang dari Baik" in r.alasan[1]
    assert rekomendasi_perpanjangan(None, None).rekomendasi == "belum dapat ditentukan"


def test_optional_regional_capaian_floor():
    r = rekomendasi_perpanjangan("Sesuai Ekspektasi", "Sesuai Ekspektasi", 79.995, ambang_capaian=80)
    assert r.rekomendasi == "tidak diperpanjang" and "79,995 %" in r.alasan[2] and "80 %" in r.alasan[2]
    r = rekomendasi_perpanjangan("Sesuai Ekspektasi", "Sesuai Ekspektasi", 80.0, ambang_capaian=80)
    assert r.rekomendasi == "diperpanjang"


def test_indonesian_texts():
    import datetime as dt

    from kinerja_evaluation.domain.teks import angka, nama_periode, persen

    assert persen(79.995) == "79,995 %" and angka(103.33) == "103,33" and angka(1250.0) == "1.250"
    assert angka(79.995, 2) == "80" and angka(None) == "-"
    assert nama_periode("quarterly", dt.date(2026, 1, 1)) == "Triwulan I 2026"
    assert nama_periode("monthly", dt.date(2026, 3, 1)) == "Maret 2026"
    assert nama_periode("annual", dt.date(2026, 1, 1)) == "Tahun 2026"


def test_distribution_warnings():
    many_top = distribusi(["Sangat Baik"] * 5 + ["Baik"] * 5)
    assert peringatan_distribusi("Baik", many_top)  # 50 % Sangat Baik > 20 %
    assert not peringatan_distribusi("Istimewa", many_top)
    all_good = distribusi(["Baik"] * 10)
    assert not peringatan_distribusi("Baik", all_good)
    assert any("kurang dari panduan" in w for w in peringatan_distribusi("Kurang", all_good))
    assert peringatan_distribusi("Baik", distribusi([])) == []
