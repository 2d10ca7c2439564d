"""environment: the variables the Lambda Python runtime sets."""

import datetime
import sys
import unittest

from faas_worker import environment


def build(**overrides):
    fields = dict(handler="app.handler", function_name="fn", function_version="$LATEST",
                  memory_mb="128", region="", log_stream_name="s", code_dir="/code",
                  runtime_dir="/rt", user_environment={})
    fields.update(overrides)
    return environment.lambda_environment(**fields)


class LambdaEnvironmentTests(unittest.TestCase):
    def test_sets_every_lambda_variable(self):
        env = build(region="eu-central-1")

        self.assertEqual(env, {
            "_HANDLER": "app.handler",
            "AWS_LAMBDA_FUNCTION_NAME": "fn",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
            "AWS_LAMBDA_LOG_STREAM_NAME": "s",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": "eu-central-1",
            "AWS_DEFAULT_REGION": "eu-central-1",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.%d" % sys.version_info.minor,
            "LAMBDA_TASK_ROOT": "/code",
            "LAMBDA_RUNTIME_DIR": "/rt",
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_SESSION_TOKEN": "test",
        })

    def test_region_defaults_to_us_east_1(self):
        self.assertEqual(build()["AWS_REGION"], "us-east-1")

    def test_user_variables_override_including_credentials(self):
        env = build(user_environment={"AWS_SECRET_ACCESS_KEY": "s3cret", "MY_VAR": "x"})

        self.assertEqual((env["AWS_SECRET_ACCESS_KEY"], env["MY_VAR"]), ("s3cret", "x"))

    def test_tz_is_left_alone(self):
        self.assertNotIn("TZ", build())

    def test_default_log_stream_name_has_lambda_shape(self):
        now = datetime.datetime(2025, 8, 31, tzinfo=datetime.timezone.utc)

        name = environment.default_log_stream_name("$LATEST", now)

        self.assertRegex(name, r"^2025/08/31/\[\$LATEST\][0-9a-f]{32}$")


if __name__ == "__main__":
    unittest.main()
