"""context: the LambdaContext a handler receives."""

import base64
import json
import time
import unittest

from faas_worker import context, errors

INFO = context.FunctionInfo(function_name="fn", function_version="$LATEST",
                            memory_limit_in_mb="128", log_group_name="/aws/lambda/fn",
                            log_stream_name="2025/01/01/[$LATEST]abc",
                            invoked_function_arn="arn:aws:lambda:us-east-1:0:function:fn")


def now_ms():
    return int(time.time() * 1000)


def b64json(value):
    return base64.b64encode(json.dumps(value).encode()).decode()


class LambdaContextTests(unittest.TestCase):
    def test_exposes_function_and_request_fields(self):
        ctx = context.LambdaContext(INFO, "req-1", now_ms() + 1000, "arn:q")

        self.assertEqual(
            (ctx.function_name, ctx.function_version, ctx.memory_limit_in_mb,
             ctx.aws_request_id, ctx.log_group_name, ctx.log_stream_name,
             ctx.invoked_function_arn, ctx.client_context),
            ("fn", "$LATEST", "128", "req-1", "/aws/lambda/fn", "2025/01/01/[$LATEST]abc",
             "arn:q", None))

    def test_memory_limit_is_a_string(self):
        ctx = context.LambdaContext(INFO, "r", 0)

        self.assertIsInstance(ctx.memory_limit_in_mb, str)

    def test_invoked_arn_falls_back_to_the_function_arn(self):
        ctx = context.LambdaContext(INFO, "r", 0, "")

        self.assertEqual(ctx.invoked_function_arn, INFO.invoked_function_arn)

    def test_identity_is_always_an_object_with_empty_fields(self):
        ctx = context.LambdaContext(INFO, "r", 0)

        self.assertIsNone(ctx.identity.cognito_identity_id)
        self.assertIsNone(ctx.identity.cognito_identity_pool_id)

    def test_remaining_time_counts_down_from_the_absolute_deadline(self):
        ctx = context.LambdaContext(INFO, "r", now_ms() + 1000)

        first = ctx.get_remaining_time_in_millis()
        time.sleep(0.03)
        second = ctx.get_remaining_time_in_millis()

        self.assertIsInstance(first, int)
        self.assertTrue(900 < first <= 1000, first)
        self.assertLessEqual(second, first - 25)

    def test_remaining_time_is_zero_past_the_deadline(self):
        ctx = context.LambdaContext(INFO, "r", now_ms() - 10)

        self.assertEqual(ctx.get_remaining_time_in_millis(), 0)


class ClientContextTests(unittest.TestCase):
    def test_empty_means_none(self):
        self.assertIsNone(context.parse_client_context(""))

    def test_decodes_custom_env_and_client(self):
        cc = context.parse_client_context(b64json(
            {"custom": {"k": "v"}, "env": {"platform": "x"},
             "client": {"installation_id": "i-1", "app_title": "App"}}))

        self.assertEqual((cc.custom, cc.env), ({"k": "v"}, {"platform": "x"}))
        self.assertEqual((cc.client.installation_id, cc.client.app_title,
                          cc.client.app_version_name), ("i-1", "App", None))

    def test_missing_client_is_none(self):
        cc = context.parse_client_context(b64json({"custom": {}}))

        self.assertIsNone(cc.client)
        self.assertIsNone(cc.env)

    def test_invalid_base64_or_json_is_context_unmarshal_error(self):
        for bad in ("not base64!", base64.b64encode(b"{nope").decode()):
            with self.subTest(bad=bad), self.assertRaises(errors.LambdaContextUnmarshalError) as r:
                context.parse_client_context(bad)
            self.assertTrue(r.exception.message.startswith("Unable to parse Client Context JSON: "))


if __name__ == "__main__":
    unittest.main()
