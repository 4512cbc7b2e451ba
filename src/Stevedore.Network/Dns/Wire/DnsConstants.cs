namespace Stevedore.Network.Dns.Wire;

/// <summary>Resource record types the cluster DNS answers or reads (RFC 1035, 3596, 2782, 6891).</summary>
public static class DnsType
{
    public const ushort A = 1;
    public const ushort NS = 2;
    public const ushort CNAME = 5;
    public const ushort SOA = 6;
    public const ushort PTR = 12;
    public const ushort TXT = 16;
    public const ushort AAAA = 28;
    public const ushort SRV = 33;
    public const ushort OPT = 41;
    public const ushort ANY = 255;

    /// <summary>The mnemonic of a type, or <c>TYPE&lt;n&gt;</c> (RFC 3597) for the others.</summary>
    public static string Name(ushort type) => type switch
    {
        A => "A",
        NS => "NS",
        CNAME => "CNAME",
        SOA => "SOA",
        PTR => "PTR",
        TXT => "TXT",
        AAAA => "AAAA",
        SRV => "SRV",
        OPT => "OPT",
        ANY => "ANY",
        _ => "TYPE" + type.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>Record classes: only IN carries data here; ANY is accepted in questions.</summary>
public static class DnsClass
{
    public const ushort IN = 1;
    public const ushort ANY = 255;
}

/// <summary>Response codes (the low four bits in the header, <see cref="BadVersion"/> through EDNS).</summary>
public enum DnsResponseCode
{
    NoError = 0,
    FormatError = 1,
    ServerFailure = 2,
    NameError = 3,
    NotImplemented = 4,
    Refused = 5,

    /// <summary>EDNS version not supported (RFC 6891): needs an OPT record to be expressed.</summary>
    BadVersion = 16,
}

/// <summary>Header flag bits of the second 16-bit word (RFC 1035 4.1.1).</summary>
internal static class DnsFlags
{
    public const ushort Response = 0x8000;
    public const ushort OpcodeMask = 0x7800;
    public const ushort Authoritative = 0x0400;
    public const ushort Truncated = 0x0200;
    public const ushort RecursionDesired = 0x0100;
    public const ushort RecursionAvailable = 0x0080;
    public const ushort CheckingDisabled = 0x0010;
    public const ushort ResponseCodeMask = 0x000F;
}
