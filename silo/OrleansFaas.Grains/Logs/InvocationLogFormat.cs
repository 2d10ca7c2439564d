using System.Globalization;
using System.Text;

namespace OrleansFaas.Grains.Logs;

/// <summary>
/// Lambda's log text of one invocation (reference/lambda.md §3.4), byte for byte:
/// <c>START RequestId: id Version: v\n</c>, the handler's own output, <c>END RequestId: id\n</c>, and
/// <c>REPORT RequestId: id\tDuration: 3.01 ms\tBilled Duration: 4 ms\tMemory Size: 128 MB\tMax Memory Used: 36 MB\t\n</c>
/// with <c>Init Duration: 110.10 ms\t</c> before the newline on a cold start only. Pure: no clock, no I/O.
/// </summary>
public static class InvocationLogFormat
{
    /// <summary>Lambda's LogType=Tail returns the last 4 KB of the log text.</summary>
    public const int TailBytes = 4096;

    /// <summary>
    /// A handler that prints more than this (in characters) keeps only its last part in the stored entry, so that
    /// one chatty invocation cannot fill the store; CloudWatch caps an event at 256 KB the same way.
    /// </summary>
    public const int MaxHandlerLogChars = 256 * 1024;

    /// <param name="handlerLogs">What the worker captured (init output first on a cold start); may be empty.</param>
    /// <param name="initDurationMs">The init duration on a cold start; null on a warm invocation.</param>
    public static string Format(
        string requestId, string version, string handlerLogs, double durationMs, long billedMs, int memoryMb,
        int maxMemoryUsedMb, double? initDurationMs)
    {
        var text = new StringBuilder(160 + Math.Min(handlerLogs.Length, MaxHandlerLogChars) + 3 * requestId.Length);
        text.Append("START RequestId: ").Append(requestId).Append(" Version: ").Append(version).Append('\n');
        if (handlerLogs.Length > MaxHandlerLogChars)
        {
            var dropped = handlerLogs.Length - MaxHandlerLogChars;
            text.Append(CultureInfo.InvariantCulture, $"[log truncated: the first {dropped} characters were dropped]\n");
            text.Append(handlerLogs.AsSpan(dropped));
        }
        else
        {
            text.Append(handlerLogs);
        }
        if (handlerLogs.Length > 0 && handlerLogs[^1] != '\n')
        {
            text.Append('\n');
        }
        text.Append("END RequestId: ").Append(requestId).Append('\n');
        AppendReport(text, requestId, durationMs, billedMs, memoryMb, maxMemoryUsedMb, initDurationMs);
        return text.ToString();
    }

    /// <summary>The REPORT line alone, newline included.</summary>
    public static string Report(string requestId, double durationMs, long billedMs, int memoryMb, int maxMemoryUsedMb, double? initDurationMs)
    {
        var text = new StringBuilder(160);
        AppendReport(text, requestId, durationMs, billedMs, memoryMb, maxMemoryUsedMb, initDurationMs);
        return text.ToString();
    }

    private static void AppendReport(
        StringBuilder text, string requestId, double durationMs, long billedMs, int memoryMb, int maxMemoryUsedMb, double? initDurationMs)
    {
        var c = CultureInfo.InvariantCulture;
        text.Append("REPORT RequestId: ").Append(requestId)
            .Append(c, $"\tDuration: {durationMs:0.00} ms")
            .Append(c, $"\tBilled Duration: {billedMs} ms")
            .Append(c, $"\tMemory Size: {memoryMb} MB")
            .Append(c, $"\tMax Memory Used: {maxMemoryUsedMb} MB\t");
        if (initDurationMs is { } init)
        {
            text.Append(c, $"Init Duration: {init:0.00} ms\t");
        }
        text.Append('\n');
    }

    /// <summary>
    /// The last <paramref name="maxBytes"/> bytes of <paramref name="text"/> in UTF-8, never starting inside a
    /// character (so possibly a few bytes fewer).
    /// </summary>
    public static string Tail(string text, int maxBytes = TailBytes)
    {
        // Every char is at most 3 UTF-8 bytes (a surrogate pair is 4 for 2 chars): short texts need no encoding.
        if (text.Length * 3 <= maxBytes)
        {
            return text;
        }
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length <= maxBytes)
        {
            return text;
        }
        var start = bytes.Length - maxBytes;
        while (start < bytes.Length && (bytes[start] & 0xC0) == 0x80)
        {
            start++; // a continuation byte: the character began before the cut
        }
        return Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
    }
}
