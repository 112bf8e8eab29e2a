using DlibModels.Serialization;

namespace DlibModels.Tests.Serialization;

/// <summary>dlib's primitive encodings (<c>dlib/serialize.h</c>, <c>float_details.h</c>), byte for byte.</summary>
public class PrimitiveEncodingTests
{
    public static TheoryData<long, string> Ints => new()
    {
        { 0, "01 00" },
        { 1, "01 01" },
        { 2, "01 02" },
        { 127, "01 7F" },
        { 255, "01 FF" },
        { 256, "02 00 01" },
        { 484, "02 E4 01" },
        { 65535, "02 FF FF" },
        { 65536, "03 00 00 01" },
        { 10737418, "03 0A D7 A3" },
        { -1, "81 01" },
        { -24, "81 18" },
        { -28, "81 1C" },
        { -256, "82 00 01" },
        { int.MaxValue, "04 FF FF FF 7F" },
        { int.MinValue, "84 00 00 00 80" },
        { uint.MaxValue, "04 FF FF FF FF" },
        { 1L << 40, "06 00 00 00 00 00 01" },
        { long.MaxValue, "08 FF FF FF FF FF FF FF 7F" },
        { long.MinValue + 1, "88 FF FF FF FF FF FF FF 7F" },
        { long.MinValue, "88 00 00 00 00 00 00 00 80" },
    };

    [Theory]
    [MemberData(nameof(Ints))]
    public void Integers_encode_and_decode_like_dlib(long value, string hex)
    {
        byte[] expected = Hex(hex);
        Assert.Equal(expected, Write(w => w.WriteInt(value)));
        var r = Reader(expected);
        Assert.Equal(value, r.ReadInt64());
        Assert.True(r.AtEnd);
    }

