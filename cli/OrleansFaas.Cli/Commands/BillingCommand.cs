using System.CommandLine;
using System.Globalization;
using OrleansFaas.Api.V1;
using OrleansFaas.Cli.Output;

namespace OrleansFaas.Cli.Commands;

/// <summary><c>faas billing NAME</c>: what a function has cost, in total and per day.</summary>
internal static class BillingCommand
{
    public static Command Create()
    {
        var name = FunctionNameArgument.Create();
        var command = new Command("billing", "Show a function's billed usage and cost") { name };
        command.SetHandler(async (parseResult, context, cancellationToken) =>
        {
            var billing = await context.Functions.GetBillingAsync(new GetBillingRequest { Name = parseResult.GetValue(name)! }, cancellationToken: cancellationToken);
            if (context.Json)
            {
                // BillingSummary's proto3 JSON names are the documented keys.
                JsonOutput.Write(context.Out, billing);
                return ExitCodes.Success;
            }

            TextTable.WriteFields(context.Out,
            [
                ("function", billing.Function),
                ("invocations", billing.Invocations.ToString(CultureInfo.InvariantCulture)),
                ("billed", $"{billing.BilledMs} ms (granularity {billing.GranularityMs} ms)"),
                ("gb-seconds", TextFormat.Number(billing.GbSeconds)),
                ("cost", $"{TextFormat.Usd(billing.Cost)} (requests {TextFormat.Usd(billing.RequestCost)}, compute {TextFormat.Usd(billing.ComputeCost)})"),
            ]);
            if (billing.Days.Count > 0)
            {
                await context.Out.WriteLineAsync();
                TextTable.Write(
                    context.Out,
                    ["DATE", "INVOCATIONS", "BILLED-MS", "GB-SECONDS", "COST"],
                    billing.Days.Select(day => (IReadOnlyList<string>)
                        [day.Date, day.Invocations.ToString(CultureInfo.InvariantCulture), day.BilledMs.ToString(CultureInfo.InvariantCulture), TextFormat.Number(day.GbSeconds), TextFormat.Usd(day.Cost)]));
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
