"""marshalling: event decoding and result encoding."""

import decimal
import unittest

from faas_worker import errors, marshalling


class UnmarshalEventTests(unittest.TestCase):
    def test_empty_body_is_empty_object(self):
        self.assertEqual(marshalling.unmarshal_event(b""), {})

    def test_json_values_decode_to_python(self):
        self.assertEqual(marshalling.unmarshal_event(b'{"a": [1, 2.5, null, true]}'),
                         {"a": [1, 2.5, None, True]})
        self.assertEqual(marshalling.unmarshal_event(b'"text"'), "text")

    def test_invalid_json_is_unmarshal_error(self):
        with self.assertRaises(errors.UnmarshalError) as raised:
            marshalling.unmarshal_event(b"{oops")

        self.assertEqual(raised.exception.message,
                         "Unable to unmarshal input: Expecting property name enclosed in "
                         "double quotes: line 1 column 2 (char 1)")


class MarshalResultTests(unittest.TestCase):
    def test_bytes_pass_through_unchanged(self):
        self.assertEqual(marshalling.marshal_result(b"\x00raw"), b"\x00raw")

    def test_none_is_null(self):
        self.assertEqual(marshalling.marshal_result(None), b"null")

    def test_string_becomes_a_json_string(self):
        self.assertEqual(marshalling.marshal_result("What's Up!"), b'"What\'s Up!"')

    def test_dict_uses_default_json_separators(self):
        self.assertEqual(marshalling.marshal_result({"a": 1, "b": [1, 2]}),
                         b'{"a": 1, "b": [1, 2]}')

    def test_decimals_become_numbers(self):
        self.assertEqual(marshalling.marshal_result(
            {"i": decimal.Decimal("10"), "f": decimal.Decimal("1.5"),
             "big": decimal.Decimal("12345678901234567890")}),
            b'{"i": 10, "f": 1.5, "big": 12345678901234567890}')

    def test_non_ascii_is_escaped_before_python_3_12(self):
        expected = b'"\\u00e9"' if marshalling._ENSURE_ASCII else '"é"'.encode()
        self.assertEqual(marshalling.marshal_result("é"), expected)

    def test_unserializable_value_is_marshal_error(self):
        with self.assertRaises(errors.MarshalError) as raised:
            marshalling.marshal_result({"s": {1, 2}})

        self.assertEqual(raised.exception.message,
                         "Unable to marshal response: Object of type set is not JSON serializable")


if __name__ == "__main__":
    unittest.main()
