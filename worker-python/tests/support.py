"""Shared test helpers: generated stubs, fixture paths, and a real worker process."""

import json
import os
import queue
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


def grpc_status():
    """grpc.StatusCode (grpc imported lazily, like the stubs)."""
    import grpc
    return grpc.StatusCode


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


class WorkerRpc:
    """RPC helpers over self.stub (a WorkerStub) and self.pb (worker_pb2)."""

    def load(self, code_dir, handler, **fields):
        fields.setdefault("function_name", "test-function")
        request = self.pb.LoadRequest(code_dir=code_dir, handler=handler, **fields)
        return self.stub.Load(request, timeout=RPC_TIMEOUT)

    def load_fixture(self, folder, handler, **fields):
        return self.load(function_dir(folder), handler, **fields)

    def invoke(self, event=b"", request_id=None, deadline_unix_ms=None, **fields):
        request = self.invoke_request(event, request_id, deadline_unix_ms, **fields)
        return self.stub.Invoke(request, timeout=RPC_TIMEOUT)

    def health(self):
        return self.stub.Health(self.pb.HealthRequest(), timeout=RPC_TIMEOUT)

    def invoke_request(self, event=b"", request_id=None, deadline_unix_ms=None, **fields):
        if not isinstance(event, bytes):
            event = json.dumps(event).encode()
        return self.pb.InvokeRequest(
            request_id=request_id or str(uuid.uuid4()), event=event,
            deadline_unix_ms=deadline_unix_ms or now_ms() + 30000, **fields)

    def open_stream(self):
        """An InvokeStream on this worker, closed (half-closed and drained) at cleanup."""
        stream = InvokeStream(self)
        self._add_cleanup(stream.close)
        return stream


class InvokeStream:
    """One InvokeStream call: invoke() sends one request and waits for its reply."""

    def __init__(self, worker, timeout=60):
        self._worker = worker
        self._requests = queue.Queue()
        self.call = worker.stub.InvokeStream(iter(self._requests.get, None), timeout=timeout)

    def send(self, event=b"", **fields):
        self._requests.put(self._worker.invoke_request(event, **fields))

    def receive(self):
        return next(self.call)

    def invoke(self, event=b"", **fields):
        self.send(event, **fields)
        return self.receive()

    def close(self):
        """Half-close; returns the replies still unread (the stream must then end)."""
        self._requests.put(None)
        try:
            return list(self.call)
        except Exception:  # the worker is gone or the call was cancelled
            return None


class WorkerProcess(WorkerRpc):
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


ZYGOTE_READY_PREFIX = "FAAS_ZYGOTE_READY pid="


