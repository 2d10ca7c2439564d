using Spectre.Console;

namespace OrleansFaas.Cli.Bench;

/// <summary>
/// The live progress display of a scenario (Spectre.Console) on an interactive terminal; nothing at all for
/// <c>--output json</c> or when output is redirected, so scripts get exactly one JSON document.
/// </summary>
internal sealed class BenchProgress
{
    private readonly ProgressContext? _context;

    private BenchProgress(ProgressContext? context) => _context = context;

    public static Task RunAsync(CliContext cli, Func<BenchProgress, Task> work) =>
        cli.Json || Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive
            ? work(new BenchProgress(null))
            : AnsiConsole.Progress().AutoClear(true).StartAsync(context => work(new BenchProgress(context)));

    public Step Add(string description, double maxValue) => new(_context?.AddTask(description, maxValue: maxValue));

    /// <summary>One line of the display.</summary>
    public sealed class Step(ProgressTask? task)
    {
        public void Increment(double amount) => task?.Increment(amount);

        public void Set(double value)
        {
            if (task is not null)
            {
                task.Value = value;
            }
        }
    }
}
