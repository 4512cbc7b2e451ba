using Stevedore.Network.Netns;

namespace Stevedore.Network.NodeTests;

public sealed class NetworkNamespaceNodeTests
{
    [NodeFact]
    public void Create_PinsAFreshNamespace_RemoveDeletesIt()
    {
        var name = TestHost.UniqueName("stvns");
        var path = NetworkNamespace.Create(NetworkNamespace.DefaultDir, name);
        try
        {
            Assert.True(NetworkNamespace.IsPinned(path));
            // A fresh namespace holds only lo (/proc/net/dev: two header lines, then one line per interface).
            var inside = NetworkNamespace.Run(path, () => File.ReadAllLines("/proc/thread-self/net/dev"));
            Assert.Equal("lo", Assert.Single(inside.Skip(2)).Split(':')[0].Trim());
            Assert.NotEqual(
                new FileInfo("/proc/thread-self/ns/net").LinkTarget,
                NetworkNamespace.Run(path, () => new FileInfo("/proc/thread-self/ns/net").LinkTarget));

            Assert.Throws<IOException>(() => NetworkNamespace.Create(NetworkNamespace.DefaultDir, name));
        }
        finally
        {
            NetworkNamespace.Remove(path);
        }

        Assert.False(File.Exists(path));
        Assert.False(NetworkNamespace.IsPinned(path));
        NetworkNamespace.Remove(path);
    }

    [NodeFact]
    public void Run_MissingNamespace_Throws() =>
        Assert.Throws<IOException>(() => NetworkNamespace.Run("/run/netns/" + TestHost.UniqueName("stvnone"), () => 1));
}
