using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Orleans.Configuration;
using OrleansFaas.Gateway.Services;
using OrleansFaas.Grains.Hosting;
using StackExchange.Redis;

namespace OrleansFaas.Gateway.Hosting;

/// <summary>Wiring of the gateway process: Kestrel (HTTP/2), the gRPC services, and Orleans.</summary>
public static class GatewayHostingExtensions
{
    /// <summary>Code packages up to 50 MB travel in a create/update request.</summary>
    private const int MaxRequestBytes = 80 * 1024 * 1024;

    public static WebApplicationBuilder AddFaasGateway(this WebApplicationBuilder builder)
    {
        builder.AddFaasLoggingDefaults();
        var port = FaasSettings.GetInt("FAAS_GRPC_PORT", 50051, 1, 65535);
        var host = FaasSettings.Get("FAAS_GRPC_HOST") ?? "127.0.0.1";
        if (!IPAddress.TryParse(host, out var address))
        {
            throw new InvalidOperationException($"FAAS_GRPC_HOST='{host}' is not an IP address.");
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.MaxRequestBodySize = MaxRequestBytes;
        });
        builder.Services.AddSingleton<InvocationDeadlines>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = MaxRequestBytes;
            grpc.MaxSendMessageSize = 16 * 1024 * 1024;
            grpc.Interceptors.Add<PlatformErrorInterceptor>();
        });

        var redis = FaasSettings.Get("FAAS_REDIS");
        if (redis is null)
        {
            builder.AddFaasSilo(); // dev mode: one process, localhost clustering, memory stores
        }
        else
        {
            var cluster = ClusterSettings.FromEnvironment();
            builder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = cluster.ClusterId;
                    o.ServiceId = SiloHostingExtensions.ServiceId;
                });
                client.Configure<ClientMessagingOptions>(o =>
                {
                    o.MaxMessageBodySize = 128 * 1024 * 1024;
                    o.ResponseTimeout = SiloHostingExtensions.InvocationResponseTimeout;
                });
                // A silo that joins is used within seconds (the default is a minute).
                client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
                client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
            });
        }
        return builder;
    }

    public static WebApplication MapFaasGateway(this WebApplication app)
    {
        app.MapGrpcService<FunctionsService>();
        app.MapGrpcService<InvokerService>();
        return app;
    }
}
