"""The validation rules of an SKP, one by one (pure, no I/O)."""

from __future__ import annotations

import datetime as dt

import pytest
from kinerja_devstack.samples import pppk_skp
from kinerja_skp.domain.model import SkpContent
from kinerja_skp.domain.validation import ValidationContext, nip_problems, validate


def content(**changes) -> SkpContent:
    data = pppk_skp()
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for p in parents:
            target = target[int(p)] if p.isdigit() else target[p]
        target[int(last) if last.isdigit() else last] = value
    return SkpContent.model_validate(data)


def rules(report, severity="error") -> set[tuple[str, str]]:
    items = report.errors if severity == "error" else report.warnings
    return {(f.rule, f.path) for f in items}


def test_sample_is_valid():
    report = validate(content())
    assert report.valid, report.errors


def test_all_errors_come_at_once():
    data = pppk_skp(penilai_nip="199503152025212001")
    for r in data["hasil_kerja"]:
        r["jenis"] = "Tambahan"
    data["hasil_kerja"][1]["iki"][0]["target"] = None
    data["hasil_kerja"][2]["iki"] = []
    report = validate(SkpContent.model_validate(data))
    assert {f.rule for f in report.errors} >= {"rhk-utama-required", "target-required", "iki-required", "penilai-differs"}
    assert ("target-required", "hasil_kerja[1].iki[0].target") in rules(report)
    assert ("iki-required", "hasil_kerja[2].iki") in rules(report)


def test_only_tambahan_is_invalid():
    data = pppk_skp()
    for r in data["hasil_kerja"]:
        r["jenis"] = "Tambahan"
    assert ("rhk-utama-required", "hasil_kerja") in rules(validate(SkpContent.model_validate(data)))


def test_one_utama_is_enough():
    data = pppk_skp()
    for r in data["hasil_kerja"][1:]:
        r["jenis"] = "Tambahan"
    assert "rhk-utama-required" not in {f.rule for f in validate(SkpContent.model_validate(data)).errors}


def test_every_rhk_needs_an_iki():
    assert ("iki-required", "hasil_kerja[0].iki") in rules(validate(content(hasil_kerja__0__iki=[])))


@pytest.mark.parametrize("target, path", [
    (None, "hasil_kerja[0].iki[0].target"),
    ({"jenis": "angka", "satuan": "Laporan"}, "hasil_kerja[0].iki[0].target.nilai"),
    ({"jenis": "rentang", "minimum": "80", "satuan": "%"}, "hasil_kerja[0].iki[0].target"),
    ({"jenis": "deskriptif", "deskripsi": " "}, "hasil_kerja[0].iki[0].target.deskripsi"),
])
def test_every_iki_needs_a_target(target, path):
    assert ("target-required", path) in rules(validate(content(hasil_kerja__0__iki__0__target=target)))


def test_target_needs_a_unit_and_ordered_range():
    report = validate(content(hasil_kerja__0__iki__0__target={"jenis": "rentang", "minimum": "90", "maksimum": "80"}))
    assert ("target-range-order", "hasil_kerja[0].iki[0].target.minimum") in rules(report)
    assert ("target-satuan-required", "hasil_kerja[0].iki[0].target.satuan") in rules(report)


def test_descriptive_target_needs_the_kualitatif_approach():
    t = {"jenis": "deskriptif", "deskripsi": "Laporan diterima pimpinan tanpa revisi"}
    assert ("target-kuantitatif", "hasil_kerja[0].iki[0].target.jenis") in rules(validate(content(hasil_kerja__0__iki__0__target=t)))
    ok = validate(content(hasil_kerja__0__iki__0__target=t, pendekatan="kualitatif"))
    assert not [f for f in ok.errors if f.path.startswith("hasil_kerja[0]")]


def test_range_polarity_needs_a_range_target():
    report = validate(content(hasil_kerja__0__iki__0__polaritas="range"))
    assert ("polaritas-range-target", "hasil_kerja[0].iki[0].polaritas") in rules(report)


def test_pegawai_is_not_the_penilai():
    report = validate(SkpContent.model_validate(pppk_skp(penilai_nip="199503152025212001")))
    assert ("penilai-differs", "penilai.nip") in rules(report)


