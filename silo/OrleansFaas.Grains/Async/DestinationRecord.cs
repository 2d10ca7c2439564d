using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Grains.Async;

/// <summary>
/// Lambda's destination record: what an on-success / on-failure destination function receives as its event, and
/// what a dead-letter list keeps.
/// <code>
/// {"version":"1.0","timestamp":"…Z","requestContext":{"requestId","functionArn","condition","approximateInvokeCount"},
///  "requestPayload":&lt;event&gt;,"responseContext":{"statusCode":200,"executedVersion":"$LATEST"[,"functionError":"Unhandled"]},
///  "responsePayload":&lt;result or error&gt;}
/// </code>
/// An event that never ran (throttled until it was too old) has no responseContext nor responsePayload.
/// </summary>
public static class DestinationRecord
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="response">The handler's result (JSON) or its error (JSON); null when it never ran.</param>
    public static string Build(
        AsyncEvent asyncEvent, string condition, DateTimeOffset timestamp, string? response, bool functionError, string executedVersion = "$LATEST")
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writer.WriteString("version", "1.0");
            writer.WriteString("timestamp", timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            writer.WriteStartObject("requestContext");
            writer.WriteString("requestId", asyncEvent.RequestId);
            writer.WriteString("functionArn", FunctionArn.For(asyncEvent.FunctionName) + ":" + executedVersion);
            writer.WriteString("condition", condition);
            writer.WriteNumber("approximateInvokeCount", asyncEvent.InvokeCount);
            writer.WriteEndObject();
            writer.WritePropertyName("requestPayload");
            WriteJson(writer, asyncEvent.Payload);
            if (response is not null)
            {
                writer.WriteStartObject("responseContext");
                writer.WriteNumber("statusCode", 200);
                writer.WriteString("executedVersion", executedVersion);
                if (functionError)
                {
                    writer.WriteString("functionError", "Unhandled");
                }
                writer.WriteEndObject();
                writer.WritePropertyName("responsePayload");
                WriteJson(writer, response);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Lambda's error body for the Python runtime: errorMessage, errorType, requestId, stackTrace.</summary>
    public static string ErrorJson(FunctionErrorInfo error, string requestId)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writer.WriteString("errorMessage", error.ErrorMessage);
            writer.WriteString("errorType", error.ErrorType);
            writer.WriteString("requestId", requestId);
            writer.WriteStartArray("stackTrace");
            foreach (var frame in error.StackTrace)
            {
                writer.WriteStringValue(frame);
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Embeds JSON text; text that is not JSON becomes a string, empty text null (a handler returning nothing).</summary>
    private static void WriteJson(Utf8JsonWriter writer, string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            writer.WriteNullValue();
            return;
        }
        try
        {
            using var document = JsonDocument.Parse(json);
            document.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            writer.WriteStringValue(json);
        }
    }
}
