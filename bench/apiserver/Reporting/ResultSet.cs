namespace ApiServerBench.Reporting;

/// <summary>Samples per backend and metric (one per run), rows kept in the order they were first reported.</summary>
public sealed class ResultSet
{
    private readonly List<Metric> _rows = [];
    private readonly Dictionary<(Backend, Metric), List<double>> _samples = [];

    public IReadOnlyList<Metric> Rows => _rows;

    public void Add(Backend backend, Metric metric, double value)
    {
        if (!_rows.Contains(metric))
        {
            _rows.Add(metric);
        }

        if (!_samples.TryGetValue((backend, metric), out var list))
        {
            _samples[(backend, metric)] = list = [];
        }

        list.Add(value);
    }

    public IReadOnlyList<double> Samples(Backend backend, Metric metric) =>
        _samples.TryGetValue((backend, metric), out var list) ? list : [];
}
