using System.Text;

namespace Stevedore.Storage;

/// <summary>
/// Key-range arithmetic shared by the backends. Keys compare as UTF-8 bytes (etcd's order,
/// and SQLite's BINARY collation), so range ends are computed on bytes.
/// </summary>
internal static class KeyRanges
{
    /// <summary>
    /// The smallest byte string greater than every key starting with <paramref name="prefix"/>,
    /// or null when no such bound exists (empty prefix or all 0xFF bytes): the range is open-ended.
    /// </summary>
    public static byte[]? PrefixEnd(ReadOnlySpan<byte> prefix)
    {
        for (int i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] < 0xFF)
            {
                byte[] end = prefix[..(i + 1)].ToArray();
                end[i]++;
                return end;
            }
        }

        return null;
    }

    /// <summary>
    /// The string form of <see cref="PrefixEnd(ReadOnlySpan{byte})"/> for SQLite text columns.
    /// Incrementing the last UTF-16 code unit keeps byte order for every key that is not
    /// built from surrogate pairs or U+FFFF, which covers every key the API server writes.
    /// </summary>
    public static string? PrefixEnd(string prefix)
    {
        for (int i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] < char.MaxValue)
            {
                return string.Concat(prefix.AsSpan(0, i), new string((char)(prefix[i] + 1), 1));
            }
        }

        return null;
    }

    /// <summary>
    /// The lower bound of a range read: the prefix itself, or just past
    /// <paramref name="startAfterKey"/> when paging has moved beyond the prefix start.
    /// </summary>
    /// <returns>The bound and whether it is exclusive.</returns>
    public static (string Bound, bool Exclusive) LowerBound(string prefix, string? startAfterKey) =>
        startAfterKey is not null && string.CompareOrdinal(startAfterKey, prefix) >= 0
            ? (startAfterKey, true)
            : (prefix, false);

    public static byte[] Utf8(string key) => Encoding.UTF8.GetBytes(key);
}
