using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Registry;

namespace Stevedore.Runtime.NodeTests;

public sealed class RegistryTests
{
    [RootFact]
    public async Task PushThenPullIntoEmptyDataDir_SameDigestsAndRuns()
    {
        await using var registry = await LocalRegistry.StartAsync();
        await using var source = new TestEngine();
        await source.ImportBusyboxAsync();
        var target = $"{registry.Host}/test/busybox:v1";
        var pushProgress = new List<BlobProgress>();

        var pushed = await source.Engine.PushAsync("busybox", target, new SyncProgress<BlobProgress>(pushProgress.Add), CancellationToken.None);

        await using var empty = new TestEngine();
        var pullProgress = new List<BlobProgress>();
        var pulled = await empty.Engine.PullAsync(target, new SyncProgress<BlobProgress>(pullProgress.Add), CancellationToken.None);
        var original = await source.Engine.InspectImageAsync("busybox", CancellationToken.None);

        Assert.Equal(original.ManifestDigest, pushed);
        Assert.Equal(original.ManifestDigest, pulled.ManifestDigest);
        Assert.Equal(original.ConfigDigest, pulled.ConfigDigest);
        Assert.Equal(original.Manifest.Layers.Select(l => l.Digest), pulled.Manifest.Layers.Select(l => l.Digest));
        Assert.Contains(pushProgress, p => p.Status == "Done");
        Assert.Contains(pullProgress, p => p.Status == "Downloading");

        var (record, stdout, _) = await empty.RunAsync(new ContainerOptions { Image = target, Command = ["echo", "pulled"], AutoRemove = true });
        Assert.Equal(0, record.ExitCode);
        Assert.Equal("pulled\n", stdout);

        // A second pull finds everything present.
        var again = new List<BlobProgress>();
        await empty.Engine.PullAsync(target, new SyncProgress<BlobProgress>(again.Add), CancellationToken.None);
        Assert.All(again, p => Assert.Equal("Exists", p.Status));
    }

    [RootFact]
    public async Task Push_Chunked_CommittedImageRoundTrips()
    {
        await using var registry = await LocalRegistry.StartAsync();
        await using var source = new TestEngine();
        await source.ImportBusyboxAsync();
        var (record, _, _) = await source.RunAsync(new ContainerOptions { Image = "busybox", Command = ["sh", "-c", "echo chunked > /marker"] });
        var committed = await source.Engine.CommitAsync(record.Id, $"{registry.Host}/test/committed:v2", CancellationToken.None);

        await source.Engine.PushAsync($"{registry.Host}/test/committed:v2", null, null, CancellationToken.None, chunkSize: 64 * 1024);
        await using var empty = new TestEngine();
        var pulled = await empty.Engine.PullAsync($"{registry.Host}/test/committed:v2", null, CancellationToken.None);

        Assert.Equal(committed.ManifestDigest, pulled.ManifestDigest);
        var (run, stdout, _) = await empty.RunAsync(new ContainerOptions { Image = $"{registry.Host}/test/committed:v2", Command = ["cat", "/marker"] });
        Assert.Equal("chunked\n", stdout);
        Assert.Equal(0, run.ExitCode);
    }

    [RootFact]
    public async Task PushPull_BasicAuthRegistry_AnswersChallengeWithConfiguredCredentials()
    {
        await using var registry = await LocalRegistry.StartAsync(basicAuth: true);
        await using var source = new TestEngine();
        await source.ImportBusyboxAsync();
        var target = $"{registry.Host}/private/busybox:v1";

        var anonymous = await Assert.ThrowsAsync<EngineException>(() => source.Engine.PushAsync("busybox", target, null, CancellationToken.None));
        Assert.Contains("username and password", anonymous.Message);

        var registriesYaml = Path.Combine(source.Root, "registries.yaml");
        await File.WriteAllTextAsync(registriesYaml, $"configs:\n  \"{registry.Host}\":\n    auth:\n      username: {LocalRegistry.User}\n      password: {LocalRegistry.Password}\n");
        source.Options.RegistryConfigPath = registriesYaml;
        var pushed = await source.Engine.PushAsync("busybox", target, null, CancellationToken.None);

        await using var empty = new TestEngine();
        empty.Options.RegistryConfigPath = registriesYaml;
        var pulled = await empty.Engine.PullAsync(target, null, CancellationToken.None);
        Assert.Equal(pushed, pulled.ManifestDigest);
    }

    [RootFact]
    public async Task Pull_ConnectionDroppedMidBlob_ResumesWithRangeAndVerifies()
    {
        await using var registry = await LocalRegistry.StartAsync();
        await using var source = new TestEngine();
        await source.ImportBusyboxAsync();
        await source.Engine.PushAsync("busybox", $"{registry.Host}/test/busybox:v1", null, CancellationToken.None);
        using var proxy = new FlakyProxy(registry.Host);

        await using var empty = new TestEngine();
        var pulled = await empty.Engine.PullAsync($"{proxy.Host}/test/busybox:v1", null, CancellationToken.None);

        var original = await source.Engine.InspectImageAsync("busybox", CancellationToken.None);
        Assert.Equal(original.ManifestDigest, pulled.ManifestDigest);
        Assert.Contains(proxy.Ranges, r => r.StartsWith("bytes=", StringComparison.Ordinal) && !r.StartsWith("bytes=0-", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(Path.Combine(empty.Options.DataDir, "content", "ingest")));
        var (record, stdout, _) = await empty.RunAsync(new ContainerOptions { Image = $"{proxy.Host}/test/busybox:v1", Command = ["echo", "resumed"], AutoRemove = true });
        Assert.Equal("resumed\n", stdout);
        Assert.Equal(0, record.ExitCode);
    }

    [RootFact]
    public async Task Pull_BearerChallenge_FetchesTokenFromRealmAndRetries()
    {
        await using var registry = await LocalRegistry.StartAsync();
        await using var source = new TestEngine();
        await source.ImportBusyboxAsync();
        await source.Engine.PushAsync("busybox", $"{registry.Host}/team/busybox:v1", null, CancellationToken.None);
        using var proxy = new FlakyProxy(registry.Host, breakBlobs: false, requireBearer: true);

        await using var empty = new TestEngine();
        var pulled = await empty.Engine.PullAsync($"{proxy.Host}/team/busybox:v1", null, CancellationToken.None);

        Assert.Equal((await source.Engine.InspectImageAsync("busybox", CancellationToken.None)).ManifestDigest, pulled.ManifestDigest);
        Assert.NotEmpty(proxy.TokenRequests);
        Assert.All(proxy.TokenRequests, q => Assert.Contains("service=flaky-proxy", q));
        Assert.Contains(proxy.TokenRequests, q => q.Contains("scope=repository%3Ateam%2Fbusybox%3Apull", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Pull_UnknownRepository_ThrowsNotFound()
    {
        await using var registry = await LocalRegistry.StartAsync();
        await using var empty = new TestEngine();

        var ex = await Assert.ThrowsAsync<EngineException>(() => empty.Engine.PullAsync($"{registry.Host}/nope/missing:v1", null, CancellationToken.None));

        Assert.Equal(EngineErrorKind.NotFound, ex.Kind);
        Assert.Empty(empty.Engine.Images.List());
    }

    /// <summary>Progress that reports on the caller's thread, so the lists are complete when the call returns.</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
