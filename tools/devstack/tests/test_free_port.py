"""free_port: ports for the servers the tests start, out of the way of
outgoing connections."""

from __future__ import annotations

import socket

from kinerja_devstack import natsserver
from kinerja_devstack.natsserver import ephemeral_range, free_port, port_free


def test_ports_are_free_distinct_and_below_the_ephemeral_range():
    low, _ = ephemeral_range()
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == 50
    assert all(10_000 <= p < low for p in ports) or low <= 11_000
    assert all(port_free(p) for p in ports)


def test_a_port_in_use_or_handed_out_before_is_skipped(monkeypatch):
    given = free_port()
    with socket.socket() as held:
        held.bind(("127.0.0.1", free_port()))
        held.listen()
        taken = held.getsockname()[1]
        spare = free_port()
        # the random draw offers the busy port, then the one given before, then a spare
        offers = iter([taken, given, spare])
        monkeypatch.setattr(natsserver.random, "randint", lambda a, b: next(offers))
        natsserver._handed_out.discard(spare)
        natsserver._handed_out.discard(taken)  # skipped only because it is in use
        assert free_port() == spare
