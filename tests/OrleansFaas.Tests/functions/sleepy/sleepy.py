import time


def handler(event, context):
    seconds = event.get("sleep", 0) if isinstance(event, dict) else 0
    time.sleep(seconds)
    return {"slept": seconds, "remaining_ms": context.get_remaining_time_in_millis()}
