namespace Stevedore.Cri.Streaming.Spdy;

/// <summary>The control frame types of SPDY/3.1.</summary>
public enum SpdyControlType : ushort
{
    SynStream = 1,
    SynReply = 2,
    RstStream = 3,
    Settings = 4,
    Ping = 6,
    GoAway = 7,
    Headers = 8,
    WindowUpdate = 9,
}

/// <summary>Why a stream was reset (RST_STREAM status codes).</summary>
public enum SpdyResetStatus : uint
{
    ProtocolError = 1,
    InvalidStream = 2,
    RefusedStream = 3,
    UnsupportedVersion = 4,
    Cancel = 5,
    InternalError = 6,
    FlowControlError = 7,
    StreamInUse = 8,
    StreamAlreadyClosed = 9,
    FrameTooLarge = 11,
}

/// <summary>One SPDY/3.1 frame in memory.</summary>
public abstract record SpdyFrame;

/// <summary>Stream data; <see cref="Fin"/> ends the sender's half of the stream.</summary>
public sealed record SpdyDataFrame(uint StreamId, bool Fin, ReadOnlyMemory<byte> Data) : SpdyFrame;

/// <summary>Opens a stream.</summary>
public sealed record SpdySynStreamFrame(uint StreamId, uint AssociatedStreamId, byte Priority, bool Fin, bool Unidirectional, SpdyHeaders Headers) : SpdyFrame;

/// <summary>Accepts a stream opened by the peer.</summary>
public sealed record SpdySynReplyFrame(uint StreamId, bool Fin, SpdyHeaders Headers) : SpdyFrame;

/// <summary>Ends a stream abnormally.</summary>
public sealed record SpdyRstStreamFrame(uint StreamId, SpdyResetStatus Status) : SpdyFrame;

/// <summary>Connection settings (flags, ID, value); Stevedore reads and ignores them.</summary>
public sealed record SpdySettingsFrame(IReadOnlyList<(byte Flags, uint Id, uint Value)> Entries) : SpdyFrame;

/// <summary>A ping: the receiver echoes the peer's (client IDs are odd, server IDs even).</summary>
public sealed record SpdyPingFrame(uint Id) : SpdyFrame;

/// <summary>The sender accepts no new streams after <see cref="LastGoodStreamId"/>.</summary>
public sealed record SpdyGoAwayFrame(uint LastGoodStreamId, uint Status) : SpdyFrame;

/// <summary>More headers for a stream.</summary>
public sealed record SpdyHeadersFrame(uint StreamId, bool Fin, SpdyHeaders Headers) : SpdyFrame;

/// <summary>Flow-control credit; the Go implementations (spdystream) neither send nor honour it.</summary>
public sealed record SpdyWindowUpdateFrame(uint StreamId, uint Delta) : SpdyFrame;
