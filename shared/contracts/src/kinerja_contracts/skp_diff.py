"""What changed between two versions of an SKP: one diff for every service. Pure.

:func:`diff_skp` compares two :class:`~kinerja_contracts.skp.SkpSnapshot` in
their JSON form and lists every changed leaf as a :class:`Change`:

- ``path``: dotted from the document root; lists of objects with an ``id``
  (RHK, IKI) are matched by it and written ``hasil_kerja[id=rhk-2]``, the
  perilaku kerja by their ``nilai`` (``perilaku_kerja[nilai=Akuntabel]``), so
  inserting an RHK reports one added RHK rather than every later one as
  changed; other lists are compared position by position (``target_bulanan[8]``);
- ``kind``: ``added``, ``removed`` or ``changed``;
- ``before`` / ``after``: the JSON values (``null`` on the side that has none);
  numbers of the SKP are decimals and so JSON strings (``"12"``).

Order is stable: the order of the snapshot's fields, and within a matched
list the items of ``before`` in their order, then the items only ``after``
has, in theirs. Both sides are read through the snapshot type, so the order
does not depend on how a database stored the JSON.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .skp import SkpSnapshot

__all__ = ["Change", "ChangeKind", "diff_skp"]

ChangeKind = Literal["added", "removed", "changed"]

#: keys that identify the objects of a list, tried in this order
_LIST_KEYS = ("id", "nilai")


class Change(BaseModel):
    """One changed leaf (or one added / removed object) of an SKP."""

    model_config = ConfigDict(frozen=True)

    path: str
    kind: ChangeKind
    before: Any = None
    after: Any = None


def _list_key(before: list[Any], after: list[Any]) -> str | None:
    """The key that matches the objects of both lists, if every object has a
    unique string value under it on each side."""
    for key in _LIST_KEYS:
        ok = True
        for items in (before, after):
            values = [x.get(key) if isinstance(x, dict) else None for x in items]
            if not all(isinstance(v, str) for v in values) or len(set(values)) != len(values):
                ok = False
                break
        if ok and (before or after):
            return key
    return None


def _walk(before: Any, after: Any, path: str, out: list[Change]) -> None:
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(k for k in after if k not in before)]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in after:
                out.append(Change(path=sub, kind="removed", before=before[key]))
            elif key not in before:
                out.append(Change(path=sub, kind="added", after=after[key]))
            else:
                _walk(before[key], after[key], sub, out)
        return
    if isinstance(before, list) and isinstance(after, list):
        key = _list_key(before, after)
        if key is not None:
            old = {x[key]: x for x in before}
            new = {x[key]: x for x in after}
            for k in [*old, *(k for k in new if k not in old)]:
                sub = f"{path}[{key}={k}]"
                if k not in new:
                    out.append(Change(path=sub, kind="removed", before=old[k]))
                elif k not in old:
                    out.append(Change(path=sub, kind="added", after=new[k]))
                else:
                    _walk(old[k], new[k], sub, out)
            return
        for i in range(max(len(before), len(after))):
            sub = f"{path}[{i}]"
            if i >= len(after):
                out.append(Change(path=sub, kind="removed", before=before[i]))
            elif i >= len(before):
                out.append(Change(path=sub, kind="added", after=after[i]))
            else:
                _walk(before[i], after[i], sub, out)
        return
    out.append(Change(path=path, kind="changed", before=before, after=after))


def diff_skp(before: SkpSnapshot, after: SkpSnapshot) -> list[Change]:
    """Every change that turns ``before`` into ``after``, in document order
    (empty when the two versions are equal)."""
    out: list[Change] = []
    _walk(before.model_dump(mode="json"), after.model_dump(mode="json"), "", out)
    return out
