using Stevedore.Storage.Etcd;
using Stevedore.Storage.Sqlite;

namespace Stevedore.Storage.Tests;

public sealed class StoreFactoryTests
{
    [Theory]
    [InlineData("etcd://h1:2379,h2:2380", new[] { "h1:2379", "h2:2380" })]
    [InlineData("etcd://h1", new[] { "h1:2379" })]
    [InlineData("etcd://127.0.0.1:1234/", new[] { "127.0.0.1:1234" })]
    public void ParseEtcdEndpoints_ValidList_ReturnsHostPorts(string datastore, string[] expected)
    {
        Assert.Equal(expected, StoreFactory.ParseEtcdEndpoints(datastore["etcd://".Length..], datastore));
    }

    [Theory]
    [InlineData("postgres://db")]
    [InlineData("sqlite://relative.db")]
    [InlineData("etcd://")]
    [InlineData("etcd://h1:notaport")]
    [InlineData("")]
    public void Open_UnsupportedDatastore_ThrowsArgumentException(string datastore)
    {
        Assert.Throws<ArgumentException>(() => StoreFactory.Open(datastore, "/tmp"));
    }

    [Fact]
    public async Task Open_Sqlite_UsesStateDbInDataDir()
    {
        string directory = Directory.CreateTempSubdirectory("stevedore-factory-").FullName;
        try
        {
            await using (var store = StoreFactory.Open("sqlite", directory))
            {
                Assert.IsType<SqliteStore>(store);
                await store.CreateAsync("/x", new byte[] { 1 }, 0, CancellationToken.None);
            }

            Assert.True(File.Exists(Path.Combine(directory, "state.db")));
            string explicitPath = Path.Combine(directory, "other", "my.db");
            await using (var store = StoreFactory.Open("sqlite://" + explicitPath, "/unused"))
            {
                Assert.Equal(explicitPath, ((SqliteStore)store).FilePath);
            }

            Assert.True(File.Exists(explicitPath));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Open_Etcd_ReturnsEtcdStore()
    {
        await using var store = StoreFactory.Open("etcd://127.0.0.1:2379", "/unused");

        Assert.IsType<EtcdStore>(store);
    }
}
