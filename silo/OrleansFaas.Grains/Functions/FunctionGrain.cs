using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Packages;
using OrleansFaas.Grains.Storage;

namespace OrleansFaas.Grains.Functions;

/// <summary>A function's definition: validated, persisted, and announced to its pool when it changes.</summary>
public sealed class FunctionGrain(
    [PersistentState("function", StorageNames.Functions)] IPersistentState<FunctionState> state,
    ICodeStore codeStore,
    TimeProvider clock) : Grain, IFunctionGrain
{
    private string Name => this.GetPrimaryKeyString();
    private IConcurrencyAccountGrain Account => GrainFactory.GetGrain<IConcurrencyAccountGrain>(FunctionCatalog.DefaultAccount);

    public async Task<FunctionDefinition> Create(CreateFunction request)
    {
        FunctionLimits.ValidateName(Name);
        if (state.State.Definition is not null)
        {
            throw new FaasException(FaasErrorCode.AlreadyExists, $"Function already exist: {Name}");
        }
        var definition = new FunctionDefinition
        {
            Name = Name,
            Runtime = string.IsNullOrEmpty(request.Runtime) ? FunctionLimits.DefaultRuntime : request.Runtime,
            Handler = request.Handler,
            MemoryMb = request.MemoryMb == 0 ? FunctionLimits.DefaultMemoryMb : request.MemoryMb,
            TimeoutSeconds = request.TimeoutSeconds == 0 ? FunctionLimits.DefaultTimeoutSeconds : request.TimeoutSeconds,
            Environment = request.Environment,
            ReservedConcurrency = request.ReservedConcurrency,
            ProvisionedConcurrency = request.ProvisionedConcurrency,
            MaximumRetryAttempts = request.MaximumRetryAttempts ?? FunctionLimits.DefaultMaximumRetryAttempts,
            MaximumEventAgeSeconds = request.MaximumEventAgeSeconds ?? FunctionLimits.DefaultMaximumEventAgeSeconds,
            OnFailure = NullIfEmpty(request.OnFailure),
            OnSuccess = NullIfEmpty(request.OnSuccess),
            CodeSha256 = "",
            RevisionId = Guid.NewGuid().ToString(),
            LastModified = clock.GetUtcNow(),
        };
        FunctionLimits.ValidateDefinition(definition);
        definition = definition with { CodeSha256 = await StoreCodeAsync(request.CodeZip), CodeSize = request.CodeZip.Length };
        await Account.Reserve(Name, definition.ReservedConcurrency);
        await SaveAsync(definition);
        await GrainFactory.GetGrain<IFunctionCatalogGrain>(FunctionCatalog.DefaultNamespace).Add(Name);
        return definition;
    }

    public async Task<FunctionDefinition> Update(UpdateFunction request)
    {
        var current = state.State.Definition ?? throw FaasException.FunctionNotFound(Name);
        var definition = current with
        {
            Runtime = request.Runtime ?? current.Runtime,
            Handler = request.Handler ?? current.Handler,
            MemoryMb = request.MemoryMb ?? current.MemoryMb,
            TimeoutSeconds = request.TimeoutSeconds ?? current.TimeoutSeconds,
            Environment = request.Environment ?? current.Environment,
            ReservedConcurrency = request.ClearReservedConcurrency ? null : request.ReservedConcurrency ?? current.ReservedConcurrency,
            ProvisionedConcurrency = request.ProvisionedConcurrency ?? current.ProvisionedConcurrency,
            MaximumRetryAttempts = request.MaximumRetryAttempts ?? current.MaximumRetryAttempts,
            MaximumEventAgeSeconds = request.MaximumEventAgeSeconds ?? current.MaximumEventAgeSeconds,
            OnFailure = request.OnFailure is null ? current.OnFailure : NullIfEmpty(request.OnFailure),
            OnSuccess = request.OnSuccess is null ? current.OnSuccess : NullIfEmpty(request.OnSuccess),
            RevisionId = Guid.NewGuid().ToString(),
            LastModified = clock.GetUtcNow(),
        };
        FunctionLimits.ValidateDefinition(definition);
        if (request.CodeZip is { } zip)
        {
            definition = definition with { CodeSha256 = await StoreCodeAsync(zip), CodeSize = zip.Length };
        }
        await Account.Reserve(Name, definition.ReservedConcurrency);
        await SaveAsync(definition);
        return definition;
    }

    public Task<FunctionDefinition?> Get() => Task.FromResult(state.State.Definition);

    public async Task Delete()
    {
        if (state.State.Definition is null)
        {
            throw FaasException.FunctionNotFound(Name);
        }
        await state.ClearStateAsync();
        state.State = new FunctionState();
        await GrainFactory.GetGrain<IFunctionCatalogGrain>(FunctionCatalog.DefaultNamespace).Remove(Name);
        await GrainFactory.GetGrain<IInstancePoolGrain>(Name).Invalidate(null);
        await Account.Reserve(Name, null);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private async Task<string> StoreCodeAsync(byte[] zip)
    {
        var sha256 = CodePackage.Validate(zip);
        await codeStore.PutAsync(sha256, zip);
        return sha256;
    }

    private async Task SaveAsync(FunctionDefinition definition)
    {
        state.State.Definition = definition;
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IInstancePoolGrain>(Name).Invalidate(definition);
    }
}
