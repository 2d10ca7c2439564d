using System.CommandLine;
using Grpc.Core;

namespace OrleansFaas.Cli;

/// <summary>
/// Binds a command to its handler and turns every platform-side failure into one stderr line and
/// exit code 2. Handlers return <see cref="ExitCodes.Success"/> or <see cref="ExitCodes.FunctionError"/>.
/// </summary>
internal static class CommandActions
{
    public static void SetHandler(this Command command, Func<ParseResult, CliContext, CancellationToken, Task<int>> handler) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = Console.Error;
            string? endpoint = null;
            try
            {
                using var context = CliContext.From(parseResult);
                endpoint = context.Endpoint;
                return await handler(parseResult, context, cancellationToken);
            }
            catch (RpcException ex) when (IsConnectionFailure(ex))
            {
                await error.WriteLineAsync(
                    $"error: {StatusCode.Unavailable}: cannot reach the gateway at {endpoint}: {ConnectionFailureReason(ex)}");
            }
            catch (RpcException ex)
            {
                await error.WriteLineAsync($"error: {ex.StatusCode}: {ex.Status.Detail}");
            }
            catch (CliUsageException ex)
            {
                await error.WriteLineAsync($"error: {ex.Message}");
            }

            return ExitCodes.PlatformError;
        });

    // The client raises Unavailable with the transport exception attached; a server-sent
    // Unavailable has none, and keeps its own detail.
    private static bool IsConnectionFailure(RpcException ex) =>
        ex.StatusCode == StatusCode.Unavailable && ex.Status.DebugException is not null;

    private static string ConnectionFailureReason(RpcException ex)
    {
        for (var inner = ex.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpRequestException)
            {
                return inner.Message;
            }
        }

        return ex.Status.DebugException?.Message ?? ex.Status.Detail;
    }
}
