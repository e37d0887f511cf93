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
    assert count_measured(stored, make_period("monthly", "X", 2025, 8)) == 0  # a level holds inside the periode only


def test_precomputed_counts_match_count_measured():
    from kinerja_evaluation.domain.plan import measured_counts, measured_in

    stored = [x.model_dump(mode="json") for x in build_plan(pppk_skp())]
    counts = measured_counts(stored)
    assert len(counts) == 17 and counts[8:12] == [3, 3, 3, 3] and counts[:8] == [0] * 8 and counts[16] == 3
    for kind, n in (("monthly", 12), ("quarterly", 4), ("annual", 1)):
        for i in range(1, n + 1):
            p = make_period(kind, "PNS", 2031, i)
            assert measured_in(counts, p) == count_measured(stored, p)


def test_counts_of_built_lines_match_the_stored_ones():
    """The plan just built is counted as built, not dumped and read back: the same counts."""
    from kinerja_evaluation.domain.plan import measured_counts, measured_counts_of

    for snap in (pppk_skp(), pppk_skp(mulai="2026-01-01", selesai="2026-12-31"), pppk_skp(mulai="2026-03-01", selesai="2026-06-30")):
        built = build_plan(snap)
        assert measured_counts_of(built) == measured_counts([x.model_dump(mode="json") for x in built])


def _snap(*iki, periode=("2026-01-01", "2026-12-31")):
    return {"periode": {"mulai": periode[0], "selesai": periode[1]},
            "pegawai": {"nip": "199001012015011001", "nama": "P"}, "penilai": {"nip": "198001012005011001", "nama": "A"},
            "hasil_kerja": [{"id": "r1", "jenis": "Utama", "uraian": "x", "iki": list(iki)}]}


def _capaian(line, period, realisasi):
    from kinerja_evaluation.domain.capaian import capaian_iki
    from kinerja_evaluation.domain.plan import period_target

    t = period_target(line, period)
    return None if t is None else capaian_iki(realisasi, polaritas=t.polaritas, target=t.nilai,
                                                minimum=t.minimum, maksimum=t.maksimum)


def test_issue_examples_through_the_plan():
    arsip, indeks, hari = build_plan(_snap(
        {"id": "arsip", "aspek": "Kuantitas", "indikator": "dokumen terarsip",
         "target": {"jenis": "angka", "nilai": "100", "satuan": "% dokumen terarsip"}},
        {"id": "indeks", "aspek": "Kualitas", "indikator": "indeks kepuasan",
         "target": {"jenis": "angka", "nilai": "3.25", "satuan": "indeks"}},
        {"id": "hari", "aspek": "Waktu", "indikator": "penyelesaian input",
         "target": {"jenis": "angka", "nilai": "2", "satuan": "hari kerja"}},
    ))
    sep, q1 = make_period("monthly", "X", 2026, 9), make_period("quarterly", "X", 2026, 1)
    assert _capaian(arsip, sep, 30) == 30.0  # 30 of 100 %, not 120 against 25
    assert _capaian(indeks, q1, 3.0) == pytest.approx(92.31)  # 3.0 / 3.25, not capped against 0.81
    assert _capaian(hari, sep, 2) == 100.0  # exactly 2 days against 2, not 0 against 0.5
    assert _capaian(hari, sep, 1) == 120.0  # faster is better (150, capped)
    assert hari.polaritas == "lower_is_better" and hari.sifat_target == "waktu"
    assert "diturunkan" in hari.sifat_catatan


def test_na_quarters_not_measured_and_polarity_per_period():
    (line,) = build_plan(_snap({
        "id": "a", "aspek": "Kuantitas", "indikator": "x", "target": {"jenis": "rentang", "minimum": 80, "maksimum": 100, "satuan": "%"},
        "target_periode": {"triwulan": ["N/A", {"nilai": 30, "polaritas": "maximize"}, "N/A", {"minimum": 80, "maksimum": 100}]}}))
    q = [make_period("quarterly", "X", 2026, i) for i in range(1, 5)]
    assert _capaian(line, q[0], 50) is None and _capaian(line, q[2], 50) is None
    assert _capaian(line, q[1], 45) == 120.0  # at least 30 %: 150 capped
    assert _capaian(line, q[3], 110) == 90.0  # stabilize: above the band is a shortfall
    stored = [line.model_dump(mode="json")]
    assert [count_measured(stored, p) for p in q] == [0, 1, 0, 1]


def test_zero_target_plan_is_measured():
    (line,) = build_plan(_snap({"id": "z", "aspek": "Kualitas", "indikator": "temuan", "polaritas": "lower_is_better",
                                "target": {"jenis": "angka", "nilai": "0", "satuan": "temuan"}}))
    sep = make_period("monthly", "X", 2026, 9)
    assert _capaian(line, sep, 0) == 100.0 and _capaian(line, sep, 2) == 0.0


def test_typed_period_targets_win_over_the_plain_lists():
    (line,) = build_plan(_snap({"id": "a", "indikator": "x", "target": {"jenis": "angka", "nilai": "12", "satuan": "Laporan"},
                                "target_triwulan": ["3", "3", "3", "3"],
                                "target_periode": {"triwulan": ["N/A", {"nilai": 6}, None, {"nilai": 6}]}}))
    assert [t and t.nilai for t in line.triwulan] == [None, 6, None, 6]


def test_plans_stored_before_the_shared_rule_are_read_the_old_way():
    from kinerja_evaluation.domain.plan import PlanIki, period_target

    old = PlanIki.model_validate({"rhk_id": "r", "rhk_jenis": "Utama", "rhk_uraian": "x", "iki_id": "a", "indikator": "x",
                                  "polaritas": "higher_is_better", "jenis_target": "angka", "target_tahunan": 12,
                                  "target_bulanan": [1] * 12, "target_triwulan": [3] * 4})
    assert old.bulanan is None
    t = period_target(old, make_period("monthly", "X", 2026, 5))
    assert t.nilai == 1 and t.polaritas == "higher_is_better"
    assert period_target(old, make_period("annual", "X", 2026, 1)).nilai == 12