    [Theory]
    [InlineData("00")]
    [InlineData("09 00 00 00 00 00 00 00 00 00")]
    [InlineData("10 01")]
    [InlineData("31")]
    public void Invalid_integer_control_bytes_are_rejected(string hex)
    {
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => Reader(Hex(hex)).ReadInt64());
        Assert.Equal(0, e.Offset);
        Assert.Contains("expected an integer control byte", e.Message, StringComparison.Ordinal);
        Assert.Contains("at byte 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("test.bin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Integer_cut_short_reports_how_many_bytes_are_missing()
    {
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => Reader(Hex("04 FF FF")).ReadInt64());
        Assert.Contains("integer needs 4 more bytes but the stream ends after 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Int32_reads_reject_values_beyond_32_bits()
    {
        Assert.Equal(int.MinValue, Reader(Hex("84 00 00 00 80")).ReadInt32());
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => Reader(Hex("05 00 00 00 00 01")).ReadInt32());
        Assert.Contains("expected a 32-bit integer, found 4294967296", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sizes_outside_the_accepted_range_are_reported()
    {
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => Reader(Hex("81 05")).ReadSize("vector size", 10));
        Assert.Contains("vector size of -5 is outside the accepted range 0..10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Versions_must_be_among_those_accepted()
    {
        Assert.Equal(2, Reader(Hex("01 02")).ReadVersion("thing", 1, 2));
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => Reader(Hex("01 03")).ReadVersion("thing", 1, 2));
        Assert.Contains("unsupported thing version 3 (expected 1 or 2)", e.Message, StringComparison.Ordinal);
        DlibFormatException big = Assert.Throws<DlibFormatException>(() => Reader(Hex("05 01 00 00 00 01")).ReadVersion("thing", 1));
        Assert.Contains("unsupported thing version 4294967297", big.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bools_are_ascii_digits()
    {
        Assert.Equal(Hex("30 31"), Write(w =>
        {
            w.WriteBool(false);
            w.WriteBool(true);
        }));
        var r = Reader(Hex("30 31"));
        Assert.False(r.ReadBool());
        Assert.True(r.ReadBool());
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => Reader(Hex("01")).ReadBool());
        Assert.Contains("expected a bool ('0' or '1'), found 0x01", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Strings_are_a_length_then_bytes()
    {
        byte[] expected = Hex("01 0D 6C 6F 73 73 5F 6D 65 74 72 69 63 5F 32"); // "loss_metric_2", as in the face DenseNet file
        Assert.Equal(expected, Write(w => w.WriteString("loss_metric_2")));
        Assert.Equal("loss_metric_2", Reader(expected).ReadString());
        Assert.Equal(Hex("01 00"), Write(w => w.WriteString(string.Empty)));
        Assert.Equal(string.Empty, Reader(Hex("01 00")).ReadString());
    }

    [Fact]
    public void String_claiming_more_bytes_than_remain_fails_without_allocating()
    {
        byte[] data = Hex("06 00 00 00 00 00 01 41 42");
        long before = GC.GetAllocatedBytesForCurrentThread();
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => Reader(data).ReadString("the label"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("the label claims 1099511627776 bytes but only 2 remain", e.Message, StringComparison.Ordinal);
        DlibFormatException negative = Assert.Throws<DlibFormatException>(() => Reader(Hex("81 01")).ReadString());
        Assert.Contains("claims -1 bytes", negative.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Encodings by dlib's rule: mantissa = frexp fraction · 2^digits (24 for float, 53 for double),
    /// exponent = frexp exponent − digits, then whole zero low bytes of the mantissa moved into the
    /// exponent (8 at a time). The first entries are byte strings found in the real model files.
    /// </summary>
    public static TheoryData<float, string> Floats => new()
    {
        // The face DenseNet's loss_metric_2 margin and distance threshold, as stored in the file.
        { 0.04f, "03 0A D7 A3 81 1C" },
        { 0.6f, "03 9A 99 99 81 18" },
        { 1f, "01 80 81 07" },
        { -1f, "81 80 81 07" },
        { 0.5f, "01 80 81 08" },
        { 0f, "01 00 01 28" },
        { float.PositiveInfinity, "01 00 02 00 7D" },
        { float.NegativeInfinity, "01 00 02 01 7D" },
        { float.Epsilon, "01 80 81 9C" },
        { float.MaxValue, "03 FF FF FF 01 68" },
    };

    [Theory]
    [MemberData(nameof(Floats))]
    public void Floats_encode_as_mantissa_then_exponent(float value, string hex)
    {
        byte[] expected = Hex(hex);
        Assert.Equal(expected, Write(w => w.WriteFloat(value)));
        float back = Reader(expected).ReadFloat();
        Assert.Equal(BitConverter.SingleToInt32Bits(value), BitConverter.SingleToInt32Bits(back));
    }

    public static TheoryData<double, string> Doubles => new()
    {
        // The face detector's mmod options: loss_per_false_alarm, truth_match_iou_threshold, nms_iou_thresh.
        { 1.0, "01 10 81 04" },
        { 0.5, "01 10 81 05" },
        { 0.3382761351109955, "07 8C 6A 54 F2 50 A6 15 81 36" },
        { 0.0, "01 00 01 0B" },
        { double.PositiveInfinity, "01 00 02 00 7D" },
        { double.NaN, "01 00 02 02 7D" },
        { double.Epsilon, "01 10 82 36 04" },
        { double.MaxValue, "07 FF FF FF FF FF FF 1F 02 CB 03" },
        { -2.5, "81 14 81 03" },
    };

    [Theory]
    [MemberData(nameof(Doubles))]
    public void Doubles_encode_with_53_mantissa_bits(double value, string hex)
    {
        byte[] expected = Hex(hex);
        Assert.Equal(expected, Write(w => w.WriteDouble(value)));
        double back = Reader(expected).ReadDouble();
        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(back));
    }

    [Fact]
    public void Float_and_double_give_different_encodings_of_the_same_value()
    {
        Assert.Equal(Hex("01 80 81 08"), Write(w => w.WriteFloat(0.5f)));
        Assert.Equal(Hex("01 10 81 05"), Write(w => w.WriteDouble(0.5)));
        Assert.Equal(0.5, Reader(Hex("01 80 81 08")).ReadDouble());
        Assert.Equal(0.5f, Reader(Hex("01 10 81 05")).ReadFloat());
    }

    [Fact]
    public void Negative_zero_loses_its_sign_as_in_dlib()
    {
        // dlib's mantissa is an integer: -0.0 becomes mantissa 0, which reads back as +0.
        Assert.Equal(Write(w => w.WriteFloat(0f)), Write(w => w.WriteFloat(-0f)));
        Assert.Equal(Write(w => w.WriteDouble(0.0)), Write(w => w.WriteDouble(-0.0)));
        Assert.Equal(0, BitConverter.SingleToInt32Bits(Reader(Write(w => w.WriteFloat(-0f))).ReadFloat()));
    }

    [Fact]
    public void Nan_round_trips_as_nan()
    {
        Assert.True(float.IsNaN(Reader(Write(w => w.WriteFloat(float.NaN))).ReadFloat()));
        Assert.True(double.IsNaN(Reader(Write(w => w.WriteDouble(double.NaN))).ReadDouble()));
    }

    [Fact]
    public void Random_floats_and_doubles_round_trip_exactly()
    {
        var random = new Random(1924);
        for (int i = 0; i < 20_000; i++)
        {
            float f = BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31));
            double d = BitConverter.Int64BitsToDouble(random.NextInt64() ^ (random.NextInt64(2) << 63));
            if (float.IsNaN(f) || double.IsNaN(d) || f == 0 || d == 0)
            {
                continue;
            }

            Assert.Equal(BitConverter.SingleToInt32Bits(f), BitConverter.SingleToInt32Bits(Reader(Write(w => w.WriteFloat(f))).ReadFloat()));
            Assert.Equal(BitConverter.DoubleToInt64Bits(d), BitConverter.DoubleToInt64Bits(Reader(Write(w => w.WriteDouble(d))).ReadDouble()));
        }
    }

    [Fact]
    public void Denormals_round_trip()
    {
        foreach (float f in new[] { float.Epsilon, 3 * float.Epsilon, BitConverter.Int32BitsToSingle(0x007FFFFF), -BitConverter.Int32BitsToSingle(0x00012345) })
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(f), BitConverter.SingleToInt32Bits(Reader(Write(w => w.WriteFloat(f))).ReadFloat()));
        }

        foreach (double d in new[] { double.Epsilon, BitConverter.Int64BitsToDouble(0x000FFFFFFFFFFFFF), -BitConverter.Int64BitsToDouble(0x0000000123456789) })
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(d), BitConverter.DoubleToInt64Bits(Reader(Write(w => w.WriteDouble(d))).ReadDouble()));
        }
    }

    [Fact]
    public void Ascii_floats_from_before_2012_are_rejected_clearly()
    {
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => Reader("1.5 "u8.ToArray()).ReadFloat());
        Assert.Contains("pre-2012 ASCII float format", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Float_exponent_beyond_16_bits_is_rejected()
    {
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => Reader(Hex("01 01 03 00 00 01")).ReadDouble());
        Assert.Contains("exponent 65536 does not fit in 16 bits", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Raw_floats_are_little_endian_and_bounds_checked()
    {
        byte[] bytes = Write(w => w.WriteRawFloats([1f, -2f]));
        Assert.Equal(Hex("00 00 80 3F 00 00 00 C0"), bytes);
        Assert.Equal([1f, -2f], Reader(bytes).ReadRawFloats(2, "data"));
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => Reader(bytes).ReadRawFloats(1L << 40, "tensor data"));
        Assert.Contains("tensor data claims 1099511627776 floats", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Peeks_do_not_move_or_throw()
    {
        var r = Reader(Hex("01 05 63 6F 6E 5F 35 04 FF"));
        Assert.True(r.TryPeekString(0, 10, out string s, out long next));
        Assert.Equal("con_5", s);
        Assert.Equal(7, next);
        Assert.False(r.TryPeekString(0, 4, out _, out _));
        Assert.False(r.TryPeekInt64(7, out _, out _));
        Assert.False(r.TryPeekInt64(100, out _, out _));
        Assert.Equal(0, r.Position);
    }

    [Fact]
    public void Context_names_the_object_being_read()
    {
        var r = Reader(Hex("01"));
        using (r.Enter("outer"))
        using (r.Enter("inner"))
        {
            DlibFormatException e = Assert.Throws<DlibFormatException>(() => r.ReadInt64());
            Assert.Equal("outer > inner", e.ObjectName);
            Assert.Equal("test.bin: at byte 0 while reading outer > inner: integer needs 1 more bytes but the stream ends after 0", e.Message);
        }

        Assert.Equal("the file", r.Context);
    }

    [Fact]
    public void String_vectors_round_trip()
    {
        string[] items = ["tench", "goldfish", string.Empty, "great white shark"];
        byte[] bytes = Write(w => StringVector.Write(w, items));
        Assert.Equal(items, StringVector.Read(Reader(bytes)));
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => StringVector.Read(Reader(Hex("05 00 00 00 00 01"))));
        Assert.Contains("vector size of 4294967296 is outside the accepted range", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ints))]
    public void Integers_decode_the_same_with_more_bytes_after_them(long value, string hex)
    {
        // With at least 9 bytes left the reader takes its unaligned-load path.
        byte[] bytes = [.. Hex(hex), .. Hex("FF 81 02 03 04 05 06 07 08 09")];
        var r = Reader(bytes);
        Assert.Equal(value, r.ReadInt64());
        Assert.Equal(Hex(hex).Length, r.Position);
    }

    [Theory]
    [InlineData("00 01 02 03 04 05 06 07 08 09")]
    [InlineData("09 00 00 00 00 00 00 00 00 00 00")]
    [InlineData("10 01 00 00 00 00 00 00 00 00")]
    [InlineData("31 32 33 34 35 36 37 38 39 30")]
    public void Invalid_integer_control_bytes_are_rejected_with_more_bytes_after_them(string hex)
    {
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => Reader(Hex(hex)).ReadInt64());
        Assert.Equal(0, e.Offset);
        Assert.Contains("expected an integer control byte", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bulk_floats_read_exactly_like_one_float_at_a_time()
    {
        var random = new Random(1924);
        var pieces = new List<byte[]>();
        for (int i = 0; i < 30_000; i++)
        {
            pieces.Add(random.Next(8) switch
            {
                // Typical weights: what dlib writes for most values (3-byte mantissa, 1-byte exponent).
                0 or 1 or 2 => Write(w => w.WriteFloat((float)(random.NextDouble() - 0.5) * 0.1f)),
                3 => Write(w => w.WriteFloat(BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31)))),
                4 => Write(w => w.WriteFloat(random.Next(6) switch
                {
                    0 => float.PositiveInfinity,
                    1 => float.NegativeInfinity,
                    2 => float.NaN,
                    3 => float.Epsilon * random.Next(1, 1000),
                    4 => 0f,
                    _ => float.MaxValue,
                })),

                // A double's encoding read as a float: mantissas wider than 24 bits, rounded by the cast.
                5 => Write(w => w.WriteDouble((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-160, 160)))),

                // Encodings dlib does not write but reads: wide integers, positive and 2-byte exponents.
                6 => Write(w =>
                {
                    w.WriteBytes([(byte)(random.Next(2) << 7 | 8), .. BitConverter.GetBytes(random.NextInt64(1L << 62))]);
                    w.WriteInt(random.Next(-200, 200));
                }),
                _ => Write(w =>
                {
                    w.WriteInt(random.Next(-(1 << 24), 1 << 24));
                    w.WriteBytes([(byte)(random.Next(2) << 7 | 2), .. BitConverter.GetBytes((ushort)random.Next(0, 400))]);
                }),
            });
        }

        byte[] data = [.. pieces.SelectMany(p => p)];
        var one = Reader(data);
        var expected = new float[pieces.Count];
        for (int i = 0; i < expected.Length; i++)
        {
            expected[i] = one.ReadFloat();
        }

        var bulk = Reader(data);
        var actual = new float[pieces.Count];
        bulk.ReadFloats(actual);
        Assert.Equal(one.Position, bulk.Position);
        Assert.True(bulk.AtEnd);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]));
        }

        // In pieces, starting anywhere: the same values and positions.
        var split = Reader(data);
        int at = 0;
        while (at < actual.Length)
        {
            int n = Math.Min(random.Next(0, 40), actual.Length - at);
            split.ReadFloats(actual.AsSpan(at, n));
            at += n;
        }

        Assert.True(split.AtEnd);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData("31 2E 35 20", "pre-2012 ASCII float format")]
    [InlineData("01 01 03 00 00 01", "exponent 65536 does not fit in 16 bits")]
    [InlineData("01 01 83 00 00 01", "exponent -65536 does not fit in 16 bits")]
    [InlineData("00 01", "expected an integer control byte")]
    [InlineData("03 01 02 81 09 01 01 09", "expected an integer control byte")]
    [InlineData("03 01 02", "integer needs 3 more bytes")]
    [InlineData("03 01 02 03", "expected an integer control byte but the stream ended")]
    public void Bulk_floats_fail_where_and_as_one_float_at_a_time_does(string bad, string problem)
    {
        byte[] good = Write(w =>
        {
            for (int i = 0; i < 50; i++)
            {
                w.WriteFloat(i * 0.37f);
            }
        });

        // Bad bytes at the very end, and followed by more bytes (then seen by the bulk decoder first).
        foreach (byte[] tail in new[] { Array.Empty<byte>(), Hex("01 00 01 00 01 00 01 00 01 00 01 00 01 00 01 00 01 00 01 00") })
        {
            byte[] data = [.. good, .. Hex(bad), .. tail];
            var one = Reader(data);
            DlibFormatException expected = Assert.Throws<DlibFormatException>(() =>
            {
                for (int i = 0; i < 60; i++)
                {
                    one.ReadFloat();
                }
            });
            var bulk = Reader(data);
            var values = new float[60];
            DlibFormatException actual = Assert.Throws<DlibFormatException>(() => bulk.ReadFloats(values));
            if (tail.Length == 0)
            {
                Assert.Contains(problem, actual.Message, StringComparison.Ordinal);
            }

            Assert.Equal(expected.Message, actual.Message);
            Assert.Equal(expected.Offset, actual.Offset);
            Assert.Equal(one.Position, bulk.Position);
            Assert.Equal(Enumerable.Range(0, 50).Select(i => i * 0.37f), values.Take(50));
        }
    }

    private static DlibReader Reader(byte[] data) => new(data, "test.bin");

    private static byte[] Write(Action<DlibWriter> write)
    {
        using var ms = new MemoryStream();
        write(new DlibWriter(ms));
        return ms.ToArray();
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));
}
