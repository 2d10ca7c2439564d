namespace OrleansFaas.Cli;

/// <summary>The CLI's exit codes: scripts tell "my function failed" from "the platform or I failed".</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The function ran and failed (raised, timed out, crashed): the RPC itself succeeded.</summary>
    public const int FunctionError = 1;

    /// <summary>Any gRPC status, an unreachable gateway, a usage error, an unreadable file.</summary>
    public const int PlatformError = 2;
}
