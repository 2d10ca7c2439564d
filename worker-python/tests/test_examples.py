"""The examples/ functions, run by a real worker."""

import json
import os
import unittest

from tests import support


class ExampleTests(unittest.TestCase):
    def run_example(self, name, events):
        worker = support.WorkerProcess(self.addCleanup)
        load = worker.load(os.path.join(support.EXAMPLES_DIR, name), name + ".handler")
        self.assertTrue(load.ok, load)
        return worker, [worker.invoke(event) for event in events]

    def test_hello_returns_whats_up(self):
        _, [reply] = self.run_example("hello", [b""])

        self.assertEqual(reply.payload, b'"What\'s Up!"')

    def test_echo_returns_the_event(self):
        _, [reply] = self.run_example("echo", [{"a": [1, "b"]}])

        self.assertEqual(json.loads(reply.payload), {"a": [1, "b"]})

    def test_errors_raises_custom_error(self):
        _, [reply] = self.run_example("errors", [{}])

        self.assertEqual((reply.status, reply.error.error_type, reply.error.error_message),
                         (support.PB.INVOKE_STATUS_FUNCTION_ERROR, "CustomError",
                          "something went wrong"))

    def test_counter_counts_per_worker(self):
        worker, replies = self.run_example("counter", [{}, {}])

        self.assertEqual([json.loads(r.payload) for r in replies],
                         [{"count": 1, "pid": worker.pid}, {"count": 2, "pid": worker.pid}])


if __name__ == "__main__":
    unittest.main()
