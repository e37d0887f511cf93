"""The bus requires credentials: each service connects as its own NATS user
that may publish only its own events (kinerja_platform.messaging.bus_auth,
docs/security.md).

Against a real nats-server started with the generated authorization block
(the one ``make run`` starts): an anonymous client cannot connect; a service
cannot publish another service's event (the forged ``approval.approved`` that
once made skp show Approved); each service's app starts, provisions its
consumers and (evaluation) takes its key-value lease with its own user only.
"""

from __future__ import annotations

from nats.js.errors import NotFoundError

import asyncio
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from kinerja_contracts.events.registry import REGISTRY, STREAM
from kinerja_devstack.natsserver import NatsServer, nats_server_binary
from kinerja_devstack.testing import eventually, running
from kinerja_platform.messaging import bus_auth
from kinerja_platform.messaging.provisioning import ensure_streams
from kinerja_platform.settings import CommonSettings
from nats.errors import NoServersError
from nats.js.errors import NoStreamResponseError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def secured_nats() -> Iterator[NatsServer]:
    server = NatsServer(auth=True).start()
    yield server
    server.cleanup()


async def connect_as(server: NatsServer, service: str | None, password: str | None = None):
    kwargs = {"allow_reconnect": False, "connect_timeout": 2, "max_reconnect_attempts": 0}
    if service is not None:
        kwargs |= {"user": service, "password": password if password is not None else server.passwords[service]}
    return await nats.connect(server.url, **kwargs)


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS wildcard matching: ``*`` one token, ``>`` the rest."""
    p, s = pattern.split("."), subject.split(".")
    for i, token in enumerate(p):
        if token == ">":
            return len(s) > i
        if i >= len(s) or (token != "*" and token != s[i]):
            return False
    return len(p) == len(s)


def test_deploy_auth_conf_is_the_generated_table():
    assert (ROOT / "deploy" / "nats" / "auth.conf").read_text() == bus_auth.render_authorization(), (
        "deploy/nats/auth.conf is stale: uv run python -m kinerja_platform.messaging.bus_auth > deploy/nats/auth.conf"
    )


def test_cluster_configs_load_the_authorization_and_need_every_password():
    passwords = {bus_auth.password_variable(s): "pw" for s in bus_auth.SERVICES}
    for i in (1, 2, 3):
        conf = ROOT / "deploy" / "nats" / f"nats-{i}.conf"
        ok = subprocess.run([nats_server_binary(), "-c", conf.name, "-t"], cwd=conf.parent,
                            env={**os.environ, **passwords}, capture_output=True, text=True)
        assert ok.returncode == 0, ok.stderr + ok.stdout
        missing = {k: v for k, v in passwords.items() if not k.endswith("_SKP")}
        env = {k: v for k, v in os.environ.items() if not k.startswith("KINERJA_NATS_PASSWORD_")} | missing
        refused = subprocess.run([nats_server_binary(), "-c", conf.name, "-t"], cwd=conf.parent,
                                 env=env, capture_output=True, text=True)
        assert refused.returncode != 0 and "KINERJA_NATS_PASSWORD_SKP" in refused.stderr + refused.stdout


def test_every_event_is_publishable_by_its_owner_only():
    for spec in REGISTRY.values():
        owner = spec.subject.split(".")[1]
        for service in bus_auth.SERVICES:
            allowed = any(subject_matches(p, spec.subject) for p in bus_auth.permissions(service).publish_allow)
            assert allowed == (service == owner), (service, spec.subject)


def test_the_destructive_jetstream_calls_are_denied_to_everyone():
    for service in bus_auth.SERVICES:
        deny = bus_auth.permissions(service).publish_deny
        for subject in (f"$JS.API.STREAM.DELETE.{STREAM}", f"$JS.API.STREAM.PURGE.{STREAM}",
                        f"$JS.API.STREAM.MSG.DELETE.{STREAM}", f"$JS.API.CONSUMER.DELETE.{STREAM}.approval--x"):
            assert any(subject_matches(p, subject) for p in deny), (service, subject)


async def test_anonymous_and_wrong_password_clients_are_refused(secured_nats):
    for service, password in ((None, None), ("skp", "not-the-password"), ("approval", secured_nats.passwords["skp"])):
        with pytest.raises((NoServersError, nats.errors.Error, OSError)):
            nc = await connect_as(secured_nats, service, password)
            await nc.close()


async def test_a_service_cannot_publish_another_services_event(secured_nats):
    skp = await connect_as(secured_nats, "skp")
    approval = await connect_as(secured_nats, "approval")
    try:
        js = skp.jetstream(timeout=2)
        await ensure_streams(js, replicas=1)
        ack = await js.publish("kinerja.skp.submitted", b"{}", stream=STREAM)
        assert ack.seq == 1
        # skp forging approval's decision: the server refuses the publish, nothing is stored
        with pytest.raises((NoStreamResponseError, nats.errors.TimeoutError, nats.errors.Error)):
            await js.publish("kinerja.approval.approved", b"{}", stream=STREAM, timeout=1)
        # a plain (non-JetStream) publish is refused the same way
        await skp.publish("kinerja.approval.approved", b"{}")
        await skp.flush()
        await asyncio.sleep(0.2)
        info = await approval.jetstream(timeout=2).stream_info(STREAM, subjects_filter=">")
        assert info.state.subjects == {"kinerja.skp.submitted": 1}
        # the owner may
        await approval.jetstream(timeout=2).publish("kinerja.approval.approved", b"{}", stream=STREAM)
        with pytest.raises((nats.errors.Error, nats.js.errors.Error)):  # nobody may purge the stream
            await approval.jetstream(timeout=2).purge_stream(STREAM)
    finally:
        await skp.close()
        await approval.close()


async def test_services_run_with_their_own_users_only(secured_nats, new_database):
    """Each app provisions the streams and its durable consumers, publishes
    through its relay and (evaluation) takes its KV lease as its own user."""
    from kinerja_approval.main import create_app as approval_app
    from kinerja_approval.settings import Settings as ApprovalSettings
    from kinerja_evaluation.main import create_app as evaluation_app
    from kinerja_evaluation.settings import Settings as EvaluationSettings

    def settings(cls, service):
        return cls(database_url=new_database(service), nats_user=service,
                   nats_password=secured_nats.passwords[service], common=CommonSettings(nats_url=secured_nats.url))

    async with running(approval_app(settings(ApprovalSettings, "approval"))) as c:
        r = await c.get("/readyz")
        assert r.status_code == 200, r.text
    evaluation = settings(EvaluationSettings, "evaluation")
    async with running(evaluation_app(evaluation)) as c:
        assert (await c.get("/readyz")).status_code == 200
        nc = await connect_as(secured_nats, "evaluation")
        try:
            kv = await nc.jetstream(timeout=2).key_value(evaluation.scheduler_bucket)

            async def leader():
                return (await kv.get("leader")).value

            assert await eventually(leader, timeout=15)
        finally:
            await nc.close()


async def test_the_directory_publishes_its_events_as_its_own_user(secured_nats, new_database, tokens):
    """The directory's relay publishes ``kinerja.directory.*`` with the directory's credentials."""
    from kinerja_directory.main import create_app as directory_app
    from kinerja_directory.settings import Settings as DirectorySettings

    settings = DirectorySettings(database_url=new_database("directory"), nats_user="directory",
                                 nats_password=secured_nats.passwords["directory"],
                                 common=CommonSettings(nats_url=secured_nats.url, relay_poll_interval=0.2))
    async with running(directory_app(settings)) as c:
        r = await c.put("/api/v1/units/umum", json={"nama": "Bagian Umum"},
                        headers=tokens("portal-dki", "portal", instansi="Pemerintah Provinsi DKI Jakarta"))
        assert r.status_code == 201, r.text
        nc = await connect_as(secured_nats, "directory")
        try:
            js = nc.jetstream(timeout=2)

            async def published():
                try:
                    return await js.get_last_msg(STREAM, "kinerja.directory.unit_changed")
                except NotFoundError:  # not relayed yet (the relay polls): ask again
                    return None

            assert (await eventually(published, timeout=15)).subject == "kinerja.directory.unit_changed"
        finally:
            await nc.close()
