"""Fork server: python3 -m faas_worker.zygote --control /path/zygote.sock [--gen-dir DIR].

A zygote imports grpc, the stubs and the worker once, then forks a ready-to-serve
worker per request, so a cold start pays neither interpreter start nor imports.
One zygote per silo; it follows the worker's contract (stdin a pipe the silo keeps
open, own process group, parent-death signal) and prints one line,
`FAAS_ZYGOTE_READY pid=<pid>`, once its control socket listens.

Control protocol, on a plain Unix stream socket (one connection per worker):

    client -> zygote   {"socket": "/abs/path/w.sock"}\\n        (optional "gen_dir")
    worker -> client   {"pid": 1234, "ready": true}\\n           once the worker listens
    zygote -> client   {"pid": 1234, "exit": 1}\\n               when it reaps the worker
                       (exit code, or 128+signal), then closes the connection.
    zygote -> client   {"error": "..."}\\n                       bad request; closes
    worker -> client   {"pid": 1234, "error": "..."}\\n          cannot listen; the exit
                                                                 line (status 2) follows

The zygote stays single-threaded while it forks: grpc (threads, a server, a channel)
exists only in the children. A child of a process that has ever run grpc cannot serve.
Everything runs in one poll() loop: the control socket, the clients, stdin (EOF: the
silo is gone, kill our group) and a wakeup pipe for SIGCHLD.
"""

import argparse
import gc
import json
import os
import select
import signal
import socket
import stat
import sys

from . import lifecycle, stubs

READY_LINE = "FAAS_ZYGOTE_READY pid={pid}"
MAX_REQUEST_BYTES = 64 * 1024

_READ = select.POLLIN | select.POLLPRI


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python3 -m faas_worker.zygote",
        description="OrleansFaas Python worker fork server: forks preloaded workers on "
        "request over a Unix control socket.")
    parser.add_argument("--control", required=True, help="Unix socket path to listen on")
    parser.add_argument("--gen-dir", help="directory holding the generated faas.worker.v1 "
                        "stubs (default: worker-python/gen)")
    parser.add_argument("--no-pdeathsig", action="store_true",
                        help="do not set PR_SET_PDEATHSIG on the zygote itself (its workers "
                        "always get it; the stdin check still applies)")
    return parser.parse_args(argv)


def preload():
    """Import what a worker needs, so that every fork inherits it. Starts no thread."""
    import concurrent.futures.thread  # noqa: F401  grpc.server()'s executor
    import grpc  # noqa: F401
    import grpc._server  # noqa: F401  imported lazily by grpc.server()
    import grpc._utilities  # noqa: F401
    from . import server
    lifecycle.libc_prctl()  # resolved once, here, not in every child
    return server


def _line(obj):
    return (json.dumps(obj) + "\n").encode()


def _send_quietly(sock, data):
    try:
        sock.sendall(data)
    except OSError:  # the client went away: nobody to tell
        pass


def _shell_status(wait_status):
    code = os.waitstatus_to_exitcode(wait_status)
    return code if code >= 0 else 128 - code


def _stub_dir(pb_module):
    """The gen dir the loaded stubs came from (<gen>/faas/worker/v1/worker_pb2.py)."""
    path = os.path.abspath(pb_module.__file__)
    for _ in range(4):
        path = os.path.dirname(path)
    return os.path.realpath(path)


