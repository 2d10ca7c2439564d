using System.Globalization;
using OrleansFaas.Cli.Output;
using Spectre.Console;

namespace OrleansFaas.Cli.Bench;

/// <summary>A scenario's results: ordered named figures, printed as a table or as one JSON object (snake_case keys).</summary>
internal sealed class BenchReport(string scenario)
{
    private readonly List<(string Key, object Value)> _figures = [];

    public BenchReport Add(string key, object value)
    {
        _figures.Add((key, value));
        return this;
    }

    public void Write(CliContext context)
    {
        if (context.Json)
        {
            JsonOutput.Write(context.Out, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("scenario", scenario);
                foreach (var (key, value) in _figures)
                {
                    switch (value)
                    {
                        case double d:
                            writer.WriteNumber(key, Math.Round(d, 4));
                            break;
                        case int i:
                            writer.WriteNumber(key, i);
                            break;
                        case long l:
                            writer.WriteNumber(key, l);
                            break;
                        case IReadOnlyDictionary<string, int> map:
                            writer.WriteStartObject(key);
                            foreach (var (k, v) in map)
                            {
                                writer.WriteNumber(k, v);
                            }
                            writer.WriteEndObject();
                            break;
                        default:
                            writer.WriteString(key, value.ToString());
                            break;
                    }
                }
                writer.WriteEndObject();
            });
            return;
        }
        var table = new Table().AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        table.Title = new TableTitle($"faas bench {scenario}");
        foreach (var (key, value) in _figures)
        {
            var text = value switch
            {
                double d => d.ToString("0.000", CultureInfo.InvariantCulture),
                IReadOnlyDictionary<string, int> map => string.Join(", ", map.Select(kv => $"{kv.Key}={kv.Value}")),
                _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
            };
            table.AddRow(Markup.Escape(key), Markup.Escape(text));
        }
        AnsiConsole.Write(table);
    }
}
