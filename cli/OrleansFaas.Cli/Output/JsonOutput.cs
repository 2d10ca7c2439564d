using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using OrleansFaas.Api.V1;

namespace OrleansFaas.Cli.Output;

/// <summary>
/// JSON for stdout. Protobuf messages use their proto3 JSON names (camelCase) with default values
/// included, like <see cref="JsonFormatter"/>, except that 64-bit integers are JSON numbers rather
/// than strings: CLI output is read by scripts and jq, not by protobuf parsers.
/// </summary>
internal static class JsonOutput
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes one JSON document built by <paramref name="write"/>, then a newline.</summary>
    public static void Write(TextWriter output, Action<Utf8JsonWriter> write, bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, indented ? Indented : Compact))
        {
            write(writer);
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    public static void Write(TextWriter output, IMessage message) => Write(output, writer => WriteMessage(writer, message));

    /// <summary>The Lambda error shape: <c>{"errorMessage", "errorType", "stackTrace"}</c>.</summary>
    public static void WriteError(Utf8JsonWriter writer, FunctionError error)
    {
        writer.WriteStartObject();
        writer.WriteString("errorMessage", error.ErrorMessage);
        writer.WriteString("errorType", error.ErrorType);
        writer.WriteStartArray("stackTrace");
        foreach (var frame in error.StackTrace)
        {
            writer.WriteStringValue(frame);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Embeds JSON bytes as a value; bytes that are not JSON become a string, empty becomes null.</summary>
    public static void WriteRawJson(Utf8JsonWriter writer, ByteString json)
    {
        if (json.IsEmpty)
        {
            writer.WriteNullValue();
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(json.Memory);
            document.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            writer.WriteStringValue(json.ToStringUtf8());
        }
    }

    public static void WriteMessage(Utf8JsonWriter writer, IMessage message)
    {
        writer.WriteStartObject();
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            // Unset optional fields are left out; everything else is written, defaults included.
            if (field.HasPresence && !field.Accessor.HasValue(message))
            {
                continue;
            }

            var value = field.Accessor.GetValue(message);

            writer.WritePropertyName(field.JsonName);
            if (field.IsMap)
            {
                WriteMap(writer, field, (IDictionary)value);
            }
            else if (field.IsRepeated)
            {
                writer.WriteStartArray();
                foreach (var item in (IEnumerable)value)
                {
                    WriteValue(writer, field, item);
                }

                writer.WriteEndArray();
            }
            else
            {
                WriteValue(writer, field, value);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter writer, FieldDescriptor field, IDictionary map)
    {
        var valueField = field.MessageType.FindFieldByNumber(2);
        var entries = new List<(string Key, object? Value)>();
        foreach (DictionaryEntry entry in map)
        {
            var key = entry.Key is bool flag ? (flag ? "true" : "false") : Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!;
            entries.Add((key, entry.Value));
        }

        // Stable output: map order on the wire is unspecified.
        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        writer.WriteStartObject();
        foreach (var (key, value) in entries)
        {
            writer.WritePropertyName(key);
            WriteValue(writer, valueField, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, FieldDescriptor field, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int or uint or long or ulong:
                writer.WriteRawValue(Convert.ToString(value, CultureInfo.InvariantCulture)!);
                break;
            case double or float:
                WriteFloatingPoint(writer, Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            case ByteString bytes:
                writer.WriteStringValue(bytes.ToBase64());
                break;
            case IMessage message:
                WriteMessage(writer, message);
                break;
            case Enum when field.FieldType == FieldType.Enum:
                var number = Convert.ToInt32(value, CultureInfo.InvariantCulture);
                if (field.EnumType.FindValueByNumber(number) is { } known)
                {
                    writer.WriteStringValue(known.Name);
                }
                else
                {
                    writer.WriteNumberValue(number);
                }

                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }

    // JSON has no NaN or infinities; proto3 JSON spells them as strings.
    private static void WriteFloatingPoint(Utf8JsonWriter writer, double value)
    {
        if (double.IsNaN(value))
        {
            writer.WriteStringValue("NaN");
        }
        else if (double.IsInfinity(value))
        {
            writer.WriteStringValue(value > 0 ? "Infinity" : "-Infinity");
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }
}
