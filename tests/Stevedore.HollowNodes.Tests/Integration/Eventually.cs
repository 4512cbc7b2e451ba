namespace Stevedore.HollowNodes.Tests.Integration;

internal static class Eventually
{
    /// <summary>Polls until <paramref name="read"/> returns a value meeting <paramref name="condition"/>; a generous bound is a hang guard, not a timing assertion.</summary>
    public static async Task<T> MatchAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, int seconds = 30)
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
            await Task.Delay(50);
        }
    }
}
