"""The zygote (fork server): real `python3 -m faas_worker.zygote`, real sockets.

Forked workers must behave exactly like spawned ones: the Forked*Tests classes run
every test of test_server against workers forked by one shared zygote.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import grpc

from tests import support, test_server

_shared = None


def setUpModule():
    global _shared
    _shared = support.ZygoteProcess(unittest.addModuleCleanup)


class ForkedWorkers:
    """Mixin: self.worker() forks from the module's zygote instead of spawning."""

    def worker(self, **kwargs):
        if kwargs:
            raise TypeError("a forked worker takes no spawn options: {}".format(kwargs))
        return _shared.fork(self.addCleanup)


class ForkedLoadTests(ForkedWorkers, test_server.LoadTests):
    pass


class ForkedInvokeTests(ForkedWorkers, test_server.InvokeTests):
    pass


class ForkedInvokeStreamTests(ForkedWorkers, test_server.InvokeStreamTests):
    pass


class ForkedContextAndEnvironmentTests(ForkedWorkers, test_server.ContextAndEnvironmentTests):
    pass


class ZygoteTestCase(unittest.TestCase):
    def own_zygote(self, **kwargs):
        """A zygote for this test alone (for tests that kill it)."""
        return support.ZygoteProcess(self.addCleanup, **kwargs)

    def tmpdir(self):
        path = tempfile.mkdtemp(prefix="faasz-t-")
        self.addCleanup(shutil.rmtree, path, ignore_errors=True)
        return path

    def fork(self, zygote=None, **kwargs):
        return (zygote or _shared).fork(self.addCleanup, **kwargs)

    def request(self, payload, zygote=None):
        """Send one request on a fresh connection; returns (first line, then EOF?)."""
        conn = (zygote or _shared).connect(payload)
        self.addCleanup(conn.close)
        buffer = bytearray()
        line = support.read_line(conn, 5, buffer)
        return line, support.read_line(conn, 5, buffer)


class ForkTests(ZygoteTestCase):
    def test_zygote_prints_one_ready_line_and_its_workers_print_nothing(self):
        zygote = self.own_zygote()
        worker = self.fork(zygote)
        self.assertTrue(worker.load_fixture("prints", "prints.handler").ok)
        worker.invoke({"n": 1})

        time.sleep(0.1)  # let the drain thread catch up with anything printed

        self.assertEqual(zygote.ready_line, "FAAS_ZYGOTE_READY pid=%d" % zygote.pid)
        self.assertEqual(zygote.stdout_lines, [])  # no worker ready line, no function output

    def test_forked_worker_announces_itself_then_loads_and_invokes(self):
        worker = self.fork()

        load = worker.load_fixture("counter", "counter.handler")
        replies = [json.loads(worker.invoke({}).payload) for _ in range(2)]

        self.assertEqual(worker.ready_message, {"pid": worker.pid, "ready": True})
        self.assertTrue(load.ok, load)
        self.assertEqual(replies, [{"count": 1, "pid": worker.pid},
                                   {"count": 2, "pid": worker.pid}])
        self.assertEqual(worker.health().pid, worker.pid)

    def test_ready_line_is_exactly_one_json_line(self):
        conn = _shared.connect(b'{"socket": "%s"}\n' % os.path.join(
            self.tmpdir(), "w.sock").encode())
        self.addCleanup(conn.close)
        line = support.read_line(conn, 10, bytearray())
        pid = json.loads(line)["pid"]
        self.addCleanup(_kill_group_quietly, pid)

        self.assertEqual(line, b'{"pid": %d, "ready": true}\n' % pid)

    def test_forked_worker_is_a_child_of_the_zygote_leading_its_own_group(self):
        worker = self.fork()

        self.assertNotEqual(worker.pid, _shared.pid)
        self.assertEqual(_parent_of(worker.pid), _shared.pid)
        self.assertEqual(os.getpgid(worker.pid), worker.pid)
        self.assertNotEqual(os.getpgid(worker.pid), os.getpgid(_shared.pid))

    def test_a_burst_of_concurrent_forks_all_become_ready_with_distinct_pids(self):
        workers = [self.fork(wait_ready=False) for _ in range(10)]
        for worker in workers:
            worker.wait_ready()

        pids = {worker.pid for worker in workers}
        self.assertEqual(len(pids), 10)
        self.assertEqual({worker.health().pid for worker in workers}, pids)

    def test_forked_workers_do_not_share_module_state(self):
        first, second = self.fork(), self.fork()
        for worker in (first, second):
            self.assertTrue(worker.load_fixture("counter", "counter.handler").ok)

        first.invoke({})
        reply = second.invoke({})

        self.assertEqual(json.loads(reply.payload)["count"], 1)

    def test_zygote_stays_single_threaded_and_never_loads_a_function(self):
        worker = self.fork()
        self.assertTrue(worker.load_fixture("counter", "counter.handler").ok)
        later = self.fork()

        self.assertEqual(os.listdir("/proc/%d/task" % _shared.pid), [str(_shared.pid)])
        self.assertFalse(later.health().loaded)

    def test_closing_the_control_connection_leaves_the_worker_running(self):
        worker = self.fork()

        worker.conn.close()

        self.assertFalse(support.wait_until(lambda: support.process_gone(worker.pid),
                                            timeout=0.3))
        self.assertEqual(worker.health().pid, worker.pid)
        os.killpg(worker.pid, signal.SIGKILL)
        self.assertTrue(support.wait_until(
            lambda: worker.pid not in dict(_shared.children())),
            "the zygote did not reap %d" % worker.pid)

    def test_gen_dir_naming_the_preloaded_stubs_is_accepted(self):
        conn = _shared.connect({"socket": os.path.join(self.tmpdir(), "w.sock"),
                                "gen_dir": support.GEN_DIR})
        self.addCleanup(conn.close)
        message = json.loads(support.read_line(conn, 10, bytearray()))
        self.addCleanup(_kill_group_quietly, message.get("pid"))

        self.assertTrue(message.get("ready"), message)