def test_atasan_pejabat_penilai_is_a_third_person():
    data = pppk_skp()
    data["atasan_pejabat_penilai"]["nip"] = data["penilai"]["nip"]
    assert ("atasan-pejabat-penilai-differs", "atasan_pejabat_penilai.nip") in rules(validate(SkpContent.model_validate(data)))


def test_an_skp_stored_before_the_rename_is_still_read():
    """Content written before issue 13 says ``atasan_penilai``; it reads as
    ``atasan_pejabat_penilai`` and is written back under the new name only."""
    data = pppk_skp()
    data["atasan_penilai"] = data.pop("atasan_pejabat_penilai")
    content = SkpContent.model_validate(data)
    assert content.atasan_pejabat_penilai is not None and content.atasan_pejabat_penilai.nip == data["atasan_penilai"]["nip"]
    dumped = content.model_dump(mode="json")
    assert "atasan_pejabat_penilai" in dumped and "atasan_penilai" not in dumped


@pytest.mark.parametrize("nip, pppk, fragment", [
    ("199502302025212001", True, "tanggal lahir"),       # 30 February
    ("199503152025213001", True, "digit ke-15"),         # sex digit 3
    ("199503152025132001", False, "bulan pengangkatan"),  # PNS month 13
    ("199503152025152001", True, "kode PPPK"),           # neither month nor PPPK code
    ("193001012015011001", False, "tidak masuk akal"),  # born 1930
    ("200501012010011001", False, "terlalu dekat"),      # appointed at 5
])
def test_nip_structure(nip, pppk, fragment):
    problems = nip_problems(nip, pppk=pppk)
    assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize("nip, pppk", [
    ("197806102005011002", False),  # PNS, appointed January 2005, male
    ("199503152025212001", True),   # NI PPPK (code 21), female
    ("199503152025011001", True),   # NI PPPK with an appointment month is accepted too
])
def test_valid_nips(nip, pppk):
    assert nip_problems(nip, pppk=pppk) == []


def test_nip_errors_name_the_person():
    data = pppk_skp()
    data["atasan_pejabat_penilai"]["nip"] = "197013011995031003"  # month 13 of birth
    report = validate(SkpContent.model_validate(data))
    assert ("nip-format", "atasan_pejabat_penilai.nip") in rules(report)


def test_period_inside_one_year():
    report = validate(content(periode={"mulai": "2025-09-01", "selesai": "2026-08-31"}))
    assert ("periode-one-year", "periode") in rules(report)
    report = validate(content(periode={"mulai": "2025-09-01", "selesai": "2025-08-31"}))
    assert ("periode-order", "periode.selesai") in rules(report)


def test_jpt_needs_perspektif_and_anggaran():
    data = pppk_skp()
    data["jenis_jabatan"] = "JPT"
    report = validate(SkpContent.model_validate(data))
    assert ("jpt-perspektif-required", "hasil_kerja[0].iki[0].perspektif") in rules(report)
    assert ("jpt-perspektif-anggaran", "hasil_kerja") in rules(report)
    for r in data["hasil_kerja"]:
        r["iki"][0]["perspektif"] = "Proses Bisnis"
    report = validate(SkpContent.model_validate(data))
    assert {f.rule for f in report.errors} == {"jpt-perspektif-anggaran"}
    data["hasil_kerja"][2]["iki"][0]["perspektif"] = "Anggaran"
    assert validate(SkpContent.model_validate(data)).valid


def test_ids_must_be_unique():
    data = pppk_skp()
    data["hasil_kerja"][1]["id"] = "rhk-1"
    data["hasil_kerja"][2]["iki"][0]["id"] = "iki-1"
    report = validate(SkpContent.model_validate(data))
    assert ("rhk-id-unique", "hasil_kerja[1].id") in rules(report)
    assert ("iki-id-unique", "hasil_kerja[2].iki[0].id") in rules(report)


# --- rencana aksi (regions that enable it) -------------------------------------------

RA = ValidationContext(rencana_aksi_wajib=True)


