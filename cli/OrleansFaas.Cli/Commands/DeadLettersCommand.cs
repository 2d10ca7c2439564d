using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OrleansFaas.Api.V1;
using OrleansFaas.Cli.Output;

namespace OrleansFaas.Cli.Commands;

/// <summary>
/// <c>faas dead-letters NAME</c>: the async events of a function that failed into its dead-letter list
/// (on-failure destination <c>dead-letter</c>), oldest first. JSON output is the array of Lambda destination records.
/// </summary>
internal static class DeadLettersCommand
{
    public static Command Create()
    {
        var name = FunctionNameArgument.Create();
        var limit = IntegerOption.Create("--limit", "Show at most the newest N [default: 100, at most 1000]", "N");
        var command = new Command("dead-letters", "Show a function's failed async events (its dead-letter list)") { name, limit };
        command.SetHandler(async (parseResult, context, cancellationToken) =>
        {
            var response = await context.Invoker.ListDeadLettersAsync(
                new ListDeadLettersRequest { Name = parseResult.GetValue(name)!, MaxItems = parseResult.GetValue(limit) ?? 0 },
                cancellationToken: cancellationToken);
            if (context.Json)
            {
                JsonOutput.Write(context.Out, writer =>
                {
                    writer.WriteStartArray();
                    foreach (var deadLetter in response.DeadLetters)
                    {
                        using var record = JsonDocument.Parse(deadLetter.Record);
                        record.RootElement.WriteTo(writer);
                    }

                    writer.WriteEndArray();
                });
                return ExitCodes.Success;
            }

            if (response.DeadLetters.Count == 0)
            {
                await context.Out.WriteLineAsync("(no dead letters)");
                return ExitCodes.Success;
            }

            TextTable.Write(
                context.Out,
                ["TIMESTAMP", "REQUEST-ID", "CONDITION", "INVOKES", "ERROR"],
                response.DeadLetters.Select(deadLetter => (IReadOnlyList<string>)
                [
                    deadLetter.Timestamp,
                    deadLetter.RequestId,
                    deadLetter.Condition,
                    deadLetter.ApproximateInvokeCount.ToString(CultureInfo.InvariantCulture),
                    ErrorSummary(deadLetter.Record),
                ]));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>"ErrorType: message" from the record's responsePayload, or "-" when the event never ran.</summary>
    private static string ErrorSummary(string record)
    {
        try
        {
            using var document = JsonDocument.Parse(record);
            if (document.RootElement.TryGetProperty("responsePayload", out var response) && response.ValueKind == JsonValueKind.Object
                && response.TryGetProperty("errorType", out var type))
            {
                var message = response.TryGetProperty("errorMessage", out var text) ? text.GetString() : "";
                var summary = $"{type.GetString()}: {message}".ReplaceLineEndings(" ");
                return summary.Length > 80 ? summary[..77] + "..." : summary;
            }
        }
        catch (JsonException)
        {
        }

        return "-";
    }
}
