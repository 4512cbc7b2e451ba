namespace Stevedore.Kubelet.NodeTests;

internal static class Eventually
{
    /// <summary>Polls until the value satisfies the condition; fails after a generous bound (a hang guard, not a timing assertion).</summary>
    public static async Task<T> GetAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for: " + what);
            await Task.Delay(200);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, int seconds = 90) =>
        await GetAsync(condition, v => v, what, seconds);
}