def with_rencana_aksi(quarters: list[str], target_tw: str | None = None) -> SkpContent:
    data = pppk_skp()
    for r in data["hasil_kerja"]:
        for iki in r["iki"]:
            iki["rencana_aksi"] = [{"uraian": "Menyusun laporan", "output": [{"uraian": f"Output {q}", "triwulan": q}
                                                                              for q in quarters]}]
            iki["triwulan_target"] = target_tw
    return SkpContent.model_validate(data)


def test_rencana_aksi_only_where_enabled():
    assert validate(content()).valid
    report = validate(content(), RA)
    assert ("rencana-aksi-required", "hasil_kerja[0].iki[0].rencana_aksi") in rules(report)


def test_rencana_aksi_needs_two_outputs():
    report = validate(with_rencana_aksi(["IV"]), RA)
    assert ("rencana-aksi-min-output", "hasil_kerja[0].iki[0].rencana_aksi") in rules(report)


def test_two_outputs_count_over_the_iki_not_each_rencana_aksi():
    # BKD DKI 2025: several rencana aksi of one output each are fine when the IKI has two in all
    data = pppk_skp()
    for r in data["hasil_kerja"]:
        for iki in r["iki"]:
            iki["rencana_aksi"] = [{"uraian": "a", "output": [{"uraian": "a1", "triwulan": "III"}]},
                                   {"uraian": "b", "output": [{"uraian": "b1", "triwulan": "IV"}]}]
    assert not validate(SkpContent.model_validate(data), RA).errors


def test_tw_ii_target_with_outputs_in_ii_and_iii_is_valid():
    assert not validate(with_rencana_aksi(["II", "III"], target_tw="II"), RA).errors


def test_target_in_tw_iv_needs_an_output_in_tw_iv():
    # the sample period ends in December: the target falls in TW IV
    assert not validate(with_rencana_aksi(["III", "IV"]), RA).errors
    report = validate(with_rencana_aksi(["II", "III"]), RA)
    assert ("rencana-aksi-triwulan-target", "hasil_kerja[0].iki[0].rencana_aksi") in rules(report)


def test_target_in_tw_i_needs_both_outputs_in_tw_i():
    assert not validate(with_rencana_aksi(["I", "I"], target_tw="I"), RA).errors
    report = validate(with_rencana_aksi(["I", "II"], target_tw="I"), RA)
    assert ("rencana-aksi-triwulan-target", "hasil_kerja[0].iki[0].rencana_aksi") in rules(report)


def test_target_quarter_follows_the_quarterly_targets():
    data = pppk_skp()
    iki = data["hasil_kerja"][0]["iki"][0]
    iki["target_bulanan"] = None
    iki["target_triwulan"] = ["4", None, None, None]
    iki["rencana_aksi"] = [{"uraian": "Pemeriksaan", "output": [{"uraian": "a", "triwulan": "I"}, {"uraian": "b", "triwulan": "IV"}]}]
    report = validate(SkpContent.model_validate(data), RA)
    assert ("rencana-aksi-triwulan-target", "hasil_kerja[0].iki[0].rencana_aksi") in rules(report)


# --- warnings -------------------------------------------------------------------------


def test_monthly_targets_that_do_not_add_up_warn():
    report = validate(content(hasil_kerja__0__iki__0__target_bulanan=[None] * 8 + ["1", "1", "1", None]))
    assert report.valid
    assert ("target-bulanan-sum", "hasil_kerja[0].iki[0].target_bulanan") in rules(report, "warning")


def test_quarterly_targets_that_do_not_add_up_warn():
    report = validate(content(hasil_kerja__0__iki__0__target_triwulan=[None, None, "1", "2"]))
    assert ("target-triwulan-sum", "hasil_kerja[0].iki[0].target_triwulan") in rules(report, "warning")
    assert ("target-bulanan-triwulan", "hasil_kerja[0].iki[0].target_triwulan[3]") in rules(report, "warning")


