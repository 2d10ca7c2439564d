using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Hosting;
using OrleansFaas.Grains.Logs;

namespace OrleansFaas.Tests.Unit;

/// <summary>The dev-mode store: caps, paging and cursors behave as the Redis streams do.</summary>
public class MemoryActivationLogTests
{
    private static InvocationLog Log(string function, int i) => new(function,
        new LogEntry(i, $"req-{i}", $"START RequestId: req-{i} Version: $LATEST\n"),
        new ActivationRecord { RequestId = $"req-{i}", ColdStart = i == 0 });

    private static async Task<MemoryActivationLog> StoreWithAsync(int count, int retention = 100)
    {
        var store = new MemoryActivationLog(new LogSettings { Retention = retention }, TimeProvider.System);
        await store.AppendAsync(Enumerable.Range(0, count).Select(i => Log("f", i)).ToList());
        return store;
    }

    [Fact]
    public async Task KeepsOnlyTheNewestEntriesUpToTheRetention()
    {
        var store = await StoreWithAsync(15, retention: 10);

        var page = await store.ReadLogsAsync("f", new LogQuery(0, 100, null));
        var activations = await store.ListActivationsAsync("f", 100);

        Assert.Equal(Enumerable.Range(5, 10).Select(i => $"req-{i}"), page.Entries.Select(e => e.RequestId));
        Assert.Equal(10, activations.Count);
    }

    [Fact]
    public async Task WithoutACursorReturnsTheNewestEntriesOldestFirst()
    {
        var store = await StoreWithAsync(10);

        var page = await store.ReadLogsAsync("f", new LogQuery(0, 3, null));

        Assert.Equal(["req-7", "req-8", "req-9"], page.Entries.Select(e => e.RequestId));
    }

    [Fact]
    public async Task ACursorReturnsWhatWasStoredAfterIt()
    {
        var store = await StoreWithAsync(3);
        var first = await store.ReadLogsAsync("f", new LogQuery(0, 100, null));

        var empty = await store.ReadLogsAsync("f", new LogQuery(0, 100, first.Cursor));
        await store.AppendAsync([Log("f", 3), Log("f", 4)]);
        var next = await store.ReadLogsAsync("f", new LogQuery(0, 100, empty.Cursor));

        Assert.Empty(empty.Entries);
        Assert.Equal(first.Cursor, empty.Cursor);
        Assert.Equal(["req-3", "req-4"], next.Entries.Select(e => e.RequestId));
    }

    [Fact]
    public async Task AFollowerStartingOnAnEmptyLogSeesEverythingStoredLater()
    {
        var store = await StoreWithAsync(0);
        var start = await store.ReadLogsAsync("f", new LogQuery(0, 100, null));

        await store.AppendAsync([Log("f", 0)]);
        var next = await store.ReadLogsAsync("f", new LogQuery(0, 100, start.Cursor));

        Assert.Single(next.Entries);
    }

    [Fact]
    public async Task ListsActivationsNewestFirst()
    {
        var store = await StoreWithAsync(5);

        var activations = await store.ListActivationsAsync("f", 2);

        Assert.Equal(["req-4", "req-3"], activations.Select(a => a.RequestId));
    }

    [Fact]
    public async Task ABadCursorIsAnInvalidArgument()
    {
        var store = await StoreWithAsync(1);

        var e = await Assert.ThrowsAsync<FaasException>(() => store.ReadLogsAsync("f", new LogQuery(0, 10, "nonsense")));

        Assert.Equal(FaasErrorCode.InvalidArgument, e.Code);
    }
}
