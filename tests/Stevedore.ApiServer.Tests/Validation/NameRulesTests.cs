using Stevedore.ApiServer.Validation;

namespace Stevedore.ApiServer.Tests.Validation;

public class NameRulesTests
{
    private const string SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private const string LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    [Theory]
    [InlineData("web", "")]
    [InlineData("a.b-c", "")]
    [InlineData("Foo_Bar", SubdomainMessage)]
    [InlineData("-a", SubdomainMessage)]
    public void Dns1123Subdomain_Value_Messages(string value, string expected) =>
        Assert.Equal(expected, string.Join("|", NameRules.Dns1123Subdomain(value)));

    [Theory]
    [InlineData("web-1", "")]
    [InlineData("a.b", "must not contain dots")]
    [InlineData("Web", LabelMessage)]
    public void Dns1123Label_Value_Messages(string value, string expected) =>
        Assert.Equal(expected, string.Join("|", NameRules.Dns1123Label(value)));

    [Fact]
    public void Dns1123Label_TooLong_ReportsLength() =>
        Assert.Equal("must be no more than 63 characters", NameRules.Dns1123Label(new string('a', 64)).Single());

    [Theory]
    [InlineData("my-svc", 0)]
    [InlineData("1svc", 1)]
    public void Dns1035Label_Value_ErrorCount(string value, int count) =>
        Assert.Equal(count, NameRules.Dns1035Label(value).Count);

    [Theory]
    [InlineData("app", "")]
    [InlineData("example.com/app", "")]
    [InlineData("/app", "prefix part must be non-empty")]
    [InlineData("a/b/c", "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")]
    [InlineData("bad key", "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")]
    public void QualifiedName_Value_Messages(string value, string expected) =>
        Assert.Equal(expected, string.Join("|", NameRules.QualifiedName(value)));

    [Theory]
    [InlineData("", 0)]
    [InlineData("v1.2_x", 0)]
    [InlineData("-x", 1)]
    public void LabelValue_Value_ErrorCount(string value, int count) =>
        Assert.Equal(count, NameRules.LabelValue(value).Count);

    [Theory]
    [InlineData("app.properties", "")]
    [InlineData("..x", "must not start with '..'")]
    [InlineData("a b", "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")]
    public void ConfigMapKey_Value_Messages(string value, string expected) =>
        Assert.Equal(expected, string.Join("|", NameRules.ConfigMapKey(value)));

    [Theory]
    [InlineData("http", "")]
    [InlineData("8080", "must contain at least one letter (a-z)")]
    [InlineData("a--b", "must not contain consecutive hyphens")]
    [InlineData("very-long-port-name", "must be no more than 15 characters")]
    public void PortName_Value_Messages(string value, string expected) =>
        Assert.Equal(expected, string.Join("|", NameRules.PortName(value)));

    [Theory]
    [InlineData("system:admin", "")]
    [InlineData("a/b", "may not contain '/'")]
    [InlineData("..", "may not be '..'")]
    public void PathSegment_Value_Messages(string value, string expected) =>
        Assert.Equal(expected, string.Join("|", NameRules.PathSegment(value)));
}
