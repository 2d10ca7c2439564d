"""The environment variables the Lambda Python runtime sets (lambda.md §3.3)."""

import datetime
import sys
import uuid

DEFAULT_REGION = "us-east-1"
DEFAULT_VERSION = "$LATEST"
DEFAULT_MEMORY_MB = 128

# Handlers may call boto3 against local endpoints; real credentials must never leak in.
_PLACEHOLDER_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def default_log_stream_name(version, now=None):
    """YYYY/MM/DD/[<version>]<32 hex chars>, as Lambda names a new execution environment."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return "{:%Y/%m/%d}/[{}]{}".format(now, version, uuid.uuid4().hex)


def lambda_environment(*, handler, function_name, function_version, memory_mb, region,
                       log_stream_name, code_dir, runtime_dir, user_environment):
    """The variables to set before importing the handler; user variables win."""
    region = region or DEFAULT_REGION
    env = {
        "_HANDLER": handler,
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": function_version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/" + function_name,
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream_name,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.{}".format(sys.version_info.minor),
        "LAMBDA_TASK_ROOT": code_dir,
        "LAMBDA_RUNTIME_DIR": runtime_dir,
    }
    for name in _PLACEHOLDER_CREDENTIALS:
        env[name] = "test"
    env.update(user_environment)
    return env
