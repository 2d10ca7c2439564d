"""Shared test helpers: generated stubs, fixture paths, and a real worker process."""

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

WORKER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(WORKER_DIR)
FUNCTIONS_DIR = os.path.join(WORKER_DIR, "tests", "functions")
EXAMPLES_DIR = os.path.join(REPO_DIR, "examples")
GEN_DIR = os.path.join(WORKER_DIR, "gen")
PYTHON = "/usr/bin/python3"
READY_PREFIX = b"FAAS_WORKER_READY pid="
RPC_TIMEOUT = 10

_stubs_ready = False


def stubs():
    """(worker_pb2, worker_pb2_grpc), generating them first if needed."""
    global _stubs_ready
    if not _stubs_ready:
        subprocess.run([os.path.join(WORKER_DIR, "generate_protos.sh"), GEN_DIR], check=True)
        if GEN_DIR not in sys.path:
            sys.path.append(GEN_DIR)
        _stubs_ready = True
    from faas.worker.v1 import worker_pb2, worker_pb2_grpc
    return worker_pb2, worker_pb2_grpc


class _LazyPb:
    """support.PB.X: a worker_pb2 attribute (enum values), generating stubs on first use."""

    def __getattr__(self, name):
        return getattr(stubs()[0], name)


PB = _LazyPb()


def function_dir(name):
    return os.path.join(FUNCTIONS_DIR, name)


def now_ms():
    return int(time.time() * 1000)


def process_gone(pid):
    """True once pid no longer exists or is a zombie nobody has reaped yet."""
    try:
        with open("/proc/{}/stat".format(pid)) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError):
        return True


def wait_until(predicate, timeout=5.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


class WorkerProcess:
    """A real `python3 -m faas_worker` on a Unix socket in a temp dir.

    Every resource is registered with add_cleanup (a TestCase's addCleanup or
    addClassCleanup), so the process is killed and the dir removed even when the
    test fails.
    """

    def __init__(self, add_cleanup, args=(), env=None, pythonpath=None, cwd=None,
                 start=True):
        self.pb, self.pb_grpc = stubs()
        self.tmp = tempfile.mkdtemp(prefix="faasw-")
        add_cleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.socket = os.path.join(self.tmp, "w.sock")
        self.args = list(args)
        self.env = dict(os.environ, PYTHONPATH=pythonpath or os.pathsep.join([WORKER_DIR, GEN_DIR]),
                        **(env or {}))
        self.cwd = cwd or self.tmp
        self.proc = None
        self.channel = None
        self.stdout_lines = []
        self._add_cleanup = add_cleanup
        if start:
            self.start()

    @property
    def pid(self):
        return self.proc.pid

    def start(self, ready_timeout=10.0):
        self._stderr = open(os.path.join(self.tmp, "stderr.log"), "wb")
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "faas_worker", "--socket", self.socket] + self.args,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            env=self.env, cwd=self.cwd)
        self._add_cleanup(self.stop)
        self.ready_line = self._read_ready_line(ready_timeout)
        threading.Thread(target=self._drain_stdout, daemon=True).start()
        import grpc
        self.channel = grpc.insecure_channel("unix:" + self.socket)
        self.stub = self.pb_grpc.WorkerStub(self.channel)
        return self

    def _read_ready_line(self, timeout):
        fd, data = self.proc.stdout.fileno(), b""
        deadline = time.monotonic() + timeout
        while b"\n" not in data:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise AssertionError("worker not ready in {}s; stderr: {}".format(
                    timeout, self.stderr()))
            chunk = os.read(fd, 4096)
            if not chunk:
                raise AssertionError("worker exited before ready (rc={}); stderr: {}".format(
                    self.proc.wait(), self.stderr()))
            data += chunk
        line, _, rest = data.partition(b"\n")
        if rest:
            self.stdout_lines.extend(rest.decode(errors="replace").splitlines())
        return line.decode()

    def _drain_stdout(self):
        # The worker's stdout is a pipe: keep it drained as the silo does.
        stdout = self.proc.stdout
        try:
            for line in stdout:
                self.stdout_lines.append(line.decode(errors="replace").rstrip("\n"))
        except (OSError, ValueError):
            pass
        finally:
            stdout.close()

    def stderr(self):
        try:
            with open(os.path.join(self.tmp, "stderr.log"), "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    # --- RPCs -------------------------------------------------------------

    def load(self, code_dir, handler, **fields):
        fields.setdefault("function_name", "test-function")
        request = self.pb.LoadRequest(code_dir=code_dir, handler=handler, **fields)
        return self.stub.Load(request, timeout=RPC_TIMEOUT)

    def load_fixture(self, folder, handler, **fields):
        return self.load(function_dir(folder), handler, **fields)

    def invoke(self, event=b"", request_id=None, deadline_unix_ms=None, **fields):
        if not isinstance(event, bytes):
            event = json.dumps(event).encode()
        request = self.pb.InvokeRequest(
            request_id=request_id or str(uuid.uuid4()), event=event,
            deadline_unix_ms=deadline_unix_ms or now_ms() + 30000, **fields)
        return self.stub.Invoke(request, timeout=RPC_TIMEOUT)

    def health(self):
        return self.stub.Health(self.pb.HealthRequest(), timeout=RPC_TIMEOUT)

    # --- lifetime ---------------------------------------------------------

    def wait_exit(self, timeout=5.0):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        """Kill the worker's process group (it leads one) and reap it."""
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
            self.proc.wait(5)
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self._stderr.close()


def isolate_process_state(testcase):
    """Undo, after the test, what loading a handler in-process changes globally."""
    environ, cwd = dict(os.environ), os.getcwd()
    path, modules = list(sys.path), set(sys.modules)

    def restore():
        os.environ.clear()
        os.environ.update(environ)
        os.chdir(cwd)
        sys.path[:] = path
        for name in set(sys.modules) - modules:
            del sys.modules[name]

    testcase.addCleanup(restore)


def isolate_log_capture(testcase):
    """Undo logcapture's global changes (routing streams, root handler) after the test."""
    import logging
    from faas_worker import logcapture

    saved = (sys.stdout, sys.stderr, logcapture._stdout, logcapture._stderr)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level

    def restore():
        sys.stdout, sys.stderr, logcapture._stdout, logcapture._stderr = saved
        root.handlers[:] = handlers
        root.setLevel(level)

    testcase.addCleanup(restore)
