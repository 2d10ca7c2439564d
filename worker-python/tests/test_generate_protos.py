"""generate_protos.sh: importable stubs, precompiled, regenerated only when stale."""

import os
import shutil
import subprocess
import tempfile
import unittest

from tests import support

SCRIPT = os.path.join(support.WORKER_DIR, "generate_protos.sh")


class GenerateProtosTests(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp(prefix="faasw-gen-")
        self.addCleanup(shutil.rmtree, self.out, ignore_errors=True)
        subprocess.run([SCRIPT, self.out], check=True)
        self.stub = os.path.join(self.out, "faas", "worker", "v1", "worker_pb2.py")

    def test_generates_regular_packages_that_import(self):
        for package in ("faas", "faas/worker", "faas/worker/v1"):
            self.assertTrue(os.path.isfile(os.path.join(self.out, package, "__init__.py")))

        result = subprocess.run(
            [support.PYTHON, "-c", "from faas.worker.v1 import worker_pb2, worker_pb2_grpc; "
             "print(worker_pb2_grpc.WorkerStub.__name__)"],
            env=dict(os.environ, PYTHONPATH=self.out), capture_output=True, check=True)
        self.assertEqual(result.stdout, b"WorkerStub\n")

    def test_precompiles_stubs_and_worker_modules(self):
        pycache = os.path.join(self.out, "faas", "worker", "v1", "__pycache__")
        worker_cache = os.path.join(support.WORKER_DIR, "faas_worker", "__pycache__")

        self.assertTrue(any(n.startswith("worker_pb2.") for n in os.listdir(pycache)))
        self.assertTrue(any(n.startswith("server.") for n in os.listdir(worker_cache)))

    def test_second_run_leaves_current_stubs_alone(self):
        before = os.stat(self.stub).st_mtime_ns

        subprocess.run([SCRIPT, self.out], check=True)

        self.assertEqual(os.stat(self.stub).st_mtime_ns, before)

    def test_regenerates_when_the_proto_is_newer(self):
        os.utime(self.stub, (0, 0))

        subprocess.run([SCRIPT, self.out], check=True)

        self.assertGreater(os.stat(self.stub).st_mtime, 0)


if __name__ == "__main__":
    unittest.main()
