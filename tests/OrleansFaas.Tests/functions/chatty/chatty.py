# Prints at import (init output), on every call, and as much as asked; fails when asked.
print("init: chatty loaded")


def handler(event, context):
    event = event if isinstance(event, dict) else {}
    print("hello from " + context.aws_request_id)
    for i in range(event.get("lines", 0)):
        # Two-byte characters, so that a 4 KB tail may have to cut inside one.
        print("line %05d %s" % (i, "é" * 40))
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"ok": True}
