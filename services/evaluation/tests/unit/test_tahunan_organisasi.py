from kinerja_evaluation.domain.organisasi import distribusi, peringatan_distribusi
from kinerja_evaluation.domain.tahunan import rekomendasi_perpanjangan


def test_extension_recommended_with_reasons():
    r = rekomendasi_perpanjangan(92.5, "Sesuai Ekspektasi", ambang_capaian=80)
    assert r.rekomendasi == "diperpanjang" and len(r.alasan) == 2


def test_extension_refused_for_low_capaian_or_behaviour():
    r = rekomendasi_perpanjangan(70, "Diatas Ekspektasi", ambang_capaian=80)
    assert r.rekomendasi == "tidak diperpanjang" and "di bawah ambang" in r.alasan[0]
    r = rekomendasi_perpanjangan(95, "Dibawah Ekspektasi")
    assert r.rekomendasi == "tidak diperpanjang" and "kurang dari Baik" in r.alasan[1]
    assert rekomendasi_perpanjangan(None, None).rekomendasi == "tidak diperpanjang"


def test_distribution_warnings():
    many_top = distribusi(["Sangat Baik"] * 5 + ["Baik"] * 5)
    assert peringatan_distribusi("Baik", many_top)  # 50 % Sangat Baik > 20 %
    assert not peringatan_distribusi("Istimewa", many_top)
    all_good = distribusi(["Baik"] * 10)
    assert not peringatan_distribusi("Baik", all_good)
    assert any("kurang dari panduan" in w for w in peringatan_distribusi("Kurang", all_good))
    assert peringatan_distribusi("Baik", distribusi([])) == []
