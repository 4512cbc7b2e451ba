using System.Buffers.Binary;

namespace Stevedore.Runtime.Containers;

/// <summary>What an attach frame carries.</summary>
public enum AttachFrameKind : byte
{
    /// <summary>Client to supervisor: bytes for the container's stdin.</summary>
    Stdin = 0,
    /// <summary>Supervisor to client: container output (the terminal's with a TTY).</summary>
    Stdout = 1,
    /// <summary>Supervisor to client: container stderr.</summary>
    Stderr = 2,
    /// <summary>Client to supervisor: this client's stdin ended (closes the container's stdin for stdin-once containers).</summary>
    StdinClosed = 3,
    /// <summary>Client to supervisor: the terminal's new size (width then height, 16-bit big-endian).</summary>
    Resize = 4,
}

/// <summary>
/// One frame on a container's attach socket, between the engine and the process supervising the
/// container (the engine itself or a shim): a kind byte, a 32-bit big-endian length, the payload.
/// </summary>
public readonly record struct AttachFrame(AttachFrameKind Kind, byte[] Payload)
{
    /// <summary>The largest payload accepted.</summary>
    public const int MaxPayload = 1 << 20;

    /// <summary>The frame's bytes.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[5 + Payload.Length];
        bytes[0] = (byte)Kind;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), Payload.Length);
        Payload.CopyTo(bytes, 5);
        return bytes;
    }

    /// <summary>A resize frame.</summary>
    public static AttachFrame ForResize(TerminalSize size)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(payload, size.Width);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2), size.Height);
        return new AttachFrame(AttachFrameKind.Resize, payload);
    }

    /// <summary>The size a resize frame carries.</summary>
    /// <exception cref="InvalidDataException">The payload is not 4 bytes.</exception>
    public TerminalSize Size => Payload.Length == 4
        ? new TerminalSize(BinaryPrimitives.ReadUInt16BigEndian(Payload), BinaryPrimitives.ReadUInt16BigEndian(Payload.AsSpan(2)))
        : throw new InvalidDataException($"a resize frame has 4 bytes, not {Payload.Length}");

    /// <summary>Reads the next frame; null when the stream ends between frames.</summary>
    /// <exception cref="InvalidDataException">A malformed frame, or the stream ended inside one.</exception>
    public static async Task<AttachFrame?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new byte[5];
        var read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        if (read == 0)
        {
            return null;
        }

        if (read < head.Length)
        {
            throw new InvalidDataException("the attach stream ended inside a frame header");
        }

        var kind = (AttachFrameKind)head[0];
        var length = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(1));
        if (!Enum.IsDefined(kind) || length is < 0 or > MaxPayload)
        {
            throw new InvalidDataException($"a malformed attach frame (kind {head[0]}, length {length})");
        }

        var payload = new byte[length];
        if (await stream.ReadAtLeastAsync(payload, length, throwOnEndOfStream: false, cancellationToken) < length)
        {
            throw new InvalidDataException("the attach stream ended inside a frame");
        }

        return new AttachFrame(kind, payload);
    }
}
