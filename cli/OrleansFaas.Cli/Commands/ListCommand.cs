using System.CommandLine;
using OrleansFaas.Api.V1;
using OrleansFaas.Cli.Output;

namespace OrleansFaas.Cli.Commands;

/// <summary><c>faas list</c>: every function, across all pages.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var command = new Command("list", "List functions");
        command.SetHandler(async (parseResult, context, cancellationToken) =>
        {
            var functions = new List<FunctionConfiguration>();
            var marker = "";
            do
            {
                var page = await context.Functions.ListFunctionsAsync(new ListFunctionsRequest { Marker = marker }, cancellationToken: cancellationToken);
                functions.AddRange(page.Functions);
                // A server that hands back the marker it was given would otherwise loop forever.
                marker = page.NextMarker == marker ? "" : page.NextMarker;
            }
            while (marker.Length > 0);

            if (context.Json)
            {
                JsonOutput.Write(context.Out, writer =>
                {
                    writer.WriteStartArray();
                    foreach (var function in functions)
                    {
                        JsonOutput.WriteMessage(writer, function);
                    }

                    writer.WriteEndArray();
                });
            }
            else
            {
                TextTable.Write(
                    context.Out,
                    ["NAME", "RUNTIME", "HANDLER", "MEMORY", "TIMEOUT", "LAST-MODIFIED"],
                    functions.Select(function => (IReadOnlyList<string>)
                        [function.Name, function.Runtime, function.Handler, TextFormat.Memory(function), TextFormat.Timeout(function), function.LastModified]));
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
