namespace Stevedore.Cri.Streaming.Compression;

/// <summary>
/// A raw DEFLATE (RFC 1951) decoder for one long-lived stream that arrives in pieces, with an
/// optional preset dictionary (the window before the first byte). System.IO.Compression cannot
/// take a preset dictionary, and SPDY header blocks need one.
/// </summary>
/// <remarks>
/// <see cref="Inflate"/> returns the output of every block that is complete in the input given so
/// far; a block cut off at the end of the input is kept (from its first bit) and decoded once the
/// rest arrives. SPDY peers flush after every header block, so in practice each piece ends on a
/// block boundary and nothing waits.
/// </remarks>
public sealed class Inflater
{
    private const int WindowSize = 32 * 1024;
    private const int MaxCodeLength = 15;

    private static readonly int[] LengthBase = BuildBases(29, 3, [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0], lastIs258: true);
    private static readonly int[] LengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
    private static readonly int[] DistanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
    private static readonly int[] DistanceBase = BuildBases(30, 1, DistanceExtra, lastIs258: false);
    private static readonly int[] CodeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
    private static readonly Huffman FixedLiterals = Huffman.FixedLiteralCode();
    private static readonly Huffman FixedDistances = Huffman.FromLengths(Enumerable.Repeat(5, 30).ToArray());

    // Everything decoded so far (the dictionary first), trimmed to the last window now and then.
    private byte[] _history;
    private int _historyLength;
    private byte[] _pending = [];
    private int _pendingBit;

    /// <summary>Creates a decoder whose window starts with <paramref name="dictionary"/> (may be empty).</summary>
    public Inflater(ReadOnlySpan<byte> dictionary)
    {
        _history = new byte[Math.Max(2 * WindowSize, dictionary.Length * 2)];
        dictionary.CopyTo(_history);
        _historyLength = dictionary.Length;
    }

    /// <summary>True once a block marked final has been decoded: the stream is over.</summary>
    public bool Finished { get; private set; }

    /// <summary>Bytes of an incomplete block held back for the next call.</summary>
    public int PendingBytes => _pending.Length;

    /// <summary>Decodes the complete blocks in what has arrived so far (<paramref name="input"/> appended to any held-back bytes).</summary>
    /// <exception cref="InvalidDataException">The data is not valid DEFLATE, or follows the final block.</exception>
    public byte[] Inflate(ReadOnlySpan<byte> input)
    {
        if (Finished)
        {
            if (input.Length > 0)
            {
                throw new InvalidDataException("data after the final deflate block");
            }

            return [];
        }

        var data = new byte[_pending.Length + input.Length];
        _pending.CopyTo(data, 0);
        input.CopyTo(data.AsSpan(_pending.Length));
        var bits = new BitReader(data, _pendingBit);
        var outputStart = _historyLength;
        var blockStartLength = _historyLength;
        var blockStartByte = 0;
        var blockStartBit = _pendingBit;
        try
        {
            while (!Finished && bits.HasMore)
            {
                blockStartLength = _historyLength;
                (blockStartByte, blockStartBit) = bits.Position;
                DecodeBlock(ref bits);
            }

            (blockStartByte, blockStartBit) = bits.Position;
            if (Finished && bits.HasMoreThanPadding)
            {
                throw new InvalidDataException("data after the final deflate block");
            }

            blockStartLength = _historyLength;
        }
        catch (EndOfInputException)
        {
            // The last block is incomplete: forget its output, keep its bits for next time.
            _historyLength = blockStartLength;
            Finished = false;
        }

        _pending = data[blockStartByte..];
        _pendingBit = blockStartBit;
        var output = _history.AsSpan(outputStart, _historyLength - outputStart).ToArray();
        TrimHistory();
        return output;
    }

    private void DecodeBlock(ref BitReader bits)
    {
        var final = bits.Read(1) == 1;
        var type = bits.Read(2);
        switch (type)
        {
            case 0:
                bits.AlignToByte();
                var length = bits.Read(16);
                var complement = bits.Read(16);
                if ((length ^ 0xFFFF) != complement)
                {
                    throw new InvalidDataException("stored block length does not match its complement");
                }

                Append(bits.ReadBytes(length));
                break;
            case 1:
                DecodeHuffmanBlock(ref bits, FixedLiterals, FixedDistances);
                break;
            case 2:
                var (literals, distances) = ReadDynamicCodes(ref bits);
                DecodeHuffmanBlock(ref bits, literals, distances);
                break;
            default:
                throw new InvalidDataException("invalid deflate block type 3");
        }

        Finished = final;
    }

