def _check(value):
    raise ValueError("bad value: {}".format(value))


def handler(event, context):
    _check(event.get("value"))
