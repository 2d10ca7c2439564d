"""The context object handed to handlers (awslambdaric's lambda_context.LambdaContext)."""

import base64
import binascii
import json
import sys
import time
from dataclasses import dataclass

from .errors import LambdaContextUnmarshalError


@dataclass(frozen=True)
class FunctionInfo:
    """What a context needs to know about the loaded function; fixed at Load."""

    function_name: str
    function_version: str
    memory_limit_in_mb: str  # a string, as Lambda copies it from the environment
    log_group_name: str
    log_stream_name: str
    invoked_function_arn: str = ""


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, cognito_identity_id=None, cognito_identity_pool_id=None):
        self.cognito_identity_id = cognito_identity_id
        self.cognito_identity_pool_id = cognito_identity_pool_id

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id={},cognito_identity_pool_id={}])".format(
            self.cognito_identity_id, self.cognito_identity_pool_id)


class Client:
    __slots__ = ("installation_id", "app_title", "app_version_name",
                 "app_version_code", "app_package_name")

    def __repr__(self):
        return "Client([{}])".format(",".join(
            "{}={}".format(name, getattr(self, name)) for name in self.__slots__))


class ClientContext:
    __slots__ = ("custom", "env", "client")

    def __repr__(self):
        return "ClientContext([custom={},env={},client={}])".format(
            self.custom, self.env, self.client)


def _obj_from_dict(cls, values):
    if values is None:
        return None
    obj = cls()
    for name in cls.__slots__:
        setattr(obj, name, values.get(name) if isinstance(values, dict) else None)
    return obj


def parse_client_context(encoded):
    """ClientContext from the base64 JSON the caller sent (X-Amz-Client-Context), or None."""
    if not encoded:
        return None
    try:
        values = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise LambdaContextUnmarshalError(
            "Unable to parse Client Context JSON: {}".format(exc)) from None
    if not isinstance(values, dict):
        values = {}
    context = _obj_from_dict(ClientContext, values)
    context.client = _obj_from_dict(Client, context.client)
    return context


class LambdaContext:
    def __init__(self, info, aws_request_id, deadline_unix_ms,
                 invoked_function_arn="", client_context=None):
        self.aws_request_id = aws_request_id
        self.function_name = info.function_name
        self.function_version = info.function_version
        self.invoked_function_arn = invoked_function_arn or info.invoked_function_arn
        self.memory_limit_in_mb = info.memory_limit_in_mb
        self.log_group_name = info.log_group_name
        self.log_stream_name = info.log_stream_name
        self.identity = CognitoIdentity()
        self.client_context = client_context
        self.tenant_id = None
        self._deadline_unix_ms = int(deadline_unix_ms)

    def get_remaining_time_in_millis(self):
        # From the absolute deadline, so time spent queueing before the call counts.
        return max(0, self._deadline_unix_ms - int(time.time() * 1000))

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id={},log_group_name={},log_stream_name={},"
            "function_name={},memory_limit_in_mb={},function_version={},"
            "invoked_function_arn={},client_context={},identity={},tenant_id={}])"
        ).format(self.aws_request_id, self.log_group_name, self.log_stream_name,
                 self.function_name, self.memory_limit_in_mb, self.function_version,
                 self.invoked_function_arn, self.client_context, self.identity,
                 self.tenant_id)
