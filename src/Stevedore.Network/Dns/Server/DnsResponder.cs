using Stevedore.Network.Dns.Wire;

namespace Stevedore.Network.Dns.Server;

/// <summary>What to do with a request.</summary>
internal enum DnsOutcome
{
    /// <summary>Send the response written into the buffer.</summary>
    Send,

    /// <summary>Send nothing (too short to be a query, or a response).</summary>
    Drop,

    /// <summary>Forward the request to the upstream.</summary>
    Forward,
}

/// <summary>
/// Request bytes in, response bytes out, for one receive loop or TCP connection: owns the reusable
/// query, answer and writer, so answering allocates nothing. Never throws on any input.
/// </summary>
internal sealed class DnsResponder(DnsResolver resolver, DnsRecordStore store, DnsServerStatistics statistics, int maxUdpPayload, bool forwarding)
{
    /// <summary>The largest DNS message (TCP's two-byte length).</summary>
    public const int MaxMessage = 65535;

    private readonly DnsQuery _query = new();
    private readonly DnsAnswer _answer = new();
    private readonly DnsResponseWriter _writer = new() { AdvertisedUdpSize = maxUdpPayload };

    public DnsOutcome Respond(ReadOnlySpan<byte> request, Span<byte> response, bool tcp, out int length)
    {
        length = 0;
        statistics.CountReceived();
        var parse = _query.Parse(request);
        switch (parse)
        {
            case DnsParseResult.Drop:
                statistics.CountMalformed();
                return DnsOutcome.Drop;
            case DnsParseResult.FormatError:
                statistics.CountMalformed();
                _answer.Reset(DnsResponseCode.FormatError);
                break;
            case DnsParseResult.NotImplemented:
                _answer.Reset(DnsResponseCode.NotImplemented);
                break;
            case DnsParseResult.BadVersion:
                _answer.Reset(DnsResponseCode.BadVersion);
                break;
            default:
                if (resolver.Resolve(store.Current, _query, _answer) == DnsResolution.Forwardable && forwarding)
                {
                    statistics.CountForwarded();
                    return DnsOutcome.Forward;
                }

                break;
        }

        var limit = tcp ? MaxMessage : Math.Min(_query.UdpPayloadSize, maxUdpPayload);
        length = _writer.Write(_query, _answer, response, limit, forwarding);
        return DnsOutcome.Send;
    }

    /// <summary>A SERVFAIL for a request that could not be forwarded; 0 when the request cannot be answered at all.</summary>
    public int Failure(ReadOnlySpan<byte> request, Span<byte> response, bool tcp)
    {
        if (_query.Parse(request) == DnsParseResult.Drop)
        {
            return 0;
        }

        _answer.Reset(DnsResponseCode.ServerFailure);
        return _writer.Write(_query, _answer, response, tcp ? MaxMessage : Math.Min(_query.UdpPayloadSize, maxUdpPayload), forwarding);
    }
}
