using System.Globalization;
using System.Text;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Http;

/// <summary>Prometheus text exposition of the API server's own gauges, named as upstream where one exists.</summary>
public static class ServerMetrics
{
    public static async Task<string> RenderAsync(ResourceCatalog catalog, ResourceRegistry registry, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var size = await registry.Store.GetDatabaseSizeAsync(cancellationToken);
        Gauge(text, "apiserver_storage_db_total_size_in_bytes", "Total size of the storage database file physically allocated in bytes.");
        text.Append("apiserver_storage_db_total_size_in_bytes ").Append(size.ToString(CultureInfo.InvariantCulture)).Append('\n');

        Gauge(text, "apiserver_storage_objects", "Number of stored objects at the time of last check split by kind.");
        foreach (var resource in catalog.All.Where(r => !r.IsVirtual))
        {
            var count = registry.Caches.For(resource).Count;
            text.Append("apiserver_storage_objects{resource=\"").Append(ApiException.Qualified(resource.Group, resource.Plural)).Append("\"} ")
                .Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        Gauge(text, "apiserver_registered_watchers", "Number of currently registered watchers for a given resource.");
        foreach (var resource in catalog.All.Where(r => !r.IsVirtual))
        {
            var watchers = registry.Caches.For(resource).WatcherCount;
            if (watchers > 0)
            {
                text.Append("apiserver_registered_watchers{resource=\"").Append(ApiException.Qualified(resource.Group, resource.Plural)).Append("\"} ")
                    .Append(watchers.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        Gauge(text, "apiserver_watch_cache_resource_version", "Current resource version of the watch cache.");
        text.Append("apiserver_watch_cache_resource_version ").Append(registry.Caches.Revision.ToString(CultureInfo.InvariantCulture)).Append('\n');

        Gauge(text, "process_resident_memory_bytes", "Resident memory size in bytes.");
        text.Append("process_resident_memory_bytes ").Append(Environment.WorkingSet.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    private static void Gauge(StringBuilder text, string name, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(" gauge\n");
}
