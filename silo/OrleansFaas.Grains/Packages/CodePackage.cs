using System.IO.Compression;
using System.Security.Cryptography;
using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Grains.Packages;

/// <summary>
/// Checks an uploaded zip against Lambda's package rules and names it by content: at most 50 MB zipped and
/// 250 MB unpacked, a readable zip, and no entry that would land outside the package root (zip-slip).
/// </summary>
public static class CodePackage
{
    /// <summary>Validates the zip; returns its sha256 (lowercase hex). Throws InvalidArgument otherwise.</summary>
    public static string Validate(byte[] zip, long maxZipped = FunctionLimits.MaxZippedBytes, long maxUnzipped = FunctionLimits.MaxUnzippedBytes)
    {
        if (zip.Length == 0)
        {
            throw FaasException.InvalidArgument("The code package is empty: deploy a directory or a .zip file.");
        }
        if (zip.Length > maxZipped)
        {
            throw FaasException.InvalidArgument($"Zipped size must be smaller than {maxZipped} bytes (got {zip.Length}).");
        }
        try
        {
            using var archive = new ZipArchive(new MemoryStream(zip, writable: false), ZipArchiveMode.Read);
            long total = 0;
            foreach (var entry in archive.Entries)
            {
                RelativePath(entry.FullName);
                total += CountBytes(entry, maxUnzipped - total);
                if (total > maxUnzipped)
                {
                    throw FaasException.InvalidArgument($"Unzipped size must be smaller than {maxUnzipped} bytes.");
                }
            }
        }
        catch (InvalidDataException)
        {
            throw FaasException.InvalidArgument("Could not unzip uploaded file. Please check your file, then try to upload again.");
        }
        return Convert.ToHexStringLower(SHA256.HashData(zip));
    }

    /// <summary>
    /// The entry's path relative to the package root, with '/' separators; InvalidArgument when it is absolute
    /// or climbs out of the root. Directory entries end with '/'.
    /// </summary>
    public static string RelativePath(string entryName)
    {
        var name = entryName.Replace('\\', '/');
        var parts = name.Split('/');
        if (name.StartsWith('/') || (name.Length > 1 && name[1] == ':') || parts.Any(p => p == ".."))
        {
            throw FaasException.InvalidArgument(
                $"The code package has an entry outside the package root: '{entryName}'.");
        }
        return name;
    }

    /// <summary>Reads an entry to count its real size (the header may lie), stopping past the budget.</summary>
    private static long CountBytes(ZipArchiveEntry entry, long budget)
    {
        if (entry.FullName.EndsWith('/'))
        {
            return 0;
        }
        using var stream = entry.Open();
        var buffer = new byte[81920];
        long count = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            count += read;
            if (count > budget)
            {
                break;
            }
        }
        return count;
    }

    /// <summary>Unpacks a validated zip into <paramref name="directory"/> (which must not exist yet).</summary>
    public static void Extract(byte[] zip, string directory)
    {
        var root = Path.GetFullPath(directory) + Path.DirectorySeparatorChar;
        Directory.CreateDirectory(root);
        using var archive = new ZipArchive(new MemoryStream(zip, writable: false), ZipArchiveMode.Read);
        foreach (var entry in archive.Entries)
        {
            var target = Path.GetFullPath(Path.Combine(root, RelativePath(entry.FullName)));
            if (!target.StartsWith(root, StringComparison.Ordinal))
            {
                throw FaasException.InvalidArgument($"The code package has an entry outside the package root: '{entry.FullName}'.");
            }
            if (entry.FullName.EndsWith('/'))
            {
                Directory.CreateDirectory(target);
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            entry.ExtractToFile(target, overwrite: true);
        }
    }
}
