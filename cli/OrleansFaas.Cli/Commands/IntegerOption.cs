using System.CommandLine;
using System.Globalization;

namespace OrleansFaas.Cli.Commands;

/// <summary>An optional integer option whose parse error names the option, not a CLR type.</summary>
internal static class IntegerOption
{
    public static Option<int?> Create(string name, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            result.AddError($"{name} expects a whole number, got '{text}'");
            return null;
        },
    };
}
