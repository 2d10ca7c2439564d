using Grpc.Net.Client;

namespace OrleansFaas.Cli;

/// <summary>Where the gateway is and how to open a channel to it.</summary>
internal static class Gateway
{
    public const string EndpointVariable = "FAAS_ENDPOINT";
    public const string DefaultEndpoint = "http://127.0.0.1:50051";

    // Code zips go up to 50 MB; leave room for the envelope and for large invocation payloads.
    private const int MaxMessageBytes = 80 * 1024 * 1024;

    /// <summary>The --endpoint value, else $FAAS_ENDPOINT, else the local default; "host:port" means http.</summary>
    public static string ResolveEndpoint(string? option)
    {
        var endpoint = !string.IsNullOrWhiteSpace(option) ? option.Trim()
            : Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment.Trim()
            : DefaultEndpoint;
        if (!endpoint.Contains("://", StringComparison.Ordinal))
        {
            endpoint = "http://" + endpoint;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliUsageException($"invalid endpoint '{endpoint}': expected an http:// or https:// URL");
        }

        return endpoint;
    }

    public static GrpcChannel CreateChannel(string endpoint) =>
        GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions
        {
            MaxSendMessageSize = MaxMessageBytes,
            MaxReceiveMessageSize = MaxMessageBytes,
            // Fail fast on a black-holed address instead of waiting for the OS TCP timeout.
            HttpHandler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) },
            DisposeHttpClient = true,
        });
}
