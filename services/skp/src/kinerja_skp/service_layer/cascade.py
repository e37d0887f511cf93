"""The cascade tree: a superior's RHK and every subordinate RHK that
intervenes it (``rhk_intervensi_id``), level by level down the hierarchy.

A subordinate SKP belongs to the tree when its pejabat penilai is the
superior and its period overlaps the superior's (same year).
"""

from __future__ import annotations

from typing import Any

from ..adapters.repository import SkpRepository
from ..adapters.tables import SkpDocument

MAX_DEPTH = 8


def _node(doc: SkpDocument, rhk: dict) -> dict[str, Any]:
    p = doc.content.get("pegawai", {})
    return {
        "skp_id": str(doc.id),
        "status": doc.status,
        "pegawai": {"nip": doc.nip, "nama": p.get("nama"), "jabatan": p.get("jabatan"), "unit_kerja": p.get("unit_kerja")},
        "rhk_id": rhk.get("id"),
        "jenis": rhk.get("jenis"),
        "uraian": rhk.get("uraian"),
        "iki": [{"id": i.get("id"), "indikator": i.get("indikator")} for i in rhk.get("iki", [])],
        "intervensi": [],
    }


async def cascade_tree(session, root: SkpDocument) -> dict[str, Any]:
    roots = [_node(root, r) for r in root.content.get("hasil_kerja", [])]
    # frontier: superior nip -> {rhk id -> node}, with the superior's period
    frontier = [(root, {n["rhk_id"]: n for n in roots})]
    seen = {root.id}
    depth = 0
    while frontier and depth < MAX_DEPTH:
        depth += 1
        nips = {doc.nip for doc, _ in frontier}
        tahun = root.tahun
        subs = await SkpRepository(session).appraised_by(nips, tahun)
        nxt = []
        for sub in sorted(subs, key=lambda d: (d.nama or "", d.nip)):
            if sub.id in seen:
                continue
            for sup, nodes in frontier:
                if sub.penilai_nip != sup.nip or sub.periode_mulai > sup.periode_selesai or sub.periode_selesai < sup.periode_mulai:
                    continue
                mine = {}
                for r in sub.content.get("hasil_kerja", []):
                    parent = nodes.get(r.get("rhk_intervensi_id"))
                    if parent is not None:
                        node = _node(sub, r)
                        parent["intervensi"].append(node)
                        mine[node["rhk_id"]] = node
                if mine:
                    seen.add(sub.id)
                    nxt.append((sub, mine))
        frontier = nxt
    return {"skp_id": str(root.id), "nip": root.nip, "nama": root.nama, "tahun": root.tahun, "rhk": roots}
