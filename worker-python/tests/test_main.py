"""The entry point: arguments, locating the stubs, failing clearly."""

import os
import shutil
import subprocess
import tempfile
import unittest

from tests import support


class EntryPointTests(unittest.TestCase):
    def tmpdir(self):
        path = tempfile.mkdtemp(prefix="faasw-main-")
        self.addCleanup(shutil.rmtree, path, ignore_errors=True)
        return path

    def copy_package(self, root):
        """faas_worker alone under root/pkg, with no gen/ beside it."""
        pkg = os.path.join(root, "pkg")
        shutil.copytree(os.path.join(support.WORKER_DIR, "faas_worker"),
                        os.path.join(pkg, "faas_worker"))
        return pkg

    def run_worker(self, args, pythonpath, timeout=10):
        # stdin stays open while it runs: EOF would make the watchdog kill it.
        proc = subprocess.Popen([support.PYTHON, "-m", "faas_worker"] + args,
                                env=dict(os.environ, PYTHONPATH=pythonpath),
                                cwd=self.tmpdir(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        self.addCleanup(_reap, proc)
        proc.wait(timeout)
        return subprocess.CompletedProcess(proc.args, proc.returncode,
                                           proc.stdout.read(), proc.stderr.read())

    def test_gen_dir_argument_locates_the_stubs(self):
        root = self.tmpdir()
        pkg = self.copy_package(root)
        stubs = os.path.join(root, "stubs")
        shutil.copytree(os.path.join(support.GEN_DIR, "faas"), os.path.join(stubs, "faas"))

        worker = support.WorkerProcess(self.addCleanup, args=["--gen-dir", stubs],
                                       pythonpath=pkg)

        self.assertEqual(worker.health().pid, worker.pid)

    def test_default_gen_dir_beside_the_package_is_used(self):
        worker = support.WorkerProcess(self.addCleanup, pythonpath=support.WORKER_DIR)

        self.assertEqual(worker.health().pid, worker.pid)

    def test_missing_stubs_exit_with_status_2_and_a_hint(self):
        root = self.tmpdir()

        result = self.run_worker(["--socket", os.path.join(root, "w.sock")],
                                 self.copy_package(root))

        self.assertEqual(result.returncode, 2)
        self.assertIn(b"generate_protos.sh", result.stderr)
        self.assertEqual(result.stdout, b"")

    def test_unusable_socket_path_exits_with_status_2(self):
        root = self.tmpdir()

        result = self.run_worker(["--socket", os.path.join(root, "no", "such", "w.sock")],
                                 os.pathsep.join([support.WORKER_DIR, support.GEN_DIR]))

        self.assertEqual(result.returncode, 2)
        self.assertNotIn(b"FAAS_WORKER_READY", result.stdout)

    def test_socket_argument_is_required(self):
        result = self.run_worker([], support.WORKER_DIR)

        self.assertEqual(result.returncode, 2)
        self.assertIn(b"--socket", result.stderr)

    def test_launcher_cwd_cannot_shadow_handler_modules(self):
        cwd = self.tmpdir()
        with open(os.path.join(cwd, "shadow.py"), "w") as f:
            f.write("def handler(event, context):\n    return 'from cwd'\n")
        worker = support.WorkerProcess(self.addCleanup, cwd=cwd)

        reply = worker.load_fixture("counter", "shadow.handler")

        self.assertEqual(reply.error.error_type, "Runtime.ImportModuleError")


def _reap(proc):
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        stream.close()


if __name__ == "__main__":
    unittest.main()
