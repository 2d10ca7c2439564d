using System.CommandLine;
using Google.Protobuf;
using Grpc.Core;
using OrleansFaas.Api.V1;
using OrleansFaas.Cli.Output;

namespace OrleansFaas.Cli.Commands;

/// <summary><c>faas deploy NAME --code DIR_OR_ZIP --handler MODULE.FUNCTION …</c>: create, or update if it exists.</summary>
internal static class DeployCommand
{
    public static Command Create()
    {
        var name = FunctionNameArgument.Create();
        var code = new Option<string>("--code")
        {
            Description = "A directory (zipped for you, without __pycache__ and *.pyc) or a .zip file",
            HelpName = "DIR_OR_ZIP",
            Required = true,
        };
        var handler = new Option<string?>("--handler") { Description = "Entry point (required to create)", HelpName = "MODULE.FUNCTION" };
        var runtime = new Option<string?>("--runtime") { Description = "Runtime [default on create: python3]", HelpName = "RUNTIME" };
        var memory = IntegerOption.Create("--memory", "Memory in MB, 128..10240 [default on create: 128]", "MB");
        var timeout = IntegerOption.Create("--timeout", "Timeout in seconds, 1..900 [default on create: 3]", "SECONDS");
        var reserved = IntegerOption.Create("--reserved", "Reserved concurrency: a cap and a guarantee on concurrent instances (0 throttles every invoke)", "N");
        var unreserve = new Option<bool>("--unreserve") { Description = "Remove the reserved concurrency (draw from the unreserved pool again)" };
        var provisioned = IntegerOption.Create("--provisioned", "Provisioned concurrency: instances kept loaded and warm, never reaped", "N");
        var retries = IntegerOption.Create("--retries", "Async invocation: retries after a function error, 0..2 [default on create: 2]", "0|1|2");
        var maxEventAge = IntegerOption.Create("--max-event-age", "Async invocation: oldest event still run, 60..21600 seconds [default on create: 21600]", "SECONDS");
        var onFailure = new Option<string?>("--on-failure") { Description = "Async invocation: where failed events go: a function (invoked with Lambda's destination record) or 'dead-letter' ('' removes)", HelpName = "FUNCTION|dead-letter" };
        var onSuccess = new Option<string?>("--on-success") { Description = "Async invocation: a function invoked with the record of each successful event ('' removes)", HelpName = "FUNCTION" };
        var environment = new Option<string[]>("--env", "-e")
        {
            Description = "An environment variable; repeat for more. On update, replaces the whole environment",
            HelpName = "KEY=VALUE",
        };
        environment.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(token => !TryParseVariable(token.Value, out _, out _)))
            {
                result.AddError($"--env expects KEY=VALUE, got '{token.Value}'");
            }
        });

        var command = new Command("deploy", "Create a function, or update its code and configuration if it exists")
        {
            name, code, handler, runtime, memory, timeout, reserved, unreserve, provisioned, environment,
            retries, maxEventAge, onFailure, onSuccess,
        };
        command.SetHandler(async (parseResult, context, cancellationToken) =>
        {
            var deployment = new Deployment(
                parseResult.GetValue(name)!,
                UnsafeByteOperations.UnsafeWrap(CodePackage.Load(parseResult.GetValue(code)!)),
                parseResult.GetValue(handler),
                parseResult.GetValue(runtime),
                parseResult.GetValue(memory),
                parseResult.GetValue(timeout),
                [.. (parseResult.GetValue(environment) ?? []).Select(ParseVariable)],
                parseResult.GetValue(reserved),
                parseResult.GetValue(unreserve),
                parseResult.GetValue(provisioned))
            {
                MaximumRetryAttempts = parseResult.GetValue(retries),
                MaximumEventAgeSeconds = parseResult.GetValue(maxEventAge),
                OnFailure = parseResult.GetValue(onFailure),
                OnSuccess = parseResult.GetValue(onSuccess),
            };

            FunctionConfiguration configuration;
            try
            {
                configuration = await context.Functions.CreateFunctionAsync(deployment.ToCreateRequest(), cancellationToken: cancellationToken);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
            {
                configuration = await context.Functions.UpdateFunctionAsync(deployment.ToUpdateRequest(), cancellationToken: cancellationToken);
            }

            if (context.Json)
            {
                JsonOutput.Write(context.Out, configuration);
            }
            else
            {
                await context.Out.WriteLineAsync(
                    $"deployed {configuration.Name} ({configuration.Runtime}, {configuration.Handler}, {TextFormat.Memory(configuration)}, "
                    + $"{TextFormat.Timeout(configuration)}, code sha256 {TextFormat.ShortSha(configuration.CodeSha256)})");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static (string Key, string Value) ParseVariable(string text) =>
        TryParseVariable(text, out var key, out var value) ? (key, value) : throw new CliUsageException($"--env expects KEY=VALUE, got '{text}'");

    // The value may itself contain '=': split at the first one.
    private static bool TryParseVariable(string text, out string key, out string value)
    {
        var separator = text.IndexOf('=', StringComparison.Ordinal);
        key = separator > 0 ? text[..separator] : "";
        value = separator > 0 ? text[(separator + 1)..] : "";
        return separator > 0;
    }

    /// <summary>What the command line asked for; null means "not given".</summary>
    private sealed record Deployment(
        string Name,
        ByteString CodeZip,
        string? Handler,
        string? Runtime,
        int? MemoryMb,
        int? TimeoutSeconds,
        IReadOnlyList<(string Key, string Value)> Environment,
        int? ReservedConcurrency,
        bool Unreserve,
        int? ProvisionedConcurrency)
    {
        public int? MaximumRetryAttempts { get; init; }
        public int? MaximumEventAgeSeconds { get; init; }
        public string? OnFailure { get; init; }
        public string? OnSuccess { get; init; }

        /// <summary>Unset values are left to the server's defaults.</summary>
        public CreateFunctionRequest ToCreateRequest()
        {
            var request = new CreateFunctionRequest
            {
                Name = Name,
                Runtime = Runtime ?? "",
                Handler = Handler ?? "",
                MemoryMb = MemoryMb ?? 0,
                TimeoutSeconds = TimeoutSeconds ?? 0,
                CodeZip = CodeZip,
                ProvisionedConcurrency = ProvisionedConcurrency ?? 0,
            };
            if (ReservedConcurrency is { } reserved)
            {
                request.ReservedConcurrency = reserved;
            }
            foreach (var (key, value) in Environment)
            {
                request.Environment[key] = value;
            }

            if (MaximumRetryAttempts is { } retries)
            {
                request.MaximumRetryAttempts = retries;
            }

            if (MaximumEventAgeSeconds is { } maxEventAge)
            {
                request.MaximumEventAgeSeconds = maxEventAge;
            }

            request.OnFailure = OnFailure ?? "";
            request.OnSuccess = OnSuccess ?? "";
            return request;
        }

        /// <summary>The code plus only what was given; the rest stays as deployed. Any --env replaces the environment.</summary>
        public UpdateFunctionRequest ToUpdateRequest()
        {
            var request = new UpdateFunctionRequest { Name = Name, CodeZip = CodeZip };
            if (Handler is not null)
            {
                request.Handler = Handler;
            }

            if (Runtime is not null)
            {
                request.Runtime = Runtime;
            }

            if (MemoryMb is { } memoryMb)
            {
                request.MemoryMb = memoryMb;
            }

            if (TimeoutSeconds is { } timeoutSeconds)
            {
                request.TimeoutSeconds = timeoutSeconds;
            }

            if (ReservedConcurrency is { } reserved)
            {
                request.ReservedConcurrency = reserved;
            }

            request.RemoveReservedConcurrency = Unreserve;
            if (ProvisionedConcurrency is { } provisioned)
            {
                request.ProvisionedConcurrency = provisioned;
            }

            if (MaximumRetryAttempts is { } retries)
            {
                request.MaximumRetryAttempts = retries;
            }

            if (MaximumEventAgeSeconds is { } maxEventAge)
            {
                request.MaximumEventAgeSeconds = maxEventAge;
            }

            if (OnFailure is not null)
            {
                request.OnFailure = OnFailure;
            }

            if (OnSuccess is not null)
            {
                request.OnSuccess = OnSuccess;
            }

            if (Environment.Count > 0)
            {
                request.ReplaceEnvironment = true;
                foreach (var (key, value) in Environment)
                {
                    request.Environment[key] = value;
                }
            }

            return request;
        }
    }
}
