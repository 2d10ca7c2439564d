using System.Globalization;
using Google.Protobuf;
using OrleansFaas.Abstractions.Model;
using Proto = OrleansFaas.Api.V1;

namespace OrleansFaas.Gateway.Services;

/// <summary>Between the public API's messages and the cluster's records.</summary>
public static class ApiMapping
{
    public static Proto.FunctionConfiguration ToApi(this FunctionDefinition d)
    {
        var config = new Proto.FunctionConfiguration
        {
            Name = d.Name,
            Runtime = d.Runtime,
            Handler = d.Handler,
            MemoryMb = d.MemoryMb,
            TimeoutSeconds = d.TimeoutSeconds,
            CodeSha256 = d.CodeSha256,
            CodeSize = d.CodeSize,
            Version = d.Version,
            RevisionId = d.RevisionId,
            LastModified = d.LastModified.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture),
            Arn = FunctionArn.For(d.Name),
            ProvisionedConcurrency = d.ProvisionedConcurrency,
            MaximumRetryAttempts = d.MaximumRetryAttempts,
            MaximumEventAgeSeconds = d.MaximumEventAgeSeconds,
            OnFailure = d.OnFailure ?? "",
            OnSuccess = d.OnSuccess ?? "",
        };
        if (d.ReservedConcurrency is { } reserved)
        {
            config.ReservedConcurrency = reserved;
        }
        config.Environment.Add(d.Environment.ToDictionary());
        return config;
    }

    public static Proto.BillingSummary ToApi(this BillingSummary b)
    {
        var summary = new Proto.BillingSummary
        {
            Function = b.Function,
            Invocations = b.Invocations,
            BilledMs = b.BilledMs,
            GbSeconds = b.GbSeconds,
            Cost = b.Cost,
            RequestCost = b.RequestCost,
            ComputeCost = b.ComputeCost,
            GranularityMs = b.GranularityMs,
        };
        summary.Days.AddRange(b.Days.Select(d => new Proto.BillingDay
        {
            Date = d.Date,
            Invocations = d.Invocations,
            BilledMs = d.BilledMs,
            GbSeconds = d.GbSeconds,
            Cost = d.Cost,
        }));
        return summary;
    }

    public static Proto.DeadLetter ToApi(this DeadLetterEntry e) => new()
    {
        RequestId = e.RequestId,
        Condition = e.Condition,
        Timestamp = e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        ApproximateInvokeCount = e.ApproximateInvokeCount,
        Record = e.Record,
    };

    public static Proto.InvokeResponse ToApi(this InvocationResult r)
    {
        var response = new Proto.InvokeResponse
        {
            RequestId = r.RequestId,
            Payload = UnsafeByteOperations.UnsafeWrap(r.Payload),
            Logs = r.Logs,
            DurationMs = r.DurationMs,
            BilledMs = r.BilledMs,
            InitDurationMs = r.InitDurationMs,
            ColdStart = r.ColdStart,
            Silo = r.Silo,
            InstanceId = r.InstanceId,
            MaxMemoryUsedMb = r.MaxMemoryUsedMb,
            ExecutedVersion = r.ExecutedVersion,
            ColdStartSource = r.ColdStartSource,
            LogResult = r.LogResult,
        };
        if (r.Error is { } error)
        {
            response.Error = new Proto.FunctionError { ErrorType = error.ErrorType, ErrorMessage = error.ErrorMessage };
            response.Error.StackTrace.AddRange(error.StackTrace);
        }
        return response;
    }
}
