using System.CommandLine;
using OrleansFaas.Api.V1;
using OrleansFaas.Cli.Output;

namespace OrleansFaas.Cli.Commands;

/// <summary><c>faas delete NAME</c>.</summary>
internal static class DeleteCommand
{
    public static Command Create()
    {
        var name = FunctionNameArgument.Create();
        var command = new Command("delete", "Delete a function") { name };
        command.SetHandler(async (parseResult, context, cancellationToken) =>
        {
            var functionName = parseResult.GetValue(name)!;
            await context.Functions.DeleteFunctionAsync(new DeleteFunctionRequest { Name = functionName }, cancellationToken: cancellationToken);
            if (context.Json)
            {
                JsonOutput.Write(context.Out, writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("deleted", functionName);
                    writer.WriteEndObject();
                });
            }
            else
            {
                await context.Out.WriteLineAsync($"deleted {functionName}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
