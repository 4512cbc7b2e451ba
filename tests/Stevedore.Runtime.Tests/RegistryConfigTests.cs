using Stevedore.Runtime.Registry;

namespace Stevedore.Runtime.Tests;

public sealed class RegistryConfigTests
{
    [Fact]
    public void AuthChallenge_Bearer_ParsesQuotedParameters()
    {
        var challenge = AuthChallenge.Parse("Bearer realm=\"https://auth.example.test/token\",service=\"registry.example.test\",scope=\"repository:library/busybox:pull\"");

        Assert.NotNull(challenge);
        Assert.Equal("Bearer", challenge!.Scheme);
        Assert.Equal("https://auth.example.test/token", challenge.Parameters["realm"]);
        Assert.Equal("registry.example.test", challenge.Parameters["service"]);
        Assert.Equal("repository:library/busybox:pull", challenge.Parameters["scope"]);
    }

    [Theory]
    [InlineData("Basic realm=\"Registry Realm\"", "Basic", "Registry Realm")]
    [InlineData("Basic realm=plain", "Basic", "plain")]
    [InlineData("Bearer realm=\"a\\\"b\"", "Bearer", "a\"b")]
    public void AuthChallenge_Variants_SchemeAndRealm(string header, string scheme, string realm)
    {
        var challenge = AuthChallenge.Parse(header)!;
        Assert.Equal(scheme, challenge.Scheme);
        Assert.Equal(realm, challenge.Parameters["realm"]);
    }

    [Fact]
    public void AuthChallenge_Empty_ReturnsNull()
    {
        Assert.Null(AuthChallenge.Parse(""));
        Assert.Null(AuthChallenge.Parse(null));
    }

    [Theory]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("127.9.8.7", true)]
    [InlineData("localhost:5000", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("registry.example.test", false)]
    [InlineData("10.0.0.1:5000", false)]
    public void IsPlainHttp_Loopback_OnlyLoopbackWithoutConfig(string host, bool plain)
    {
        Assert.Equal(plain, new RegistryConfig().IsPlainHttp(host));
    }

    [Fact]
    public void Parse_RegistriesYaml_MirrorsCredentialsAndInsecureHosts()
    {
        const string yaml = """
            mirrors:
              docker.io:
                endpoint:
                  - "http://127.0.0.1:5000"
            configs:
              "registry.example.test:5000":
                auth:
                  username: me
                  password: secret
                tls:
                  insecure_skip_verify: true
            """;

        var config = RegistryConfig.Parse(yaml);

        Assert.Equal(["http://127.0.0.1:5000/", "https://registry-1.docker.io/"], config.Endpoints("docker.io", "registry-1.docker.io").Select(u => u.ToString()));
        Assert.Equal(("me", "secret"), config.Credentials["registry.example.test:5000"]);
        Assert.True(config.IsPlainHttp("registry.example.test:5000"));
        Assert.Equal(["http://registry.example.test:5000/"], config.Endpoints("registry.example.test:5000", "registry.example.test:5000").Select(u => u.ToString()));
    }
}
