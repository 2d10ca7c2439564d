"""A handler that misbehaves on request, to test the platform's limits."""
import os
import subprocess
import sys

_kept = []


def handler(event, context):
    event = event if isinstance(event, dict) else {}
    if "hog_mb" in event:
        _kept.append(bytearray(event["hog_mb"] * 1024 * 1024))  # zero-filled: every page is touched
        return {"allocated_mb": event["hog_mb"]}
    if "os_exit" in event:
        os._exit(event["os_exit"])
    if "sys_exit" in event:
        sys.exit(event["sys_exit"])
    if "flood_mb" in event:
        line = "x" * 1023
        for _ in range(event["flood_mb"] * 1024):
            print(line)
        return {"flooded_mb": event["flood_mb"]}
    if "response_mb" in event:
        return "y" * (event["response_mb"] * 1024 * 1024)
    if event.get("return_set"):
        return {1, 2, 3}
    if event.get("fork"):
        child = subprocess.Popen(["sleep", "300"], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return {"child": child.pid}
    return {"ok": True, "pid": os.getpid()}
