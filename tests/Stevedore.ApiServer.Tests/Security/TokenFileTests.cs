using Stevedore.ApiServer.Security.Authentication;

namespace Stevedore.ApiServer.Tests.Security;

public sealed class TokenFileTests
{
    [Theory]
    [InlineData("t1,alice,uid-1", "t1", "alice", "uid-1", "")]
    [InlineData("t1,alice,uid-1,\"dev,ops\"", "t1", "alice", "uid-1", "dev|ops")]
    [InlineData("t1, alice, uid-1, \"dev, ops\"", "t1", "alice", "uid-1", "dev|ops")]
    [InlineData("t1,alice,uid-1,single", "t1", "alice", "uid-1", "single")]
    [InlineData("t1,alice,,\"\"", "t1", "alice", null, "")]
    [InlineData("\"to,ken\",\"al\"\"ice\",u", "to,ken", "al\"ice", "u", "")]
    [InlineData("t1,alice,uid-1,dev,ignored-extra-column", "t1", "alice", "uid-1", "dev")]
    [InlineData("t1,alice,uid-1\r\n", "t1", "alice", "uid-1", "")]
    public void Parse_OneRecord_YieldsTokenAndUser(string text, string token, string user, string? uid, string groups)
    {
        var entry = Assert.Single(TokenFile.Parse(text));

        Assert.Equal(token, entry.Token);
        Assert.Equal(user, entry.User.Name);
        Assert.Equal(uid, entry.User.Uid);
        Assert.Equal(groups.Length == 0 ? [] : groups.Split('|'), entry.User.Groups);
    }

    [Fact]
    public void Parse_BlankLinesAndEmptyTokens_AreSkipped()
    {
        var entries = TokenFile.Parse("\n a,alice,1\n\n,nobody,2\nb,bob,3,\"x,y\"\n");

        Assert.Equal(["a", "b"], entries.Select(e => e.Token));
        Assert.Equal(["x", "y"], entries[1].User.Groups);
    }

    [Fact]
    public void Parse_QuotedFieldAcrossLines_KeepsTheNewLine()
    {
        var entry = Assert.Single(TokenFile.Parse("t,alice,1,\"a,\nb\""));

        Assert.Equal(["a", "b"], entry.User.Groups);
    }

    [Theory]
    [InlineData("t1,alice")]
    [InlineData("ok,a,1\nt1")]
    [InlineData("t1,alice,\"uid")]
    [InlineData("t1,al\"ice,uid")]
    [InlineData("t1,\"alice\"x,uid")]
    public void Parse_MalformedRecord_Throws(string text)
    {
        Assert.Throws<FormatException>(() => TokenFile.Parse(text));
    }
}
