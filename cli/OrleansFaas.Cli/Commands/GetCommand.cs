using System.CommandLine;
using OrleansFaas.Api.V1;
using OrleansFaas.Cli.Output;

namespace OrleansFaas.Cli.Commands;

/// <summary><c>faas get NAME</c>: one function's configuration.</summary>
internal static class GetCommand
{
    public static Command Create()
    {
        var name = FunctionNameArgument.Create();
        var command = new Command("get", "Show a function's configuration") { name };
        command.SetHandler(async (parseResult, context, cancellationToken) =>
        {
            var function = await context.Functions.GetFunctionAsync(new GetFunctionRequest { Name = parseResult.GetValue(name)! }, cancellationToken: cancellationToken);
            if (context.Json)
            {
                JsonOutput.Write(context.Out, function);
            }
            else
            {
                TextTable.WriteFields(context.Out, Fields(function));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static List<(string Key, string Value)> Fields(FunctionConfiguration function)
    {
        List<(string Key, string Value)> fields =
        [
            ("name", function.Name),
            ("runtime", function.Runtime),
            ("handler", function.Handler),
            ("memory", TextFormat.Memory(function)),
            ("timeout", TextFormat.Timeout(function)),
            ("code sha256", function.CodeSha256),
            ("code size", $"{function.CodeSize} bytes"),
            ("version", function.Version),
            ("revision", function.RevisionId),
            ("last modified", function.LastModified),
            ("arn", function.Arn),
        ];
        var variables = function.Environment.OrderBy(variable => variable.Key, StringComparer.Ordinal).Select(variable => $"{variable.Key}={variable.Value}").ToList();
        fields.Add(("environment", variables.Count == 0 ? "(none)" : variables[0]));
        fields.AddRange(variables.Skip(1).Select(variable => ("", variable)));
        return fields;
    }
}
