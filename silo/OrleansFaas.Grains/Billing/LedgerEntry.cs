namespace OrleansFaas.Grains.Billing;

/// <summary>
/// One invocation's write-ahead entry in the ledger, from the invoker's side: Begin (before user code can run,
/// with the memory size this silo last saw for the function), Confirm (fixes the memory size once the lease
/// tells it, in the rare case it changed), and Cancel when no user code ran after all.
/// </summary>
public sealed class LedgerEntry(UsageRecorder usage, string function, string requestKey, long minimumMs)
{
    private readonly string _day = BillingRules.Day(DateTimeOffset.UtcNow);
    private int _memoryMb = usage.LastMemoryMb(function);

    /// <summary>Set once the worker may have run user code (an import, or the handler): from then on it is billed.</summary>
    public bool UserCodeRan { get; set; }

    public Task BeginAsync() => usage.RecordAsync(Entry(UsageStep.Begin));

    /// <summary>Waits for the begin to be durable; re-begins it if the function's memory size was not the one guessed.</summary>
    public async Task ConfirmAsync(Task begun, int memoryMb)
    {
        await begun;
        if (memoryMb != _memoryMb)
        {
            usage.RememberMemoryMb(function, memoryMb);
            await usage.RecordAsync(Entry(UsageStep.Cancel));
            _memoryMb = memoryMb;
            await usage.RecordAsync(Entry(UsageStep.Begin));
        }
    }

    public async Task CancelAsync(Task begun)
    {
        try
        {
            await begun;
        }
        catch (Exception)
        {
            return; // never written: nothing to undo
        }
        await usage.RecordAsync(Entry(UsageStep.Cancel));
    }

    private UsageEntry Entry(UsageStep step) => new(function, requestKey, step, minimumMs, _memoryMb, _day);
}
