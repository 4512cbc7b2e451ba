using System.Globalization;

namespace PodsBench.Infrastructure;

/// <summary>Samples the 1-minute load average in the background, so the table can say how busy the machine was.</summary>
public sealed class LoadAverage : IAsyncDisposable
{
    private readonly List<double> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoadAverage() => _loop = Task.Run(SampleAsync);

    public static double Now() => double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>"min–max" of the samples so far.</summary>
    public string Range
    {
        get
        {
            lock (_samples)
            {
                return _samples.Count == 0 ? "?" : $"{_samples.Min():0.0}–{_samples.Max():0.0}";
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            lock (_samples)
            {
                _samples.Add(Now());
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
