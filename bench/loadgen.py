"""A small HTTP load generator for the benchmarks: concurrent clients, latency percentiles, CPU shares.

Each client is its own process (no GIL shared between clients) holding one HTTP/1.1 connection
(a minimal client on a socket, `Connection`, which costs far less CPU per request than
`http.client`): kept alive when the server allows it, opened again when the server closes it
(gunicorn's sync workers close after every response). A client sends its requests one after the
other, as fast as the server answers, from a common start signal until a fixed duration has
passed; the requests in flight at the deadline are finished and counted. Throughput is the
number of answers divided by the time from the start signal to the last answer.

Every request is timed on its own with `time.perf_counter_ns`, connecting included. While a
phase runs, the CPU time used by the load generator's own processes, by process trees given by
the caller (the web server, the database server) and by the whole machine (/proc/stat) is
recorded, so a report can show that the load generator is not what limits the figures.

Only the standard library is used here: the client processes never import Django.
"""

from __future__ import annotations

import http.client
import json
import math
import multiprocessing
import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Target:
    host: str  # where to connect (127.0.0.1)
    port: int
    host_header: str  # the Host header every request carries (picks the jurisdiction)


@dataclass
class ClientResult:
    latencies_ns: list[int]
    statuses: list[int]
    finished_ns: int  # time.monotonic_ns() of the last answer
    cpu_seconds: float
    # POSTs with an idempotency prefix: (Idempotency-Key, status, service_request_id or "")
    created: list[tuple[str, int, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the first few non-2xx bodies or exceptions


def idempotency_key(prefix: str, client: int, sequence: int) -> str:
    return f"{prefix}-{client}-{sequence}"


class Connection:
    """A minimal HTTP/1.1 client on one socket: a fraction of http.client's CPU per request.

    It sends requests built once (only the Idempotency-Key changes) and reads a response with a
    Content-Length, or up to the end when the server closes the connection (gunicorn's sync
    workers do after every response); it reconnects when the server has closed. Chunked responses
    on a kept-alive connection are not supported (not needed for the servers measured here).
    """

    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port)
        self.sock: socket.socket | None = None
        self.buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    def _receive(self) -> bytes:
        assert self.sock is not None
        data = self.sock.recv(262_144)
        if not data:
            raise ConnectionResetError("the server closed the connection in the middle of a response")
        return data

    def exchange(self, raw: bytes) -> tuple[int, bytes]:
        """Send one request (its bytes); the response's status and body."""
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=120)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(raw)
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._receive()
        head, _separator, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _colon, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        closing = headers.get(b"connection") == b"close"
        if b"content-length" in headers:
            length = int(headers[b"content-length"])
            while len(rest) < length:
                rest += self._receive()
            body, self.buffer = rest[:length], rest[length:]
        elif closing:
            chunks = [rest]
            while data := self.sock.recv(262_144):
                chunks.append(data)
            body, self.buffer = b"".join(chunks), b""
        else:
            raise ValueError("a response without Content-Length on a kept-alive connection")
        if closing:
            self.close()
        return status, body


def request_bytes(target: Target, request: Request, extra: dict[str, str] | None = None) -> bytes:
    headers = {"Host": target.host_header, **dict(request.headers), **(extra or {})}
    body = request.body or b""
    if body or request.method in ("POST", "PUT", "PATCH"):
        headers["Content-Length"] = str(len(body))
    head = f"{request.method} {request.path} HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return (head + "\r\n").encode("latin-1") + body


def _client(
    *,
    index: int,
    target: Target,
    requests: Sequence[Request],
    duration: float,
    idempotency_prefix: str | None,
    ready: Any,
    go: Any,
    results: Any,
) -> None:
    connection = Connection(target.host, target.port)
    prepared = [request_bytes(target, request) for request in requests]
    latencies: list[int] = []
    statuses: list[int] = []
    created: list[tuple[str, int, str]] = []
    errors: list[str] = []
    cpu_start = time.process_time()
    ready.put(index)
    go.wait()
    deadline = time.monotonic_ns() + int(duration * 1e9)
    finished = time.monotonic_ns()
    sequence = 0
    while finished < deadline:
        position = sequence % len(requests)
        raw, key = prepared[position], None
        if idempotency_prefix is not None:
            key = idempotency_key(idempotency_prefix, index, sequence)
            raw = request_bytes(target, requests[position], {"Idempotency-Key": key})
        start = time.perf_counter_ns()
        try:
            status, body = connection.exchange(raw)
        except (OSError, ValueError) as error:
            connection.close()
            body, status = repr(error).encode(), 0
        latencies.append(time.perf_counter_ns() - start)
        statuses.append(status)
        finished = time.monotonic_ns()
        if key is not None:
            reference = ""
            if 200 <= status < 300:
                try:
                    reference = json.loads(body)[0].get("service_request_id", "")
                except (ValueError, LookupError, AttributeError):
                    reference = ""
            created.append((key, status, reference))
        if not 200 <= status < 300 and len(errors) < 5:
            request = requests[position]
            errors.append(f"{status} {request.method} {request.path}: {body[:300].decode(errors='replace')}")
        sequence += 1
    connection.close()
    results.put(
        (
            index,
            ClientResult(
                latencies_ns=latencies,
                statuses=statuses,
                finished_ns=finished,
                cpu_seconds=time.process_time() - cpu_start,
                created=created,
                errors=errors,
            ),
        )
    )


