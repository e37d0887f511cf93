"""Kinerja contracts: what every service agrees on, on the wire.

- ``events``: the event envelope, every event payload, subjects and the
  schema-version rule;
- ``lifecycle``: the SKP approval lifecycle (states x actions) shared by the
  skp and approval services;
- ``values``: value types used on the wire (NIP, identity snapshots, periods).

Installable with pydantic alone. What services run on (web, database,
messaging, logging) is the platform package, ``kinerja_platform``.
"""
