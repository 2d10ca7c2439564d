import os
import sys
import time

# What the module sees while it is imported.
ENV_AT_IMPORT = {k: v for k, v in os.environ.items()
                 if k.startswith(("AWS_", "LAMBDA_", "_HANDLER", "USER_"))}
CWD_AT_IMPORT = os.getcwd()
SYS_PATH0_AT_IMPORT = sys.path[0]


def handler(event, context):
    before = context.get_remaining_time_in_millis()
    time.sleep(event.get("sleep_ms", 0) / 1000.0)
    after = context.get_remaining_time_in_millis()
    cc = context.client_context
    return {
        "env": ENV_AT_IMPORT,
        "cwd": CWD_AT_IMPORT,
        "sys_path0": SYS_PATH0_AT_IMPORT,
        "context": {
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "aws_request_id": context.aws_request_id,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "identity": [context.identity.cognito_identity_id,
                         context.identity.cognito_identity_pool_id],
            "client_context": None if cc is None else {
                "custom": cc.custom, "env": cc.env,
                "installation_id": cc.client.installation_id,
                "app_title": cc.client.app_title,
            },
        },
        "remaining_before": before,
        "remaining_after": after,
    }
