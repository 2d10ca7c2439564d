using Orleans.Placement;
using Orleans.Runtime.Placement;
using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Grains.Placement;

/// <summary>Places a grain on the silo its string key names (<c>SiloAddress.ToParsableString()</c>).</summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("faas.SiloTargetedPlacement")]
public sealed class SiloTargetedPlacement : PlacementStrategy
{
    public static readonly SiloTargetedPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloTargetedPlacementAttribute() : PlacementAttribute(SiloTargetedPlacement.Instance);

public sealed class SiloTargetedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString();
        var wanted = SiloAddress.FromParsableString(key);
        if (context.GetCompatibleSilos(target).Contains(wanted))
        {
            return Task.FromResult(wanted);
        }
        throw new FaasException(FaasErrorCode.Unavailable, $"Silo {key} is not an active member of the cluster.");
    }
}
