namespace Stevedore.Cri.Streaming.RemoteCommand;

/// <summary>A terminal size as the resize stream carries it (<c>{"Width":80,"Height":24}</c>).</summary>
public readonly record struct TerminalSize(ushort Width, ushort Height);
