using Grpc.Core;
using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using Proto = OrleansFaas.Api.V1;

namespace OrleansFaas.Gateway.Services;

/// <summary>faas.v1.Functions: function definitions and their billing.</summary>
public sealed class FunctionsService(IGrainFactory grains) : Proto.Functions.FunctionsBase
{
    public override async Task<Proto.FunctionConfiguration> CreateFunction(Proto.CreateFunctionRequest request, ServerCallContext context)
    {
        FunctionLimits.ValidateName(request.Name);
        var definition = await grains.GetGrain<IFunctionGrain>(request.Name).Create(new CreateFunction
        {
            Runtime = request.Runtime,
            Handler = request.Handler,
            MemoryMb = request.MemoryMb,
            TimeoutSeconds = request.TimeoutSeconds,
            Environment = request.Environment.ToDictionary(),
            CodeZip = request.CodeZip.ToByteArray(),
            ReservedConcurrency = request.HasReservedConcurrency ? request.ReservedConcurrency : null,
            ProvisionedConcurrency = request.ProvisionedConcurrency,
            MaximumRetryAttempts = request.HasMaximumRetryAttempts ? request.MaximumRetryAttempts : null,
            MaximumEventAgeSeconds = request.HasMaximumEventAgeSeconds ? request.MaximumEventAgeSeconds : null,
            OnFailure = request.OnFailure,
            OnSuccess = request.OnSuccess,
        });
        return definition.ToApi();
    }

    public override async Task<Proto.FunctionConfiguration> UpdateFunction(Proto.UpdateFunctionRequest request, ServerCallContext context)
    {
        FunctionLimits.ValidateName(request.Name);
        var definition = await grains.GetGrain<IFunctionGrain>(request.Name).Update(new UpdateFunction
        {
            Runtime = request.HasRuntime ? request.Runtime : null,
            Handler = request.HasHandler ? request.Handler : null,
            MemoryMb = request.HasMemoryMb ? request.MemoryMb : null,
            TimeoutSeconds = request.HasTimeoutSeconds ? request.TimeoutSeconds : null,
            Environment = request.ReplaceEnvironment ? request.Environment.ToDictionary() : null,
            CodeZip = request.HasCodeZip ? request.CodeZip.ToByteArray() : null,
            ReservedConcurrency = request.HasReservedConcurrency ? request.ReservedConcurrency : null,
            ClearReservedConcurrency = request.RemoveReservedConcurrency,
            ProvisionedConcurrency = request.HasProvisionedConcurrency ? request.ProvisionedConcurrency : null,
            MaximumRetryAttempts = request.HasMaximumRetryAttempts ? request.MaximumRetryAttempts : null,
            MaximumEventAgeSeconds = request.HasMaximumEventAgeSeconds ? request.MaximumEventAgeSeconds : null,
            OnFailure = request.HasOnFailure ? request.OnFailure : null,
            OnSuccess = request.HasOnSuccess ? request.OnSuccess : null,
        });
        return definition.ToApi();
    }

    public override async Task<Proto.FunctionConfiguration> GetFunction(Proto.GetFunctionRequest request, ServerCallContext context)
    {
        FunctionLimits.ValidateName(request.Name);
        var definition = await grains.GetGrain<IFunctionGrain>(request.Name).Get()
            ?? throw FaasException.FunctionNotFound(request.Name);
        return definition.ToApi();
    }

    public override async Task<Proto.ListFunctionsResponse> ListFunctions(Proto.ListFunctionsRequest request, ServerCallContext context)
    {
        var page = await grains.GetGrain<IFunctionCatalogGrain>(FunctionCatalog.DefaultNamespace).List(request.Marker, request.MaxItems);
        var definitions = await Task.WhenAll(page.Names.Select(n => grains.GetGrain<IFunctionGrain>(n).Get()));
        var response = new Proto.ListFunctionsResponse { NextMarker = page.NextMarker ?? "" };
        response.Functions.AddRange(definitions.OfType<FunctionDefinition>().Select(d => d.ToApi()));
        return response;
    }

    public override async Task<Proto.DeleteFunctionResponse> DeleteFunction(Proto.DeleteFunctionRequest request, ServerCallContext context)
    {
        FunctionLimits.ValidateName(request.Name);
        await grains.GetGrain<IFunctionGrain>(request.Name).Delete();
        return new Proto.DeleteFunctionResponse();
    }

    public override async Task<Proto.BillingSummary> GetBilling(Proto.GetBillingRequest request, ServerCallContext context)
    {
        FunctionLimits.ValidateName(request.Name);
        var summary = await grains.GetGrain<IBillingLedgerGrain>(request.Name).GetSummary();
        if (summary.Invocations == 0 && await grains.GetGrain<IFunctionGrain>(request.Name).Get() is null)
        {
            throw FaasException.FunctionNotFound(request.Name);
        }
        return summary.ToApi();
    }

    public override async Task<Proto.GetLogsResponse> GetLogs(Proto.GetLogsRequest request, ServerCallContext context)
    {
        FunctionLimits.ValidateName(request.Name);
        var page = await grains.GetGrain<IFunctionLogGrain>(request.Name)
            .GetLogs(new LogQuery(request.SinceUnixMs, request.Limit, request.AfterCursor));
        return page.ToApi();
    }

    public override async Task<Proto.ListActivationsResponse> ListActivations(Proto.ListActivationsRequest request, ServerCallContext context)
    {
        FunctionLimits.ValidateName(request.Name);
        var activations = await grains.GetGrain<IFunctionLogGrain>(request.Name).ListActivations(request.Limit);
        return activations.ToApi();
    }
}
