def _configure():
    raise RuntimeError("boom at import")


print("starting import")
_configure()


def handler(event, context):
    return None
