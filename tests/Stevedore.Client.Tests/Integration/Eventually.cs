namespace Stevedore.Client.Tests.Integration;

internal static class Eventually
{
    /// <summary>Polls until the condition holds; fails after a generous bound (a hang guard, not a timing assertion).</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for: " + what);
            await Task.Delay(20);
        }
    }
}
