using System.Globalization;
using OrleansFaas.Api.V1;

namespace OrleansFaas.Cli.Output;

/// <summary>How configuration values read in text output.</summary>
internal static class TextFormat
{
    public static string Memory(FunctionConfiguration function) => $"{function.MemoryMb} MB";

    public static string Timeout(FunctionConfiguration function) => $"{function.TimeoutSeconds} s";

    /// <summary>Enough of the hash to tell two deployments apart.</summary>
    public static string ShortSha(string sha256) => sha256.Length > 8 ? sha256[..8] + "…" : sha256;

    public static string Number(double value, string format = "0.######") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Costs are tiny (fractions of a cent): show up to ten decimals, no trailing zeros.</summary>
    public static string Usd(double value) => "$" + value.ToString("0.00########", CultureInfo.InvariantCulture);
}