class Zygote:
    def __init__(self, control_path, stub_dir):
        self.pid = os.getpid()
        self.control_path = control_path
        self.stub_dir = stub_dir
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        _remove_stale_socket(control_path)
        self.listener.bind(control_path)
        os.chmod(control_path, 0o600)  # only the silo's user may fork workers
        self.listener.listen(socket.SOMAXCONN)
        self.listener.setblocking(False)
        self.wake_r, self.wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.poller = select.poll()
        self.handlers = {}  # fd -> (callable(), the client connection it serves or None)
        self.requests = {}  # connection still sending its request -> bytes so far
        self.reporting = {}  # connection -> pid of the worker it asked for
        self.children = {}  # pid -> its connection, None once the client closed it
        self.closed = set()  # fds closed while handling the current poll() batch
        self._watch(self.listener.fileno(), _READ, self._accept)
        self._watch(self.wake_r, _READ, self._reap)
        self._watch(0, _READ, self._stdin_readable)

    # --- loop -------------------------------------------------------------

    def install_signals(self):
        signal.signal(signal.SIGCHLD, _ignore_signal)  # a Python handler: wakes the loop
        signal.set_wakeup_fd(self.wake_w, warn_on_full_buffer=False)
        signal.signal(signal.SIGTERM, self._on_terminate)
        signal.signal(signal.SIGINT, self._on_terminate)

    def serve_forever(self):
        while True:
            self.closed.clear()
            for fd, _ in self.poller.poll():
                if fd not in self.handlers or fd in self.closed:  # stale: its fd was reused
                    continue
                handler, conn = self.handlers[fd]
                try:
                    handler()
                except Exception as exc:  # one bad connection must not end the zygote
                    _diagnose("zygote: {}: {}".format(type(exc).__name__, exc))
                    if conn is not None and conn.fileno() >= 0:
                        self._forget(conn)

    def _watch(self, fd, events, handler, conn=None):
        self.poller.register(fd, events)
        self.handlers[fd] = (handler, conn)

    def _forget(self, conn):
        fd = conn.fileno()
        if fd >= 0:
            self.poller.unregister(fd)
            del self.handlers[fd]
            self.closed.add(fd)
        self.requests.pop(conn, None)
        pid = self.reporting.pop(conn, None)
        if pid is not None and self.children.get(pid) is conn:
            self.children[pid] = None
        conn.close()

    def _kill_workers(self):
        """SIGKILL every live worker's process group: the worker and what its handler forked
        (its parent-death signal would take the worker, not those)."""
        for pid in list(self.children):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass

    def _on_terminate(self, signum, frame):
        if os.getpid() != self.pid:  # a fork that has not reset its handlers yet
            os._exit(128 + signum)
        self._kill_workers()
        try:
            os.unlink(self.control_path)
        except OSError:
            pass
        os._exit(0)

    def _stdin_readable(self):
        try:
            data = os.read(0, 65536)
        except OSError:
            data = b""
        if not data:  # EOF: the silo is gone
            self._kill_workers()
            lifecycle.kill_group()

    # --- requests ---------------------------------------------------------

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. EMFILE: leave it queued, say why
                _diagnose("zygote: accept: {}".format(exc))
                return
            self.requests[conn] = b""
            self._watch(conn.fileno(), _READ, lambda c=conn: self._read_request(c), conn)

    def _read_request(self, conn):
        try:
            chunk = conn.recv(65536)
        except OSError:
            chunk = b""
        data = self.requests[conn] + chunk
        line, newline, _ = data.partition(b"\n")
        if not newline and chunk and len(data) <= MAX_REQUEST_BYTES:
            self.requests[conn] = data
            return
        if not newline and not chunk and not data.strip():
            self._forget(conn)  # closed without asking anything
            return
        del self.requests[conn]
        try:
            request = self._parse(line)
        except ValueError as exc:
            _send_quietly(conn, _line({"error": str(exc)}))
            self._forget(conn)
            return
        self._fork(conn, request)

    def _parse(self, line):
        if len(line) > MAX_REQUEST_BYTES:
            raise ValueError("request longer than {} bytes".format(MAX_REQUEST_BYTES))
        try:
            request = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ValueError("request is not a JSON line: {}".format(exc)) from None
        if not isinstance(request, dict):
            raise ValueError("request must be a JSON object")
        path = request.get("socket")
        if not isinstance(path, str) or not os.path.isabs(path) or "\0" in path:
            raise ValueError('"socket" must be an absolute path')
        gen_dir = request.get("gen_dir")
        if gen_dir is not None:
            if not isinstance(gen_dir, str) or not gen_dir:
                raise ValueError('"gen_dir" must be a path')
            if os.path.realpath(gen_dir) != self.stub_dir:
                raise ValueError(
                    '"gen_dir" {} differs from the stubs this zygote preloaded ({}); start a '
                    "zygote with --gen-dir {}".format(gen_dir, self.stub_dir, gen_dir))
        return request

    def _fork(self, conn, request):
        sys.stdout.flush()
        sys.stderr.flush()
        gc.freeze()  # what exists now stays shared: the children's GC never touches it
        try:
            pid = os.fork()
        except OSError as exc:
            _send_quietly(conn, _line({"error": "fork failed: {}".format(exc)}))
            self._forget(conn)
            return
        if pid == 0:
            try:
                self._become_worker(conn, request)
            finally:
                os._exit(70)  # never back into the zygote's loop
        try:
            os.setpgid(pid, pid)  # also done by the child; whichever runs first wins
        except OSError:
            pass
        self.children[pid] = conn
        self.reporting[conn] = pid
        # From now on only a hang-up matters (poll reports it with no events asked).
        self.poller.modify(conn.fileno(), 0)
        self.handlers[conn.fileno()] = (lambda c=conn: self._forget(c), conn)

    # --- exits ------------------------------------------------------------

    def _reap(self):
        try:
            while os.read(self.wake_r, 4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            if conn is not None:
                _send_quietly(conn, _line({"pid": pid, "exit": _shell_status(status)}))
                self._forget(conn)

    # --- in the child -----------------------------------------------------

    def _become_worker(self, conn, request):
        """Turn this fresh fork into a worker like `python3 -m faas_worker`; never returns."""
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for other in list(self.requests) + list(self.reporting):
            if other is not conn:
                other.close()
        self.listener.close()
        os.close(self.wake_r)
        os.close(self.wake_w)
        self.poller = self.handlers = self.requests = self.reporting = self.children = None

        lifecycle.become_group_leader()
        lifecycle.set_parent_death_signal(parent=self.pid)
        lifecycle.start_stdin_watchdog()
        pid = os.getpid()

        def announce():
            _send_quietly(conn, _line({"pid": pid, "ready": True}))
            conn.close()

        from . import server
        try:
            server.run(request["socket"], announce)
        except Exception as exc:
            message = "faas_worker: {}".format(exc)
            _diagnose(message)
            _send_quietly(conn, _line({"pid": pid, "error": message}))
            os._exit(2)


def _ignore_signal(signum, frame):
    pass


def _diagnose(message):
    try:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
    except Exception:
        pass


def _remove_stale_socket(path):
    try:
        if stat.S_ISSOCK(os.lstat(path).st_mode):
            os.unlink(path)
    except FileNotFoundError:
        pass


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    lifecycle.become_group_leader()
    if not args.no_pdeathsig:
        lifecycle.set_parent_death_signal()
    lifecycle.drop_cwd_from_sys_path()

    try:
        stubs.ensure_importable(args.gen_dir)
        server = preload()
        zygote = Zygote(os.path.abspath(args.control), _stub_dir(server.pb))
    except Exception as exc:
        _diagnose("faas_worker.zygote: {}".format(exc))
        return 2
    zygote.install_signals()
    gc.freeze()
    sys.stdout.write(READY_LINE.format(pid=os.getpid()) + "\n")
    sys.stdout.flush()
    zygote.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
