namespace PodsBench;

/// <summary>Progress lines on standard error, so standard output carries only the result table.</summary>
public static class Progress
{
    public static void Write(string message) => Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} {message}");
}
