import logging
import sys
import time

logger = logging.getLogger(__name__)
saved_stdout = sys.stdout  # saved at import: must still land in each invocation's capture

print("printed at import")
time.sleep(0.05)  # makes the init duration measurable


def handler(event, context):
    print("printed by handler")
    sys.stderr.write("written to stderr\n")
    saved_stdout.write("written to saved stdout\n")
    logger.warning("logged warning %s", event.get("n"))
    logger.info("logged info is below the root level")
    return "ok"
