"""The worker's gRPC service, driven over its real Unix socket in a real process."""

import base64
import json
import os
import re
import time
import unittest

from tests import support
from tests.support import function_dir

NBSP = "\u00a0"
REQUEST_ID = "0f6f2e4c-3b4e-4a0e-9d4e-5c8f1a2b3c4d"


class ServerTestCase(unittest.TestCase):
    def worker(self, **kwargs):
        return support.WorkerProcess(self.addCleanup, **kwargs)

    def loaded_worker(self, folder, handler, **fields):
        worker = self.worker()
        reply = worker.load_fixture(folder, handler, **fields)
        self.assertTrue(reply.ok, reply)
        return worker


class LoadTests(ServerTestCase):
    def test_load_succeeds_and_reports_import_time_as_init_duration(self):
        worker = self.worker()

        reply = worker.load_fixture("prints", "prints.handler")

        self.assertTrue(reply.ok)
        self.assertFalse(reply.HasField("error"))
        self.assertGreaterEqual(reply.init_duration_ms, 50.0)  # the module sleeps 50 ms
        self.assertLess(reply.init_duration_ms, 5000.0)
        self.assertEqual(reply.logs, "printed at import\n")

    def test_load_rejects_handler_without_dot_as_malformed(self):
        reply = self.worker().load_fixture("counter", "counter")

        self.assertFalse(reply.ok)
        self.assertEqual(reply.error.error_type, "Runtime.MalformedHandlerName")
        self.assertEqual(reply.error.error_message,
                         "Bad handler 'counter': not enough values to unpack (expected 2, got 1)")
        self.assertEqual(list(reply.error.stack_trace), [])

    def test_load_rejects_builtin_module_as_conflict(self):
        reply = self.worker().load_fixture("counter", "sys.handler")

        self.assertEqual(reply.error.error_type, "Runtime.BuiltInModuleConflict")
        self.assertEqual(reply.error.error_message,
                         "Cannot use built-in module sys as a handler module")

    def test_load_reports_missing_module_file_as_import_error(self):
        reply = self.worker().load_fixture("counter", "nope.handler")

        self.assertEqual(reply.error.error_type, "Runtime.ImportModuleError")
        self.assertEqual(reply.error.error_message,
                         "Unable to import module 'nope': No module named 'nope'")
        self.assertEqual(list(reply.error.stack_trace), [])

    def test_load_reports_module_importing_missing_module_as_import_error(self):
        reply = self.worker().load_fixture("import_error", "imports_missing.handler")

        self.assertFalse(reply.ok)
        self.assertEqual(reply.error.error_type, "Runtime.ImportModuleError")
        self.assertEqual(
            reply.error.error_message,
            "Unable to import module 'imports_missing': "
            "No module named 'definitely_not_a_module_xyz'")
        self.assertEqual(list(reply.error.stack_trace), [])
        self.assertIn("[ERROR] Runtime.ImportModuleError: Unable to import module", reply.logs)

    def test_load_reports_syntax_error_with_one_stack_entry(self):
        reply = self.worker().load_fixture("syntax_error", "bad_syntax.handler")

        path = os.path.join(function_dir("syntax_error"), "bad_syntax.py")
        self.assertEqual(reply.error.error_type, "Runtime.UserCodeSyntaxError")
        self.assertRegex(reply.error.error_message,
                         r"^Syntax error in module 'bad_syntax': .+ \(bad_syntax\.py, line 1\)$")
        self.assertEqual(list(reply.error.stack_trace),
                         ['  File "%s" Line 1\n    def handler(event, context)\n' % path])

    def test_load_reports_missing_function_as_handler_not_found(self):
        reply = self.worker().load_fixture("no_handler", "no_handler.handler")

        self.assertEqual(reply.error.error_type, "Runtime.HandlerNotFound")
        self.assertEqual(reply.error.error_message,
                         "Handler 'handler' missing on module 'no_handler'")
        self.assertEqual(list(reply.error.stack_trace), [])

    def test_load_reports_exception_at_import_under_its_own_class_name(self):
        reply = self.worker().load_fixture("import_raises", "import_raises.handler")

        self.assertFalse(reply.ok)
        self.assertEqual(reply.error.error_type, "RuntimeError")
        self.assertEqual(reply.error.error_message, "boom at import")
        stack = list(reply.error.stack_trace)
        self.assertTrue(any("importlib" in entry for entry in stack), stack)
        self.assertIn('import_raises.py", line 6, in <module>', stack[-2])
        self.assertIn('import_raises.py", line 2, in _configure', stack[-1])
        self.assertFalse(any("faas_worker" in entry for entry in stack), stack)
        self.assertIn("starting import\n", reply.logs)
        self.assertIn("LAMBDA_WARNING: Unhandled exception.", reply.logs)
        self.assertIn("[ERROR] RuntimeError: boom at import\rTraceback (most recent call last):\r",
                      reply.logs)

    def test_load_resolves_slashes_in_module_path(self):
        # The code dir is functions/ itself: it holds nested/dir/mod.py.
        worker = self.worker()
        self.assertTrue(worker.load(support.FUNCTIONS_DIR, "nested/dir/mod.handler").ok)

        reply = worker.invoke({})

        self.assertEqual(json.loads(reply.payload), {"module": "nested.dir.mod"})

    def test_second_load_of_a_different_function_is_refused(self):
        worker = self.loaded_worker("counter", "counter.handler")

        reply = worker.load_fixture("echo", "echo_event.handler")

        self.assertFalse(reply.ok)
        self.assertEqual(reply.error.error_type, "Runtime.AlreadyLoaded")
        self.assertEqual(json.loads(worker.invoke({}).payload)["count"], 1)

    def test_repeated_load_of_the_same_function_succeeds_without_reimport(self):
        worker = self.loaded_worker("counter", "counter.handler")
        worker.invoke({})

        reply = worker.load_fixture("counter", "counter.handler")

        self.assertTrue(reply.ok)
        self.assertEqual(json.loads(worker.invoke({}).payload)["count"], 2)

    def test_load_after_failed_load_may_try_again(self):
        worker = self.worker()
        self.assertFalse(worker.load_fixture("counter", "nope.handler").ok)

        reply = worker.load_fixture("counter", "counter.handler")

        self.assertTrue(reply.ok, reply)
        self.assertEqual(json.loads(worker.invoke({}).payload)["count"], 1)


