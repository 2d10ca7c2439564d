using System.CommandLine;

namespace OrleansFaas.Cli;

/// <summary>Options every command accepts; recursive, so they may follow any subcommand.</summary>
internal static class GlobalOptions
{
    public const string Text = "text";
    public const string Json = "json";

    public static readonly Option<string?> Endpoint = new("--endpoint")
    {
        Description = $"Gateway URL [default: ${Gateway.EndpointVariable}, else {Gateway.DefaultEndpoint}]",
        HelpName = "URL",
        Recursive = true,
    };

    public static readonly Option<string> Output = new Option<string>("--output", "-o")
    {
        Description = "Output format",
        DefaultValueFactory = _ => Text,
        Recursive = true,
    }.AcceptOnlyFromAmong(Text, Json);
}
