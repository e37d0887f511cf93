import pytest

from kinerja_contracts.skp import SkpSnapshot
from kinerja_devstack.samples import pppk_skp
from kinerja_evaluation.domain.periods import make_period
from kinerja_evaluation.domain.plan import build_plan as _build_plan, count_measured, target_for


def build_plan(snap: dict):
    """The plan of an SKP given as its JSON (as it arrives on the wire)."""
    return _build_plan(SkpSnapshot.model_validate(snap))


def test_sample_pppk_plan_has_every_iki_with_period_targets():
    snap = pppk_skp()
    snap["unknown_future_field"] = {"x": 1}  # tolerant reader
    plan = build_plan(snap)
    assert [p.iki_id for p in plan] == ["iki-1", "iki-2", "iki-3"]
    iki1, iki2, iki3 = plan
    assert iki1.target_tahunan == 4 and iki1.target_bulanan[8:] == [1, 1, 1, 1] and iki1.target_bulanan[0] is None
    assert iki1.target_triwulan == [None, None, 1, 3]
    # a percentage applies unchanged in every month of the periode
    assert iki2.target_bulanan[8:] == [100] * 4 and iki2.target_bulanan[:8] == [None] * 8
    assert iki2.target_triwulan == [None, None, 100, 100]
    # a count without monthly targets is spread over the months of the periode
    assert iki3.target_bulanan[8:] == [1, 1, 1, 1]
    sep = make_period("monthly", "PPPK_PARUH_WAKTU", 2025, 9)
    aug = make_period("monthly", "PPPK_PARUH_WAKTU", 2025, 8)
    assert target_for(iki1, sep) == (1, None, None)
    assert target_for(iki1, aug) is None
    assert target_for(iki1, make_period("annual", "PPPK_PARUH_WAKTU", 2025, 1)) == (4, None, None)


def test_range_and_descriptive_and_explicit_quarters():
    snap = {
        "periode": {"mulai": "2026-01-01", "selesai": "2026-12-31"},
        "pegawai": {"nip": "199001012015011001", "nama": "P"}, "penilai": {"nip": "198001012005011001", "nama": "A"},
        "hasil_kerja": [{"id": "r1", "jenis": "Utama", "uraian": "x", "iki": [
            {"id": "a", "indikator": "range", "target": {"jenis": "rentang", "minimum": "80", "maksimum": "90", "satuan": "%"}},
            {"id": "b", "indikator": "desc", "target": {"jenis": "deskriptif", "deskripsi": "Dokumen tersusun"}},
            {"id": "c", "indikator": "q", "target": {"jenis": "angka", "nilai": "10", "satuan": "Dokumen"},
             "target_triwulan": ["1", "2", "3", "4"], "polaritas": "lower_is_better"},
        ]}],
    }
    a, b, c = build_plan(snap)
    q2 = make_period("quarterly", "PNS", 2026, 2)
    assert a.polaritas == "range" and target_for(a, q2) == (None, 80, 90)
    assert not b.measurable and target_for(b, q2) is None
    assert c.polaritas == "lower_is_better" and target_for(c, q2) == (2, None, None)
    assert c.target_bulanan[3:6] == pytest.approx([2 / 3] * 3, abs=1e-3)  # the quarter spread over its months
    assert build_plan({**snap, "hasil_kerja": []}) == [] and _build_plan(None) == []


def test_count_measured_agrees_with_target_for():
    snap = pppk_skp()
    snap["hasil_kerja"][0]["iki"].append({"id": "r", "indikator": "x", "target": {"jenis": "rentang", "minimum": 1, "maksimum": 2}})
    snap["hasil_kerja"][0]["iki"].append({"id": "d", "indikator": "y", "target": {"jenis": "deskriptif", "deskripsi": "z"}})
    plan = build_plan(snap)
    stored = [x.model_dump(mode="json") for x in plan]
    for kind, count in (("monthly", 12), ("quarterly", 4), ("annual", 1)):
        for i in range(1, count + 1):
            p = make_period(kind, "PPPK_PARUH_WAKTU", 2025, i)
            assert count_measured(stored, p) == sum(target_for(x, p) is not None for x in plan)
    assert count_measured(stored, make_period("monthly", "X", 2025, 9)) == 4
    assert count_measured(stored, make_period("monthly", "X", 2025, 8)) == 1  # only the range


def test_precomputed_counts_match_count_measured():
    from kinerja_evaluation.domain.plan import measured_counts, measured_in

    stored = [x.model_dump(mode="json") for x in build_plan(pppk_skp())]
    counts = measured_counts(stored)
    assert len(counts) == 17 and counts[8:12] == [3, 3, 3, 3] and counts[:8] == [0] * 8 and counts[16] == 3
    for kind, n in (("monthly", 12), ("quarterly", 4), ("annual", 1)):
        for i in range(1, n + 1):
            p = make_period(kind, "PNS", 2031, i)
            assert measured_in(counts, p) == count_measured(stored, p)
