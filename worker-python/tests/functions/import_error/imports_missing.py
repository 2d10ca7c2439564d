import definitely_not_a_module_xyz  # noqa: F401


def handler(event, context):
    return None
