"""Process hygiene of a real worker: readiness, process group, parent death, exits."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import unittest

import grpc

from tests import support


class LifecycleTests(unittest.TestCase):
    def worker(self, **kwargs):
        return support.WorkerProcess(self.addCleanup, **kwargs)

    def test_prints_exactly_one_readiness_line_with_its_pid(self):
        worker = self.worker()
        worker.load_fixture("prints", "prints.handler")
        worker.invoke({"n": 1})

        self.assertEqual(worker.ready_line, "FAAS_WORKER_READY pid=%d" % worker.pid)
        self.assertEqual(worker.health().pid, worker.pid)
        self.assertEqual(worker.stdout_lines, [])  # function output went into the replies

    def test_worker_leads_its_own_process_group(self):
        worker = self.worker()

        self.assertEqual(os.getpgid(worker.pid), worker.pid)
        self.assertNotEqual(os.getpgid(worker.pid), os.getpgrp())

    def test_stdin_eof_kills_the_worker_and_the_children_it_forked(self):
        worker = self.worker()
        self.assertTrue(worker.load_fixture("forks", "forks.handler").ok)
        child = json.loads(worker.invoke({}).payload)["child_pid"]
        self.addCleanup(_kill_quietly, child)
        self.assertFalse(support.process_gone(child))

        worker.proc.stdin.close()

        self.assertEqual(worker.wait_exit(5), -signal.SIGKILL)
        self.assertTrue(support.wait_until(lambda: support.process_gone(child)),
                        "forked child %d survived" % child)

    def test_os_exit_in_handler_kills_only_that_worker(self):
        doomed, bystander = self.worker(), self.worker()
        self.assertTrue(doomed.load_fixture("exits", "exits.handler").ok)
        self.assertTrue(bystander.load_fixture("counter", "counter.handler").ok)

        with self.assertRaises(grpc.RpcError) as raised:
            doomed.invoke({})

        self.assertEqual(raised.exception.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertEqual(doomed.wait_exit(5), 1)
        self.assertEqual(bystander.health().pid, bystander.pid)
        self.assertEqual(bystander.invoke({}).status, support.PB.INVOKE_STATUS_OK)

    def test_sys_exit_in_handler_exits_the_worker_with_its_code_and_keeps_output(self):
        worker = self.worker()
        self.assertTrue(worker.load_fixture("exits", "exits.sys_exit").ok)

        with self.assertRaises(grpc.RpcError):
            worker.invoke({})

        self.assertEqual(worker.wait_exit(5), 3)
        self.assertIn("calling sys.exit", worker.stderr())

    def test_sigterm_stops_the_worker_quickly_and_removes_its_socket(self):
        worker = self.worker()
        self.assertTrue(os.path.exists(worker.socket))

        os.kill(worker.pid, signal.SIGTERM)

        self.assertEqual(worker.wait_exit(3), 0)
        self.assertFalse(os.path.exists(worker.socket))

    def test_without_pdeathsig_worker_outlives_the_thread_that_started_it(self):
        # PR_SET_PDEATHSIG fires when the *thread* that forked the worker exits;
        # launchers that start workers from pool threads need --no-pdeathsig.
        worker = self.worker(args=["--no-pdeathsig"], start=False)
        launcher = threading.Thread(target=worker.start)
        launcher.start()
        launcher.join()

        self.assertFalse(support.wait_until(lambda: worker.proc.poll() is not None, timeout=0.3))
        self.assertEqual(worker.health().pid, worker.pid)

    def test_with_pdeathsig_worker_dies_with_the_thread_that_started_it(self):
        # Pins the kernel behaviour the launcher must respect (see lifecycle.py).
        worker = self.worker(start=False)
        launcher = threading.Thread(target=worker.start)
        launcher.start()
        launcher.join()

        self.assertEqual(worker.wait_exit(5), -signal.SIGKILL)

    def test_worker_and_its_children_die_when_the_launching_process_is_killed(self):
        tmp = self.worker(start=False).tmp
        launcher = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
            import subprocess, sys, time
            worker = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            sys.stdout.write(worker.stdout.readline().decode())
            sys.stdout.flush()
            time.sleep(60)
            """), support.PYTHON, "-m", "faas_worker", "--socket", os.path.join(tmp, "w.sock")],
            stdout=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=os.pathsep.join(
                [support.WORKER_DIR, support.GEN_DIR])))
        self.addCleanup(launcher.wait)
        self.addCleanup(_kill_quietly, launcher.pid)
        self.addCleanup(launcher.stdout.close)
        line = launcher.stdout.readline().decode()
        self.assertTrue(line.startswith("FAAS_WORKER_READY pid="), line)
        worker_pid = int(line.split("=")[1])
        self.addCleanup(_kill_quietly, worker_pid)

        os.kill(launcher.pid, signal.SIGKILL)

        self.assertTrue(support.wait_until(lambda: support.process_gone(worker_pid)),
                        "worker %d outlived its launcher" % worker_pid)


def _kill_quietly(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    unittest.main()
