namespace Thermo.Tests.Cluster;

/// <summary>The tests that share one <see cref="SlurmCluster"/>; they run one after another.</summary>
[CollectionDefinition("Slurm")]
public sealed class SlurmCollection : ICollectionFixture<SlurmCluster>;
