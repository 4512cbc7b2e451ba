namespace Stevedore.Runtime.Registry;

/// <summary>Progress of one blob during a pull or push.</summary>
/// <param name="Digest">The blob.</param>
/// <param name="Done">Bytes transferred so far.</param>
/// <param name="Total">The blob size.</param>
/// <param name="Status">Waiting, Downloading, Uploading, Exists, Done.</param>
public sealed record BlobProgress(string Digest, long Done, long Total, string Status);
