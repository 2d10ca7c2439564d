using System.CommandLine;
using System.Globalization;
using OrleansFaas.Api.V1;
using OrleansFaas.Cli.Output;

namespace OrleansFaas.Cli.Commands;

/// <summary>
/// <c>faas activations NAME [--limit N]</c>: the function's newest activation records, newest first — a table in
/// text, an array of records (camelCase keys) in json.
/// </summary>
internal static class ActivationsCommand
{
    public static Command Create()
    {
        var name = FunctionNameArgument.Create();
        var limit = IntegerOption.Create("--limit", "At most this many records (the newest) [default: 20]", "N");
        var command = new Command("activations", "List a function's recent invocations: when, how long, cold or warm, how they ended") { name, limit };
        command.Validators.Add(result =>
        {
            if (result.GetValue(limit) is < 1)
            {
                result.AddError("--limit must be at least 1");
            }
        });
        command.SetHandler(async (parseResult, context, cancellationToken) =>
        {
            var response = await context.Functions.ListActivationsAsync(
                new ListActivationsRequest { Name = parseResult.GetValue(name)!, Limit = parseResult.GetValue(limit) ?? 0 },
                cancellationToken: cancellationToken);
            if (context.Json)
            {
                JsonOutput.Write(context.Out, writer =>
                {
                    writer.WriteStartArray();
                    foreach (var activation in response.Activations)
                    {
                        JsonOutput.WriteMessage(writer, activation);
                    }

                    writer.WriteEndArray();
                });
                return ExitCodes.Success;
            }

            var c = CultureInfo.InvariantCulture;
            TextTable.Write(
                context.Out,
                ["START (UTC)", "REQUEST-ID", "STATUS", "START-TYPE", "DURATION", "BILLED", "INIT", "MEMORY", "SILO", "ERROR"],
                response.Activations.Select(a => (IReadOnlyList<string>)
                [
                    DateTimeOffset.FromUnixTimeMilliseconds(a.StartUnixMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", c),
                    a.RequestId,
                    a.Status,
                    a.ColdStart ? "cold" : "warm",
                    a.DurationMs.ToString("0.00", c) + " ms",
                    a.BilledMs.ToString(c) + " ms",
                    a.ColdStart ? a.InitDurationMs.ToString("0.00", c) + " ms" : "-",
                    $"{a.MaxMemoryUsedMb}/{a.MemoryMb} MB",
                    a.Silo,
                    a.ErrorType.Length > 0 ? a.ErrorType : "-",
                ]));
            return ExitCodes.Success;
        });
        return command;
    }
}
