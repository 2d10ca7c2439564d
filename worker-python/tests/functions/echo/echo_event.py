def handler(event, context):
    return {"event": event, "type": type(event).__name__}
