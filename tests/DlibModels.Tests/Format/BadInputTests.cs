using DlibModels.Dnn;
using DlibModels.Dnn.Architecture;
using DlibModels.Dnn.Format;
using DlibModels.Serialization;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Format;

/// <summary>
/// Corrupt, truncated and wrong files, built by mutating real model files in memory: every failure
/// must be a <see cref="DlibFormatException"/> naming the file, the byte offset, the object and what
/// was expected, raised quickly and without large allocations.
/// </summary>
public class BadInputTests
{
    private const string Name = "mutated.dat";

    /// <summary>The face detector (small, has every kind of record) decompressed once, with the offsets tests mutate.</summary>
    private static readonly Lazy<Sample> Face = new(() => Sample.Load("mmod_human_face_detector.dat.bz2"));

    [SkippableFact]
    public void Truncations_fail_with_the_offset_and_what_was_expected()
    {
        Sample s = Face.Value;
        long[] cuts =
        [
            0, 1, 2, 5, 12, s.LayerNestingAt + 1, s.InputAt + 3, s.FirstTensorAt + 1, s.FirstTensorDataAt + 10,
            s.FirstTensorDataAt + ((s.FirstTensorDataEnd - s.FirstTensorDataAt) / 2) + 1, s.FirstTensorDataEnd - 1, s.Bytes.Length / 2, s.Bytes.Length - 1,
        ];
        foreach (long cut in cuts)
        {
            byte[] data = s.Bytes.AsSpan(0, (int)cut).ToArray();
            DlibFormatException e = AssertFails(data);
            Assert.InRange(e.Offset, 0, cut);
            Assert.True(
                e.Message.Contains("ended", StringComparison.Ordinal) || e.Message.Contains("ends", StringComparison.Ordinal) || e.Message.Contains("remain", StringComparison.Ordinal),
                $"cut at {cut}: the message should say the stream ended: {e.Message}");
        }
    }

