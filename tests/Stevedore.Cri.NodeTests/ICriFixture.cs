namespace Stevedore.Cri.NodeTests;

/// <summary>A CRI runtime under test: a socket to talk to, with the test images present.</summary>
public interface ICriFixture
{
    /// <summary>The CRI unix socket.</summary>
    string SocketPath { get; }

    /// <summary>A scratch directory the tests may use (pod log directories).</summary>
    string ScratchDir { get; }

    /// <summary>An image in a loopback registry the runtime can pull and that it does not have yet.</summary>
    string PullableImage { get; }
}
