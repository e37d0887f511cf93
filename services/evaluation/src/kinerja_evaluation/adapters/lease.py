"""Leader lease in a NATS JetStream key-value bucket.

The bucket has a TTL: an entry not renewed within it disappears. ``create``
writes only if the key is absent (acquire); ``update(last=rev)`` is a
compare-and-set (renew): a holder that lost the lease - its entry expired
and someone else created a new one - fails to renew and stops acting.

The bucket is created with ``replicas`` copies (the streams' setting
``KINERJA_NATS_STREAM_REPLICAS``): on a three-node cluster the lease outlives
the death of any one node.
"""

from __future__ import annotations

import uuid

from kinerja_platform.logging import get_logger
from nats.js.api import KeyValueConfig
from nats.js.errors import BucketNotFoundError, KeyNotFoundError, KeyWrongLastSequenceError, NotFoundError

log = get_logger(__name__)


class Lease:
    def __init__(self, js, *, bucket: str, key: str = "leader", ttl: float = 90.0, owner: str | None = None,
                 replicas: int = 1):
        self.js = js
        self.replicas = replicas
        self.bucket = bucket
        self.key = key
        self.ttl = ttl
        self.owner = owner or uuid.uuid4().hex
        self.revision: int | None = None
        self._kv = None

    async def _bucket(self):
        if self._kv is None:
            try:
                self._kv = await self.js.key_value(self.bucket)
            except (BucketNotFoundError, NotFoundError):
                self._kv = await self.js.create_key_value(KeyValueConfig(bucket=self.bucket, ttl=self.ttl, history=1,
                                                                         replicas=self.replicas))
        return self._kv

    @property
    def held(self) -> bool:
        return self.revision is not None

    async def acquire(self) -> bool:
        """Acquire the lease, or renew it if held; False when another holds it."""
        kv = await self._bucket()
        value = self.owner.encode()
        try:
            if self.revision is not None:
                self.revision = await kv.update(self.key, value, last=self.revision)
            else:
                self.revision = await kv.create(self.key, value)
                log.info("scheduler lease acquired", owner=self.owner, bucket=self.bucket)
            return True
        except (KeyWrongLastSequenceError, KeyNotFoundError) as exc:
            if self.revision is not None:
                log.warning("scheduler lease lost", owner=self.owner, error=repr(exc))
            self.revision = None
            return False
        except Exception as exc:  # NATS unreachable: do not act without a lease
            log.warning("scheduler lease unavailable", owner=self.owner, error=repr(exc))
            self.revision = None
            return False

    async def release(self) -> None:
        if self.revision is None:
            return
        try:
            kv = await self._bucket()
            await kv.delete(self.key, last=self.revision)
        except Exception as exc:
            log.warning("scheduler lease release failed", error=repr(exc))
        self.revision = None
