using System.Globalization;

namespace Stevedore.Runtime.Containers;

/// <summary>The engine's own hard rlimits (from /proc/self/limits): a container can never be given more.</summary>
public static class HostLimits
{
    private static readonly Dictionary<string, string> Names = new()
    {
        ["Max open files"] = "RLIMIT_NOFILE",
        ["Max processes"] = "RLIMIT_NPROC",
        ["Max core file size"] = "RLIMIT_CORE",
        ["Max locked memory"] = "RLIMIT_MEMLOCK",
        ["Max stack size"] = "RLIMIT_STACK",
    };

    /// <summary>Parses the text of /proc/&lt;pid&gt;/limits into hard limits by RLIMIT name ("unlimited" is left out).</summary>
    public static IReadOnlyDictionary<string, ulong> Parse(string limitsText)
    {
        var result = new Dictionary<string, ulong>();
        foreach (var line in limitsText.Split('\n'))
        {
            foreach (var (label, name) in Names)
            {
                if (!line.StartsWith(label, StringComparison.Ordinal))
                {
                    continue;
                }

                var fields = line[label.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 2 && ulong.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var hard))
                {
                    result[name] = hard;
                }
            }
        }

        return result;
    }

    /// <summary>This process's hard limits.</summary>
    public static IReadOnlyDictionary<string, ulong> Current() => Parse(File.ReadAllText("/proc/self/limits"));
}
