namespace OrleansFaas.Cli.Output;

/// <summary>Left-aligned columns separated by two spaces; the last column is not padded.</summary>
internal static class TextTable
{
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = new int[headers.Count];
        foreach (var row in all)
        {
            for (var column = 0; column < widths.Length; column++)
            {
                widths[column] = Math.Max(widths[column], row[column].Length);
            }
        }

        foreach (var row in all)
        {
            var cells = row.Select((cell, column) => column == widths.Length - 1 ? cell : cell.PadRight(widths[column]));
            output.WriteLine(string.Join("  ", cells));
        }
    }

    /// <summary><c>key: value</c> lines with the values aligned; an empty key continues the previous value.</summary>
    public static void WriteFields(TextWriter output, IReadOnlyList<(string Key, string Value)> fields)
    {
        var width = fields.Max(field => field.Key.Length) + 2;
        foreach (var (key, value) in fields)
        {
            var label = key.Length == 0 ? "" : key + ":";
            output.WriteLine($"{label.PadRight(width)}{value}");
        }
    }
}