class InvokeTests(ServerTestCase):
    def test_invoke_before_load_answers_not_loaded(self):
        reply = self.worker().invoke({})

        self.assertEqual(reply.status, support.PB.INVOKE_STATUS_NOT_LOADED)
        self.assertEqual(reply.error.error_type, "Runtime.NotLoaded")

    def test_invoke_returns_json_encoded_result_with_timings(self):
        worker = self.loaded_worker("counter", "counter.handler")

        reply = worker.invoke({"k": "v"})

        self.assertEqual(reply.status, support.PB.INVOKE_STATUS_OK)
        self.assertEqual(reply.payload, b'{"count": 1, "pid": %d}' % worker.pid)
        self.assertFalse(reply.HasField("error"))
        self.assertGreater(reply.duration_ms, 0.0)
        self.assertGreater(reply.max_memory_kb, 1000)

    def test_invoke_says_whether_the_handler_left_processes_running(self):
        clean = self.loaded_worker("counter", "counter.handler").invoke({})
        forked = self.loaded_worker("forks", "forks.handler").invoke({})

        self.assertFalse(clean.left_processes)
        self.assertEqual(forked.status, support.PB.INVOKE_STATUS_OK)
        self.assertTrue(forked.left_processes)

    def test_invoke_decodes_event_json_and_empty_body_as_empty_object(self):
        worker = self.loaded_worker("echo", "echo_event.handler")
        cases = [(b"", {}, "dict"), (b'{"a": [1, 2]}', {"a": [1, 2]}, "dict"),
                 (b"[1, 2]", [1, 2], "list"), (b'"text"', "text", "str"),
                 (b"42", 42, "int"), (b"null", None, "NoneType")]
        for body, event, type_name in cases:
            with self.subTest(body=body):
                reply = worker.invoke(body)

                self.assertEqual(json.loads(reply.payload), {"event": event, "type": type_name})

    def test_invoke_with_invalid_json_event_is_unmarshal_error(self):
        worker = self.loaded_worker("echo", "echo_event.handler")

        reply = worker.invoke(b"{not json")

        self.assertEqual(reply.status, support.PB.INVOKE_STATUS_FUNCTION_ERROR)
        self.assertEqual(reply.error.error_type, "Runtime.UnmarshalError")
        self.assertTrue(reply.error.error_message.startswith("Unable to unmarshal input: "),
                        reply.error.error_message)

    def test_handler_exception_gives_class_name_message_and_trimmed_stack(self):
        worker = self.loaded_worker("raises", "raises.handler")

        reply = worker.invoke({"value": 7}, request_id=REQUEST_ID)

        path = os.path.join(function_dir("raises"), "raises.py")
        self.assertEqual(reply.status, support.PB.INVOKE_STATUS_FUNCTION_ERROR)
        self.assertEqual(reply.error.error_type, "ValueError")
        self.assertEqual(reply.error.error_message, "bad value: 7")
        self.assertEqual(list(reply.error.stack_trace), [
            '  File "%s", line 6, in handler\n    _check(event.get("value"))\n' % path,
            '  File "%s", line 2, in _check\n    raise ValueError("bad value: {}".format(value))\n'
            % path,
        ])
        self.assertEqual(reply.payload, b"")

    def test_handler_exception_is_logged_as_one_lambda_error_entry(self):
        worker = self.loaded_worker("raises", "raises.handler")

        reply = worker.invoke({"value": 7})

        path = os.path.join(function_dir("raises"), "raises.py")
        self.assertEqual(reply.logs, "\r".join([
            "[ERROR] ValueError: bad value: 7",
            "Traceback (most recent call last):",
            NBSP * 2 + 'File "%s", line 6, in handler' % path,
            NBSP * 4 + '_check(event.get("value"))',
            NBSP * 2 + 'File "%s", line 2, in _check' % path,
            NBSP * 4 + 'raise ValueError("bad value: {}".format(value))',
        ]) + "\n")

    def test_logs_capture_print_stderr_saved_stdout_and_logging_with_request_id(self):
        worker = self.loaded_worker("prints", "prints.handler")

        reply = worker.invoke({"n": 5}, request_id=REQUEST_ID)

        lines = reply.logs.split("\n")
        self.assertEqual(lines[:3], ["printed by handler", "written to stderr",
                                     "written to saved stdout"])
        self.assertRegex(lines[3], r"^\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t"
                         + re.escape(REQUEST_ID) + r"\tlogged warning 5$")
        self.assertNotIn("logged info", reply.logs)  # root level stays WARNING
        self.assertNotIn("printed at import", reply.logs)  # that belonged to Load

    def test_logs_of_each_invocation_are_separate(self):
        worker = self.loaded_worker("prints", "prints.handler")
        worker.invoke({"n": 1}, request_id="first")

        reply = worker.invoke({"n": 2}, request_id="second")

        self.assertIn("\tsecond\tlogged warning 2\n", reply.logs)
        self.assertNotIn("first", reply.logs)

    def test_module_state_persists_across_invocations(self):
        worker = self.loaded_worker("counter", "counter.handler")

        results = [json.loads(worker.invoke({}).payload) for _ in range(3)]

        self.assertEqual([r["count"] for r in results], [1, 2, 3])
        self.assertEqual({r["pid"] for r in results}, {worker.pid})

    def test_unserializable_result_is_marshal_error(self):
        worker = self.loaded_worker("returns_set", "returns_set.handler")

        reply = worker.invoke({})

        self.assertEqual(reply.status, support.PB.INVOKE_STATUS_FUNCTION_ERROR)
        self.assertEqual(reply.error.error_type, "Runtime.MarshalError")
        self.assertEqual(reply.error.error_message,
                         "Unable to marshal response: Object of type set is not JSON serializable")
        self.assertEqual(list(reply.error.stack_trace), [])

    def test_health_reports_pid_and_loaded_function(self):
        worker = self.worker()
        before = worker.health()
        worker.load_fixture("counter", "counter.handler", function_name="my-fn")

        after = worker.health()

        self.assertEqual((before.pid, before.loaded, before.function_name),
                         (worker.pid, False, ""))
        self.assertEqual((after.pid, after.loaded, after.function_name),
                         (worker.pid, True, "my-fn"))


