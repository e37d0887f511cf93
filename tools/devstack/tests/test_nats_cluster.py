"""The three-node NATS cluster of the chaos run and the benchmark
(``NatsCluster``), and the Stack's replicas: ports, names, who migrates."""

from __future__ import annotations

import asyncio
import time

import nats
import pytest
from kinerja_contracts.events.registry import STREAM
from kinerja_devstack.natsserver import NatsCluster
from kinerja_devstack.procs import SERVICES, Stack, instance_name
from kinerja_platform.messaging.provisioning import ensure_streams


def test_every_replica_has_its_own_port_and_only_the_first_migrates(tmp_path):
    cluster = NatsCluster(str(tmp_path / "nats"), auth=True)  # not started: its ports and passwords only
    stack = Stack.on_free_ports(tmp_path, replicas=3, nats_url=cluster.url)
    stack.nats = cluster
    ports = [stack.port(s, r) for s, r in stack.instances()]
    assert len(ports) == len(set(ports)) == 3 * len(SERVICES)
    assert stack.urls("skp") == [f"http://127.0.0.1:{stack.port('skp', r)}" for r in range(3)]
    assert [instance_name("skp", r) for r in range(3)] == ["skp", "skp-2", "skp-3"]
    with pytest.raises(ValueError):
        stack.port("skp", 3)
    first, third = stack.service_env("approval", 0), stack.service_env("approval", 2)
    assert "KINERJA_APPROVAL_RUN_MIGRATIONS" not in first and third["KINERJA_APPROVAL_RUN_MIGRATIONS"] == "false"
    assert third["KINERJA_APPROVAL_PORT"] == str(stack.port("approval", 2))
    # every node's URL, the cluster's replica count, the service's own NATS user
    assert first["NATS_URL"].split(",") == [n.url for n in cluster.nodes] and len(cluster.nodes) == 3
    assert first["KINERJA_NATS_STREAM_REPLICAS"] == "3"
    assert first["KINERJA_APPROVAL_NATS_USER"] == "approval"
    assert first["KINERJA_APPROVAL_NATS_PASSWORD"] == cluster.passwords["approval"]


async def test_a_replicated_stream_outlives_the_death_of_its_leader_node(tmp_path):
    cluster = NatsCluster(str(tmp_path / "nats"), auth=True, log_dir=str(tmp_path))
    await asyncio.to_thread(cluster.start)
    nc = None
    try:
        for node in cluster.nodes:  # the same authorization on every node: no anonymous client
            with pytest.raises(Exception):  # noqa: B017 - nats-py raises the server's refusal in several forms
                await nats.connect(node.url, allow_reconnect=False, max_reconnect_attempts=0)
        nc = await nats.connect(servers=cluster.url.split(","), user="skp", password=cluster.passwords["skp"],
                                max_reconnect_attempts=-1, reconnect_time_wait=0.2)
        js = nc.jetstream()
        await ensure_streams(js, replicas=cluster.stream_replicas)
        info = await js.stream_info(STREAM)
        assert info.config.num_replicas == 3 and info.cluster is not None and len(info.cluster.replicas) == 2
        await js.publish("kinerja.skp.submitted", b"{}", headers={"Nats-Msg-Id": "first"})

        leader = [n.cluster.server_name for n in cluster.nodes if n.cluster].index(info.cluster.leader)
        cluster.nodes[leader].stop(kill=True)
        deadline = time.monotonic() + 60
        while True:  # a new leader is elected; publishing works again
            try:
                await js.publish("kinerja.skp.submitted", b"{}", headers={"Nats-Msg-Id": "second"}, timeout=2)
                break
            except Exception:
                assert time.monotonic() < deadline, "no new stream leader within 60 s"
                await asyncio.sleep(0.2)
        await asyncio.to_thread(cluster.restart, leader)
        deadline = time.monotonic() + 60
        while True:  # the restarted node catches up: every follower current, nothing lost
            info = await js.stream_info(STREAM)
            assert info.cluster is not None
            if info.state.messages == 2 and all(r.current for r in info.cluster.replicas):
                break
            assert time.monotonic() < deadline, info
            await asyncio.sleep(0.3)
    finally:
        if nc is not None:
            await nc.close()
        cluster.cleanup()
