using OrleansFaas.Abstractions.Model;

namespace OrleansFaas.Tests.Unit;

public class FunctionLimitsTests
{
    private static FunctionDefinition Valid() => new()
    {
        Name = "fn",
        Handler = "app.handler",
        CodeSha256 = "00",
        RevisionId = "r1",
    };

    [Theory]
    [InlineData("hello")]
    [InlineData("My_Function-2")]
    [InlineData("a")]
    public void AcceptsLambdaFunctionNames(string name) => FunctionLimits.ValidateName(name);

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("dots.are.not.allowed")]
    [InlineData("slash/name")]
    [InlineData("x12345678901234567890123456789012345678901234567890123456789012345")]
    public void RejectsInvalidNamesWithInvalidArgument(string name)
    {
        var e = Assert.Throws<FaasException>(() => FunctionLimits.ValidateName(name));
        Assert.Equal(FaasErrorCode.InvalidArgument, e.Code);
        Assert.Contains("1 to 64", e.Message);
    }

    [Theory]
    [InlineData(127)]
    [InlineData(10241)]
    public void RejectsMemoryOutsideLambdaRange(int memory)
    {
        var e = Assert.Throws<FaasException>(() => FunctionLimits.ValidateDefinition(Valid() with { MemoryMb = memory }));
        Assert.Contains("between 128 and 10240 MB", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(901)]
    public void RejectsTimeoutOutsideLambdaRange(int timeout)
    {
        var e = Assert.Throws<FaasException>(() => FunctionLimits.ValidateDefinition(Valid() with { TimeoutSeconds = timeout }));
        Assert.Contains("between 1 and 900 seconds", e.Message);
    }

    [Fact]
    public void AcceptsTheLimitsThemselves()
    {
        FunctionLimits.ValidateDefinition(Valid() with { MemoryMb = 128, TimeoutSeconds = 1 });
        FunctionLimits.ValidateDefinition(Valid() with { MemoryMb = 10240, TimeoutSeconds = 900 });
    }

    [Theory]
    [InlineData("")]
    [InlineData("app handler")]
    public void RejectsMissingOrBlankHandler(string handler) =>
        Assert.Throws<FaasException>(() => FunctionLimits.ValidateDefinition(Valid() with { Handler = handler }));

    [Theory]
    [InlineData("AWS_REGION")]
    [InlineData("AWS_LAMBDA_FUNCTION_NAME")]
    [InlineData("1BAD")]
    public void RejectsReservedOrMalformedEnvironmentKeys(string key) =>
        Assert.Throws<FaasException>(() => FunctionLimits.ValidateEnvironment(new Dictionary<string, string> { [key] = "x" }));

    [Fact]
    public void RejectsEnvironmentOverFourKilobytes()
    {
        var e = Assert.Throws<FaasException>(() =>
            FunctionLimits.ValidateEnvironment(new Dictionary<string, string> { ["BIG"] = new string('x', 5000) }));
        Assert.Contains("4KB", e.Message);
    }
}
