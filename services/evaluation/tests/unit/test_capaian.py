import pytest
from kinerja_evaluation.domain.capaian import (
    CapaianError, CapaianPolicy, capaian_hasil_kerja, capaian_iki, capaian_range, rata_rata,
)


def test_higher_is_better():
    assert capaian_iki(3, target=4) == 75.0
    assert capaian_iki(4, target=4) == 100.0


def test_lower_is_better():
    # 8 complaints against a target of 10: (2 - 0.8) x 100 = 120
    assert capaian_iki(8, target=10, polaritas="lower_is_better") == 120.0
    assert capaian_iki(12, target=10, polaritas="lower_is_better") == 80.0


def test_cap_and_floor_come_from_policy():
    assert capaian_iki(10, target=4) == 120.0  # default cap 120
    assert capaian_iki(10, target=4, policy=CapaianPolicy(cap=150)) == 150.0
    assert capaian_iki(10, target=4, policy=CapaianPolicy(cap=1000)) == 250.0
    assert capaian_iki(30, target=10, polaritas="lower_is_better") == 0.0  # (2-3) x 100 floored at 0


def test_range_inside_above_below():
    assert capaian_range(85, 80, 90) == 100.0
    assert capaian_range(80, 80, 90) == 100.0
    assert capaian_range(99, 80, 90) == pytest.approx(110.0)  # measured against the upper bound
    assert capaian_range(60, 80, 90) == pytest.approx(75.0)  # measured against the lower bound
    assert capaian_iki(99, minimum=80, maksimum=90, polaritas="higher_is_better") == 110.0  # maximize


def test_stabilize_range_is_never_above_expectation():
    # stabilize (the band is the goal): above 80-90 at 99 -> (2 - 99/90) x 100 = 90; below at 60 -> 75
    assert capaian_iki(99, minimum=80, maksimum=90, polaritas="range") == 90.0
    assert capaian_iki(60, minimum=80, maksimum=90, polaritas="range") == 75.0
    assert capaian_iki(85, minimum=80, maksimum=90, polaritas="stabilize") == 100.0
    assert capaian_iki(120, minimum=80, maksimum=100, polaritas="range") == 80.0  # (2 - 1.2) x 100


def test_range_lower_is_better_flips_sides():
    assert capaian_range(99, 80, 90, lower_is_better=True) == pytest.approx(90.0)
    assert capaian_range(60, 80, 90, lower_is_better=True) == pytest.approx(125.0)


def test_zero_target_has_a_defined_capaian():
    # 0 complaints, lower is better: met at 0, missed above
    assert capaian_iki(0, target=0, polaritas="lower_is_better") == 100.0
    assert capaian_iki(1, target=0, polaritas="lower_is_better") == 0.0
    assert capaian_iki(0, target=0) == 100.0 and capaian_iki(3, target=0) == 100.0
    assert capaian_iki(0, minimum=0, maksimum=0, polaritas="range") == 100.0


def test_missing_target_is_an_error():
    with pytest.raises(CapaianError):
        capaian_iki(1)


def test_period_capaian_counts_missing_realisasi_as_zero():
    assert capaian_hasil_kerja([100, 80, None]) == 60.0
    assert capaian_hasil_kerja([]) is None
    assert rata_rata([100, None, 80]) == 90.0
    assert rata_rata([None]) is None
