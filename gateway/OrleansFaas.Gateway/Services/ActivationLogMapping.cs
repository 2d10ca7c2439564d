using OrleansFaas.Abstractions.Model;
using Proto = OrleansFaas.Api.V1;

namespace OrleansFaas.Gateway.Services;

/// <summary>Logs and activation records, between the cluster's records and the public API's messages.</summary>
public static class ActivationLogMapping
{
    public static Proto.GetLogsResponse ToApi(this LogPage page)
    {
        var response = new Proto.GetLogsResponse { Cursor = page.Cursor };
        response.Entries.AddRange(page.Entries.Select(e => new Proto.LogEntry
        {
            TimestampUnixMs = e.TimestampUnixMs,
            RequestId = e.RequestId,
            Text = e.Text,
        }));
        return response;
    }

    public static Proto.ListActivationsResponse ToApi(this IReadOnlyList<ActivationRecord> records)
    {
        var response = new Proto.ListActivationsResponse();
        response.Activations.AddRange(records.Select(a => new Proto.ActivationRecord
        {
            RequestId = a.RequestId,
            StartUnixMs = a.Start.ToUnixTimeMilliseconds(),
            DurationMs = a.DurationMs,
            BilledMs = a.BilledMs,
            MemoryMb = a.MemoryMb,
            MaxMemoryUsedMb = a.MaxMemoryUsedMb,
            InitDurationMs = a.InitDurationMs,
            ColdStart = a.ColdStart,
            Status = a.Status,
            ErrorType = a.ErrorType,
            Silo = a.Silo,
            InstanceId = a.InstanceId,
        }));
        return response;
    }
}
