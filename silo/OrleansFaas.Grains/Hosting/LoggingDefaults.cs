using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansFaas.Grains.Hosting;

/// <summary>
/// Keeps per-request logging off the hot path: ASP.NET Core logs two lines per gRPC call and Orleans' placement
/// pipeline one per activation at Information, which costs more than an invocation's own work. Start-up, the
/// platform's own messages and every warning stay.
/// </summary>
public static class LoggingDefaults
{
    public static IHostApplicationBuilder AddFaasLoggingDefaults(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        return builder;
    }
}
