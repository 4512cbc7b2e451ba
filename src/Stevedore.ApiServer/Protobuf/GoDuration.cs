using System.Globalization;
using System.Text;

namespace Stevedore.ApiServer.Protobuf;

/// <summary>
/// Go's <c>time.Duration</c> text form, which metav1.Duration uses in JSON ("1h0m0s", "1.5s", "300ms").
/// </summary>
internal static class GoDuration
{
    private const long Microsecond = 1_000;
    private const long Millisecond = 1_000_000;
    private const long Second = 1_000_000_000;

    /// <summary>Formats nanoseconds the way Go's <c>Duration.String</c> does.</summary>
    public static string Format(long nanoseconds)
    {
        if (nanoseconds == 0)
        {
            return "0s";
        }

        var negative = nanoseconds < 0;
        var u = negative ? (ulong)(-(nanoseconds + 1)) + 1 : (ulong)nanoseconds;
        var text = new StringBuilder();
        if (negative)
        {
            text.Append('-');
        }

        if (u < Second)
        {
            if (u < Microsecond)
            {
                return text.Append(u).Append("ns").ToString();
            }

            var (unit, size) = u < Millisecond ? ("µs", (ulong)Microsecond) : ("ms", (ulong)Millisecond);
            AppendDecimal(text, u / size, u % size, size);
            return text.Append(unit).ToString();
        }

        var seconds = u / Second;
        var fraction = u % Second;
        var minutes = seconds / 60;
        var hours = minutes / 60;
        if (hours > 0)
        {
            text.Append(hours).Append('h');
        }

        if (minutes > 0)
        {
            text.Append(minutes % 60).Append('m');
        }

        AppendDecimal(text, seconds % 60, fraction, Second);
        return text.Append('s').ToString();
    }

    /// <summary>Parses Go duration text ("1h30m", "-1.5s", "250ms"); throws <see cref="FormatException"/>.</summary>
    public static long Parse(string text)
    {
        var s = text.Trim();
        var negative = false;
        if (s.StartsWith('-') || s.StartsWith('+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return 0;
        }

        if (s.Length == 0)
        {
            throw new FormatException($"invalid duration \"{text}\"");
        }

        decimal total = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            if (start == unitStart || unitStart == i)
            {
                throw new FormatException($"invalid duration \"{text}\"");
            }

            var number = decimal.Parse(s[start..unitStart], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            long scale = s[unitStart..i] switch
            {
                "ns" => 1,
                "us" or "µs" or "μs" => Microsecond,
                "ms" => Millisecond,
                "s" => Second,
                "m" => 60 * Second,
                "h" => 3600 * Second,
                _ => throw new FormatException($"unknown unit \"{s[unitStart..i]}\" in duration \"{text}\""),
            };
            total += number * scale;
        }

        var result = (long)decimal.Truncate(total);
        return negative ? -result : result;
    }

    private static void AppendDecimal(StringBuilder text, ulong whole, ulong fraction, ulong size)
    {
        text.Append(whole);
        if (fraction == 0)
        {
            return;
        }

        var digits = fraction.ToString(CultureInfo.InvariantCulture).PadLeft((int)Math.Log10(size), '0').TrimEnd('0');
        text.Append('.').Append(digits);
    }
}