class InvokeStreamTests(ServerTestCase):
    """InvokeStream: one long-lived stream, one reply per request, in order, as Invoke."""

    def test_stream_answers_each_request_in_turn_and_keeps_module_state(self):
        worker = self.loaded_worker("counter", "counter.handler")
        stream = worker.open_stream()

        results = [json.loads(stream.invoke({}).payload) for _ in range(3)]
        unary = json.loads(worker.invoke({}).payload)
        after = json.loads(stream.invoke({}).payload)

        self.assertEqual([r["count"] for r in results], [1, 2, 3])
        self.assertEqual({r["pid"] for r in results}, {worker.pid})
        self.assertEqual((unary["count"], after["count"]), (4, 5))  # one module, both paths

    def test_pipelined_requests_are_answered_once_each_in_order(self):
        worker = self.loaded_worker("echo", "echo_event.handler")
        stream = worker.open_stream()

        for i in range(20):
            stream.send({"i": i})
        replies = [stream.receive() for _ in range(20)]

        self.assertEqual([json.loads(r.payload)["event"]["i"] for r in replies], list(range(20)))
        self.assertEqual(stream.close(), [])  # nothing more: exactly one reply per request
        self.assertEqual(stream.call.code(), support.grpc_status().OK)

    def test_errors_are_replies_and_the_stream_goes_on(self):
        worker = self.loaded_worker("raises", "raises.handler")
        stream = worker.open_stream()

        unary = worker.invoke({"value": 7}, request_id=REQUEST_ID)
        streamed = stream.invoke({"value": 7}, request_id=REQUEST_ID)
        unmarshal = stream.invoke(b"{not json")
        again = stream.invoke({"value": 8})

        self.assertEqual(streamed.status, support.PB.INVOKE_STATUS_FUNCTION_ERROR)
        for field in ("status", "payload", "error", "logs"):
            self.assertEqual(getattr(streamed, field), getattr(unary, field), field)
        self.assertEqual(unmarshal.error.error_type, "Runtime.UnmarshalError")
        self.assertEqual(again.error.error_message, "bad value: 8")

    def test_stream_before_load_answers_not_loaded_then_serves_after_load(self):
        worker = self.worker()
        stream = worker.open_stream()

        before = stream.invoke({})
        self.assertTrue(worker.load_fixture("counter", "counter.handler").ok)
        after = stream.invoke({})

        self.assertEqual(before.status, support.PB.INVOKE_STATUS_NOT_LOADED)
        self.assertEqual(before.error.error_type, "Runtime.NotLoaded")
        self.assertEqual(after.status, support.PB.INVOKE_STATUS_OK)
        self.assertEqual(json.loads(after.payload)["count"], 1)

    def test_logs_and_request_id_are_per_request_on_the_stream(self):
        worker = self.loaded_worker("prints", "prints.handler")
        stream = worker.open_stream()

        first = stream.invoke({"n": 1}, request_id="first")
        second = stream.invoke({"n": 2}, request_id="second")

        self.assertIn("\tfirst\tlogged warning 1\n", first.logs)
        self.assertIn("\tsecond\tlogged warning 2\n", second.logs)
        self.assertNotIn("first", second.logs)

    def test_health_and_a_second_stream_are_served_while_a_stream_is_open(self):
        worker = self.loaded_worker("counter", "counter.handler")
        first, second = worker.open_stream(), worker.open_stream()
        first.invoke({})

        self.assertEqual(worker.health().pid, worker.pid)
        self.assertEqual(json.loads(second.invoke({}).payload)["count"], 2)
        self.assertEqual(json.loads(first.invoke({}).payload)["count"], 3)


