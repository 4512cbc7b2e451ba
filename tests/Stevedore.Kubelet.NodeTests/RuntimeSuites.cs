namespace Stevedore.Kubelet.NodeTests;

// Every node suite runs twice: against Stevedore's engine and against Debian's containerd.

[CollectionDefinition(Name)]
public sealed class StevedoreNode : ICollectionFixture<StevedoreNodeFixture>
{
    public const string Name = "node on stevedore";
}

[CollectionDefinition(Name)]
public sealed class ContainerdNode : ICollectionFixture<ContainerdNodeFixture>
{
    public const string Name = "node on containerd";
}

[Collection(StevedoreNode.Name)]
public sealed class StevedorePodLifecycleTests(StevedoreNodeFixture node) : PodLifecycleTests(node);

[Collection(ContainerdNode.Name)]
public sealed class ContainerdPodLifecycleTests(ContainerdNodeFixture node) : PodLifecycleTests(node);

[Collection(StevedoreNode.Name)]
public sealed class StevedoreNodeAndRestartTests(StevedoreNodeFixture node) : NodeAndRestartTests(node);

[Collection(ContainerdNode.Name)]
public sealed class ContainerdNodeAndRestartTests(ContainerdNodeFixture node) : NodeAndRestartTests(node);

[Collection(StevedoreNode.Name)]
public sealed class StevedoreStaticPodTests(StevedoreNodeFixture node) : StaticPodTests(node);

[Collection(ContainerdNode.Name)]
public sealed class ContainerdStaticPodTests(ContainerdNodeFixture node) : StaticPodTests(node);

[Collection(StevedoreNode.Name)]
public sealed class StevedoreContainerSettingsTests(StevedoreNodeFixture node) : ContainerSettingsTests(node);

[Collection(ContainerdNode.Name)]
public sealed class ContainerdContainerSettingsTests(ContainerdNodeFixture node) : ContainerSettingsTests(node);

[Collection(StevedoreNode.Name)]
public sealed class StevedoreLogRotationTests(StevedoreNodeFixture node) : LogRotationTests(node);

[Collection(ContainerdNode.Name)]
public sealed class ContainerdLogRotationTests(ContainerdNodeFixture node) : LogRotationTests(node);
