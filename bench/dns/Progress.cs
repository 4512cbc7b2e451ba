namespace DnsBench;

/// <summary>Progress lines on standard error (the table alone goes to standard output).</summary>
public static class Progress
{
    public static void Write(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
