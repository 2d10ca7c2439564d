"""errors: the Runtime.* vocabulary and the shape of user exceptions."""

import os
import traceback
import unittest

from faas_worker import errors


class CustomError(Exception):
    pass


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no")


def _raise_custom():
    raise CustomError("something went wrong")


class FromExceptionTests(unittest.TestCase):
    def test_runtime_fault_keeps_its_fixed_type_and_trace(self):
        fault = errors.UserCodeSyntaxError("Syntax error in module 'm': x", ["entry"])

        self.assertEqual(errors.from_exception(fault), errors.ErrorResult(
            "Runtime.UserCodeSyntaxError", "Syntax error in module 'm': x", ["entry"]))

    def test_each_fault_has_its_lambda_error_type(self):
        self.assertEqual(
            [cls.error_type for cls in (
                errors.MalformedHandlerName, errors.BuiltInModuleConflict,
                errors.ImportModuleError, errors.UserCodeSyntaxError, errors.HandlerNotFound,
                errors.UnmarshalError, errors.MarshalError)],
            ["Runtime.MalformedHandlerName", "Runtime.BuiltInModuleConflict",
             "Runtime.ImportModuleError", "Runtime.UserCodeSyntaxError",
             "Runtime.HandlerNotFound", "Runtime.UnmarshalError", "Runtime.MarshalError"])

    def test_user_exception_gives_class_name_message_and_formatted_frames(self):
        try:
            _raise_custom()
        except CustomError as exc:
            result = errors.from_exception(exc)
            expected = traceback.format_list(traceback.extract_tb(exc.__traceback__))

        self.assertEqual((result.error_type, result.error_message),
                         ("CustomError", "something went wrong"))
        self.assertEqual(result.stack_trace, expected)  # no worker frame to trim here
        self.assertTrue(result.stack_trace[-1].startswith('  File "%s", line ' % __file__))
        self.assertIn(", in _raise_custom\n    raise CustomError", result.stack_trace[-1])

    def test_leading_worker_frames_are_trimmed(self):
        # A function whose code claims to live in faas_worker/ and catches what the
        # user callable raises, as the worker's invoke does.
        namespace = {}
        exec(compile("def call(f):\n    try:\n        f()\n    except Exception as e:\n"
                     "        return e\n",
                     os.path.join(os.path.dirname(errors.__file__), "fake_dispatch.py"),
                     "exec"), namespace)

        def user_code():
            raise KeyError("k")

        result = errors.from_exception(namespace["call"](user_code))

        self.assertEqual(len(result.stack_trace), 1)
        self.assertIn(", in user_code\n", result.stack_trace[0])

    def test_unprintable_exception_still_reports(self):
        result = errors.from_exception(Unprintable())

        self.assertEqual(result.error_type, "Unprintable")
        self.assertEqual(result.error_message, "<unprintable Unprintable object>")


if __name__ == "__main__":
    unittest.main()
