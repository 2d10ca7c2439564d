using System.Text.Json;
using Grpc.Core;
using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;
using Proto = OrleansFaas.Api.V1;

namespace OrleansFaas.Gateway.Services;

/// <summary>faas.v1.Invoker: checks the request, then hands it to the invoker grain of the silo it reaches.</summary>
public sealed class InvokerService(IGrainFactory grains, InvocationDeadlines deadlines) : Proto.Invoker.InvokerBase
{
    private static readonly byte[] EmptyEvent = "{}"u8.ToArray();

    /// <summary>
    /// Invoker grains are stateless workers, activated on the silo that receives the call. The Orleans client
    /// routes a call to a gateway silo by its grain id, so one key would pin every invocation to one silo:
    /// rotating over a few keys spreads invocations over all silos.
    /// </summary>
    private const int InvokerKeys = 64;
    private static int _nextInvoker;

    public override async Task<Proto.InvokeResponse> Invoke(Proto.InvokeRequest request, ServerCallContext context)
    {
        FunctionLimits.ValidateName(request.FunctionName);
        var payload = request.Payload.Span;
        if (payload.Length > FunctionLimits.MaxSyncPayloadBytes)
        {
            throw new FaasException(FaasErrorCode.ResourceExhausted,
                $"{payload.Length} byte payload is too large for the RequestResponse invocation type (limit {FunctionLimits.MaxSyncPayloadBytes} bytes)");
        }
        var bytes = payload.IsEmpty ? EmptyEvent : request.Payload.ToByteArray();
        ValidateJson(bytes);
        var invocation = new InvocationRequest(request.FunctionName, Guid.NewGuid().ToString(), bytes, request.ClientContext)
        {
            BypassStemCells = request.BypassStemCells,
            LogTail = request.LogTail,
        };
        // Never re-sent: a call refused by a dying silo may already have run, and a caller must not see one
        // request run twice. The caller decides whether to retry.
        var key = (uint)Interlocked.Increment(ref _nextInvoker) % InvokerKeys;
        var result = await deadlines.WaitAsync(request.FunctionName, grains.GetGrain<IInvokerGrain>(key).Invoke(invocation));
        return result.ToApi();
    }

    /// <summary>The Event payload limit (FAAS_ASYNC_MAX_PAYLOAD); the silo that queues the event checks its own too.</summary>
    private static readonly Lazy<int> AsyncPayloadLimit = new(() => AsyncSettings.FromEnvironment().MaxPayloadBytes);

    public override async Task<Proto.InvokeAsyncResponse> InvokeAsync(Proto.InvokeAsyncRequest request, ServerCallContext context)
    {
        FunctionLimits.ValidateName(request.FunctionName);
        FunctionLimits.CheckAsyncPayloadSize(request.Payload.Length, AsyncPayloadLimit.Value);
        var bytes = request.Payload.IsEmpty ? EmptyEvent : request.Payload.ToByteArray();
        ValidateJson(bytes);
        var key = (uint)Interlocked.Increment(ref _nextInvoker) % InvokerKeys;
        var requestId = await grains.GetGrain<IAsyncInvokerGrain>(key).Enqueue(
            new AsyncInvocationRequest(request.FunctionName, bytes, request.ClientContext));
        return new Proto.InvokeAsyncResponse { RequestId = requestId };
    }

    public override async Task<Proto.ListDeadLettersResponse> ListDeadLetters(Proto.ListDeadLettersRequest request, ServerCallContext context)
    {
        FunctionLimits.ValidateName(request.Name);
        var key = (uint)Interlocked.Increment(ref _nextInvoker) % InvokerKeys;
        var entries = await grains.GetGrain<IAsyncInvokerGrain>(key).ListDeadLetters(request.Name, request.MaxItems);
        var response = new Proto.ListDeadLettersResponse();
        response.DeadLetters.AddRange(entries.Select(e => e.ToApi()));
        return response;
    }

    private static void ValidateJson(byte[] payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { AllowTrailingCommas = false });
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            throw FaasException.InvalidArgument(
                "Could not parse request body into json: Could not parse payload into json: " + e.Message);
        }
    }
}
