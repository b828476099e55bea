"""Starts and stops real `fjord serve` processes for the tests and the benchmark."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fjord_bin() -> str:
    b = os.environ.get("FJORD_BIN", "")
    if not b or not os.access(b, os.X_OK):
        raise RuntimeError("FJORD_BIN must name the fjord binary (cd /work/main && go build -o bin/fjord ./cmd/fjord)")
    return b


@dataclass
class Broker:
    node_id: int
    addr: str
    http: str
    data: str
    args: list[str]
    proc: subprocess.Popen[bytes] | None = None
    log: str = ""

    def start(self) -> None:
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(self.args, stdout=logf, stderr=subprocess.STDOUT)
        logf.close()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://{self.http}/readyz", timeout=1) as r:
                return bool(r.status == 200)
        except OSError:
            return False


@dataclass
class Cluster:
    brokers: list[Broker] = field(default_factory=list)
    tmp: str = ""

    @property
    def bootstrap(self) -> str:
        return ",".join(b.addr for b in self.brokers if b.proc is not None and b.proc.poll() is None)

    @property
    def registry_url(self) -> str:
        return f"http://{self.brokers[0].http}"

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        for b in self.brokers:
            while not b.ready():
                if b.proc is not None and b.proc.poll() is not None:
                    raise RuntimeError(f"fjord serve exited: {open(b.log).read()[-2000:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"broker {b.node_id} not ready: {open(b.log).read()[-2000:]}")
                time.sleep(0.05)

    def stop(self) -> None:
        for b in self.brokers:
            b.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


_GROUP_FLAGS = ["--group-min-session-timeout", "1s", "--group-heartbeat-interval", "200ms"]


def start_cluster(n: int = 1) -> Cluster:
    """Starts n brokers on free loopback ports (a raft quorum when n > 1) and waits until ready.

    A port found free can be taken by someone else (an outgoing connection's
    ephemeral port, say) before the broker binds it: such a start is retried
    on new ports, a few times.
    """
    for attempt in range(4):
        try:
            return _start_cluster(n)
        except RuntimeError as e:
            if "address already in use" not in str(e) or attempt == 3:
                raise
    raise AssertionError("unreachable")


def _start_cluster(n: int) -> Cluster:
    binary = fjord_bin()
    c = Cluster(tmp=tempfile.mkdtemp(prefix="fjord-py-"))
    raft = [free_port() for _ in range(n)]
    peers = ",".join(f"{i + 1}@127.0.0.1:{p}" for i, p in enumerate(raft))
    for i in range(n):
        addr, http = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
        data = os.path.join(c.tmp, f"n{i + 1}")
        args = [binary, "serve", "--data", data, "--listen", addr, "--http", http, "--log-level", "warn", *_GROUP_FLAGS]
        if n > 1:
            args += ["--node-id", str(i + 1), "--raft", f"127.0.0.1:{raft[i]}", "--peers", peers,
                     "--session-timeout", "1s", "--heartbeat-interval", "200ms", "--raft-timeout", "300ms",
                     "--replica-lag-time-max", "2s", "--replica-fetch-wait", "200ms"]
        c.brokers.append(Broker(i + 1, addr, http, data, args, log=os.path.join(c.tmp, f"n{i + 1}.log")))
    try:
        for b in c.brokers:
            b.start()
        c.wait_ready()
    except BaseException:
        c.stop()
        raise
    return c
