"""invocation.invoke, in-process: one call of a loaded handler, every outcome a result."""

import base64
import sys
import time
import unittest
from unittest import mock

from faas_worker import context, invocation
from tests import support

INFO = context.FunctionInfo("fn", "$LATEST", "128", "/aws/lambda/fn", "stream", "arn:fn")


def loaded(handler):
    return invocation.LoadedFunction(handler, INFO, ("key",), 1.0)


def invoke(handler, event=b"{}", **kwargs):
    kwargs.setdefault("deadline_unix_ms", int(time.time() * 1000) + 3000)
    return invocation.invoke(loaded(handler), "req-1", event, **kwargs)


class InvokeTests(unittest.TestCase):
    def setUp(self):
        support.isolate_log_capture(self)

    def test_returns_json_payload_and_no_error(self):
        result = invoke(lambda event, ctx: {"got": event, "id": ctx.aws_request_id},
                        b'{"a": 1}')

        self.assertIsNone(result.error)
        self.assertEqual(result.payload, b'{"got": {"a": 1}, "id": "req-1"}')
        self.assertGreater(result.max_memory_kb, 0)

    def test_duration_covers_the_handler_call(self):
        result = invoke(lambda event, ctx: time.sleep(0.02))

        self.assertGreaterEqual(result.duration_ms, 20.0)
        self.assertLess(result.duration_ms, 1000.0)

    def test_context_gets_deadline_arn_and_client_context(self):
        seen = {}

        def handler(event, ctx):
            seen.update(remaining=ctx.get_remaining_time_in_millis(),
                        arn=ctx.invoked_function_arn, custom=ctx.client_context.custom)

        invoke(handler, invoked_function_arn="arn:fn:prod",
               client_context=base64.b64encode(b'{"custom": {"a": 1}}').decode())

        self.assertTrue(2000 < seen["remaining"] <= 3000, seen)
        self.assertEqual((seen["arn"], seen["custom"]), ("arn:fn:prod", {"a": 1}))

    def test_handler_exception_is_reported_and_logged_without_worker_frames(self):
        def handler(event, ctx):
            print("before the failure")
            raise KeyError("missing")

        result = invoke(handler)

        self.assertEqual((result.error.error_type, result.error.error_message),
                         ("KeyError", "'missing'"))
        self.assertEqual(len(result.error.stack_trace), 1)
        self.assertIn(", in handler\n    raise KeyError", result.error.stack_trace[0])
        self.assertEqual(result.payload, b"")
        self.assertTrue(result.logs.startswith(
            "before the failure\n[ERROR] KeyError: 'missing'\rTraceback (most recent call last):\r"))

    def test_unserializable_result_is_marshal_error_and_logged(self):
        result = invoke(lambda event, ctx: object())

        self.assertEqual(result.error.error_type, "Runtime.MarshalError")
        self.assertEqual(result.logs,
                         "[ERROR] Runtime.MarshalError: Unable to marshal response: Object of "
                         "type object is not JSON serializable\rTraceback (most recent call last):\n")

    def test_invalid_event_is_unmarshal_error_and_handler_is_not_called(self):
        handler = mock.Mock()

        result = invoke(handler, b"not json")

        self.assertEqual(result.error.error_type, "Runtime.UnmarshalError")
        handler.assert_not_called()

    def test_invalid_client_context_is_context_unmarshal_error(self):
        result = invoke(lambda event, ctx: None, client_context="%%%")

        self.assertEqual(result.error.error_type, "Runtime.LambdaContextUnmarshalError")

    def test_response_over_lambda_limit_is_response_size_error(self):
        result = invoke(lambda event, ctx: b"x" * (invocation.MAX_RESPONSE_BYTES + 1))

        self.assertEqual(result.error.error_type, "Function.ResponseSizeTooLarge")
        self.assertEqual(result.error.error_message,
                         "Response payload size exceeded maximum allowed payload size "
                         "(6291556 bytes).")
        self.assertEqual(result.payload, b"")

    def test_sys_exit_in_handler_exits_the_process_with_the_logs(self):
        def handler(event, ctx):
            print("last words")
            sys.exit(4)

        with mock.patch.object(invocation.lifecycle, "exit_from_user_code",
                               side_effect=RuntimeError("exited")) as exit_mock:
            with self.assertRaises(RuntimeError):
                invoke(handler)

        exc, logs = exit_mock.call_args.args
        self.assertEqual((exc.code, logs), (4, "last words\n"))


if __name__ == "__main__":
    unittest.main()
