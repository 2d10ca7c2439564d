using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using OrleansFaas.Cli.Commands;

namespace OrleansFaas.Cli;

/// <summary>The command tree and the exit-code policy around parsing.</summary>
internal static class CliApplication
{
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("OrleansFaas: deploy, invoke and inspect serverless functions.")
        {
            GlobalOptions.Endpoint,
            GlobalOptions.Output,
        };

        // New commands (bench, logs, activations, dead-letters) are one file each and one line here;
        // a command with its own subcommands is a Command whose children are built the same way.
        Command[] commands =
        [
            DeployCommand.Create(),
            InvokeCommand.Create(),
            ListCommand.Create(),
            GetCommand.Create(),
            DeleteCommand.Create(),
            BillingCommand.Create(),
            BenchCommand.Create(),
            DeadLettersCommand.Create(),
            LogsCommand.Create(),
            ActivationsCommand.Create(),
        ];
        foreach (var command in commands)
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var root = CreateRootCommand();
        if (args.Length == 0)
        {
            await root.Parse("--help").InvokeAsync(new InvocationConfiguration { Output = Console.Error });
            return ExitCodes.PlatformError;
        }

        // Arguments carry data (payloads, env values): a leading '@' must not mean "response file".
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Action is not ParseErrorAction)
        {
            return await InvokeAsync(parseResult);
        }

        // System.CommandLine exits 1 on a usage error, but 1 means "the function failed" here.
        // Usage errors go to stderr (stdout stays clean for --output json) and exit 2.
        foreach (var error in parseResult.Errors)
        {
            await Console.Error.WriteLineAsync($"error: {error.Message}");
        }

        await Console.Error.WriteLineAsync($"Run '{CommandPath(parseResult)} --help' for usage.");
        return ExitCodes.PlatformError;
    }

    private static async Task<int> InvokeAsync(ParseResult parseResult)
    {
        try
        {
            // Without this, System.CommandLine would print a crash and exit 1, which reads as a function error.
            return await parseResult.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException)
        {
            return 130; // Ctrl+C, as shells report SIGINT.
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.PlatformError;
        }
    }

    private static string CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (SymbolResult? result = parseResult.CommandResult; result is not null; result = result.Parent)
        {
            if (result is CommandResult commandResult)
            {
                names.Insert(0, commandResult.Command.Name);
            }
        }

        return string.Join(' ', names);
    }
}
