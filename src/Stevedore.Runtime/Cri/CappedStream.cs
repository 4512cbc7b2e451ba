namespace Stevedore.Runtime.Cri;

/// <summary>A memory stream that silently drops whatever goes beyond a cap (ExecSync output, CVE-2022-1708).</summary>
public sealed class CappedStream(int cap) : MemoryStream
{
    public override void Write(byte[] buffer, int offset, int count) =>
        base.Write(buffer, offset, (int)Math.Max(0, Math.Min(count, cap - Length)));

    public override void Write(ReadOnlySpan<byte> buffer) =>
        base.Write(buffer[..(int)Math.Max(0, Math.Min(buffer.Length, cap - Length))]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }
}
