using System.Text.Json;
using Grpc.Core;
using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using Proto = OrleansFaas.Api.V1;

namespace OrleansFaas.Gateway.Services;

/// <summary>faas.v1.Invoker: checks the request, then hands it to the invoker grain of the silo it reaches.</summary>
public sealed class InvokerService(IGrainFactory grains) : Proto.Invoker.InvokerBase
{
    private static readonly byte[] EmptyEvent = "{}"u8.ToArray();

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
        var result = await grains.GetGrain<IInvokerGrain>(0).Invoke(
            new InvocationRequest(request.FunctionName, Guid.NewGuid().ToString(), bytes, request.ClientContext));
        return result.ToApi();
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
