namespace Stevedore.Runtime.Containers;

/// <summary>Reads a CRI-format log file back, joining <c>P</c> fragments into whole lines.</summary>
public static class CriLogReader
{
    /// <summary>All complete lines of <paramref name="path"/> (or the last <paramref name="tail"/> when non-negative).</summary>
    public static IReadOnlyList<CriLogLine> ReadAll(string path, int tail = -1)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = Join(ReadLines(reader)).ToList();
        return tail >= 0 && lines.Count > tail ? lines[^tail..] : lines;
    }

    /// <summary>Joins fragments: a run of P lines of one stream ends with its F line.</summary>
    public static IEnumerable<CriLogLine> Join(IEnumerable<CriLogLine> raw)
    {
        var partial = new Dictionary<string, (DateTimeOffset Time, System.Text.StringBuilder Text)>();
        foreach (var line in raw)
        {
            if (line.Partial)
            {
                if (!partial.TryGetValue(line.Stream, out var acc))
                {
                    acc = (line.Time, new System.Text.StringBuilder());
                    partial[line.Stream] = acc;
                }

                acc.Text.Append(line.Content);
                continue;
            }

            if (partial.Remove(line.Stream, out var started))
            {
                yield return new CriLogLine(started.Time, line.Stream, false, started.Text.Append(line.Content).ToString());
            }
            else
            {
                yield return line;
            }
        }
    }

    private static IEnumerable<CriLogLine> ReadLines(StreamReader reader)
    {
        while (reader.ReadLine() is { } text)
        {
            if (CriLogLine.Parse(text) is { } line)
            {
                yield return line;
            }
        }
    }
}
