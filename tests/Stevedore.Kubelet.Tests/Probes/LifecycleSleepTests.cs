using k8s.Models;
using Stevedore.Kubelet.Probes;

namespace Stevedore.Kubelet.Tests.Probes;

public sealed class LifecycleSleepTests
{
    [Fact]
    public async Task RunAsync_SleepHandler_EndsExactlyWhenTheClockHasMovedOn()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var runner = new LifecycleHookRunner(new NoExec(), time);
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = "u" } };

        var sleeping = runner.RunAsync(pod, new V1Container { Name = "app" }, "c1", new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = 5 } }, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(sleeping.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Null(await sleeping.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task RunAsync_NoAction_CannotRunHandler()
    {
        using var runner = new LifecycleHookRunner(new NoExec());
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = "u" } };

        var message = await runner.RunAsync(pod, new V1Container { Name = "app" }, "c1", new V1LifecycleHandler(), CancellationToken.None);

        Assert.Equal("Cannot run handler: invalid handler: it has none of exec, httpGet and sleep", message);
    }

    private sealed class NoExec : IContainerExec
    {
        public Task<ExecOutcome> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("no exec expected");
    }
}
