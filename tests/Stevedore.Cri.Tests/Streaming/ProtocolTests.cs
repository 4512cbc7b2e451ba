using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stevedore.Cri.Streaming.RemoteCommand;
using Stevedore.Cri.Streaming.WebSockets;

namespace Stevedore.Cri.Tests.Streaming;

public sealed class ProtocolTests
{
    [Fact]
    public void ChannelMessage_Binary_IsChannelByteThenData()
    {
        var (payload, type) = ChannelMessage.Encode(RemoteCommandChannels.Stdout, "hi"u8, base64: false);

        Assert.Equal(new byte[] { 1, (byte)'h', (byte)'i' }, payload);
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal((RemoteCommandChannels.Stdout, "hi"), Decoded(payload, base64: false));
    }

    [Fact]
    public void ChannelMessage_Base64_IsChannelDigitThenBase64Text()
    {
        var (payload, type) = ChannelMessage.Encode(RemoteCommandChannels.Stdin, "foo\n"u8, base64: true);

        Assert.Equal("0Zm9vCg==", Encoding.ASCII.GetString(payload));
        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Equal((RemoteCommandChannels.Stdin, "foo\n"), Decoded(payload, base64: true));
    }

    [Fact]
    public void ChannelMessage_CloseSignal_OnlyMeansCloseInV5()
    {
        var signal = ChannelMessage.CloseSignal(RemoteCommandChannels.Stdin);

        Assert.Equal(new byte[] { 255, 0 }, signal);
        var v5 = ChannelMessage.Decode(signal, base64: false, closeSignals: true)!.Value;
        Assert.True(v5.IsCloseSignal);
        Assert.Equal(RemoteCommandChannels.Stdin, v5.Channel);
        var v4 = ChannelMessage.Decode(signal, base64: false, closeSignals: false)!.Value;
        Assert.False(v4.IsCloseSignal);
        Assert.Equal(255, v4.Channel);
    }

    [Fact]
    public void ChannelMessage_EmptyMessage_CarriesNothing()
    {
        Assert.Null(ChannelMessage.Decode([], base64: false, closeSignals: true));
    }

    [Fact]
    public void ChannelMessage_MalformedCloseSignal_Throws()
    {
        Assert.Throws<FormatException>(() => ChannelMessage.Decode([255, 0, 0], base64: false, closeSignals: true));
    }

    [Fact]
    public void TerminalSizeDecoder_ObjectsSplitAnywhere_AreDecodedWhenComplete()
    {
        var decoder = new TerminalSizeDecoder();
        var wire = "{\"Width\":80,\"Height\":24}\n{\"Width\":120, \"Height\":40}{\"width\":1,\"height\":2}"u8.ToArray();

        var sizes = new List<TerminalSize>();
        foreach (var piece in wire.Chunk(7))
        {
            sizes.AddRange(decoder.Feed(piece));
        }

        Assert.Equal([new TerminalSize(80, 24), new TerminalSize(120, 40), new TerminalSize(1, 2)], sizes);
    }

    [Fact]
    public void TerminalSizeDecoder_NotAnObject_Throws()
    {
        Assert.ThrowsAny<JsonException>(() => new TerminalSizeDecoder().Feed("[1,2]"u8));
    }

    [Fact]
    public void TerminalSizeDecoder_EncodeThenFeed_RoundTrips()
    {
        Assert.Equal([new TerminalSize(132, 43)], new TerminalSizeDecoder().Feed(TerminalSizeDecoder.Encode(new TerminalSize(132, 43))));
    }

    [Theory]
    [InlineData("v4.channel.k8s.io,v3.channel.k8s.io", "v4.channel.k8s.io")]
    [InlineData("v2.channel.k8s.io, v5.channel.k8s.io", "v2.channel.k8s.io")]
    [InlineData("", "")]
    [InlineData("v9.channel.k8s.io", null)]
    public void Negotiate_PicksTheClientsFirstSupportedProtocol(string offered, string? expected)
    {
        var client = offered.Length == 0 ? Array.Empty<string>() : offered.Split(';');

        Assert.Equal(expected, StreamProtocols.Negotiate(client, StreamProtocols.SpdyRemoteCommand.ToArray()));
    }

    [Fact]
    public void Status_V4NonZeroExit_CarriesTheExitCodeCause()
    {
        var bytes = RemoteCommandStatus.Exited(["sh", "-c", "exit 3"], 3).Encode(StreamProtocols.V4);

        var json = JsonNode.Parse(bytes)!;
        Assert.Equal("Failure", json["status"]!.GetValue<string>());
        Assert.Equal("NonZeroExitCode", json["reason"]!.GetValue<string>());
        Assert.Equal("ExitCode", json["details"]!["causes"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal("3", json["details"]!["causes"]![0]!["message"]!.GetValue<string>());
        Assert.Equal(3, RemoteCommandStatus.Decode(StreamProtocols.V5, bytes).ExitCode);
    }

    [Fact]
    public void Status_V4Success_IsUpstreamsShape()
    {
        Assert.Equal("{\"metadata\":{},\"status\":\"Success\"}", Encoding.UTF8.GetString(RemoteCommandStatus.Succeeded.Encode(StreamProtocols.V4)));
        Assert.True(RemoteCommandStatus.Decode(StreamProtocols.V4, RemoteCommandStatus.Succeeded.Encode(StreamProtocols.V4)).Success);
    }

    [Fact]
    public void Status_V4Failure_IsAnInternalErrorWithTheMessage()
    {
        var bytes = RemoteCommandStatus.Failed("no such container").Encode(StreamProtocols.V4);

        var decoded = RemoteCommandStatus.Decode(StreamProtocols.V4, bytes);
        Assert.False(decoded.Success);
        Assert.Null(decoded.ExitCode);
        Assert.Contains("no such container", decoded.Message, StringComparison.Ordinal);
        Assert.Equal(500, JsonNode.Parse(bytes)!["code"]!.GetValue<int>());
    }

    [Fact]
    public void Status_BeforeV4_IsNothingOnSuccessAndTheMessageOnFailure()
    {
        Assert.Empty(RemoteCommandStatus.Succeeded.Encode(StreamProtocols.V3));
        Assert.Equal("boom", Encoding.UTF8.GetString(RemoteCommandStatus.Failed("boom").Encode(StreamProtocols.V2)));
        Assert.Equal("boom", RemoteCommandStatus.Decode(StreamProtocols.V2, "boom"u8).Message);
    }

    private static (byte Channel, string Text) Decoded(byte[] payload, bool base64)
    {
        var message = ChannelMessage.Decode(payload, base64, closeSignals: true)!.Value;
        return (message.Channel, Encoding.UTF8.GetString(message.Data));
    }
}
