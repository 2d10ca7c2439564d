def handler(event, context):
    return "What's Up!"
