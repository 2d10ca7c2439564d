using OrleansFaas.Abstractions.Grains;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;
using OrleansFaas.Grains.Storage;

namespace OrleansFaas.Grains.Pool;

/// <summary>The persisted part of the account: reservations (in-use counts are live, in memory).</summary>
[GenerateSerializer, Alias("faas.ConcurrencyAccountState")]
public sealed class ConcurrencyAccountState
{
    [Id(0)] public Dictionary<string, int> Reservations { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Concurrency accounting for the whole cluster. A slot is a live instance: a function with a reservation
/// R may hold up to R (and R are kept out of everyone else's reach); the others share the limit minus all
/// reservations. Called on cold starts and instance removals only, never on a warm invocation.
/// After a reactivation the in-use counts start from zero and pools re-adopt what they hold.
/// </summary>
public sealed class ConcurrencyAccountGrain(
    [PersistentState("account", StorageNames.Functions)] IPersistentState<ConcurrencyAccountState> state,
    ConcurrencySettings settings) : Grain, IConcurrencyAccountGrain
{
    private readonly Dictionary<string, int> _inUse = new(StringComparer.Ordinal);
    private int _unreservedInUse;

    private int ReservedTotal => state.State.Reservations.Values.Sum();

    public async Task Reserve(string function, int? reserved)
    {
        var current = state.State.Reservations.GetValueOrDefault(function);
        if (reserved is { } r)
        {
            var unreservedLeft = settings.AccountLimit - (ReservedTotal - current + r);
            if (unreservedLeft < settings.UnreservedMinimum)
            {
                throw FaasException.InvalidArgument(
                    $"Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [{settings.UnreservedMinimum}].");
            }
            if (state.State.Reservations.TryGetValue(function, out var old) && old == r)
            {
                return;
            }
            MoveInUse(function, fromReserved: state.State.Reservations.ContainsKey(function), toReserved: true);
            state.State.Reservations[function] = r;
        }
        else
        {
            if (!state.State.Reservations.ContainsKey(function))
            {
                return;
            }
            MoveInUse(function, fromReserved: true, toReserved: false);
            state.State.Reservations.Remove(function);
        }
        await state.WriteStateAsync();
    }

    /// <summary>Keeps the unreserved counter right when a function moves in or out of a reservation.</summary>
    private void MoveInUse(string function, bool fromReserved, bool toReserved)
    {
        var count = _inUse.GetValueOrDefault(function);
        if (!fromReserved)
        {
            _unreservedInUse -= count;
        }
        if (!toReserved)
        {
            _unreservedInUse += count;
        }
    }

    public Task<SlotGrant> TryAcquire(string function)
    {
        var inUse = _inUse.GetValueOrDefault(function);
        if (state.State.Reservations.TryGetValue(function, out var reserved))
        {
            if (inUse >= reserved)
            {
                return Task.FromResult(new SlotGrant(false, ThrottleReasons.ReservedFunction, reserved));
            }
        }
        else if (_unreservedInUse >= settings.AccountLimit - ReservedTotal)
        {
            return Task.FromResult(new SlotGrant(false, ThrottleReasons.Account, settings.AccountLimit));
        }
        Count(function, +1);
        return Task.FromResult(SlotGrant.Yes);
    }

    public Task Adopt(string function, int count)
    {
        Count(function, count);
        return Task.CompletedTask;
    }

    public Task Release(string function, int count)
    {
        Count(function, -Math.Min(count, _inUse.GetValueOrDefault(function)));
        return Task.CompletedTask;
    }

    private void Count(string function, int delta)
    {
        var now = _inUse.GetValueOrDefault(function) + delta;
        if (now <= 0)
        {
            _inUse.Remove(function);
        }
        else
        {
            _inUse[function] = now;
        }
        if (!state.State.Reservations.ContainsKey(function))
        {
            _unreservedInUse += delta;
        }
    }

    public Task<AccountUsage> GetUsage() => Task.FromResult(new AccountUsage(
        settings.AccountLimit, settings.AccountLimit - ReservedTotal, _inUse.Values.Sum(), new Dictionary<string, int>(_inUse)));
}