class ExitTests(ZygoteTestCase):
    def test_os_exit_in_a_handler_is_reported_as_exit_1(self):
        doomed, bystander = self.fork(), self.fork()
        self.assertTrue(doomed.load_fixture("exits", "exits.handler").ok)
        self.assertTrue(bystander.load_fixture("counter", "counter.handler").ok)

        with self.assertRaises(grpc.RpcError) as raised:
            doomed.invoke({})

        self.assertEqual(raised.exception.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertEqual(doomed.wait_exit(5), 1)
        self.assertIsNone(doomed.read_message(5))  # then the zygote closes the connection
        self.assertEqual(bystander.invoke({}).status, support.PB.INVOKE_STATUS_OK)

    def test_os_exit_on_a_stream_is_reported_as_exit_1(self):
        worker = self.fork()
        self.assertTrue(worker.load_fixture("exits", "exits.handler").ok)

        with self.assertRaises(grpc.RpcError):
            worker.open_stream().invoke({})

        self.assertEqual(worker.wait_exit(5), 1)

    def test_sys_exit_reports_its_code_and_keeps_the_output_on_stderr(self):
        zygote = self.own_zygote()
        worker = self.fork(zygote)
        self.assertTrue(worker.load_fixture("exits", "exits.sys_exit").ok)

        with self.assertRaises(grpc.RpcError):
            worker.invoke({})

        self.assertEqual(worker.wait_exit(5), 3)
        self.assertIn("calling sys.exit", zygote.stderr())

    def test_killed_worker_is_reported_as_128_plus_the_signal(self):
        worker = self.fork()

        os.killpg(worker.pid, signal.SIGKILL)

        self.assertEqual(worker.wait_exit(5), 128 + signal.SIGKILL)

    def test_sigterm_stops_a_forked_worker_with_0_and_removes_its_socket(self):
        worker = self.fork()
        self.assertTrue(os.path.exists(worker.socket))

        os.kill(worker.pid, signal.SIGTERM)

        self.assertEqual(worker.wait_exit(3), 0)
        self.assertFalse(os.path.exists(worker.socket))

    def test_unusable_socket_path_gives_an_error_line_then_exit_2(self):
        conn = _shared.connect({"socket": "/nonexistent-dir-faas/w.sock"})
        self.addCleanup(conn.close)
        buffer = bytearray()

        error = json.loads(support.read_line(conn, 10, buffer))
        exit_line = json.loads(support.read_line(conn, 10, buffer))

        self.assertTrue(error["error"].startswith("faas_worker: "), error)
        self.assertIn("/nonexistent-dir-faas/w.sock", error["error"])
        self.assertEqual(exit_line, {"pid": error["pid"], "exit": 2})

    def test_no_zombies_are_left_whether_or_not_the_client_stayed(self):
        zygote = self.own_zygote()
        stayed = [self.fork(zygote) for _ in range(3)]
        left = [self.fork(zygote) for _ in range(2)]
        for worker in left:
            worker.conn.close()

        for worker in stayed + left:
            os.killpg(worker.pid, signal.SIGKILL)
        statuses = [worker.wait_exit(5) for worker in stayed]

        self.assertEqual(statuses, [137] * 3)
        self.assertTrue(support.wait_until(lambda: zygote.children() == []),
                        "unreaped: %s" % zygote.children())


class ZygoteLifetimeTests(ZygoteTestCase):
    def test_sigkill_of_the_zygote_kills_its_workers(self):
        zygote = self.own_zygote()
        workers = [self.fork(zygote) for _ in range(3)]

        os.kill(zygote.pid, signal.SIGKILL)

        for worker in workers:
            self.assertTrue(support.wait_until(lambda: support.process_gone(worker.pid)),
                            "worker %d outlived the zygote" % worker.pid)

    def test_stdin_eof_kills_the_zygote_its_workers_and_what_they_forked(self):
        zygote = self.own_zygote()
        worker, idle = self.fork(zygote), self.fork(zygote)
        self.assertTrue(worker.load_fixture("forks", "forks.handler").ok)
        grandchild = json.loads(worker.invoke({}).payload)["child_pid"]
        self.addCleanup(_kill_quietly, grandchild)

        zygote.proc.stdin.close()

        self.assertEqual(zygote.wait_exit(5), -signal.SIGKILL)
        for pid in (worker.pid, idle.pid, grandchild):
            self.assertTrue(support.wait_until(lambda: support.process_gone(pid)),
                            "%d survived" % pid)

    def test_sigterm_stops_the_zygote_and_its_workers_and_removes_the_socket(self):
        zygote = self.own_zygote()
        worker = self.fork(zygote)

        os.kill(zygote.pid, signal.SIGTERM)

        self.assertEqual(zygote.wait_exit(5), 0)
        self.assertFalse(os.path.exists(zygote.control))
        self.assertTrue(support.wait_until(lambda: support.process_gone(worker.pid)))

    def test_zygote_started_with_stdin_closed_exits_at_once(self):
        zygote = self.own_zygote()
        zygote.proc.stdin.close()

        self.assertEqual(zygote.wait_exit(5), -signal.SIGKILL)


class ZygoteEntryPointTests(ZygoteTestCase):
    def run_zygote(self, args):
        # stdin stays a pipe until communicate(): EOF would kill the zygote first.
        proc = subprocess.Popen(
            [support.PYTHON, "-m", "faas_worker.zygote"] + args, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self.tmpdir(),
            env=dict(os.environ, PYTHONPATH=os.pathsep.join([support.WORKER_DIR,
                                                             support.GEN_DIR])))
        self.addCleanup(_kill_quietly, proc.pid)
        proc.wait(10)
        stdout, stderr = proc.communicate()
        return proc.returncode, stdout, stderr

    def test_control_argument_is_required(self):
        status, stdout, stderr = self.run_zygote([])

        self.assertEqual(status, 2)
        self.assertIn(b"--control", stderr)

    def test_unusable_control_path_exits_with_status_2_without_ready_line(self):
        status, stdout, stderr = self.run_zygote(
            ["--control", os.path.join(self.tmpdir(), "no", "such", "z.sock")])

        self.assertEqual(status, 2)
        self.assertEqual(stdout, b"")
        self.assertIn(b"faas_worker.zygote: ", stderr)


class MalformedRequestTests(ZygoteTestCase):
    def assert_refused(self, payload, message_part):
        line, then = self.request(payload)

        self.assertIn(message_part, json.loads(line)["error"])
        self.assertEqual(list(json.loads(line)), ["error"])
        self.assertEqual(then, b"")  # the zygote closed the connection

    def test_not_json(self):
        self.assert_refused(b"socket=/tmp/x\n", "not a JSON line")

    def test_not_an_object(self):
        self.assert_refused(b'["/tmp/x.sock"]\n', "JSON object")

    def test_missing_or_relative_or_non_string_socket(self):
        for payload in ({}, {"socket": "w.sock"}, {"socket": 5}, {"socket": ""}):
            with self.subTest(payload=payload):
                self.assert_refused(payload, '"socket" must be an absolute path')

    def test_gen_dir_other_than_the_preloaded_stubs(self):
        self.assert_refused({"socket": "/tmp/x.sock", "gen_dir": "/elsewhere"},
                            "differs from the stubs")

    def test_overlong_request(self):
        self.assert_refused(b"x" * (70 * 1024), "longer than")

    def test_zygote_keeps_serving_after_bad_requests_and_silent_clients(self):
        silent = _shared.connect()
        self.addCleanup(silent.close)
        self.request(b"\xff\xfe\n")

        worker = self.fork()

        self.assertEqual(worker.health().pid, worker.pid)


def _parent_of(pid):
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def _kill_quietly(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _kill_group_quietly(pid):
    if pid:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


if __name__ == "__main__":
    unittest.main()
