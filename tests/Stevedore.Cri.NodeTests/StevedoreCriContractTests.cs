namespace Stevedore.Cri.NodeTests;

/// <summary>The CRI contract against Stevedore's own CRI server.</summary>
public sealed class StevedoreCriContractTests(StevedoreCriFixture fixture) : CriContractTests(fixture), IClassFixture<StevedoreCriFixture>;
