using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using OrleansFaas.Api.V1;
using OrleansFaas.Cli.Output;

namespace OrleansFaas.Cli.Commands;

/// <summary>
/// <c>faas logs NAME [--since 10m] [--limit N] [--follow]</c>: the function's log, one entry per invocation
/// (START … END … REPORT), oldest first. Text prints the lines as stored; json prints an array of entries, or
/// with --follow one entry per line (JSON Lines), since the stream has no end. --follow polls with the cursor
/// every ~500 ms until Ctrl+C.
/// </summary>
internal static class LogsCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static Command Create()
    {
        var name = FunctionNameArgument.Create();
        var since = new Option<TimeSpan?>("--since")
        {
            Description = "Only entries from this long ago (e.g. 30s, 10m, 2h, 1d)",
            HelpName = "DURATION",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (ParseDuration(text) is { } duration)
                {
                    return duration;
                }

                result.AddError($"--since expects a duration such as 30s, 10m, 2h or 1d, got '{text}'");
                return null;
            },
        };
        var limit = IntegerOption.Create("--limit", "At most this many entries (the newest) [default: 100]", "N");
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new entries as they arrive, until Ctrl+C" };

        var command = new Command("logs", "Show a function's invocation logs") { name, since, limit, follow };
        command.Validators.Add(result =>
        {
            if (result.GetValue(limit) is < 1)
            {
                result.AddError("--limit must be at least 1");
            }
        });
        command.SetHandler(async (parseResult, context, cancellationToken) =>
        {
            var request = new GetLogsRequest
            {
                Name = parseResult.GetValue(name)!,
                Limit = parseResult.GetValue(limit) ?? 0,
                SinceUnixMs = parseResult.GetValue(since) is { } ago ? DateTimeOffset.UtcNow.Add(-ago).ToUnixTimeMilliseconds() : 0,
            };
            var page = await context.Functions.GetLogsAsync(request, cancellationToken: cancellationToken);
            if (!parseResult.GetValue(follow))
            {
                if (context.Json)
                {
                    JsonOutput.Write(context.Out, writer =>
                    {
                        writer.WriteStartArray();
                        foreach (var entry in page.Entries)
                        {
                            JsonOutput.WriteMessage(writer, entry);
                        }

                        writer.WriteEndArray();
                    });
                }
                else
                {
                    await WriteTextAsync(context, page);
                }

                return ExitCodes.Success;
            }

            while (true)
            {
                if (context.Json)
                {
                    foreach (var entry in page.Entries)
                    {
                        JsonOutput.Write(context.Out, writer => JsonOutput.WriteMessage(writer, entry), indented: false);
                    }
                }
                else
                {
                    await WriteTextAsync(context, page);
                }

                await context.Out.FlushAsync(cancellationToken);
                if (page.Entries.Count == 0)
                {
                    await Task.Delay(PollInterval, cancellationToken);
                }

                var next = new GetLogsRequest { Name = request.Name, Limit = request.Limit, AfterCursor = page.Cursor };
                try
                {
                    page = await context.Functions.GetLogsAsync(next, cancellationToken: cancellationToken);
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException(cancellationToken); // Ctrl+C, not a platform error
                }
            }
        });
        return command;
    }

    private static async Task WriteTextAsync(CliContext context, GetLogsResponse page)
    {
        foreach (var entry in page.Entries)
        {
            await context.Out.WriteAsync(entry.Text.EndsWith('\n') ? entry.Text : entry.Text + "\n");
        }
    }

    /// <summary><c>30s</c>, <c>10m</c>, <c>2h</c>, <c>1d</c>, <c>500ms</c>, or plain seconds.</summary>
    internal static TimeSpan? ParseDuration(string text)
    {
        text = text.Trim();
        (string number, Func<double, TimeSpan> unit) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], TimeSpan.FromMilliseconds),
            _ when text.EndsWith('s') => (text[..^1], TimeSpan.FromSeconds),
            _ when text.EndsWith('m') => (text[..^1], TimeSpan.FromMinutes),
            _ when text.EndsWith('h') => (text[..^1], TimeSpan.FromHours),
            _ when text.EndsWith('d') => (text[..^1], TimeSpan.FromDays),
            _ => (text, (Func<double, TimeSpan>)TimeSpan.FromSeconds),
        };
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && value < 36_500
            ? unit(value)
            : null;
    }
}
