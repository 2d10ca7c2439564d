using System.Text.Json;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Async;
using OrleansFaas.Grains.Hosting;

namespace OrleansFaas.Tests.Unit;

/// <summary>The pure parts of async invocation: delay settings, retry/age decisions, destination records, the dev-mode queue.</summary>
public class AsyncInvocationRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly AsyncSettings Settings = new() { RetryDelays = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)] };

    private static FunctionDefinition Function(int retries = 2, int maxAge = 21600) => new()
    {
        Name = "fn",
        Handler = "app.handler",
        CodeSha256 = "00",
        RevisionId = "r1",
        MaximumRetryAttempts = retries,
        MaximumEventAgeSeconds = maxAge,
    };

    private static AsyncEvent Event(int invokeCount = 0, int throttles = 0) => new()
    {
        RequestId = "req-1",
        FunctionName = "fn",
        Payload = """{"k": [1, 2]}""",
        EnqueuedAt = T0,
        InvokeCount = invokeCount,
        Throttles = throttles,
    };

    [Fact]
    public void ParsesACommaSeparatedListOfDelays()
    {
        Assert.Equal([TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], AsyncSettings.ParseDelays("200ms,400ms"));
        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)], AsyncSettings.ParseDelays(" 1m , 2m "));
        Assert.Equal([TimeSpan.FromSeconds(5)], AsyncSettings.ParseDelays("5"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1m,")]
    [InlineData("soon")]
    [InlineData("0s")]
    [InlineData("-1s")]
    public void RejectsMalformedDelayLists(string raw) => Assert.Null(AsyncSettings.ParseDelays(raw));

    [Fact]
    public void DefaultsFollowLambda()
    {
        var settings = new AsyncSettings();
        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)], settings.RetryDelays);
        Assert.Equal(1_048_576, settings.MaxPayloadBytes);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.ClaimIdle);
        var function = Function();
        Assert.Equal(2, new FunctionDefinition { Name = "f", Handler = "a.b", CodeSha256 = "", RevisionId = "" }.MaximumRetryAttempts);
        Assert.Equal(21600, function.MaximumEventAgeSeconds);
    }

    [Fact]
    public void AFunctionErrorIsRetriedWithTheConfiguredDelaysThenExhausted()
    {
        var first = AsyncPolicy.Decide(Event(invokeCount: 1), Function(), AttemptOutcome.FunctionError, T0, Settings);
        var second = AsyncPolicy.Decide(Event(invokeCount: 2), Function(), AttemptOutcome.FunctionError, T0, Settings);
        var third = AsyncPolicy.Decide(Event(invokeCount: 3), Function(), AttemptOutcome.FunctionError, T0, Settings);

        Assert.Equal(AsyncDecision.RetryAfter(TimeSpan.FromMinutes(1)), first);
        Assert.Equal(AsyncDecision.RetryAfter(TimeSpan.FromMinutes(2)), second);
        Assert.Equal(AsyncDecision.Fail(DestinationConditions.RetriesExhausted), third);
    }

    [Fact]
    public void ZeroRetriesFailsAfterTheFirstError() =>
        Assert.Equal(AsyncDecisionKind.Failed, AsyncPolicy.Decide(Event(invokeCount: 1), Function(retries: 0), AttemptOutcome.FunctionError, T0, Settings).Kind);

    [Fact]
    public void TheLastDelayRepeatsWhenThereAreMoreRetriesThanDelays() =>
        Assert.Equal(TimeSpan.FromSeconds(3), AsyncPolicy.RetryDelay([TimeSpan.FromSeconds(3)], 1));

    [Fact]
    public void AThrottleConsumesNoRetryAndBacksOffExponentially()
    {
        var settings = new AsyncSettings { RetryDelays = [TimeSpan.FromMilliseconds(200)] };

        var decisions = Enumerable.Range(1, 4)
            .Select(n => AsyncPolicy.Decide(Event(invokeCount: 2, throttles: n), Function(retries: 0), AttemptOutcome.Throttled, T0, settings))
            .ToList();

        Assert.All(decisions, d => Assert.Equal(AsyncDecisionKind.Retry, d.Kind));
        Assert.Equal([200, 400, 800, 1600], decisions.Select(d => (int)d.Delay.TotalMilliseconds));
        Assert.Equal(TimeSpan.FromMinutes(5), AsyncPolicy.ThrottleDelay(settings, 60));
        Assert.Equal(TimeSpan.FromSeconds(1), AsyncPolicy.ThrottleDelay(Settings, 1));
    }

    [Fact]
    public void AThrottledEventPastItsMaximumAgeFailsWithEventAgeExceeded()
    {
        var now = T0 + TimeSpan.FromSeconds(61);

        var decision = AsyncPolicy.Decide(Event(throttles: 9), Function(maxAge: 60), AttemptOutcome.Throttled, now, Settings);

        Assert.Equal(AsyncDecision.Fail(DestinationConditions.EventAgeExceeded), decision);
        Assert.True(AsyncPolicy.IsTooOld(Event(), Function(maxAge: 60), now));
        Assert.False(AsyncPolicy.IsTooOld(Event(), Function(maxAge: 60), T0 + TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void AFailureRecordHasLambdasDestinationShape()
    {
        var error = DestinationRecord.ErrorJson(new FunctionErrorInfo("RuntimeError", "boom", ["  File \"/x.py\", line 1"]), "req-1");

        var json = DestinationRecord.Build(Event(invokeCount: 3), DestinationConditions.RetriesExhausted, T0, error, functionError: true);

        var record = JsonDocument.Parse(json).RootElement;
        Assert.Equal("1.0", record.GetProperty("version").GetString());
        Assert.Equal("2026-03-01T12:00:00.000Z", record.GetProperty("timestamp").GetString());
        var context = record.GetProperty("requestContext");
        Assert.Equal("req-1", context.GetProperty("requestId").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST", context.GetProperty("functionArn").GetString());
        Assert.Equal("RetriesExhausted", context.GetProperty("condition").GetString());
        Assert.Equal(3, context.GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal(2, record.GetProperty("requestPayload").GetProperty("k")[1].GetInt32());
        var response = record.GetProperty("responseContext");
        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.Equal("$LATEST", response.GetProperty("executedVersion").GetString());
        Assert.Equal("Unhandled", response.GetProperty("functionError").GetString());
        var payload = record.GetProperty("responsePayload");
        Assert.Equal("RuntimeError", payload.GetProperty("errorType").GetString());
        Assert.Equal("boom", payload.GetProperty("errorMessage").GetString());
        Assert.Equal("req-1", payload.GetProperty("requestId").GetString());
        Assert.Equal(JsonValueKind.Array, payload.GetProperty("stackTrace").ValueKind);
    }

    [Fact]
    public void ASuccessRecordCarriesTheResultWithoutFunctionError()
    {
        var json = DestinationRecord.Build(Event(invokeCount: 1), DestinationConditions.Success, T0, """{"ok":true}""", functionError: false);

        var record = JsonDocument.Parse(json).RootElement;
        Assert.Equal("Success", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.False(record.GetProperty("responseContext").TryGetProperty("functionError", out _));
        Assert.True(record.GetProperty("responsePayload").GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void ARecordOfAnEventThatNeverRanHasNoResponse()
    {
        var record = JsonDocument.Parse(DestinationRecord.Build(Event(), DestinationConditions.EventAgeExceeded, T0, null, false)).RootElement;

        Assert.Equal(0, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.False(record.TryGetProperty("responseContext", out _));
        Assert.False(record.TryGetProperty("responsePayload", out _));
    }

    [Fact]
    public void AnEventSurvivesAJsonRoundTrip()
    {
        var original = Event(invokeCount: 2, throttles: 1) with { LastError = """{"errorType":"X"}""", ClientContext = "e30=" };

        Assert.Equal(original, AsyncEvent.FromJson(original.ToJson()));
    }

    [Theory]
    [InlineData(-1, 21600, null)]
    [InlineData(3, 21600, null)]
    [InlineData(2, 59, null)]
    [InlineData(2, 21601, null)]
    [InlineData(2, 21600, "not a name!")]
    public void RejectsAsyncConfigurationOutOfRange(int retries, int maxAge, string? onFailure)
    {
        var definition = Function(retries, maxAge) with { OnFailure = onFailure };

        Assert.Equal(FaasErrorCode.InvalidArgument, Assert.Throws<FaasException>(() => FunctionLimits.ValidateDefinition(definition)).Code);
    }

    [Fact]
    public void AcceptsADeadLetterOrAFunctionAsDestination()
    {
        FunctionLimits.ValidateDefinition(Function(0, 60) with { OnFailure = FunctionLimits.DeadLetter, OnSuccess = "audit" });
        FunctionLimits.ValidateDefinition(Function() with { OnFailure = "failures" });
        Assert.Throws<FaasException>(() => FunctionLimits.ValidateDefinition(Function() with { OnSuccess = FunctionLimits.DeadLetter }));
    }

    [Fact]
    public void AnAsyncPayloadOverTheLimitIsRejectedWithLambdasMessage()
    {
        FunctionLimits.CheckAsyncPayloadSize(1_048_576);

        var e = Assert.Throws<FaasException>(() => FunctionLimits.CheckAsyncPayloadSize(1_048_577));

        Assert.Equal(FaasErrorCode.ResourceExhausted, e.Code);
        Assert.Equal("1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)", e.Message);
    }

    [Fact]
    public async Task TheMemoryQueueHoldsARetryUntilItIsDue()
    {
        var queue = new MemoryAsyncQueue();
        await queue.EnqueueAsync(Event());
        var first = Assert.Single(await queue.ReadAsync(10, TimeSpan.FromSeconds(1), CancellationToken.None));

        await queue.SettleAsync(first, new Settlement { Retry = first.Event with { InvokeCount = 1 }, RetryAt = T0 + TimeSpan.FromMinutes(1) });
        var early = await queue.PromoteDueAsync(T0 + TimeSpan.FromSeconds(59));
        var due = await queue.PromoteDueAsync(T0 + TimeSpan.FromMinutes(1));
        var retried = Assert.Single(await queue.ReadAsync(10, TimeSpan.FromSeconds(1), CancellationToken.None));

        Assert.Equal(0, early);
        Assert.Equal(1, due);
        Assert.Equal(("req-1", 1), (retried.Event.RequestId, retried.Event.InvokeCount));
    }

    [Fact]
    public async Task TheMemoryQueueKeepsDeadLettersPerFunction()
    {
        var queue = new MemoryAsyncQueue();
        await queue.EnqueueAsync(Event());
        var queued = Assert.Single(await queue.ReadAsync(1, TimeSpan.FromSeconds(1), CancellationToken.None));

        await queue.SettleAsync(queued, new Settlement
        {
            DeadLetter = new DeadLetterEntry("req-1", DestinationConditions.RetriesExhausted, T0, 3, "{}"),
            DeadLetterFunction = "fn",
        });

        Assert.Equal("req-1", Assert.Single(await queue.ListDeadLettersAsync("fn", 100)).RequestId);
        Assert.Empty(await queue.ListDeadLettersAsync("other", 100));
        Assert.Empty(await queue.ReadAsync(1, TimeSpan.FromMilliseconds(50), CancellationToken.None));
    }
}