# --- CPU accounting ----------------------------------------------------------------------------


def _processes() -> dict[int, tuple[int, int]]:
    """pid → (parent pid, CPU clock ticks) of every process we may read.

    The ticks are the process's own (utime + stime) plus those of its children that ended and
    were waited for (cutime + cstime): a PostgreSQL backend or a gunicorn worker that exits
    during a phase moves its time to its parent instead of taking it out of the total.
    """
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may hold spaces and parentheses: split after its last ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), sum(int(value) for value in fields[11:15]))
    return found


def tree_cpu_ticks(roots: Sequence[int]) -> dict[int, int]:
    """CPU ticks used so far by each root's process tree (the root and every descendant alive now)."""
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _ticks) in processes.items():
        children.setdefault(parent, []).append(pid)
    totals = {}
    for root in roots:
        total, stack = 0, [root]
        while stack:
            pid = stack.pop()
            if pid in processes:
                total += processes[pid][1]
                stack.extend(children.get(pid, []))
        totals[root] = total
    return totals


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs since boot, from the first line of /proc/stat."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # user nice system idle iowait irq softirq steal (guest is inside user)
    return total - idle, total


# --- Phases ------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    clients: int
    elapsed_s: float
    latencies_ns: list[int]
    statuses: list[int]
    client_cpu_s: float
    tree_cpu_s: dict[str, float]
    machine_busy_share: float  # of all CPUs, 0..1
    created: list[tuple[str, int, str]]
    errors: list[str]

    @property
    def n(self) -> int:
        return len(self.latencies_ns)

    @property
    def ok(self) -> int:
        return sum(1 for status in self.statuses if 200 <= status < 300)

    @property
    def throughput(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s > 0 else 0.0


def run_phase(
    name: str,
    *,
    target: Target,
    requests: Sequence[Sequence[Request]],
    duration: float,
    idempotency_prefix: str | None = None,
    watch: dict[str, int] | None = None,
) -> Phase:
    """Run len(requests) clients (client i cycles through requests[i]) for duration seconds."""
    context = multiprocessing.get_context("spawn")
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    processes = [
        context.Process(
            target=_client,
            kwargs={
                "index": index,
                "target": target,
                "requests": list(own),
                "duration": duration,
                "idempotency_prefix": idempotency_prefix,
                "ready": ready,
                "go": go,
                "results": results,
            },
            daemon=True,
        )
        for index, own in enumerate(requests)
    ]
    for process in processes:
        process.start()
    for _process in processes:
        ready.get(timeout=60)
    watch = watch or {}
    trees_before = tree_cpu_ticks(list(watch.values()))
    busy_before, total_before = machine_ticks()
    started = time.monotonic_ns()
    go.set()
    collected: dict[int, ClientResult] = {}
    for _process in processes:
        index, result = results.get(timeout=duration + 300)
        collected[index] = result
    busy_after, total_after = machine_ticks()
    trees_after = tree_cpu_ticks(list(watch.values()))
    for process in processes:
        process.join(timeout=30)
    ordered = [collected[index] for index in sorted(collected)]
    return Phase(
        name=name,
        clients=len(processes),
        elapsed_s=(max(result.finished_ns for result in ordered) - started) / 1e9,
        latencies_ns=[value for result in ordered for value in result.latencies_ns],
        statuses=[value for result in ordered for value in result.statuses],
        client_cpu_s=sum(result.cpu_seconds for result in ordered),
        tree_cpu_s={
            label: (trees_after.get(pid, 0) - trees_before.get(pid, 0)) / CLK_TCK for label, pid in watch.items()
        },
        machine_busy_share=(busy_after - busy_before) / max(1, total_after - total_before),
        created=[item for result in ordered for item in result.created],
        errors=[item for result in ordered for item in result.errors],
    )


def merge(phases: Sequence[Phase]) -> Phase:
    """The rounds of one operation as one phase (samples pooled, times and CPU added up)."""
    first = phases[0]
    elapsed = sum(phase.elapsed_s for phase in phases)
    return Phase(
        name=first.name,
        clients=first.clients,
        elapsed_s=elapsed,
        latencies_ns=[value for phase in phases for value in phase.latencies_ns],
        statuses=[value for phase in phases for value in phase.statuses],
        client_cpu_s=sum(phase.client_cpu_s for phase in phases),
        tree_cpu_s={label: sum(phase.tree_cpu_s.get(label, 0.0) for phase in phases) for label in first.tree_cpu_s},
        machine_busy_share=sum(phase.machine_busy_share * phase.elapsed_s for phase in phases) / elapsed
        if elapsed
        else 0.0,
        created=[item for phase in phases for item in phase.created],
        errors=[item for phase in phases for item in phase.errors],
    )


def percentile_ms(samples_ns: Sequence[int], p: float) -> float:
    """Nearest-rank percentile in milliseconds."""
    ordered = sorted(samples_ns)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1] / 1e6


def send_one(target: Target, request: Request, extra_headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One request on a fresh connection: (status, body)."""
    connection = http.client.HTTPConnection(target.host, target.port, timeout=120)
    try:
        headers = {"Host": target.host_header, **dict(request.headers), **(extra_headers or {})}
        connection.request(request.method, request.path, body=request.body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
