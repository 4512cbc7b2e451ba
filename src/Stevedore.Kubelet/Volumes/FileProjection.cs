namespace Stevedore.Kubelet.Volumes;

/// <summary>One file of a configMap, secret, downwardAPI or projected volume: its bytes and permission bits.</summary>
public sealed record FileProjection(byte[] Data, int Mode)
{
    public bool ContentEquals(FileProjection other) => Mode == other.Mode && Data.AsSpan().SequenceEqual(other.Data);
}
