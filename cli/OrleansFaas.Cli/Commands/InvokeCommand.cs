using System.CommandLine;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using OrleansFaas.Api.V1;
using OrleansFaas.Cli.Output;

namespace OrleansFaas.Cli.Commands;

/// <summary>
/// <c>faas invoke NAME [--payload JSON | --payload-file FILE | -]</c>: runs the function and prints its
/// return value (exit 0) or its Lambda-shaped error (exit 1).
/// </summary>
internal static class InvokeCommand
{
    private const string Stdin = "-";

    public static Command Create()
    {
        var name = FunctionNameArgument.Create();
        var stdin = new Argument<string?>(Stdin)
        {
            // Documented under --payload: a bare '-' is shorthand for --payload -.
            Hidden = true,
            Arity = ArgumentArity.ZeroOrOne,
        };
        var payload = new Option<string?>("--payload", "-p") { Description = "The event, as JSON; '-' (or a bare '-' after NAME) reads stdin [default: {}]", HelpName = "JSON" };
        var payloadFile = new Option<string?>("--payload-file") { Description = "Read the event from a file ('-' reads stdin)", HelpName = "FILE" };
        var logs = new Option<bool>("--logs") { Description = "Print the invocation's captured logs to stderr (text output)" };
        var logTail = new Option<bool>("--log-tail") { Description = "Ask for the last 4 KB of the invocation's log (START … REPORT), as Lambda's LogType Tail: printed to stderr (text), logResult (json)" };

        var asynchronous = new Option<bool>("--async") { Description = "Queue the event (Lambda's Event invocation type) and print only its request id: {\"requestId\": \"…\"}" };

        var command = new Command("invoke", "Invoke a function synchronously and print its result") { name, stdin, payload, payloadFile, logs, logTail, asynchronous };
        command.Validators.Add(result =>
        {
            if (result.GetValue(stdin) is { } extra && extra != Stdin)
            {
                result.AddError($"unexpected argument '{extra}': pass the payload with --payload JSON, --payload-file FILE, or '-' for stdin");
            }

            var sources = new object?[] { result.GetValue(stdin), result.GetValue(payload), result.GetValue(payloadFile) }.Count(source => source is not null);
            if (sources > 1)
            {
                result.AddError("give the payload only once: --payload, --payload-file or '-'");
            }
        });
        command.SetHandler(async (parseResult, context, cancellationToken) =>
        {
            if (parseResult.GetValue(asynchronous))
            {
                return await InvokeAsyncEvent(parseResult.GetValue(name)!, await ReadPayloadAsync(
                    parseResult.GetValue(stdin), parseResult.GetValue(payload), parseResult.GetValue(payloadFile), cancellationToken), context, cancellationToken);
            }

            var request = new InvokeRequest
            {
                FunctionName = parseResult.GetValue(name)!,
                // Sent as given: the gateway validates JSON and answers InvalidArgument.
                Payload = UnsafeByteOperations.UnsafeWrap(await ReadPayloadAsync(
                    parseResult.GetValue(stdin), parseResult.GetValue(payload), parseResult.GetValue(payloadFile), cancellationToken)),
                LogTail = parseResult.GetValue(logTail),
            };
            var response = await context.Invoker.InvokeAsync(request, cancellationToken: cancellationToken);

            if (context.Json)
            {
                JsonOutput.Write(context.Out, writer => WriteResponse(writer, response));
            }
            else
            {
                if (response.Error is { } error)
                {
                    JsonOutput.Write(context.Out, writer => JsonOutput.WriteError(writer, error), indented: false);
                }
                else
                {
                    await context.Out.WriteLineAsync(response.Payload.ToStringUtf8());
                }

                if (parseResult.GetValue(logs) && response.Logs.Length > 0)
                {
                    await context.Error.WriteAsync(response.Logs.EndsWith('\n') ? response.Logs : response.Logs + "\n");
                }

                if (response.LogResult.Length > 0)
                {
                    await context.Error.WriteAsync(response.LogResult.EndsWith('\n') ? response.LogResult : response.LogResult + "\n");
                }
            }

            return response.Error is null ? ExitCodes.Success : ExitCodes.FunctionError;
        });
        return command;
    }

    /// <summary><c>--async</c>: the event is queued; the output is the same in text and JSON mode.</summary>
    private static async Task<int> InvokeAsyncEvent(string name, byte[] payload, CliContext context, CancellationToken cancellationToken)
    {
        var queued = await context.Invoker.InvokeAsyncAsync(
            new InvokeAsyncRequest { FunctionName = name, Payload = UnsafeByteOperations.UnsafeWrap(payload) }, cancellationToken: cancellationToken);
        JsonOutput.Write(context.Out, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("requestId", queued.RequestId);
            writer.WriteEndObject();
        }, indented: false);
        return ExitCodes.Success;
    }

    private static async Task<byte[]> ReadPayloadAsync(string? stdin, string? payload, string? payloadFile, CancellationToken cancellationToken)
    {
        if (stdin is not null || payload == Stdin || payloadFile == Stdin)
        {
            using var buffer = new MemoryStream();
            await using var input = Console.OpenStandardInput();
            await input.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }

        if (payloadFile is not null)
        {
            try
            {
                return await File.ReadAllBytesAsync(payloadFile, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliUsageException($"cannot read payload file {payloadFile}: {ex.Message}", ex);
            }
        }

        // No payload at all is an empty body, which the gateway reads as {}.
        return payload is null ? [] : Encoding.UTF8.GetBytes(payload);
    }

    private static void WriteResponse(Utf8JsonWriter writer, InvokeResponse response)
    {
        writer.WriteStartObject();
        writer.WriteString("requestId", response.RequestId);
        writer.WritePropertyName("payload");
        if (response.Error is null)
        {
            JsonOutput.WriteRawJson(writer, response.Payload);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WritePropertyName("error");
        if (response.Error is { } error)
        {
            JsonOutput.WriteError(writer, error);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WriteString("logs", response.Logs);
        writer.WriteNumber("durationMs", response.DurationMs);
        writer.WriteNumber("billedMs", response.BilledMs);
        writer.WriteNumber("initDurationMs", response.InitDurationMs);
        writer.WriteBoolean("coldStart", response.ColdStart);
        writer.WriteString("silo", response.Silo);
        writer.WriteString("instanceId", response.InstanceId);
        writer.WriteNumber("maxMemoryUsedMb", response.MaxMemoryUsedMb);
        writer.WriteString("executedVersion", response.ExecutedVersion);
        writer.WriteString("coldStartSource", response.ColdStartSource);
        writer.WriteString("logResult", response.LogResult);
        writer.WriteEndObject();
    }
}
