using System.Text;

namespace Stevedore.Kubelet.Volumes;

/// <summary>One line of <c>/proc/self/mountinfo</c>: where something is mounted and what.</summary>
public sealed record MountEntry(string MountPoint, string FileSystemType, string Source);

/// <summary>Reads <c>/proc/self/mountinfo</c>, the kernel's own list of mounts (octal escapes such as <c>\040</c> decoded).</summary>
public static class MountTable
{
    public static IReadOnlyList<MountEntry> Parse(string mountinfo)
    {
        var entries = new List<MountEntry>();
        foreach (var line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 6 || separator + 2 >= fields.Length)
            {
                continue;
            }

            entries.Add(new MountEntry(Unescape(fields[4]), fields[separator + 1], Unescape(fields[separator + 2])));
        }

        return entries;
    }

    public static IReadOnlyList<MountEntry> Current() => Parse(File.ReadAllText("/proc/self/mountinfo"));

    /// <summary>Mount points at or beneath <paramref name="directory"/>, deepest first (the order to unmount them in).</summary>
    public static IReadOnlyList<string> MountPointsUnder(IEnumerable<MountEntry> mounts, string directory) =>
        [.. mounts.Select(m => m.MountPoint)
            .Where(p => VolumePathRules.IsWithin(directory, p))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(p => p.Count(c => c == '/'))
            .ThenByDescending(p => p, StringComparer.Ordinal)];

    public static bool IsMountPoint(IEnumerable<MountEntry> mounts, string path) => mounts.Any(m => m.MountPoint == path.TrimEnd('/'));

    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var bytes = new List<byte>(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                bytes.Add((byte)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(field[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static bool IsOctal(string s, int start) =>
        start + 3 <= s.Length && s[start] is >= '0' and <= '7' && s[start + 1] is >= '0' and <= '7' && s[start + 2] is >= '0' and <= '7';
}