def read_line(sock, timeout, buffer):
    """One newline-terminated line from sock (buffer: bytearray of what came after);
    b"" at EOF; raises AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while b"\n" not in buffer:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([sock], [], [], remaining)[0]:
            raise AssertionError("no line within {}s (got {!r})".format(timeout, bytes(buffer)))
        chunk = sock.recv(4096)
        if not chunk:
            line = bytes(buffer)
            del buffer[:]
            return line
        buffer += chunk
    index = buffer.index(b"\n") + 1
    line = bytes(buffer[:index])
    del buffer[:index]
    return line


class ZygoteProcess:
    """A real `python3 -m faas_worker.zygote` on a control socket in a temp dir.

    Cleanup (registered with add_cleanup) SIGKILLs the zygote, whose workers then die
    through their parent-death signal, and removes the dir.
    """

    def __init__(self, add_cleanup, args=(), env=None):
        self.pb, self.pb_grpc = stubs()
        self.tmp = tempfile.mkdtemp(prefix="faasz-")
        add_cleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.control = os.path.join(self.tmp, "zygote.sock")
        self._stderr = open(os.path.join(self.tmp, "stderr.log"), "wb")
        add_cleanup(self._stderr.close)
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "faas_worker.zygote", "--control", self.control] + list(args),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            env=dict(os.environ, PYTHONPATH=os.pathsep.join([WORKER_DIR, GEN_DIR]),
                     **(env or {})),
            cwd=self.tmp)
        add_cleanup(self.stop)
        self.stdout_lines = []
        line = self.proc.stdout.readline().decode()
        if not line.startswith(ZYGOTE_READY_PREFIX):
            raise AssertionError("zygote not ready: {!r}; stderr: {}".format(line, self.stderr()))
        self.ready_line = line.rstrip("\n")
        threading.Thread(target=self._drain_stdout, daemon=True).start()
        self._add_cleanup = add_cleanup

    @property
    def pid(self):
        return self.proc.pid

    def _drain_stdout(self):
        try:
            for line in self.proc.stdout:
                self.stdout_lines.append(line.decode(errors="replace").rstrip("\n"))
        except (OSError, ValueError):
            pass

    def stderr(self):
        try:
            with open(os.path.join(self.tmp, "stderr.log"), "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def connect(self, request=None):
        """A control connection that has sent `request` (a dict, or raw bytes)."""
        import socket
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(self.control)
        if request is not None:
            sock.sendall(request if isinstance(request, bytes)
                         else (json.dumps(request) + "\n").encode())
        return sock

    def fork(self, add_cleanup, wait_ready=True):
        return ForkedWorker(self, add_cleanup, wait_ready)

    def children(self):
        """(pid, state) of the zygote's children, zombies included."""
        found = []
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    with open("/proc/{}/stat".format(name)) as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.pid:
                    found.append((int(name), fields[0]))
        return found

    def wait_exit(self, timeout=5.0):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
            self.proc.wait(5)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


class ForkedWorker(WorkerRpc):
    """A worker forked by a ZygoteProcess, with the same RPC helpers as WorkerProcess.

    Cleanup kills its process group, reads the zygote's exit line (so it is reaped)
    and closes the control connection.
    """

    def __init__(self, zygote, add_cleanup, wait_ready=True, timeout=10.0):
        self.pb, self.pb_grpc = stubs()
        self.zygote = zygote
        self._add_cleanup = add_cleanup
        self.tmp = tempfile.mkdtemp(prefix="faasf-")
        add_cleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.socket = os.path.join(self.tmp, "w.sock")
        self.pid = None
        self.channel = None
        self.exit_status = None
        self._buffer = bytearray()
        self.sent_at = time.perf_counter()
        self.conn = zygote.connect({"socket": self.socket})
        add_cleanup(self.stop)
        if wait_ready:
            self.wait_ready(timeout)

    def read_message(self, timeout=10.0):
        """The next JSON line on the control connection, or None at EOF."""
        line = read_line(self.conn, timeout, self._buffer)
        return json.loads(line) if line else None

    def wait_ready(self, timeout=10.0):
        self.ready_message = self.read_message(timeout)
        if not (self.ready_message or {}).get("ready"):
            raise AssertionError("forked worker not ready: {!r}; zygote stderr: {}".format(
                self.ready_message, self.zygote.stderr()))
        self.ready_at = time.perf_counter()
        self.pid = self.ready_message["pid"]
        import grpc
        self.channel = grpc.insecure_channel("unix:" + self.socket)
        self.stub = self.pb_grpc.WorkerStub(self.channel)
        return self

    def wait_exit(self, timeout=5.0):
        """The worker's exit status as the zygote reports it (128+signal when killed)."""
        if self.exit_status is None:
            message = self.read_message(timeout)
            if message is not None and "exit" in message:
                self.exit_status = message["exit"]
                if self.pid is None:
                    self.pid = message["pid"]
        return self.exit_status

    def stderr(self):
        return self.zygote.stderr()

    def stop(self):
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.pid is not None and self.exit_status is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if self.conn.fileno() >= 0:  # the test may have closed it
                try:
                    self.wait_exit(5)
                except (AssertionError, OSError):
                    pass
        self.conn.close()


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
