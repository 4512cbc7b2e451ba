using System.Globalization;

namespace Stevedore.Runtime.Containers;

/// <summary>Resolves docker's <c>user[:group]</c> strings against a root filesystem's /etc/passwd and /etc/group.</summary>
public static class UserResolver
{
    /// <summary>Resolves <paramref name="user"/> using the text of passwd and group (either may be empty).</summary>
    public static (uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids) Resolve(string? user, string passwd, string group)
    {
        if (string.IsNullOrEmpty(user))
        {
            user = "0";
        }

        var parts = user.Split(':', 2);
        var passwdEntries = passwd.Split('\n').Select(l => l.Split(':')).Where(f => f.Length >= 7).ToList();
        var groupEntries = group.Split('\n').Select(l => l.Split(':')).Where(f => f.Length >= 3).ToList();

        uint uid;
        uint gid;
        string? userName = null;
        if (uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out uid))
        {
            var entry = passwdEntries.FirstOrDefault(f => f[2] == parts[0]);
            gid = entry is not null && uint.TryParse(entry[3], CultureInfo.InvariantCulture, out var g) ? g : uid == 0 ? 0 : uid;
            userName = entry?[0];
        }
        else
        {
            var entry = passwdEntries.FirstOrDefault(f => f[0] == parts[0])
                ?? throw new EngineException(EngineErrorKind.InvalidArgument, $"unable to find user {parts[0]}: no matching entries in passwd file");
            uid = uint.Parse(entry[2], CultureInfo.InvariantCulture);
            gid = uint.Parse(entry[3], CultureInfo.InvariantCulture);
            userName = entry[0];
        }

        if (parts.Length == 2)
        {
            if (!uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out gid))
            {
                var entry = groupEntries.FirstOrDefault(f => f[0] == parts[1])
                    ?? throw new EngineException(EngineErrorKind.InvalidArgument, $"unable to find group {parts[1]}: no matching entries in group file");
                gid = uint.Parse(entry[2], CultureInfo.InvariantCulture);
            }
        }

        var additional = userName is null
            ? []
            : groupEntries
                .Where(f => f.Length >= 4 && f[3].Split(',').Contains(userName))
                .Select(f => uint.Parse(f[2], CultureInfo.InvariantCulture))
                .Where(g => g != gid)
                .Distinct()
                .ToList();
        return (uid, gid, additional);
    }
}
