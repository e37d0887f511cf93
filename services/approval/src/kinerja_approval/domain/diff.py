"""What changed between two versions of an SKP document. Pure.

The atasan who returned an SKP wants to see what the pegawai changed before
resubmitting. :func:`diff_documents` walks two JSON documents and lists every
changed leaf with its path. Lists of objects with an ``id`` (RHK, IKI) are
matched by id, so inserting an RHK does not show every later one as changed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Kind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class Change:
    path: str
    kind: Kind
    before: Any = None
    after: Any = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    if items and all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in items):
        keys = [i["id"] for i in items]
        if len(set(keys)) == len(keys):
            return {i["id"]: i for i in items}
    return None


def _walk(before: Any, after: Any, path: str, out: list[Change]) -> None:
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in list(before) + [k for k in after if k not in before]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in after:
                out.append(Change(sub, "removed", before=before[key]))
            elif key not in before:
                out.append(Change(sub, "added", after=after[key]))
            else:
                _walk(before[key], after[key], sub, out)
        return
    if isinstance(before, list) and isinstance(after, list):
        kb, ka = _keyed(before), _keyed(after)
        if kb is not None and ka is not None:
            for key in list(kb) + [k for k in ka if k not in kb]:
                sub = f"{path}[id={key}]"
                if key not in ka:
                    out.append(Change(sub, "removed", before=kb[key]))
                elif key not in kb:
                    out.append(Change(sub, "added", after=ka[key]))
                else:
                    _walk(kb[key], ka[key], sub, out)
            return
        for i in range(max(len(before), len(after))):
            sub = f"{path}[{i}]"
            if i >= len(after):
                out.append(Change(sub, "removed", before=before[i]))
            elif i >= len(before):
                out.append(Change(sub, "added", after=after[i]))
            else:
                _walk(before[i], after[i], sub, out)
        return
    out.append(Change(path, "changed", before=before, after=after))


def diff_documents(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Every leaf that differs between ``before`` and ``after``, in document order."""
    out: list[Change] = []
    _walk(before, after, "", out)
    return out
