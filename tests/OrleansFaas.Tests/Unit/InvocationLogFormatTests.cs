using System.Text;
using OrleansFaas.Grains.Logs;

namespace OrleansFaas.Tests.Unit;

public class InvocationLogFormatTests
{
    [Fact]
    public void FormatsAColdInvocationExactlyAsTheReferenceExample()
    {
        // reference/lambda.md §3.4, real AWS output.
        const string expected =
            "START RequestId: <id> Version: $LATEST\n" +
            "<function stdout / logging lines>\n" +
            "END RequestId: <id>\n" +
            "REPORT RequestId: <id>\tDuration: 3.01 ms\tBilled Duration: 4 ms\tMemory Size: 128 MB\tMax Memory Used: 36 MB\tInit Duration: 110.10 ms\t\n";

        var text = InvocationLogFormat.Format("<id>", "$LATEST", "<function stdout / logging lines>\n", 3.01, 4, 128, 36, 110.1);

        Assert.Equal(expected, text);
    }

    [Fact]
    public void AWarmReportEndsRightAfterMaxMemoryUsed()
    {
        var report = InvocationLogFormat.Report("abc", 12.345, 13, 256, 40, initDurationMs: null);

        Assert.Equal("REPORT RequestId: abc\tDuration: 12.35 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 40 MB\t\n", report);
    }

    [Fact]
    public void NoHandlerOutputMeansNoLineBetweenStartAndEnd()
    {
        var text = InvocationLogFormat.Format("r1", "$LATEST", "", 1, 1, 128, 30, null);

        Assert.StartsWith("START RequestId: r1 Version: $LATEST\nEND RequestId: r1\nREPORT RequestId: r1\t", text);
    }

    [Fact]
    public void HandlerOutputWithoutAFinalNewlineGetsOne()
    {
        var text = InvocationLogFormat.Format("r1", "$LATEST", "no newline", 1, 1, 128, 30, null);

        Assert.Contains("\nno newline\nEND RequestId: r1\n", text);
    }

    [Fact]
    public void DurationsUseTwoDecimalsWhateverTheCurrentCulture()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        // A decimal comma, as de-DE has (named cultures are unavailable in globalization-invariant mode).
        var comma = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        Thread.CurrentThread.CurrentCulture = comma;
        try
        {
            var report = InvocationLogFormat.Report("r", 1000.5, 1001, 128, 30, 2);

            Assert.Contains("\tDuration: 1000.50 ms\t", report);
            Assert.Contains("\tInit Duration: 2.00 ms\t\n", report);
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    [Fact]
    public void TailKeepsAShortTextWhole()
    {
        Assert.Equal("short", InvocationLogFormat.Tail("short"));
    }

    [Fact]
    public void TailKeepsTheLast4096BytesWithoutCuttingACharacter()
    {
        // 'é' is two bytes in UTF-8: an odd cut would land inside one.
        var text = "x" + new string('é', 3000) + "END\n";

        var tail = InvocationLogFormat.Tail(text);

        var bytes = Encoding.UTF8.GetByteCount(tail);
        Assert.InRange(bytes, 4093, 4096);
        Assert.EndsWith("END\n", tail);
        Assert.DoesNotContain('\uFFFD', tail);
        Assert.EndsWith(tail, text);
    }

    [Fact]
    public void VeryLongHandlerOutputKeepsItsEnd()
    {
        var logs = new string('a', InvocationLogFormat.MaxHandlerLogChars) + "the last line\n";

        var text = InvocationLogFormat.Format("r", "$LATEST", logs, 1, 1, 128, 30, null);

        Assert.Contains("[log truncated: the first 14 characters were dropped]\n", text);
        Assert.Contains("the last line\nEND RequestId: r\n", text);
    }
}
