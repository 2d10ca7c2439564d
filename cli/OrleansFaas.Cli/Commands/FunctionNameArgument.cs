using System.CommandLine;

namespace OrleansFaas.Cli.Commands;

internal static class FunctionNameArgument
{
    public static Argument<string> Create() => new("name") { Description = "The function's name" };
}
