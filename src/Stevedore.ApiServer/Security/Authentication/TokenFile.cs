using System.Text;

namespace Stevedore.ApiServer.Security.Authentication;

/// <summary>
/// The upstream static token file (<c>--token-auth-file</c>): CSV records
/// <c>token,user,uid[,"group1,group2"]</c>. Blank lines are skipped, leading spaces of fields are
/// trimmed, fields may be double-quoted (<c>""</c> escapes a quote). Records with an empty
/// token are ignored; a later record with the same token wins.
/// </summary>
public static class TokenFile
{
    /// <summary>Parses the file's text.</summary>
    /// <exception cref="FormatException">A record has fewer than three fields or a quote is malformed.</exception>
    public static IReadOnlyList<StaticToken> Parse(string text)
    {
        var result = new List<StaticToken>();
        foreach (var (line, record) in ReadRecords(text))
        {
            if (record.Count < 3)
            {
                throw new FormatException(
                    $"token file line {line}: at least 3 columns (token, user name, user uid) are required, found {record.Count}");
            }

            if (record[0].Length == 0)
            {
                continue;
            }

            var groups = record.Count >= 4
                ? record[3].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                : [];
            var uid = record[2].Length == 0 ? null : record[2];
            result.Add(new StaticToken(record[0], new UserInfo(record[1], uid, groups)));
        }

        return result;
    }

    /// <summary>CSV records with the line each starts on (blank lines produce none).</summary>
    private static IEnumerable<(int Line, List<string> Fields)> ReadRecords(string text)
    {
        var line = 1;
        var position = 0;
        while (position < text.Length)
        {
            var startLine = line;
            var fields = new List<string>();
            var field = new StringBuilder();
            var atRecordEnd = false;
            while (!atRecordEnd)
            {
                // Leading spaces of a field are not part of it (TrimLeadingSpace).
                while (position < text.Length && text[position] is ' ' or '\t')
                {
                    position++;
                }

                if (position < text.Length && text[position] == '"')
                {
                    position++;
                    while (true)
                    {
                        if (position >= text.Length)
                        {
                            throw new FormatException($"token file line {startLine}: unterminated quoted field");
                        }

                        var c = text[position++];
                        if (c == '"')
                        {
                            if (position < text.Length && text[position] == '"')
                            {
                                field.Append('"');
                                position++;
                                continue;
                            }

                            break;
                        }

                        if (c == '\n')
                        {
                            line++;
                        }

                        field.Append(c);
                    }

                    if (position < text.Length && text[position] is not (',' or '\n' or '\r'))
                    {
                        throw new FormatException($"token file line {line}: unexpected text after a quoted field");
                    }
                }
                else
                {
                    while (position < text.Length && text[position] is not (',' or '\n' or '\r'))
                    {
                        if (text[position] == '"')
                        {
                            throw new FormatException($"token file line {line}: bare \" in an unquoted field");
                        }

                        field.Append(text[position++]);
                    }
                }

                fields.Add(field.ToString());
                field.Clear();
                if (position < text.Length && text[position] == ',')
                {
                    position++;
                    continue;
                }

                atRecordEnd = true;
                if (position < text.Length && text[position] == '\r')
                {
                    position++;
                }

                if (position < text.Length && text[position] == '\n')
                {
                    position++;
                    line++;
                }
            }

            var blank = fields.Count == 1 && fields[0].Length == 0;
            if (!blank)
            {
                yield return (startLine, fields);
            }
        }
    }
}
