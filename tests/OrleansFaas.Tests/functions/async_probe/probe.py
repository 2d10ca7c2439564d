"""Async test handler: records each run (request id, pid) in the file the event names, then sleeps, fails or succeeds."""
import json
import os
import time


def _record(path, phase, context):
    with open(path, "a") as f:
        f.write(json.dumps({"phase": phase, "requestId": context.aws_request_id, "pid": os.getpid()}) + "\n")


def handler(event, context):
    _record(event["file"], "start", context)
    time.sleep(event.get("sleep", 0))
    if event.get("fail"):
        raise RuntimeError("failing on purpose")
    _record(event["file"], "done", context)
    return {"ok": True, "requestId": context.aws_request_id}