    private static (Huffman Literals, Huffman Distances) ReadDynamicCodes(ref BitReader bits)
    {
        var literalCount = bits.Read(5) + 257;
        var distanceCount = bits.Read(5) + 1;
        var codeLengthCount = bits.Read(4) + 4;
        if (literalCount > 286 || distanceCount > 30)
        {
            throw new InvalidDataException("too many literal/length or distance codes");
        }

        var codeLengthLengths = new int[19];
        for (var i = 0; i < codeLengthCount; i++)
        {
            codeLengthLengths[CodeLengthOrder[i]] = bits.Read(3);
        }

        var codeLengthCode = Huffman.FromLengths(codeLengthLengths);
        var lengths = new int[literalCount + distanceCount];
        var index = 0;
        while (index < lengths.Length)
        {
            var symbol = codeLengthCode.Decode(ref bits);
            if (symbol < 16)
            {
                lengths[index++] = symbol;
                continue;
            }

            int repeat, value;
            switch (symbol)
            {
                case 16:
                    if (index == 0)
                    {
                        throw new InvalidDataException("a repeated code length with nothing before it");
                    }

                    value = lengths[index - 1];
                    repeat = 3 + bits.Read(2);
                    break;
                case 17:
                    value = 0;
                    repeat = 3 + bits.Read(3);
                    break;
                default:
                    value = 0;
                    repeat = 11 + bits.Read(7);
                    break;
            }

            if (index + repeat > lengths.Length)
            {
                throw new InvalidDataException("code lengths overflow the code count");
            }

            Array.Fill(lengths, value, index, repeat);
            index += repeat;
        }

        if (lengths[256] == 0)
        {
            throw new InvalidDataException("the literal/length code has no end-of-block symbol");
        }

        return (Huffman.FromLengths(lengths[..literalCount]), Huffman.FromLengths(lengths[literalCount..]));
    }

