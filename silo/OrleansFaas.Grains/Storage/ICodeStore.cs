namespace OrleansFaas.Grains.Storage;

/// <summary>Code packages (zip bytes) stored content-addressed by their sha256 (hex).</summary>
public interface ICodeStore
{
    Task PutAsync(string sha256, byte[] zip);

    /// <summary>The package, or null when no package has that hash.</summary>
    Task<byte[]?> GetAsync(string sha256);
}