def test_percent_targets_are_not_summed():
    report = validate(content(hasil_kerja__1__iki__0__target_bulanan=["100"] * 12))
    assert not [w for w in report.warnings if w.rule.endswith("-sum")]
    assert ("target-bulanan-luar-periode", "hasil_kerja[1].iki[0].target_bulanan") in rules(report, "warning")


def test_kind_comes_from_the_shared_rule():
    # an index is a level: its months are not summed (skp and evaluation agree)
    data = pppk_skp()
    iki = data["hasil_kerja"][0]["iki"][0]
    iki["target"] = {"jenis": "angka", "nilai": "3", "satuan": "indeks"}
    iki["target_bulanan"] = [None] * 8 + ["3"] * 4
    report = validate(SkpContent.model_validate(data))
    assert not [w for w in report.warnings if w.rule.endswith("-sum")]
    iki["sifat_target"] = "jumlah"  # stated: a count after all
    report = validate(SkpContent.model_validate(data))
    assert ("target-bulanan-sum", "hasil_kerja[0].iki[0].target_bulanan") in rules(report, "warning")


def test_waktu_target_left_higher_is_better_warns():
    data = pppk_skp()
    iki = data["hasil_kerja"][0]["iki"][0]
    iki["aspek"], iki["target"] = "Waktu", {"jenis": "angka", "nilai": "2", "satuan": "hari kerja"}
    iki["target_bulanan"] = None
    report = validate(SkpContent.model_validate(data))
    assert ("target-arah-waktu-biaya", "hasil_kerja[0].iki[0].polaritas") in rules(report, "warning")
    iki["polaritas"] = "lower_is_better"
    report = validate(SkpContent.model_validate(data))
    assert ("target-arah-waktu-biaya", "hasil_kerja[0].iki[0].polaritas") not in rules(report, "warning")


def test_typed_period_targets_are_accepted_and_decide_the_target_quarter():
    data = pppk_skp()
    iki = data["hasil_kerja"][0]["iki"][0]
    iki["target_bulanan"] = None
    iki["target_periode"] = {"triwulan": ["N/A", {"nilai": 30, "polaritas": "maximize"}, "N/A", "N/A"]}
    iki["rencana_aksi"] = [{"uraian": "a", "output": [{"uraian": "a1", "triwulan": "II"}, {"uraian": "a2", "triwulan": "III"}]}]
    c = SkpContent.model_validate(data)
    assert c.hasil_kerja[0].iki[0].target_periode.triwulan[1].nilai == 30
    from kinerja_skp.domain.validation.rencana_aksi import target_quarter
    assert target_quarter(c.hasil_kerja[0].iki[0], c) == "II"  # the last quarter that is measured
    bad = pppk_skp()
    bad["hasil_kerja"][0]["iki"][0]["target_periode"] = {"triwulan": ["lots", None, None, None]}
    with pytest.raises(ValueError):
        SkpContent.model_validate(bad)


def test_overlapping_skp_is_read_as_mutasi():
    c = content()  # 1 Sep - 31 Dec 2025
    report = validate(c, ValidationContext(overlapping=((dt.date(2025, 1, 1), dt.date(2025, 12, 31)),)))
    assert report.valid
    f = next(x for x in report.warnings if x.rule == "skp-mutasi")
    assert f.path == "periode.mulai" and "2025-08-31" in f.message
    report = validate(c, ValidationContext(overlapping=((dt.date(2025, 11, 1), dt.date(2025, 12, 31)),)))
    assert ("skp-mutasi", "periode.selesai") in rules(report, "warning")


def test_typed_period_targets_of_a_count_add_up():
    data = pppk_skp()
    iki = data["hasil_kerja"][0]["iki"][0]  # 4 Laporan
    iki["target_bulanan"] = None
    iki["target_periode"] = {"triwulan": ["N/A", "N/A", "1", "2"]}
    report = validate(SkpContent.model_validate(data))
    assert ("target-periode-sum", "hasil_kerja[0].iki[0].target_periode.triwulan") in rules(report, "warning")
    iki["target_periode"] = {"triwulan": ["N/A", "N/A", "1", "3"]}
    report = validate(SkpContent.model_validate(data))
    assert not [w for w in report.warnings if w.rule == "target-periode-sum"]


