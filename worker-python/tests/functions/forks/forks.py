import subprocess


def handler(event, context):
    child = subprocess.Popen(["sleep", "60"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"child_pid": child.pid}
