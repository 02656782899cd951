using Meterai.Gateway.Distributors;
using Meterai.Gateway.Settings;

namespace Meterai.Gateway.Tests.Distributors;

public sealed class RegistryFileTests
{
    private const string Path = "/etc/meterai/registry-under-test.json";
    private const int DefaultMax = 32;
    private const string Secret = "sk-live-UNIT-SECRET-123";

    private static IReadOnlyList<DistributorEntry> Parse(string json) => RegistryFile.Parse(json, Path, DefaultMax);

    private static string FaultOf(string json) => Assert.Throws<RegistryException>(() => Parse(json)).Message;

    /// <summary>A registry whose first entry is valid and whose second is <paramref name="second"/>.</summary>
    private static string WithSecondEntry(string second) =>
        $$"""{"distributors": [{"id": "d01", "baseUrl": "http://d01.example:8080/"}, {{second}}]}""";

    [Fact]
    public void Parse_ValidFile_ReadsEveryField()
    {
        var entries = Parse($$"""
            {
              // comments and trailing commas are tolerated
              "distributors": [
                {"id": "d01", "name": "PT Satu", "baseUrl": "https://one.example/", "apiKey": "{{Secret}}", "maxConcurrency": 8},
                {"id": "d02", "baseUrl": "http://two.example:9000"},
              ]
            }
            """);

        Assert.Equal(2, entries.Count);
        var first = entries[0];
        Assert.Equal("d01", first.Id);
        Assert.Equal("PT Satu", first.Name);
        Assert.Equal(new Uri("https://one.example/"), first.BaseUrl);
        Assert.Equal(Secret, first.ApiKey);
        Assert.Equal(8, first.MaxConcurrency);
        var second = entries[1];
        Assert.Equal("d02", second.Id);
        Assert.Null(second.ApiKey);
    }

    [Fact]
    public void Parse_NameMissing_UsesId()
    {
        var entry = Assert.Single(Parse("""{"distributors": [{"id": "d07", "baseUrl": "http://h:1/"}]}"""));

        Assert.Equal("d07", entry.Name);
    }

    [Fact]
    public void Parse_NameBlank_UsesId()
    {
        var entry = Assert.Single(Parse("""{"distributors": [{"id": "d07", "name": "  ", "baseUrl": "http://h:1/"}]}"""));

        Assert.Equal("d07", entry.Name);
    }

    [Fact]
    public void Parse_MaxConcurrencyMissing_UsesDefaultPassedIn()
    {
        var entry = Assert.Single(RegistryFile.Parse("""{"distributors": [{"id": "d01", "baseUrl": "http://h:1/"}]}""", Path, 17));

        Assert.Equal(17, entry.MaxConcurrency);
    }

    [Fact]
    public void Parse_MaxConcurrencyNull_UsesDefaultPassedIn()
    {
        var entry = Assert.Single(RegistryFile.Parse("""{"distributors": [{"id": "d01", "baseUrl": "http://h:1/", "maxConcurrency": null}]}""", Path, 17));

        Assert.Equal(17, entry.MaxConcurrency);
    }

    [Fact]
    public void Parse_EmptyApiKey_TreatedAsNoKey()
    {
        var entry = Assert.Single(Parse("""{"distributors": [{"id": "d01", "baseUrl": "http://h:1/", "apiKey": ""}]}"""));

        Assert.Null(entry.ApiKey);
    }

    [Theory]
    [InlineData("http://h:1", "http://h:1/", "http://h:1/orders")]
    [InlineData("http://h:1/", "http://h:1/", "http://h:1/orders")]
    [InlineData("http://h:1/api/v1", "http://h:1/api/v1/", "http://h:1/api/v1/orders")]
    [InlineData("http://h:1/api/v1/", "http://h:1/api/v1/", "http://h:1/api/v1/orders")]
    [InlineData("https://seller.example/gw", "https://seller.example/gw/", "https://seller.example/gw/orders")]
    public void Parse_BaseUrl_EndsWithSlashAndOrdersUriKeepsBasePath(string baseUrl, string expectedBase, string expectedOrders)
    {
        var entry = Assert.Single(Parse($$"""{"distributors": [{"id": "d01", "baseUrl": "{{baseUrl}}"}]}"""));

        Assert.Equal(expectedBase, entry.BaseUrl.AbsoluteUri);
        Assert.Equal(expectedOrders, entry.OrdersUri.AbsoluteUri);
    }

