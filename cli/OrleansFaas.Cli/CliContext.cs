using System.CommandLine;
using Grpc.Net.Client;
using OrleansFaas.Api.V1;

namespace OrleansFaas.Cli;

/// <summary>What a command needs besides its own arguments: the output format, the gateway, the console.</summary>
internal sealed class CliContext(string endpoint, bool json) : IDisposable
{
    private GrpcChannel? _channel;

    public string Endpoint { get; } = endpoint;

    /// <summary>True for <c>--output json</c>: stdout carries exactly one JSON document.</summary>
    public bool Json { get; } = json;

    public TextWriter Out { get; } = Console.Out;

    public TextWriter Error { get; } = Console.Error;

    public Functions.FunctionsClient Functions => new(Channel);

    public Invoker.InvokerClient Invoker => new(Channel);

    private GrpcChannel Channel => _channel ??= Gateway.CreateChannel(Endpoint);

    public static CliContext From(ParseResult parseResult) =>
        new(Gateway.ResolveEndpoint(parseResult.GetValue(GlobalOptions.Endpoint)),
            parseResult.GetValue(GlobalOptions.Output) == GlobalOptions.Json);

    public void Dispose() => _channel?.Dispose();
}