    [SkippableFact]
    public void Truncation_mid_tensor_names_the_tensor_and_its_size()
    {
        Sample s = Face.Value;
        long cut = s.FirstTensorDataAt + 100;
        DlibFormatException e = AssertFails(s.Bytes.AsSpan(0, (int)cut).ToArray());
        Assert.Contains($"at byte {s.FirstTensorDataAt}", e.Message, StringComparison.Ordinal);
        Assert.Contains("con_", e.ObjectName, StringComparison.Ordinal);
        Assert.Contains("params", e.ObjectName, StringComparison.Ordinal);
        Assert.Contains("tensor data of shape", e.Message, StringComparison.Ordinal);
        Assert.Contains("only 100 bytes remain", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Wrong_loss_wrapper_version_is_reported_at_byte_0()
    {
        byte[] data = Face.Value.Copy();
        data[1] = 7;
        DlibFormatException e = AssertFails(data);
        Assert.Equal(0, e.Offset);
        Assert.Contains("at byte 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("add_loss_layer", e.Message, StringComparison.Ordinal);
        Assert.Contains("version 1, found 7", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Corrupt_loss_name_is_reported_as_unknown_loss()
    {
        byte[] data = Face.Value.Copy();
        data[4] ^= 0x20; // "loss_mmod_" -> "Loss_mmod_"
        DlibFormatException e = AssertFails(data);
        Assert.Equal(2, e.Offset);
        Assert.Contains("unknown or unsupported loss layer 'Loss_mmod_'", e.Message, StringComparison.Ordinal);
        Assert.Contains("loss_metric_2", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Invalid_integer_control_byte_in_the_header_is_reported()
    {
        Sample s = Face.Value;
        byte[] data = s.Copy();
        data[s.LayerNestingAt] = 0x35; // high bits set: not an integer
        DlibFormatException e = AssertFails(data);
        Assert.Equal(s.LayerNestingAt, e.Offset);
        Assert.Contains("expected an integer control byte", e.Message, StringComparison.Ordinal);
        Assert.Contains("0x35", e.Message, StringComparison.Ordinal);
        Assert.Contains("layer nesting", e.ObjectName, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Wrapper_version_out_of_range_is_reported()
    {
        Sample s = Face.Value;
        byte[] data = s.Copy();
        data[s.LayerNestingAt + 1] = 9;
        DlibFormatException e = AssertFails(data);
        Assert.Equal(s.LayerNestingAt, e.Offset);
        Assert.Contains("expected a layer wrapper version (1, 2 or 3) after the loss, found 9", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Unknown_layer_version_string_is_reported_with_the_known_ones()
    {
        Sample s = Face.Value;
        byte[] data = s.Copy();
        data[s.FirstLayerAt + 6] = (byte)'9'; // 01 05 "con_4" -> "con_9"
        DlibFormatException e = AssertFails(data);
        Assert.Equal(s.FirstLayerAt, e.Offset);
        Assert.Contains("unknown layer version string 'con_9'", e.Message, StringComparison.Ordinal);
        Assert.Contains("con_5", e.Message, StringComparison.Ordinal);
        Assert.Contains("layer<", e.ObjectName, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Unknown_input_layer_is_reported()
    {
        Sample s = Face.Value;
        byte[] data = s.Copy();
        data[s.InputAt + 2] = (byte)'X'; // "input_rgb_image_pyramid" -> "iXput..."
        DlibFormatException e = AssertFails(data);
        Assert.Contains("input", e.Message, StringComparison.Ordinal);
        Assert.Contains("layer", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Tensor_claiming_a_trillion_floats_fails_fast_without_allocating()
    {
        Sample s = Face.Value;
        byte[] data = Splice(s.Bytes, s.FirstTensorAt, s.FirstTensorDataAt, [2, 1_000_000, 1_000_000, 1, 1]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        DlibFormatException e = AssertFails(data);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(s.FirstTensorAt, e.Offset);
        Assert.Contains("(1000000,1000000,1,1) claims 1000000000000 values", e.Message, StringComparison.Ordinal);
        Assert.Contains("params", e.ObjectName, StringComparison.Ordinal);
        Assert.True(allocated < 64L << 20, $"allocated {allocated} bytes");
    }

    [SkippableFact]
    public void Tensor_larger_than_the_rest_of_the_file_fails_before_allocating()
    {
        Sample s = Face.Value;
        byte[] data = Splice(s.Bytes, s.FirstTensorAt, s.FirstTensorDataAt, [2, 1000, 1000, 100, 10]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        DlibFormatException e = AssertFails(data);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("claims 1000000000 floats (4000000000 bytes) but only", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 64L << 20, $"allocated {allocated} bytes");
    }

    [SkippableFact]
    public void Negative_tensor_dimension_is_reported()
    {
        Sample s = Face.Value;
        byte[] data = Splice(s.Bytes, s.FirstTensorAt, s.FirstTensorDataAt, [2, -5, 1, 1, 1]);
        DlibFormatException e = AssertFails(data);
        Assert.Contains("num_samples of -5 is outside the accepted range", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void String_claiming_two_to_the_40_bytes_fails_fast()
    {
        Sample s = Face.Value;
        // The loss version string's length integer sits at byte 2 ("0A loss_mmod_").
        byte[] data = Splice(s.Bytes, 2, 3, [1L << 40]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        DlibFormatException e = AssertFails(data);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2, e.Offset);
        Assert.Contains("loss", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16L << 20, $"allocated {allocated} bytes");

        // The same claim deeper in the stream, in a layer's version string, reads as a string claim.
        byte[] layer = Splice(s.Bytes, s.FirstLayerAt, s.FirstLayerAt + 1, [1L << 40]);
        DlibFormatException e2 = AssertFails(layer);
        Assert.Equal(s.FirstLayerAt, e2.Offset);
        Assert.Contains("claims 1099511627776 bytes but only", e2.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Random_byte_flips_and_cuts_only_ever_raise_DlibFormatException()
    {
        Sample s = Face.Value;
        var random = new Random(19_24);
        long[] hotSpots = [0, s.LayerNestingAt, s.InputAt, s.FirstLayerAt, s.FirstTensorAt, s.LossEnd - 40];
        for (int trial = 0; trial < 300; trial++)
        {
            byte[] data = s.Copy();
            long at = trial % 3 == 0 ? random.NextInt64(data.Length) : Math.Clamp(hotSpots[trial % hotSpots.Length] + random.Next(-8, 40), 0, data.Length - 1);
            data[at] = (byte)random.Next(256);
            int length = trial % 5 == 0 ? random.Next(data.Length) : data.Length;
            try
            {
                DnnLoader.Read(new DlibReader(data.AsSpan(0, length).ToArray(), Name));
            }
            catch (DlibFormatException e)
            {
                Assert.Contains(Name, e.Message, StringComparison.Ordinal);
                Assert.Contains("at byte ", e.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Empty_and_tiny_streams_fail_cleanly()
    {
        foreach (byte[] data in new[] { Array.Empty<byte>(), [0x01], [0x01, 0x01], [0x0F], [0x01, 0x01, 0x01], [0x01, 0x01, 0x01, 0x00] })
        {
            DlibFormatException e = AssertFails(data);
            Assert.Contains(Name, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Non_bzip2_file_named_bz2_is_rejected()
    {
        string path = TempFile("plain.dat.bz2", "not a bzip2 stream at all"u8.ToArray());
        try
        {
            DlibFormatException e = Assert.Throws<DlibFormatException>(() => DnnLoader.LoadNetwork(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains("at byte 0", e.Message, StringComparison.Ordinal);
            Assert.Contains("bzip2 signature 'BZh'", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public void Bzip2_stream_cut_in_the_middle_is_rejected()
    {
        byte[] compressed = File.ReadAllBytes(TestPaths.Model("mmod_human_face_detector.dat.bz2"));
        foreach (int cut in new[] { 4, 100, compressed.Length / 2, compressed.Length - 10 })
        {
            string path = TempFile($"cut{cut}.dat.bz2", compressed.AsSpan(0, cut).ToArray());
            try
            {
                DlibFormatException e = Assert.Throws<DlibFormatException>(() => DnnLoader.LoadNetwork(path));
                Assert.Contains(path, e.Message, StringComparison.Ordinal);
                Assert.Contains("at byte ", e.Message, StringComparison.Ordinal);
                Assert.Contains("bzip2", e.Message, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    [SkippableFact]
    public void Bzip2_stream_with_a_corrupt_block_is_rejected()
    {
        byte[] compressed = File.ReadAllBytes(TestPaths.Model("mmod_human_face_detector.dat.bz2"));
        compressed[compressed.Length / 3] ^= 0xFF;
        string path = TempFile("flipped.dat.bz2", compressed);
        try
        {
            DlibFormatException e = Assert.Throws<DlibFormatException>(() => DnnLoader.LoadNetwork(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public void Shape_predictor_file_handed_to_the_network_loader_is_rejected()
    {
        string path = TestPaths.Model("standin/shape_predictor_5_face_landmarks.standin.dat.bz2");
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => DnnLoader.LoadNetwork(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("at byte 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("add_loss_layer", e.ObjectName, StringComparison.Ordinal);
        Assert.Contains("expected the loss layer's version string", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Hog_detector_file_handed_to_the_network_loader_is_rejected()
    {
        string path = TestPaths.Model("frontal_face_detector.dat.bz2");
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => DnnLoader.LoadNetwork(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("at byte 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected a dlib DNN, which starts with add_loss_layer's version 1, found 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_a_FileNotFoundException()
    {
        string path = Path.Combine(Path.GetTempPath(), $"dlibmodels-missing-{Guid.NewGuid():N}.dat");
        Assert.Throws<FileNotFoundException>(() => DnnLoader.LoadNetwork(path));
    }

    [SkippableFact]
    public void Architecture_of_another_network_is_rejected()
    {
        Sample s = Face.Value;
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => DnnLoader.Read(new DlibReader(s.Bytes, Name), BuiltInArchitectures.FaceRecognitionResNet));
        Assert.Contains(Name, e.Message, StringComparison.Ordinal);
        Assert.Contains("does not match the architecture", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Architecture_with_a_different_filter_count_is_accepted_like_dlib()
    {
        // dlib's con_ and fc_ deserializers take num_filters/num_outputs from the file (they are
        // run-time settable) and check only the kernel, stride and padding: so does the loader.
        Sample s = Face.Value;
        (DnnNetwork net, _) = DnnLoader.Read(new DlibReader(s.Bytes, Name), BuiltInArchitectures.VehicleMmod);
        Assert.Equal(180711, net.ParameterCount);
    }

    [SkippableFact]
    public void Architecture_with_a_different_kernel_is_rejected_naming_the_layer()
    {
        Sample s = Face.Value;
        string arch = BuiltInArchitectures.FaceMmod.Replace("con<1,9,9,1,1", "con<1,7,7,1,1", StringComparison.Ordinal);
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => DnnLoader.Read(new DlibReader(s.Bytes, Name), arch));
        Assert.Contains("layer<0> (con_", e.Message, StringComparison.Ordinal);
        Assert.Contains("con<1,7,7,1,1>", e.Message, StringComparison.Ordinal);
        Assert.Contains("9x9", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Unparsable_architecture_text_is_reported()
    {
        Sample s = Face.Value;
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => DnnLoader.Read(new DlibReader(s.Bytes, Name), "loss_mmod<con<1,9,9,1,1,frobnicate<input_rgb_image>>>"));
        Assert.Contains("the architecture given", e.ObjectName, StringComparison.Ordinal);
        Assert.Contains("frobnicate", e.Message, StringComparison.Ordinal);
    }

    private static DlibFormatException AssertFails(byte[] data)
    {
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => DnnLoader.Read(new DlibReader(data, Name)));
        Assert.Contains(Name, e.Message, StringComparison.Ordinal);
        Assert.Contains($"at byte {e.Offset}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"while reading {e.ObjectName}", e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(e.Problem));
        return e;
    }

    /// <summary>Replaces bytes [from, to) by the dlib encodings of <paramref name="ints"/>.</summary>
    private static byte[] Splice(byte[] data, long from, long to, long[] ints)
    {
        using var ms = new MemoryStream();
        ms.Write(data, 0, (int)from);
        var w = new DlibWriter(ms);
        foreach (long v in ints)
        {
            w.WriteInt(v);
        }

        ms.Write(data, (int)to, data.Length - (int)to);
        return ms.ToArray();
    }

    private static string TempFile(string name, byte[] content)
    {
        string path = Path.Combine(Path.GetTempPath(), $"dlibmodels-{Guid.NewGuid():N}-{name}");
        File.WriteAllBytes(path, content);
        return path;
    }

    private sealed record Sample(byte[] Bytes, long LossEnd, long LayerNestingAt, long InputAt, long FirstLayerAt, long FirstTensorAt, long FirstTensorDataAt, long FirstTensorDataEnd)
    {
        public byte[] Copy() => (byte[])Bytes.Clone();

        public static Sample Load(string file)
        {
            byte[] bytes = ModelFile.ReadAllBytes(TestPaths.Model(file));
            (_, DnnStreamContent content) = DnnLoader.Read(new DlibReader(bytes, file));
            DlibRecord first = content.Wrappers[^1].Details!;
            var r = new DlibReader(bytes, file) { Position = first.Offset };
            r.ReadString();
            long tensorAt = r.Position;
            for (int i = 0; i < 5; i++)
            {
                r.ReadInt64();
            }

            long dataAt = r.Position;
            long dataEnd = dataAt + (4 * first.Tensor("params").Size);

            // The wrapper versions (two bytes each in this file) come just before the input record.
            long nesting = content.Input.Offset - (2L * content.Wrappers.Count);
            return new Sample(bytes, nesting, nesting, content.Input.Offset, first.Offset, tensorAt, dataAt, dataEnd);
        }
    }
}