    [Theory]
    [InlineData("""{"distributors": [""")]
    [InlineData("""{"distributors": [{"id": "d01",, }]}""")]
    [InlineData("not json at all")]
    [InlineData("")]
    public void Parse_MalformedJson_ThrowsNamingFileAndJson(string json)
    {
        var message = FaultOf(json);

        Assert.Contains(Path, message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""[{"id": "d01", "baseUrl": "http://h:1/"}]""")]
    [InlineData("\"distributors\"")]
    [InlineData("42")]
    public void Parse_RootNotAnObject_ThrowsNamingFileAndShape(string json)
    {
        var message = FaultOf(json);

        Assert.Contains(Path, message, StringComparison.Ordinal);
        Assert.Contains("\"distributors\" array", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"distributor": []}""")]
    [InlineData("""{"distributors": null}""")]
    [InlineData("""{"distributors": {"id": "d01"}}""")]
    [InlineData("""{"distributors": "d01"}""")]
    public void Parse_DistributorsArrayMissingOrNotArray_ThrowsNamingFileAndShape(string json)
    {
        var message = FaultOf(json);

        Assert.Contains(Path, message, StringComparison.Ordinal);
        Assert.Contains("\"distributors\" array", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DistributorsArrayEmpty_ThrowsNamingFileAndEmpty()
    {
        var message = FaultOf("""{"distributors": []}""");

        Assert.Contains(Path, message, StringComparison.Ordinal);
        Assert.Contains("empty", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"d02\"")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("7")]
    public void Parse_EntryNotAnObject_ThrowsNamingEntryNumber(string entry)
    {
        var message = FaultOf(WithSecondEntry(entry));

        Assert.Contains(Path, message, StringComparison.Ordinal);
        Assert.Contains("entry 2:", message, StringComparison.Ordinal);
        Assert.Contains("not a JSON object", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"baseUrl": "http://h:1/"}""")]
    [InlineData("""{"id": null, "baseUrl": "http://h:1/"}""")]
    [InlineData("""{"id": "", "baseUrl": "http://h:1/"}""")]
    [InlineData("""{"id": "has space", "baseUrl": "http://h:1/"}""")]
    [InlineData("""{"id": "slash/id", "baseUrl": "http://h:1/"}""")]
    [InlineData("""{"id": "ünïcode", "baseUrl": "http://h:1/"}""")]
    [InlineData("""{"id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "baseUrl": "http://h:1/"}""")]
    public void Parse_IdMissingOrInvalid_ThrowsNamingEntryAndIdField(string entry)
    {
        var message = FaultOf(WithSecondEntry(entry));

        Assert.Contains(Path, message, StringComparison.Ordinal);
        Assert.Contains("entry 2:", message, StringComparison.Ordinal);
        Assert.Contains("\"id\" must be", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_IdNotAString_ThrowsNamingEntryAndIdField()
    {
        var message = FaultOf(WithSecondEntry("""{"id": 2, "baseUrl": "http://h:1/"}"""));

        Assert.Contains("entry 2:", message, StringComparison.Ordinal);
        Assert.Contains("\"id\" must be a string", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_IdOf64AllowedCharacters_Accepted()
    {
        var id = "A-z_0." + new string('x', 58);

        var entry = Assert.Single(Parse($$"""{"distributors": [{"id": "{{id}}", "baseUrl": "http://h:1/"}]}"""));

        Assert.Equal(id, entry.Id);
    }

    [Fact]
    public void Parse_IdWithTrailingNewline_Throws()
    {
        var message = FaultOf(WithSecondEntry("""{"id": "d02\n", "baseUrl": "http://h:1/"}"""));

        Assert.Contains("\"id\" must be", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BaseUrlWithCredentials_ThrowsWithoutEchoingThem()
    {
        var message = FaultOf(WithSecondEntry("""{"id": "d02", "baseUrl": "http://admin:hunter2-SECRET@h:1/"}"""));

        Assert.Contains("must not contain credentials", message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-SECRET", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateId_ThrowsNamingBothEntriesAndId()
    {
        var message = FaultOf("""
            {"distributors": [
              {"id": "d01", "baseUrl": "http://one:1/"},
              {"id": "d02", "baseUrl": "http://two:1/"},
              {"id": "d01", "baseUrl": "http://three:1/"}
            ]}
            """);

        Assert.Contains(Path, message, StringComparison.Ordinal);
        Assert.Contains("entry 3", message, StringComparison.Ordinal);
        Assert.Contains("entry 1", message, StringComparison.Ordinal);
        Assert.Contains("duplicate id 'd01'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_IdsDifferingOnlyInCase_AreDistinct()
    {
        var entries = Parse("""{"distributors": [{"id": "d01", "baseUrl": "http://h:1/"}, {"id": "D01", "baseUrl": "http://h:2/"}]}""");

        Assert.Equal(["d01", "D01"], entries.Select(e => e.Id));
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("/api/v1")]
    [InlineData("//host/api")]
    [InlineData("ftp://h:21/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://h:1/api?tenant=7")]
    [InlineData("http://h:1/api#frag")]
    [InlineData("")]
    public void Parse_BaseUrlNotAbsoluteHttp_ThrowsNamingEntryIdAndField(string baseUrl)
    {
        var message = FaultOf(WithSecondEntry($$"""{"id": "d02", "baseUrl": "{{baseUrl}}"}"""));

        Assert.Contains(Path, message, StringComparison.Ordinal);
        Assert.Contains("entry 2 ('d02')", message, StringComparison.Ordinal);
        Assert.Contains("\"baseUrl\"", message, StringComparison.Ordinal);
        Assert.Contains("absolute http(s) URL", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BaseUrlMissing_ThrowsNamingEntryIdAndField()
    {
        var message = FaultOf(WithSecondEntry("""{"id": "d02"}"""));

        Assert.Contains("entry 2 ('d02')", message, StringComparison.Ordinal);
        Assert.Contains("\"baseUrl\"", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BaseUrlNotAString_ThrowsNamingEntryIdAndField()
    {
        var message = FaultOf(WithSecondEntry("""{"id": "d02", "baseUrl": 8080}"""));

        Assert.Contains("entry 2 ('d02')", message, StringComparison.Ordinal);
        Assert.Contains("\"baseUrl\" must be a string", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("100001")]
    [InlineData("1.5")]
    [InlineData("\"x\"")]
    [InlineData("\"8\"")]
    [InlineData("true")]
    [InlineData("99999999999")]
    public void Parse_MaxConcurrencyInvalid_ThrowsNamingEntryIdAndField(string value)
    {
        var message = FaultOf(WithSecondEntry($$"""{"id": "d02", "baseUrl": "http://h:1/", "maxConcurrency": {{value}}}"""));

        Assert.Contains(Path, message, StringComparison.Ordinal);
        Assert.Contains("entry 2 ('d02')", message, StringComparison.Ordinal);
        Assert.Contains("\"maxConcurrency\" must be", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100_000)]
    public void Parse_MaxConcurrencyAtBounds_Accepted(int value)
    {
        var entry = Assert.Single(Parse($$"""{"distributors": [{"id": "d01", "baseUrl": "http://h:1/", "maxConcurrency": {{value}}}]}"""));

        Assert.Equal(value, entry.MaxConcurrency);
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("true")]
    [InlineData("[\"sk-live-UNIT-SECRET-123\"]")]
    [InlineData("{\"value\": \"sk-live-UNIT-SECRET-123\"}")]
    public void Parse_ApiKeyNotAString_ThrowsNamingFieldNotValue(string value)
    {
        var message = FaultOf(WithSecondEntry($$"""{"id": "d02", "baseUrl": "http://h:1/", "apiKey": {{value}}}"""));

        Assert.Contains(Path, message, StringComparison.Ordinal);
        Assert.Contains("entry 2 ('d02')", message, StringComparison.Ordinal);
        Assert.Contains("\"apiKey\" must be a string", message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id": "d02", "baseUrl": "ftp://h/", "apiKey": "sk-live-UNIT-SECRET-123"}""")]
    [InlineData("""{"id": "d02", "baseUrl": "http://h:1/", "apiKey": "sk-live-UNIT-SECRET-123", "maxConcurrency": 0}""")]
    [InlineData("""{"id": "d02", "baseUrl": "http://h:1/", "apiKey": "sk-live-UNIT-SECRET-123", "maxConcurrency": "x"}""")]
    [InlineData("""{"id": "d02", "baseUrl": "http://h:1/", "apiKey": "sk-live-UNIT-SECRET-123", "name": 5}""")]
    [InlineData("""{"id": "bad id", "baseUrl": "http://h:1/", "apiKey": "sk-live-UNIT-SECRET-123"}""")]
    [InlineData("""{"apiKey": "sk-live-UNIT-SECRET-123", "baseUrl": "http://h:1/"}""")]
    [InlineData("""{"id": "d01", "baseUrl": "http://h:2/", "apiKey": "sk-live-UNIT-SECRET-123"}""")]
    public void Parse_FaultyEntryWithApiKey_MessageNeverContainsKey(string entry)
    {
        var message = FaultOf(WithSecondEntry(entry));

        Assert.Contains("entry 2", message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FaultAfterValidEntryWithApiKey_MessageNeverContainsKey()
    {
        var message = FaultOf($$"""
            {"distributors": [
              {"id": "d01", "baseUrl": "http://h:1/", "apiKey": "{{Secret}}"},
              {"id": "d02", "baseUrl": "http://h:1/", "maxConcurrency": 0}
            ]}
            """);

        Assert.Contains("entry 2 ('d02')", message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MalformedJsonNearApiKey_MessageNeverContainsKey()
    {
        var message = FaultOf($$"""{"distributors": [{"id": "d01", "apiKey": "{{Secret}}" "baseUrl": "http://h:1/"}]}""");

        Assert.Contains("not valid JSON", message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, message, StringComparison.Ordinal);
    }

    [Fact]
    public void DistributorEntryToString_WithApiKey_NeverContainsKey()
    {
        var entry = new DistributorEntry("d01", "PT Satu", new Uri("http://h:1/api"), Secret, 8);

        var text = entry.ToString();

        Assert.Contains("d01", text, StringComparison.Ordinal);
        Assert.Contains("http://h:1/api/", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, $"{entry}", StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ThrowsNamingPath()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"meterai-missing-{Guid.NewGuid():N}.json");

        var message = Assert.Throws<RegistryException>(() => RegistryFile.Load(path, DefaultMax)).Message;

        Assert.Contains(path, message, StringComparison.Ordinal);
        Assert.Contains("cannot be read", message, StringComparison.Ordinal);
    }
}
