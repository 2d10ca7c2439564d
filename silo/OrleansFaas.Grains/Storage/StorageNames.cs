namespace OrleansFaas.Grains.Storage;

/// <summary>Names of the grain storage providers; grains name these constants, never string literals.</summary>
public static class StorageNames
{
    public const string Functions = "functions";
}
