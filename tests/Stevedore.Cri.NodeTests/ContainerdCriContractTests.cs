namespace Stevedore.Cri.NodeTests;

/// <summary>The same CRI contract against Debian's containerd, the reference implementation.</summary>
public sealed class ContainerdCriContractTests(ContainerdFixture fixture) : CriContractTests(fixture), IClassFixture<ContainerdFixture>;
