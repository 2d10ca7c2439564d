import os


def handler(event, context):
    if isinstance(event, dict) and event.get("crash"):
        os._exit(1)
    return {"alive": True, "pid": os.getpid()}
