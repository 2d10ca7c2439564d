using System.IO.Compression;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using OrleansFaas.Api.V1;

namespace OrleansFaas.Cli.Bench;

/// <summary>A function a scenario creates for itself and deletes afterwards, whatever happens.</summary>
internal sealed class BenchFunction : IAsyncDisposable
{
    /// <summary>The trivial handler: the cost measured is the platform's, not the function's.</summary>
    public const string TrivialHandler = "def handler(event, context):\n    return event\n";

    private readonly Functions.FunctionsClient _functions;

    private BenchFunction(Functions.FunctionsClient functions, string name)
    {
        _functions = functions;
        Name = name;
    }

    public string Name { get; }

    public static async Task<BenchFunction> CreateAsync(
        Functions.FunctionsClient functions, string prefix, string source = TrivialHandler, int memoryMb = 128, int timeoutSeconds = 30)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
        await functions.CreateFunctionAsync(new CreateFunctionRequest
        {
            Name = name,
            Handler = "bench.handler",
            MemoryMb = memoryMb,
            TimeoutSeconds = timeoutSeconds,
            CodeZip = ByteString.CopyFrom(Zip("bench.py", source)),
        });
        return new BenchFunction(functions, name);
    }

    private static byte[] Zip(string file, string source)
    {
        using var memory = new MemoryStream();
        using (var archive = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var stream = archive.CreateEntry(file).Open();
            stream.Write(Encoding.UTF8.GetBytes(source));
        }
        return memory.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _functions.DeleteFunctionAsync(new DeleteFunctionRequest { Name = Name });
        }
        catch (RpcException)
        {
            // Best effort: the platform may be gone already.
        }
    }
}
