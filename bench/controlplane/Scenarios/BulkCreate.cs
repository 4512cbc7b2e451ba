using ControlPlaneBench.Infrastructure;

namespace ControlPlaneBench.Scenarios;

/// <summary>Creates many objects with a fixed number of concurrent clients (closed loop).</summary>
public static class BulkCreate
{
    /// <summary>Creates <paramref name="count"/> objects, object i from <paramref name="body"/>(i); returns how many succeeded.</summary>
    public static async Task<int> RunAsync(ClusterApi api, string collectionPath, int count, int clients, Func<int, byte[]> body, CancellationToken cancellationToken)
    {
        var next = -1;
        var created = 0;
        var workers = Enumerable.Range(0, Math.Min(clients, count)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                if (await api.TryCreateAsync(collectionPath, body(i), cancellationToken))
                {
                    Interlocked.Increment(ref created);
                }
            }
        });
        await Task.WhenAll(workers);
        return created;
    }
}
