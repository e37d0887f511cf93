"""Templates: every kind renders in both locales, in text and HTML, with who,
what happened, what to do next, and the link."""

from __future__ import annotations

import datetime as dt

import jinja2
import pytest
from kinerja_notification.domain import examples as ex
from kinerja_notification.domain.messages import render
from kinerja_notification.domain.routing import KINDS, route

DIGEST_CTX = dict(
    recipient={"nip": "197806102005011002", "nama": "Budi Santoso"},
    until=dt.datetime(2026, 11, 25, 0, 0, tzinfo=dt.UTC),
    items=[{"pegawai_nama": "Siti", "pegawai_nip": "199503152025212001", "periode_mulai": dt.date(2025, 9, 1),
            "periode_selesai": dt.date(2025, 12, 31), "resubmission": True, "reminder_days": 4}],
)


def all_outgoing():
    for payload in ex.samples().values():
        yield from route(payload)


def test_every_kind_has_a_sample():
    kinds = {o.kind for o in all_outgoing()} | {"approval.digest"}
    assert kinds == set(KINDS)


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("out", list(all_outgoing()), ids=lambda o: o.kind)
def test_renders_who_what_next_and_link(out, locale):
    r = render(out.kind, locale, **out.ctx, link="https://kinerja.example.go.id" + out.path)
    greeting = "Yth." if locale == "id" else "Dear"
    assert r.text.startswith(f"{greeting} {out.to.nama},")
    assert ("Langkah berikutnya:" if locale == "id" else "What to do next:") in r.text
    assert "https://kinerja.example.go.id" + out.path in r.text
    assert f'href="https://kinerja.example.go.id{out.path}"' in r.html
    assert r.subject.startswith("[Kinerja] ") and "\n" not in r.subject
    assert r.locale == locale


def test_english_differs_from_indonesian():
    out = route(ex.samples()["approval.returned"])[0]
    ind = render(out.kind, "id", **out.ctx, link="x")
    eng = render(out.kind, "en", **out.ctx, link="x")
    assert "dikembalikan" in ind.subject and "returned" in eng.subject
    assert "1 September 2025" in ind.text and "September 1, 2025" in eng.text


def test_unknown_locale_falls_back_to_indonesian():
    out = route(ex.samples()["approval.approved"])[0]
    assert render(out.kind, "fr", **out.ctx, link="x").locale == "id"


def test_html_escapes_what_people_typed_and_quotes_the_note():
    out = route(ex.samples()["approval.returned"])[0]
    ctx = {**out.ctx, "catatan_perbaikan": "Ganti <script>alert(1)</script>\nbaris dua"}
    r = render(out.kind, "id", **ctx, link="x")
    assert "<script>" not in r.html and "&lt;script&gt;" in r.html
    assert "<blockquote" in r.html and "baris dua" in r.html
    assert "> Ganti <script>alert(1)</script>\n> baris dua" in r.text  # plain text keeps it verbatim


def test_missing_value_is_an_error_not_a_gap():
    with pytest.raises(jinja2.UndefinedError):
        render("approval.returned", "id", link="x")


def test_digest_lists_each_skp():
    r = render("approval.digest", "id", **DIGEST_CTX, link="https://k/persetujuan")
    assert r.subject == "[Kinerja] 1 SKP menunggu persetujuan Anda"
    assert "Sampai 25 November 2026 07.00 WIB" in r.text
    assert "- Siti (NIP 199503152025212001), periode 1 September 2025 s.d. 31 Desember 2025, diajukan kembali, sudah 4 hari menunggu" in r.text
    assert "<br>" in r.html or "<p>- Siti" in r.html


def test_details_table_in_html():
    out = route(ex.samples()["evaluation.finalized"])[0]
    r = render(out.kind, "id", **out.ctx, link="x")
    assert "Capaian: 96,5 %" in r.text and "periode November 2025 " in r.text
    assert "2025-11/PPPK_PARUH_WAKTU" not in r.text
    en = render(out.kind, "en", **out.ctx, link="x")
    assert "Achievement: 96.5 %" in en.text


def test_capaian_is_printed_as_the_rule_computed_it():
    out = route(ex.samples()["evaluation.finalized"])[0]
    r = render(out.kind, "id", **{**out.ctx, "capaian": 79.995, "period_id": "2026-Q1/PNS/quarterly"}, link="x")
    assert "Capaian: 79,995 %" in r.text and "periode Triwulan I 2026" in r.text
    assert "<td style=\"color:#6b7280;padding:2px 16px 2px 0;vertical-align:top;\">Predikat kinerja</td>" in r.html


def test_a_name_ending_in_an_abbreviation_gets_one_full_stop():
    """"oleh Budi Santoso, S.Pd., M.M." ends the sentence: no "M.M.." (an ellipsis stays)."""
    from kinerja_notification.domain import examples as ex
    from kinerja_notification.domain.messages import _one_stop, render
    from kinerja_notification.domain.routing import route

    [out] = route(ex.samples()["approval.approved"])
    assert out.ctx["penilai"].nama.endswith("M.M.")
    for locale in ("id", "en"):
        r = render(out.kind, locale, **out.ctx, link="https://kinerja.example.go.id/skp/1")
        assert "M.M.." not in r.text and "M.M.." not in r.html and "M.M.." not in r.subject
        assert "M.M." in r.text
    assert _one_stop("tunggu... lalu M.M.. Selesai.") == "tunggu... lalu M.M. Selesai."
    assert _one_stop("versi 2.. x") == "versi 2.. x"  # only after a letter's stop


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("out", list(all_outgoing()), ids=lambda o: o.kind)
def test_every_mail_links_to_the_readers_preferences_in_the_portal(out, locale):
    r = render(out.kind, locale, **out.ctx, link="https://kinerja.example.go.id" + out.path,
               preferences_link="https://kinerja.example.go.id/preferensi")
    label = "Atur pemberitahuan e-mail Anda" if locale == "id" else "Your e-mail preferences"
    assert f"{label}: https://kinerja.example.go.id/preferensi" in r.text
    assert f'href="https://kinerja.example.go.id/preferensi" style="color:#0f4c81;">{label}</a>' in r.html
    assert "preferensi" not in render(out.kind, locale, **out.ctx, link="x").text
