using System.IO.Compression;

namespace OrleansFaas.Cli;

/// <summary>Turns <c>--code DIR_OR_ZIP</c> into the zip bytes sent to the gateway.</summary>
internal static class CodePackage
{
    // A fixed timestamp (the zip format's earliest) and a sorted entry list make the zip a function
    // of the files' names and contents only, so redeploying unchanged code keeps its code_sha256.
    private static readonly DateTimeOffset FixedTimestamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // Include hidden files too: the default EnumerationOptions skip them.
    private static readonly EnumerationOptions AllEntries = new() { AttributesToSkip = 0, IgnoreInaccessible = false };

    public static byte[] Load(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                return ZipDirectory(path);
            }

            if (File.Exists(path))
            {
                return path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)
                    ? File.ReadAllBytes(path)
                    : throw new CliUsageException($"--code must be a directory or a .zip file: {path}");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"cannot read code at {path}: {ex.Message}", ex);
        }

        throw new CliUsageException($"cannot read code at {path}: no such file or directory");
    }

    /// <summary>
    /// Zips a directory's files under their relative paths ('/'-separated), in ordinal order,
    /// leaving out <c>__pycache__</c> directories and <c>*.pyc</c> files.
    /// </summary>
    public static byte[] ZipDirectory(string directory)
    {
        var files = new List<(string EntryName, string Path)>();
        Collect(new DirectoryInfo(directory), prefix: "", files);
        files.Sort((a, b) => string.CompareOrdinal(a.EntryName, b.EntryName));

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (entryName, path) in files)
            {
                var entry = zip.CreateEntry(entryName, CompressionLevel.Optimal);
                entry.LastWriteTime = FixedTimestamp;
                using var target = entry.Open();
                using var source = File.OpenRead(path);
                source.CopyTo(target);
            }
        }

        return buffer.ToArray();
    }

    private static void Collect(DirectoryInfo directory, string prefix, List<(string EntryName, string Path)> files)
    {
        foreach (var entry in directory.EnumerateFileSystemInfos("*", AllEntries))
        {
            switch (entry)
            {
                case DirectoryInfo subdirectory when subdirectory.Name != "__pycache__":
                    Collect(subdirectory, prefix + subdirectory.Name + "/", files);
                    break;
                case FileInfo file when !file.Name.EndsWith(".pyc", StringComparison.OrdinalIgnoreCase):
                    files.Add((prefix + file.Name, file.FullName));
                    break;
            }
        }
    }
}
