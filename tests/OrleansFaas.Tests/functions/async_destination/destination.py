"""Async destination handler: appends the destination record it receives to the file named by the original event."""
import json


def handler(event, context):
    with open(event["requestPayload"]["destinationFile"], "a") as f:
        f.write(json.dumps(event) + "\n")
    return None