    private void DecodeHuffmanBlock(ref BitReader bits, Huffman literals, Huffman distances)
    {
        while (true)
        {
            var symbol = literals.Decode(ref bits);
            if (symbol < 256)
            {
                AppendByte((byte)symbol);
                continue;
            }

            if (symbol == 256)
            {
                return;
            }

            symbol -= 257;
            if (symbol >= 29)
            {
                throw new InvalidDataException("invalid length symbol");
            }

            var length = LengthBase[symbol] + bits.Read(LengthExtra[symbol]);
            var distanceSymbol = distances.Decode(ref bits);
            if (distanceSymbol >= 30)
            {
                throw new InvalidDataException("invalid distance symbol");
            }

            var distance = DistanceBase[distanceSymbol] + bits.Read(DistanceExtra[distanceSymbol]);
            if (distance > _historyLength)
            {
                throw new InvalidDataException("distance reaches before the start of the window");
            }

            EnsureRoom(length);
            // Byte by byte: a copy may overlap the bytes it produces (distance < length).
            for (var i = 0; i < length; i++)
            {
                _history[_historyLength] = _history[_historyLength - distance];
                _historyLength++;
            }
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        EnsureRoom(bytes.Length);
        bytes.CopyTo(_history.AsSpan(_historyLength));
        _historyLength += bytes.Length;
    }

    private void AppendByte(byte value)
    {
        EnsureRoom(1);
        _history[_historyLength++] = value;
    }

    private void EnsureRoom(int count)
    {
        if (_historyLength + count > _history.Length)
        {
            Array.Resize(ref _history, Math.Max(_history.Length * 2, _historyLength + count));
        }
    }

    private void TrimHistory()
    {
        if (_historyLength > 4 * WindowSize)
        {
            var keep = _history.AsSpan(_historyLength - WindowSize, WindowSize).ToArray();
            _history = new byte[2 * WindowSize];
            keep.CopyTo(_history, 0);
            _historyLength = keep.Length;
        }
    }

    private static int[] BuildBases(int count, int first, int[] extra, bool lastIs258)
    {
        var bases = new int[count];
        var value = first;
        for (var i = 0; i < count; i++)
        {
            bases[i] = value;
            value += 1 << extra[i];
        }

        if (lastIs258)
        {
            bases[count - 1] = 258;
        }

        return bases;
    }

    private sealed class EndOfInputException : Exception
    {
    }

    /// <summary>Reads bits least-significant first, as DEFLATE packs them.</summary>
    private ref struct BitReader(byte[] data, int startBit)
    {
        private int _byte;
        private int _bit = startBit;

        public readonly (int Byte, int Bit) Position => (_byte, _bit);

        public readonly bool HasMore => _byte < data.Length;

        /// <summary>Whether anything but the zero padding of the current byte is left.</summary>
        public readonly bool HasMoreThanPadding => _byte < data.Length && (_bit == 0 || _byte + 1 < data.Length);

        public int Read(int count)
        {
            var value = 0;
            for (var i = 0; i < count; i++)
            {
                value |= ReadBit() << i;
            }

            return value;
        }

        public int ReadBit()
        {
            if (_byte >= data.Length)
            {
                throw new EndOfInputException();
            }

            var bit = (data[_byte] >> _bit) & 1;
            if (++_bit == 8)
            {
                _bit = 0;
                _byte++;
            }

            return bit;
        }

        public void AlignToByte()
        {
            if (_bit != 0)
            {
                _bit = 0;
                _byte++;
            }
        }

        public ReadOnlySpan<byte> ReadBytes(int count)
        {
            if (_byte + count > data.Length)
            {
                throw new EndOfInputException();
            }

            var span = data.AsSpan(_byte, count);
            _byte += count;
            return span;
        }
    }

    /// <summary>A canonical Huffman code, decoded one bit at a time (header blocks are small).</summary>
    private sealed class Huffman
    {
        private readonly int[] _countPerLength = new int[MaxCodeLength + 1];
        private readonly int[] _symbolsByCode;

        private Huffman(int[] lengths)
        {
            foreach (var length in lengths)
            {
                _countPerLength[length]++;
            }

            _countPerLength[0] = 0;
            var left = 1;
            for (var length = 1; length <= MaxCodeLength; length++)
            {
                left = (left << 1) - _countPerLength[length];
                if (left < 0)
                {
                    throw new InvalidDataException("over-subscribed Huffman code lengths");
                }
            }

            var offsets = new int[MaxCodeLength + 2];
            for (var length = 1; length <= MaxCodeLength; length++)
            {
                offsets[length + 1] = offsets[length] + _countPerLength[length];
            }

            _symbolsByCode = new int[lengths.Length];
            for (var symbol = 0; symbol < lengths.Length; symbol++)
            {
                if (lengths[symbol] != 0)
                {
                    _symbolsByCode[offsets[lengths[symbol]]++] = symbol;
                }
            }
        }

        public static Huffman FromLengths(int[] lengths)
        {
            if (lengths.Any(l => l is < 0 or > MaxCodeLength))
            {
                throw new InvalidDataException("invalid Huffman code length");
            }

            return new Huffman(lengths);
        }

        public static Huffman FixedLiteralCode()
        {
            var lengths = new int[288];
            Array.Fill(lengths, 8, 0, 144);
            Array.Fill(lengths, 9, 144, 112);
            Array.Fill(lengths, 7, 256, 24);
            Array.Fill(lengths, 8, 280, 8);
            return new Huffman(lengths);
        }

        public int Decode(ref BitReader bits)
        {
            // Codes of one length are consecutive integers; walk the lengths, one bit more each time.
            int code = 0, first = 0, index = 0;
            for (var length = 1; length <= MaxCodeLength; length++)
            {
                code |= bits.ReadBit();
                var count = _countPerLength[length];
                if (code - first < count)
                {
                    return _symbolsByCode[index + code - first];
                }

                index += count;
                first = (first + count) << 1;
                code <<= 1;
            }

            throw new InvalidDataException("invalid Huffman code");
        }
    }
}
