"""loader.load_handler, in-process: one function, one error type per failure."""

import contextlib
import io
import os
import sys
import unittest

from faas_worker import errors, loader
from tests import support
from tests.support import function_dir

RUNTIME_DIR = "/opt/runtime"


def spec(folder, handler, **fields):
    return loader.LoadSpec(code_dir=function_dir(folder), handler=handler, **fields)


class LoadHandlerTests(unittest.TestCase):
    def setUp(self):
        support.isolate_process_state(self)

    def test_returns_the_handler_function_and_function_info(self):
        handler, info = loader.load_handler(
            spec("counter", "counter.handler", function_name="fn", memory_mb=512,
                 invoked_function_arn="arn:x"), RUNTIME_DIR)

        self.assertEqual(handler.__name__, "handler")
        self.assertEqual(handler({}, None)["count"], 1)
        self.assertEqual((info.function_name, info.function_version, info.memory_limit_in_mb,
                          info.log_group_name, info.invoked_function_arn),
                         ("fn", "$LATEST", "512", "/aws/lambda/fn", "arn:x"))

    def test_enters_code_dir_and_puts_it_first_on_sys_path_before_import(self):
        loader.load_handler(spec("env", "lambda_env.handler"), RUNTIME_DIR)

        module = sys.modules["lambda_env"]
        self.assertEqual(module.CWD_AT_IMPORT, function_dir("env"))
        self.assertEqual(module.SYS_PATH0_AT_IMPORT, function_dir("env"))
        self.assertEqual(sys.path.count(function_dir("env")), 1)

    def test_sets_lambda_environment_before_import_with_user_variables_winning(self):
        loader.load_handler(spec("env", "lambda_env.handler", function_name="fn",
                                 environment={"AWS_REGION": "ap-south-1", "USER_X": "y"}),
                            RUNTIME_DIR)

        seen = sys.modules["lambda_env"].ENV_AT_IMPORT
        self.assertEqual(seen["_HANDLER"], "lambda_env.handler")
        self.assertEqual(seen["AWS_LAMBDA_FUNCTION_NAME"], "fn")
        self.assertEqual(seen["AWS_REGION"], "ap-south-1")
        self.assertEqual(seen["AWS_DEFAULT_REGION"], "us-east-1")
        self.assertEqual(seen["USER_X"], "y")
        self.assertEqual(seen["LAMBDA_RUNTIME_DIR"], RUNTIME_DIR)

    def test_resolves_slashes_in_the_module_path(self):
        handler, _ = loader.load_handler(
            loader.LoadSpec(code_dir=support.FUNCTIONS_DIR, handler="nested/dir/mod.handler"),
            RUNTIME_DIR)

        self.assertEqual(handler({}, None), {"module": "nested.dir.mod"})

    def test_handler_without_dot_is_malformed_handler_name(self):
        with self.assertRaises(errors.MalformedHandlerName) as raised:
            loader.load_handler(spec("counter", "counter"), RUNTIME_DIR)

        self.assertEqual(raised.exception.result(), errors.ErrorResult(
            "Runtime.MalformedHandlerName",
            "Bad handler 'counter': not enough values to unpack (expected 2, got 1)", []))

    def test_builtin_module_is_built_in_module_conflict(self):
        with self.assertRaises(errors.BuiltInModuleConflict) as raised:
            loader.load_handler(spec("counter", "sys.handler"), RUNTIME_DIR)

        self.assertEqual(raised.exception.message,
                         "Cannot use built-in module sys as a handler module")

    def test_missing_module_is_import_module_error_without_stack(self):
        with self.assertRaises(errors.ImportModuleError) as raised:
            loader.load_handler(spec("counter", "missing_mod.handler"), RUNTIME_DIR)

        self.assertEqual(raised.exception.result(), errors.ErrorResult(
            "Runtime.ImportModuleError",
            "Unable to import module 'missing_mod': No module named 'missing_mod'", []))

    def test_missing_code_dir_is_import_module_error(self):
        with self.assertRaises(errors.ImportModuleError) as raised:
            loader.load_handler(loader.LoadSpec(code_dir="/nonexistent/code", handler="a.b"),
                                RUNTIME_DIR)

        self.assertIn("Unable to import module 'a': ", raised.exception.message)

    def test_syntax_error_is_user_code_syntax_error_with_one_entry(self):
        with self.assertRaises(errors.UserCodeSyntaxError) as raised:
            loader.load_handler(spec("syntax_error", "bad_syntax.handler"), RUNTIME_DIR)

        path = os.path.join(function_dir("syntax_error"), "bad_syntax.py")
        self.assertTrue(raised.exception.message.startswith(
            "Syntax error in module 'bad_syntax': "))
        self.assertEqual(raised.exception.stack_trace,
                         ['  File "%s" Line 1\n    def handler(event, context)\n' % path])

    def test_missing_attribute_is_handler_not_found(self):
        with self.assertRaises(errors.HandlerNotFound) as raised:
            loader.load_handler(spec("no_handler", "no_handler.handler"), RUNTIME_DIR)

        self.assertEqual(raised.exception.message,
                         "Handler 'handler' missing on module 'no_handler'")

    def test_exception_at_import_propagates_unchanged(self):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                loader.load_handler(spec("import_raises", "import_raises.handler"), RUNTIME_DIR)
        except RuntimeError as exc:  # not assertRaises: it strips the traceback
            result = errors.from_exception(exc)
        else:
            self.fail("RuntimeError not raised")

        self.assertEqual((result.error_type, result.error_message),
                         ("RuntimeError", "boom at import"))
        self.assertTrue(any("importlib" in entry for entry in result.stack_trace))
        self.assertIn("in _configure", result.stack_trace[-1])

if __name__ == "__main__":
    unittest.main()
