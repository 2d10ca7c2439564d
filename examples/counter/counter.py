import os

# Module state lives as long as the worker process: warm invocations see it.
count = 0


def handler(event, context):
    global count
    count += 1
    return {"count": count, "pid": os.getpid()}
