using System.Text.Json;
using DlibModels.Dnn;
using DlibModels.Dnn.Format;
using DlibModels.Serialization;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Format;

public class DnnLoaderTests
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<byte[]>> Cache = new();

    public static TheoryData<string> NetworkFiles => new()
    {
        "mmod_human_face_detector.dat.bz2",
        "mmod_rear_end_vehicle_detector.dat.bz2",
        "mmod_front_and_rear_end_vehicle_detector.dat.bz2",
        "dnn_gender_classifier_v1.dat.bz2",
        "face_recognition_densenet_model_v1.dat.bz2",
        "standin/mmod_human_hipsterizer.standin.dat.bz2",
        "standin/dlib_face_recognition_resnet_model_v1.faceapi.dat.bz2",
        "standin/dlib_face_recognition_resnet_model_v1.faceapi.legacy-format.dat.bz2",
        "standin/resnet34_1000_imagenet_classifier.random.dnn.bz2",
        "standin/resnet34_1000_imagenet_classifier.random.legacy-format.dnn.bz2",
    };

    [SkippableTheory]
    [MemberData(nameof(NetworkFiles))]
    public void Network_loads_and_writes_back_byte_identical(string file)
    {
        string path = TestPaths.Model(file);
        byte[] bytes = Decompressed(path);
        var reader = new DlibReader(bytes, path);
        (DnnNetwork net, DnnStreamContent content) = DnnLoader.Read(reader);
        Assert.NotEmpty(net.Layers);
        Assert.Equal(0, content.StartOffset);

        using var ms = new MemoryStream();
        DnnStreamWriter.Write(new DlibWriter(ms), content);
        byte[] written = ms.ToArray();
        Assert.Equal(content.EndOffset, written.LongLength);
        Assert.True(bytes.AsSpan(0, written.Length).SequenceEqual(written), $"{file}: written network differs from the file");
    }

    [SkippableTheory]
    [MemberData(nameof(NetworkFiles))]
    public void Layers_hold_the_files_parameters(string file)
    {
        // Convolutions are stored packed for the kernel and unpacked on demand: both must give the file's values.
        string path = TestPaths.Model(file);
        (DnnNetwork net, DnnStreamContent content) = DnnLoader.Read(new DlibReader(Decompressed(path), path));
        int checkedLayers = 0;
        for (int i = 0; i < net.Layers.Count; i++)
        {
            DlibRecord? record = content.Wrappers[net.Layers.Count - 1 - i].Details;
            float[] stored = record is not null && record.Has("params") ? record.Tensor("params").Data : [];
            switch (net.Layers[i])
            {
                case ConvolutionLayer c:
                    Assert.Equal(stored.AsSpan(0, c.Weights.Length), c.Weights.Span);
                    Assert.Equal(stored.AsSpan(c.Weights.Length, c.Biases.Length), c.Biases.Span);
                    Assert.Equal(c.Weights.Length, c.NumFilters * c.InputChannels * c.KernelRows * c.KernelCols);
                    checkedLayers++;
                    break;
                case FullyConnectedLayer f:
                    Assert.Equal(stored.AsSpan(0, f.Weights.Length), f.Weights.Span);
                    Assert.Equal(stored.AsSpan(f.Weights.Length, f.Biases.Length), f.Biases.Span);
                    checkedLayers++;
                    break;
            }
        }

        Assert.True(checkedLayers > 0);
    }

    [SkippableTheory]
    [InlineData("mmod_human_face_detector.dat.bz2")]
    [InlineData("mmod_rear_end_vehicle_detector.dat.bz2")]
    [InlineData("mmod_front_and_rear_end_vehicle_detector.dat.bz2")]
    [InlineData("standin/mmod_human_hipsterizer.standin.dat.bz2")]
    [InlineData("standin/dlib_face_recognition_resnet_model_v1.faceapi.dat.bz2")]
    [InlineData("standin/dlib_face_recognition_resnet_model_v1.faceapi.legacy-format.dat.bz2")]
    [InlineData("standin/resnet34_1000_imagenet_classifier.random.dnn.bz2")]
    [InlineData("standin/resnet34_1000_imagenet_classifier.random.legacy-format.dnn.bz2")]
    public void Parameter_count_equals_dlibs(string file)
    {
        string path = TestPaths.Model(file);
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("reference/parameter_counts.json")));
        long expected = doc.RootElement.GetProperty("counts").GetProperty("models/" + file).GetInt64();
        DnnNetwork net = DnnLoader.Read(new DlibReader(Decompressed(path), path)).Network;
        Assert.Equal(expected, net.ParameterCount);
    }

    [SkippableTheory]
    [InlineData("mmod_human_face_detector.dat.bz2", "face_mmod_net")]
    [InlineData("mmod_rear_end_vehicle_detector.dat.bz2", "vehicle_mmod_net")]
    [InlineData("mmod_front_and_rear_end_vehicle_detector.dat.bz2", "vehicle_mmod_net")]
    [InlineData("face_recognition_densenet_model_v1.dat.bz2", "face_recognition_densenet_v1")]
    [InlineData("dnn_gender_classifier_v1.dat.bz2", "inferred")]
    public void Network_reports_the_architecture_it_was_matched_with(string file, string name)
    {
        DnnNetwork net = DnnLoader.LoadNetwork(TestPaths.Model(file));
        Assert.Equal(name, net.ArchitectureName);
    }

    [SkippableFact]
    public void Stored_tensors_decode_on_demand_and_write_what_they_hold()
    {
        string path = TestPaths.Model("mmod_human_face_detector.dat.bz2");
        (_, DnnStreamContent content) = DnnLoader.Read(new DlibReader(Decompressed(path), path));
        StoredTensor t = content.LayerRecordsFromInput().First(r => r.Has("params")).Tensor("params");
        float[] data = t.Data;
        Assert.Same(data, t.Data);
        Assert.Equal(t.Size, data.LongLength);

        float[] changed = [.. data.Select(v => v + 1)];
        StoredTensor replaced = t with { Data = changed };
        Assert.Same(changed, replaced.Data);
        byte[] original = Written(t), rewritten = Written(replaced);
        Assert.Equal(original.Length, rewritten.Length);
        Assert.Equal(data, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(original.AsSpan(original.Length - (4 * data.Length))).ToArray());
        Assert.Equal(changed, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(rewritten.AsSpan(rewritten.Length - (4 * data.Length))).ToArray());

        static byte[] Written(StoredTensor x)
        {
            using var ms = new MemoryStream();
            RecordCodec.WriteFields(new DlibWriter(ms), [new RecordField("params", FieldKind.Tensor, x)]);
            return ms.ToArray();
        }
    }

    /// <summary>Each model decompressed once for all tests of this class (bz2 dominates their time).</summary>
    private static byte[] Decompressed(string path) => Cache.GetOrAdd(path, p => new Lazy<byte[]>(() => ModelFile.ReadAllBytes(p))).Value;
}
