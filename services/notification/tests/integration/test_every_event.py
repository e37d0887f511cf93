"""Every event that needs a person gives the right e-mail to the right person."""

from __future__ import annotations

import pytest
from kinerja_devstack.testing import running
from kinerja_notification.domain import examples as ex

from .conftest import wait_for

EXPECTED = {  # sample -> [(address, words in the subject, words in the text)]
    "approval.requested": [("budi.santoso@example.go.id", "menunggu persetujuan", "Siti Rahmawati")],
    "approval.returned": [("siti.rahma@example.go.id", "dikembalikan", "Lengkapi bukti dukung untuk IKI 3")],
    "approval.approved": [("siti.rahma@example.go.id", "disetujui", "versi 3")],
    "approval.reassigned_new": [("agus.wibowo@example.go.id", "dialihkan kepada Anda", "Budi Santoso"),
                                ("budi.santoso@example.go.id", "pejabat penilai lain", "Agus Wibowo")],
    "approval.reminder": [("budi.santoso@example.go.id", "Pengingat", "5 hari")],
    "approval.escalation": [("ratna.dewi@example.go.id", "10 hari", "atasan pejabat penilai")],
    "skp.deadline_approaching": [("siti.rahma@example.go.id", "Batas pengajuan", "15 September 2025")],
    "evaluation.period_opened": [("siti.rahma@example.go.id", "dibuka", "5 Desember 2025")],
    "evaluation.period_closing_soon": [("siti.rahma@example.go.id", "2 hari lagi", "belum lengkap")],
    "evaluation.period_closed_missing": [("siti.rahma@example.go.id", "tanpa realisasi", "belum diisi")],
    "evaluation.finalized": [("siti.rahma@example.go.id", "Baik", "19 Desember 2025")],
    "evaluation.keberatan_filed": [("ratna.dewi@example.go.id", "Keberatan", "bukti dukung lengkap")],
    "evaluation.keberatan_decided": [("siti.rahma@example.go.id", "diterima", "Butuh Perbaikan")],
}


@pytest.mark.parametrize("sample", sorted(EXPECTED))
async def test_event_mails_the_right_person(sample, app, bus, smtp_sink, tokens):
    async with running(app) as client:
        env = await bus.publish(ex.samples()[sample], correlation_id=f"corr-{sample}")
        expected = EXPECTED[sample]
        await wait_for(lambda: len(smtp_sink.messages) >= len(expected))
        for address, in_subject, in_text in expected:
            [msg] = smtp_sink.to(address)
            m = msg.parsed
            assert in_subject in str(m["Subject"])
            text = m.get_body(preferencelist=("plain",)).get_content()
            html = m.get_body(preferencelist=("html",)).get_content()
            assert in_text in text
            assert "https://kinerja.example.go.id/" in text and 'href="https://kinerja.example.go.id/' in html
            assert "https://kinerja.example.go.id/preferensi" in text  # the reader's preferences in the portal
            assert 'href="https://kinerja.example.go.id/preferensi"' in html
            assert m["X-Correlation-ID"] == f"corr-{sample}"
            assert m["Message-ID"].strip().startswith(f"<{env.event_id}.")
        # the log shows the same, by event (once the worker has recorded it)
        await wait_for(lambda: app.state.runtime.container.delivery.sent == len(expected))
        r = await client.get(f"/api/v1/events/{env.event_id}/deliveries", headers=tokens("199001012015011000", "admin", instansi=ex.INSTANSI))
        assert r.status_code == 200
        assert sorted(d["email"] for d in r.json()) == sorted(a for a, _, _ in expected)
        assert {d["status"] for d in r.json()} == {"sent"}
