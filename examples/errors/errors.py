class CustomError(Exception):
    pass


def handler(event, context):
    raise CustomError("something went wrong")
