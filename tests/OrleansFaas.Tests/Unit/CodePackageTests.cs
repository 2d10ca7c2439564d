using System.IO.Compression;
using System.Security.Cryptography;
using OrleansFaas.Abstractions.Model;
using OrleansFaas.Grains.Packages;

namespace OrleansFaas.Tests.Unit;

public class CodePackageTests
{
    internal static byte[] Zip(params (string Name, string Content)[] entries)
    {
        using var memory = new MemoryStream();
        using (var archive = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var writer = new StreamWriter(archive.CreateEntry(name).Open());
                writer.Write(content);
            }
        }
        return memory.ToArray();
    }

    [Fact]
    public void NamesAValidPackageByItsSha256()
    {
        var zip = Zip(("app.py", "def handler(e, c):\n    return 1\n"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(zip)), CodePackage.Validate(zip));
    }

    [Theory]
    [InlineData("../evil.py")]
    [InlineData("a/../../evil.py")]
    [InlineData("/etc/evil.py")]
    public void RejectsEntriesOutsideThePackageRoot(string entry)
    {
        var e = Assert.Throws<FaasException>(() => CodePackage.Validate(Zip((entry, "x"))));
        Assert.Equal(FaasErrorCode.InvalidArgument, e.Code);
        Assert.Contains("outside the package root", e.Message);
    }

    [Fact]
    public void RejectsBytesThatAreNotAZip()
    {
        var e = Assert.Throws<FaasException>(() => CodePackage.Validate("not a zip at all"u8.ToArray()));
        Assert.Contains("Could not unzip uploaded file", e.Message);
    }

    [Fact]
    public void RejectsAnEmptyPackage() =>
        Assert.Throws<FaasException>(() => CodePackage.Validate([]));

    [Fact]
    public void RejectsAZipLargerThanTheZippedLimit()
    {
        var zip = Zip(("app.py", new string('x', 10)));
        var e = Assert.Throws<FaasException>(() => CodePackage.Validate(zip, maxZipped: zip.Length - 1));
        Assert.Contains("Zipped size must be smaller than", e.Message);
    }

    [Fact]
    public void RejectsAPackageLargerThanTheUnzippedLimitEvenWhenItCompressesWell()
    {
        var zip = Zip(("big.txt", new string('x', 200_000)));
        var e = Assert.Throws<FaasException>(() => CodePackage.Validate(zip, maxUnzipped: 100_000));
        Assert.Contains("Unzipped size must be smaller than 100000 bytes", e.Message);
    }

    [Fact]
    public void ExtractsNestedFoldersUnderTheTarget()
    {
        var dir = Path.Combine(Path.GetTempPath(), "faas-pkg-" + Guid.NewGuid().ToString("N"));
        try
        {
            CodePackage.Extract(Zip(("pkg/mod.py", "X = 1"), ("app.py", "Y = 2")), dir);
            Assert.Equal("X = 1", File.ReadAllText(Path.Combine(dir, "pkg", "mod.py")));
            Assert.Equal("Y = 2", File.ReadAllText(Path.Combine(dir, "app.py")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
