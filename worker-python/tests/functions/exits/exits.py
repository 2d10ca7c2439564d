import os
import sys


def handler(event, context):
    print("about to exit")
    os._exit(1)


def sys_exit(event, context):
    print("calling sys.exit")
    sys.exit(3)
