"""Kinerja contracts: what every service agrees on, on the wire.

- ``events``: the event envelope, every event payload, subjects and the
  schema-version rule;
- ``lifecycle``: the SKP approval lifecycle (states x actions) shared by the
  skp and approval services;
- ``values``: value types used on the wire (NIP, identity snapshots, periods);
- ``skp``: the SKP document as events carry it (``SkpSnapshot``, typed down
  to each IKI); ``skp_diff``: what changed between two versions of it;
- ``calendar``: the clock (UTC), dates in Asia/Jakarta, Indonesian month
  names;
- ``targets``: how an IKI's target maps to evaluation periods (its kind,
  per-period targets as typed, polaritas per period), the one rule of the
  skp and evaluation services;
- ``teks``: period names ("Triwulan I 2026") and numbers the Indonesian way.

Installable with pydantic alone (and ``tzdata``, the zone database, where the
system has none). What services run on (web, database,
messaging, logging) is the platform package, ``kinerja_platform``.
"""
