import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.processes import CIVICLOOP, civicloop_env, free_port, migrate, migrated_copy, run_civicloop


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    return migrate(tmp_path_factory.mktemp("migrated"))


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _health(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


@pytest.fixture
def serving(migrated, tmp_path):
    """`civicloop serve` on a free port, healthy (web up, worker beating); stopped afterwards."""
    home = migrated_copy(migrated, tmp_path)
    port = free_port()
    # DEBUG serves static files without collectstatic; the worker beats every second.
    env = civicloop_env(home, DEBUG="true", WORKER_HEARTBEAT_SECONDS="1")
    process = subprocess.Popen(  # noqa: S603
        [*CIVICLOOP, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    status = None
    while time.monotonic() < deadline and process.poll() is None:
        try:
            status, _body = _health(port)
        except OSError:
            status = None
        if status == 200:
            break
        time.sleep(0.2)
    children = _children(process.pid)
    try:
        assert status == 200, f"serve did not become healthy: {process.poll()=} {status=}"
        yield process, port
    finally:
        for pid in [process.pid, *children]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        process.communicate(timeout=20)


def test_serve_runs_web_server_and_worker_until_terminated(serving):
    process, port = serving
    children = _children(process.pid)
    status, body = _health(port)

    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=40)

    assert (status, body["checks"]["worker"]["ok"]) == (200, True)
    assert len(children) == 2  # gunicorn's master and the task worker
    assert process.returncode == 0, err
    assert f"civicloop is running at http://127.0.0.1:{port}/ with a task worker" in out
    assert [pid for pid in children if _alive(pid)] == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_serve_stops_web_server_when_worker_dies(serving):
    process, _port = serving
    children = _children(process.pid)
    [worker] = [pid for pid in children if "civicloop\0worker" in Path(f"/proc/{pid}/cmdline").read_text()]

    os.kill(worker, signal.SIGKILL)
    _out, err = process.communicate(timeout=40)

    assert process.returncode != 0
    assert "the task worker stopped" in err
    assert [pid for pid in children if _alive(pid)] == []


def test_serve_refuses_unmigrated_database(tmp_path):
    result = run_civicloop("serve", "--port", str(free_port()), env=civicloop_env(tmp_path))

    assert result.returncode == 1
    assert "Run `civicloop migrate` first" in result.stderr


def test_serve_refuses_uncollected_static_files(migrated, tmp_path):
    home = migrated_copy(migrated, tmp_path)

    result = run_civicloop("serve", "--port", str(free_port()), env=civicloop_env(home, DEBUG="false"))

    assert result.returncode == 1
    assert "civicloop collectstatic --noinput" in result.stderr


def test_serve_refuses_port_in_use(migrated, tmp_path):
    home = migrated_copy(migrated, tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = run_civicloop("serve", "--port", str(port), env=civicloop_env(home, DEBUG="true"))

    assert result.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.stderr