def test_empty_lampiran_warns():
    data = pppk_skp()
    data["lampiran"] = {"dukungan_sumber_daya": ["Komputer"], "skema_pertanggungjawaban": [], "konsekuensi": ["  "]}
    report = validate(SkpContent.model_validate(data))
    assert report.valid
    assert {("lampiran-kosong", "lampiran.skema_pertanggungjawaban"), ("lampiran-kosong", "lampiran.konsekuensi")} <= \
        rules(report, "warning")
    assert ("lampiran-kosong", "lampiran.dukungan_sumber_daya") not in rules(report, "warning")


def test_tenfold_jump_against_last_year_warns():
    last_year = content(periode={"mulai": "2024-09-01", "selesai": "2024-12-31"})
    now = content(hasil_kerja__0__iki__0__target={"jenis": "angka", "nilai": "40", "satuan": "Laporan"},
                  hasil_kerja__0__iki__0__target_bulanan=None)
    report = validate(now, ValidationContext(previous=last_year))
    assert ("target-tenfold", "hasil_kerja[0].iki[0].target") in rules(report, "warning")
    assert report.valid
    same = validate(content(), ValidationContext(previous=last_year))
    assert "target-tenfold" not in {w.rule for w in same.warnings}


def test_tenfold_matches_by_indicator_text_when_ids_differ():
    data = pppk_skp(mulai="2024-09-01", selesai="2024-12-31")
    data["hasil_kerja"][2]["iki"][0]["id"] = "x-99"
    data["hasil_kerja"][2]["iki"][0]["target"]["nilai"] = "40"
    report = validate(content(), ValidationContext(previous=SkpContent.model_validate(data)))
    assert ("target-tenfold", "hasil_kerja[2].iki[0].target") in rules(report, "warning")


def test_missing_intervensi_is_a_warning_for_ja():
    report = validate(content())
    assert ("rhk-intervensi-missing", "hasil_kerja[1].rhk_intervensi_uraian") in rules(report, "warning")


def test_intervened_rhk_must_exist_in_the_superiors_skp():
    c = content(hasil_kerja__0__rhk_intervensi_id="atasan-rhk-1")
    assert validate(c).valid  # not looked up: skipped
    assert validate(c, ValidationContext(superior_rhk={"atasan-rhk-1": "Terkelolanya sarpras"})).valid
    report = validate(c, ValidationContext(superior_rhk={"atasan-rhk-2": "Lain"}))
    assert ("rhk-intervensi-unknown", "hasil_kerja[0].rhk_intervensi_id") in rules(report)
    report = validate(c, ValidationContext(superior_rhk={}))  # the superior has no SKP yet
    assert ("rhk-intervensi-unknown", "hasil_kerja[0].rhk_intervensi_id") in rules(report)


def test_berakhlak_values_are_completed_in_fixed_order():
    data = pppk_skp()
    data["perilaku_kerja"] = [{"nilai": "Kolaboratif", "ekspektasi_khusus": "Aktif dalam tim"}]
    c = SkpContent.model_validate(data)
    assert c.perilaku_kerja[0].nilai.value == "Berorientasi Pelayanan"
    assert len(c.perilaku_kerja) == 7 and c.perilaku_kerja[-1].ekspektasi_khusus == "Aktif dalam tim"
    assert c.perilaku_kerja[0].panduan[0] == "Memahami dan memenuhi kebutuhan masyarakat"
    data["perilaku_kerja"] = [{"nilai": "Loyal"}, {"nilai": "Loyal"}]
    with pytest.raises(ValueError, match="dua kali"):
        SkpContent.model_validate(data)


def test_findings_carry_bilingual_messages():
    report = validate(content(hasil_kerja__0__iki=[]))
    f = next(f for f in report.errors if f.rule == "iki-required")
    assert "(" in f.message and "IKI" in f.message
    assert f.as_dict()["severity"] == "error"


def test_sk_date_after_period_is_an_error():
    report = validate(content(tanggal_sk=dt.date(2026, 1, 5).isoformat()))
    assert ("tanggal-sk-periode", "tanggal_sk") in rules(report)
