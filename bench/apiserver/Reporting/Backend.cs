namespace ApiServerBench.Reporting;

/// <summary>The stores a server can run on; each is measured side by side.</summary>
public enum Backend
{
    Sqlite,
    Etcd,
}
