using System.Net.WebSockets;
using System.Text;

namespace Stevedore.Cri.Streaming.WebSockets;

/// <summary>
/// One message of the Kubernetes channel WebSocket protocols: binary (<c>*channel.k8s.io</c>) = the
/// channel number as one byte, then the data; base64 (<c>*base64.channel.k8s.io</c>) = a text
/// message of the channel digit ('0' + n) then the data in base64. v5 adds the binary message
/// <c>[255, n]</c>: channel n is closed by the sender.
/// </summary>
public readonly record struct ChannelMessage(byte Channel, byte[] Data, bool IsCloseSignal)
{
    private const byte CloseSignalByte = 255;

    /// <summary>The payload and message type that carry <paramref name="data"/> on <paramref name="channel"/>.</summary>
    public static (byte[] Payload, WebSocketMessageType Type) Encode(byte channel, ReadOnlySpan<byte> data, bool base64)
    {
        if (base64)
        {
            return (Encoding.ASCII.GetBytes((char)('0' + channel) + Convert.ToBase64String(data)), WebSocketMessageType.Text);
        }

        var payload = new byte[data.Length + 1];
        payload[0] = channel;
        data.CopyTo(payload.AsSpan(1));
        return (payload, WebSocketMessageType.Binary);
    }

    /// <summary>The v5 message that closes <paramref name="channel"/>.</summary>
    public static byte[] CloseSignal(byte channel) => [CloseSignalByte, channel];

    /// <summary>
    /// Reads a whole received message; null for an empty one (which carries nothing).
    /// <paramref name="closeSignals"/> says whether the protocol is v5 (so <c>[255, n]</c> is a close signal).
    /// </summary>
    /// <exception cref="FormatException">A base64 message that is not valid base64, or a malformed close signal.</exception>
    public static ChannelMessage? Decode(ReadOnlySpan<byte> message, bool base64, bool closeSignals)
    {
        if (message.IsEmpty)
        {
            return null;
        }

        if (closeSignals && !base64 && message[0] == CloseSignalByte)
        {
            if (message.Length != 2)
            {
                throw new FormatException($"a close signal has 2 bytes, not {message.Length}");
            }

            return new ChannelMessage(message[1], [], true);
        }

        if (base64)
        {
            var channel = (byte)(message[0] - '0');
            return new ChannelMessage(channel, Convert.FromBase64String(Encoding.ASCII.GetString(message[1..])), false);
        }

        return new ChannelMessage(message[0], message[1..].ToArray(), false);
    }
}
