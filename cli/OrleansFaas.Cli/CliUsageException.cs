namespace OrleansFaas.Cli;

/// <summary>
/// A problem with what the user asked for that parsing could not catch (a bad endpoint, an unreadable
/// file). Printed as one <c>error: …</c> line; exits with <see cref="ExitCodes.PlatformError"/>.
/// </summary>
internal sealed class CliUsageException(string message, Exception? inner = null) : Exception(message, inner);
