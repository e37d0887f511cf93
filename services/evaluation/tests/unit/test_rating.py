import pytest
from kinerja_evaluation.domain.rating import (
    PREDIKAT_MATRIX, Predikat, Rating, RatingPolicy, RhkCapaian, perilaku_minimal_baik, predikat,
    saran_rating_hasil_kerja,
)

D, S, B = Rating.diatas, Rating.sesuai, Rating.dibawah


@pytest.mark.parametrize(
    "hasil, perilaku, expected",
    [
        (D, B, Predikat.kurang), (D, S, Predikat.baik), (D, D, Predikat.sangat_baik),
        (S, B, Predikat.kurang), (S, S, Predikat.baik), (S, D, Predikat.baik),
        (B, B, Predikat.sangat_kurang), (B, S, Predikat.butuh_perbaikan), (B, D, Predikat.butuh_perbaikan),
    ],
)
def test_predikat_matrix_all_nine_cells(hasil, perilaku, expected):
    assert predikat(hasil, perilaku) is expected
    assert predikat(str(hasil), str(perilaku)) is expected  # wire strings work too


def test_matrix_is_complete():
    assert len(PREDIKAT_MATRIX) == 9


_ids = iter(range(1, 10_000))


def rhk(c, utama=True):
    return RhkCapaian(f"rhk-{next(_ids)}", utama, c)


def test_suggest_diatas_when_most_above_and_no_utama_below():
    assert saran_rating_hasil_kerja([rhk(115), rhk(120), rhk(95)]) is D


def test_one_utama_below_prevents_diatas():
    assert saran_rating_hasil_kerja([rhk(115), rhk(120), rhk(115), rhk(50)]) is S


def test_tambahan_below_does_not_prevent_diatas():
    assert saran_rating_hasil_kerja([rhk(115), rhk(120), rhk(50, utama=False)]) is D


def test_suggest_sesuai_small_part_of_utama_below():
    assert saran_rating_hasil_kerja([rhk(100), rhk(90), rhk(95), rhk(70)]) is S  # 1/4 utama below


def test_suggest_dibawah_only_when_most_are_below():
    assert saran_rating_hasil_kerja([rhk(50), rhk(60), rhk(100)]) is B  # 2 of 3 below


def test_cases_outside_the_source_rules_are_not_dibawah():
    # three RHK Utama at 100/100/70: most are not below (not Dibawah), a third of Utama below is
    # more than a small part (not Sesuai): the penilai decides, and the reason says so
    from kinerja_evaluation.domain.rating import saran_rating_detail

    d = saran_rating_detail([rhk(100), rhk(100), rhk(70)])
    assert d.rating is None and "Di luar" in d.aturan
    assert saran_rating_hasil_kerja([rhk(100), rhk(100), rhk(70)], RatingPolicy(di_luar_aturan=S)) is S
    assert saran_rating_detail([rhk(115), rhk(120), rhk(95)]).aturan.startswith("(1)a")


def test_policy_thresholds_are_configurable():
    lax = RatingPolicy(diatas_min=100, sesuai_min=50, sebagian_kecil=0.5)
    assert saran_rating_hasil_kerja([rhk(100), rhk(100), rhk(60)], lax) is D
    assert saran_rating_hasil_kerja([rhk(100), rhk(90), rhk(40)], lax) is S


def test_no_rhk_no_suggestion_and_missing_capaian_is_below():
    assert saran_rating_hasil_kerja([]) is None
    assert saran_rating_hasil_kerja([rhk(None), rhk(None)]) is B


def test_perilaku_minimal_baik():
    assert perilaku_minimal_baik(S) and perilaku_minimal_baik(D)
    assert not perilaku_minimal_baik(B) and not perilaku_minimal_baik(None)
