"""Events on the Kinerja bus: the envelope, every payload, and their subjects.

Schema-version rule
-------------------
A payload may change only additively: new optional fields, new enum values
that old readers can ignore. Readers ignore fields they do not know.

A *renamed* field bumps ``schema_version`` on the same subject; for one
release the reader also accepts the old name (pydantic
``validation_alias=AliasChoices(new, old)``), so events already in the stream,
written with the old name and the old version, are still understood. Writers
send only the new name. Consumers are deployed before (or with) producers: a
consumer refuses a version newer than it knows (dead letter, never a guess).

Any other change that would break an existing reader (removing a field,
changing its type or meaning) is a *new event*: a new payload class with
``schema_version`` + 1 published on a new subject ``<subject>.v<N>``. The old
subject keeps flowing until every consumer has moved.
"""

from .envelope import Envelope, EventPayload, new_envelope
from .registry import REGISTRY, EventSpec, parse_envelope, spec_for_subject
from .types import *  # noqa: F403
from .types import __all__ as _types_all

__all__ = [
    "Envelope",
    "EventPayload",
    "new_envelope",
    "REGISTRY",
    "EventSpec",
    "parse_envelope",
    "spec_for_subject",
    *_types_all,
]