class ContextAndEnvironmentTests(ServerTestCase):
    ARN = "arn:aws:lambda:eu-west-1:000000000000:function:ctx-fn"

    def load_env(self, **fields):
        fields = dict(dict(function_name="ctx-fn", function_version="$LATEST", memory_mb=256,
                           region="eu-west-1", invoked_function_arn=self.ARN,
                           log_stream_name="2025/01/02/[$LATEST]" + "a" * 32,
                           environment={"USER_VAR": "1", "AWS_ACCESS_KEY_ID": "mine"}),
                      **fields)
        return self.loaded_worker("env", "lambda_env.handler", **fields)

    def test_context_carries_function_and_request_fields(self):
        worker = self.load_env()
        client_context = base64.b64encode(json.dumps(
            {"custom": {"k": "v"}, "env": {"e": 1}, "client": {"installation_id": "i-1"}}
        ).encode()).decode()

        reply = worker.invoke({}, request_id=REQUEST_ID, client_context=client_context,
                              invoked_function_arn=self.ARN + ":prod")

        context = json.loads(reply.payload)["context"]
        self.assertEqual(context, {
            "function_name": "ctx-fn",
            "function_version": "$LATEST",
            "invoked_function_arn": self.ARN + ":prod",
            "memory_limit_in_mb": "256",
            "aws_request_id": REQUEST_ID,
            "log_group_name": "/aws/lambda/ctx-fn",
            "log_stream_name": "2025/01/02/[$LATEST]" + "a" * 32,
            "identity": [None, None],
            "client_context": {"custom": {"k": "v"}, "env": {"e": 1},
                               "installation_id": "i-1", "app_title": None},
        })

    def test_context_defaults_without_client_context_or_invoke_arn(self):
        worker = self.load_env()

        context = json.loads(worker.invoke({}).payload)["context"]

        self.assertIsNone(context["client_context"])
        self.assertEqual(context["invoked_function_arn"], self.ARN)

    def test_remaining_time_counts_down_from_the_absolute_deadline(self):
        worker = self.load_env()

        result = json.loads(worker.invoke({"sleep_ms": 60},
                                          deadline_unix_ms=support.now_ms() + 2000).payload)

        self.assertLessEqual(result["remaining_before"], 2000)
        self.assertGreater(result["remaining_before"], 1000)
        self.assertLessEqual(result["remaining_after"], result["remaining_before"] - 55)

    def test_remaining_time_never_goes_below_zero(self):
        worker = self.load_env()

        result = json.loads(worker.invoke({}, deadline_unix_ms=support.now_ms() - 5000).payload)

        self.assertEqual((result["remaining_before"], result["remaining_after"]), (0, 0))

    def test_lambda_environment_is_set_before_import_with_user_variables_on_top(self):
        worker = self.load_env()

        result = json.loads(worker.invoke({}).payload)

        env, code_dir = result["env"], function_dir("env")
        self.assertEqual(env["_HANDLER"], "lambda_env.handler")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], "ctx-fn")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256")
        self.assertEqual(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/ctx-fn")
        self.assertEqual(env["AWS_LAMBDA_LOG_STREAM_NAME"], "2025/01/02/[$LATEST]" + "a" * 32)
        self.assertEqual(env["AWS_LAMBDA_INITIALIZATION_TYPE"], "on-demand")
        self.assertEqual(env["AWS_REGION"], "eu-west-1")
        self.assertEqual(env["AWS_DEFAULT_REGION"], "eu-west-1")
        self.assertRegex(env["AWS_EXECUTION_ENV"], r"^AWS_Lambda_python3\.\d+$")
        self.assertEqual(env["LAMBDA_TASK_ROOT"], code_dir)
        self.assertEqual(env["LAMBDA_RUNTIME_DIR"], support.WORKER_DIR)
        self.assertEqual(env["AWS_ACCESS_KEY_ID"], "mine")
        self.assertEqual(env["AWS_SECRET_ACCESS_KEY"], "test")
        self.assertEqual(env["AWS_SESSION_TOKEN"], "test")
        self.assertEqual(env["USER_VAR"], "1")
        self.assertEqual((result["cwd"], result["sys_path0"]), (code_dir, code_dir))

    def test_region_and_log_stream_get_defaults_when_not_given(self):
        worker = self.load_env(region="", log_stream_name="", memory_mb=0)

        result = json.loads(worker.invoke({}).payload)

        self.assertEqual(result["env"]["AWS_REGION"], "us-east-1")
        self.assertEqual(result["context"]["memory_limit_in_mb"], "128")
        self.assertRegex(result["context"]["log_stream_name"],
                         r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")
        self.assertEqual(result["env"]["AWS_LAMBDA_LOG_STREAM_NAME"],
                         result["context"]["log_stream_name"])


if __name__ == "__main__":
    unittest.main()
