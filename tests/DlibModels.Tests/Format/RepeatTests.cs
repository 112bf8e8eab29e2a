using DlibModels.Dnn;
using DlibModels.Dnn.Architecture;
using DlibModels.Dnn.Format;
using DlibModels.Serialization;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Format;

/// <summary>dlib's <c>repeat</c> layer: the face DenseNet file, synthetic repeats, and type expressions.</summary>
public class RepeatTests
{
    private static readonly Lazy<(byte[] Bytes, DnnStreamContent Content, DnnNetwork Net)> DenseNet = new(() =>
    {
        string path = TestPaths.Model("face_recognition_densenet_model_v1.dat.bz2");
        byte[] bytes = ModelFile.ReadAllBytes(path);
        (DnnNetwork net, DnnStreamContent content) = DnnLoader.Read(new DlibReader(bytes, path));
        return (bytes, content, net);
    });

    [SkippableFact]
    public void DenseNet_file_nests_four_repeats_of_nine_wrappers()
    {
        DnnStreamContent c = DenseNet.Value.Content;
        int[] counts = [.. Repeats(c.Chain).Select(r => r.Blocks.Count)];
        Assert.Equal([8, 12, 6, 3], counts);
        Assert.All(Repeats(c.Chain), r => Assert.All(r.Blocks, b => Assert.Equal(9, b.Count)));
        Assert.Equal(281, c.Wrappers.Count);
        Assert.Equal(281, DenseNet.Value.Net.Layers.Count);
        Assert.Equal(606918, DenseNet.Value.Net.ParameterCount);
    }

    [SkippableFact]
    public void DenseNet_copies_are_flattened_with_details_0_outermost()
    {
        // Within a stage the concatenated input grows by 16 channels per copy; the copy nearest the
        // input (dlib's details.back()) is applied first and so has the fewest input channels.
        DnnNetwork net = DenseNet.Value.Net;
        int[] bottleneckInputs = [.. net.Layers.OfType<ConvolutionLayer>().Where(l => l.KernelRows == 1 && l.NumFilters == 64).Select(l => l.InputChannels)];
        Assert.Equal(3 + 6 + 12 + 8, bottleneckInputs.Length);
        Assert.Equal([32, 48, 64], bottleneckInputs[..3]);
        Assert.Equal(40, bottleneckInputs[3]);
        Assert.Equal(130 + (7 * 16), bottleneckInputs[^1]);
    }

    [SkippableFact]
    public void DenseNet_concats_join_the_block_input_and_the_new_features()
    {
        DnnNetwork net = DenseNet.Value.Net;
        ConcatLayer first = net.Layers.OfType<ConcatLayer>().First();
        Assert.Equal([1, 2], first.TagIds);
        int at = net.Layers.ToList().IndexOf(first);
        Assert.Equal(2, ((TagLayer)net.Layers[at - 1]).Id);
        Assert.Equal(1, ((TagLayer)net.Layers[at - 8]).Id);
    }

    [SkippableFact]
    public void Inferred_DenseNet_text_uses_repeat_and_reads_the_file_again()
    {
        (byte[] bytes, DnnStreamContent content, DnnNetwork net) = DenseNet.Value;
        NetArchitecture inferred = ArchitectureInference.Infer(content, new DlibReader(bytes, "densenet"));
        Assert.Contains("repeat<8,block1,", inferred.Text, StringComparison.Ordinal);
        Assert.Contains("add_layer<con_<32,7,7,2,2,3,3>,input_rgb_image>", inferred.Text, StringComparison.Ordinal);
        (DnnNetwork again, DnnStreamContent c2) = DnnLoader.Read(new DlibReader(bytes, "densenet"), inferred.Text);
        Assert.Equal(net.ParameterCount, again.ParameterCount);
        Assert.Equal("given", again.ArchitectureName);
        Assert.Equal(content.EndOffset, c2.EndOffset);
    }

    [SkippableFact]
    public void Architecture_with_another_repeat_count_is_rejected()
    {
        byte[] bytes = DenseNet.Value.Bytes;
        string wrong = BuiltInArchitectures.FaceRecognitionDenseNet.Replace("repeat<12,", "repeat<11,", StringComparison.Ordinal);
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => DnnLoader.Read(new DlibReader(bytes, "densenet.dat"), wrong));
        Assert.Contains("repeats its block 11 times but the file holds 12 copies", e.Message, StringComparison.Ordinal);
        Assert.Contains("densenet.dat: at byte ", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Architecture_without_the_repeat_is_rejected()
    {
        // Writing the repeats out by hand gives the same layers but another C++ type: dlib rejects it too.
        byte[] bytes = DenseNet.Value.Bytes;
        string flat = DenseNet.Value.Net.Architecture.Replace("repeat<3,dense_layer,", "dense_layer<dense_layer<dense_layer<", StringComparison.Ordinal)
            .Replace("stem<input_rgb_image>", "stem<input_rgb_image>>>", StringComparison.Ordinal);
        DlibFormatException e = Assert.Throws<DlibFormatException>(() => DnnLoader.Read(new DlibReader(bytes, "densenet.dat"), flat));
        Assert.Contains("does not match the architecture", e.Message, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Repeats_of_few_copies_are_read_without_an_architecture(int copies)
    {
        // Rebuild the DenseNet stream with the outermost repeat holding `copies` copies; counts of
        // 1..3 look like wrapper versions and are found by trying to read them as a repeat.
        DnnStreamContent c = DenseNet.Value.Content;
        var chain = c.Chain.ToList();
        int i = chain.FindIndex(x => x is RepeatEntry);
        var r = (RepeatEntry)chain[i];
        chain[i] = r with { Blocks = [.. Enumerable.Range(0, copies).Select(k => r.Blocks[k % r.Blocks.Count])] };
        byte[] bytes = Write(c with { Chain = chain });

        DnnStreamContent read = DnnStreamReader.Read(new DlibReader(bytes, "synthetic"));
        Assert.Equal(copies, Repeats(read.Chain).First().Blocks.Count);
        Assert.Equal(281 - ((8 - copies) * 9), read.Wrappers.Count);
        Assert.Equal(bytes, Write(read));
    }

    [Fact]
    public void Repeat_in_a_type_expression_expands_the_block_alias()
    {
        NetArchitecture a = NetArchitecture.FromTypeExpression("""
            template <typename SUBNET> using blk = relu<add_prev1<con<8,3,3,1,1,tag1<SUBNET>>>>;
            template <template<typename> class B, typename S> using twice = repeat<2,B,S>;
            using net = loss_metric<fc_no_bias<4,twice<blk,relu<con<8,3,3,1,1,input_rgb_image_sized<16>>>>>>;
            """);
        ArchitectureRepeat rep = Assert.IsType<ArchitectureRepeat>(a.Chain[1]);
        Assert.Equal(2, rep.Count);
        Assert.Equal(["relu", "add_prev<1>", "con<8,3,3,1,1>", "tag<1>"], rep.Block.Select(n => n.ToString()!));
        Assert.Equal(1 + 8 + 2, a.Nodes.Count);
        Assert.Equal(["fc_no_bias<4>", "relu", "add_prev<1>", "con<8,3,3,1,1>", "tag<1>", "relu", "add_prev<1>", "con<8,3,3,1,1>", "tag<1>", "relu", "con<8,3,3,1,1>"], a.Nodes.Select(n => n.ToString()));
    }

    [Fact]
    public void Padded_con_and_pool_in_add_layer_are_understood()
    {
        NetArchitecture a = NetArchitecture.FromTypeExpression("loss_multiclass_log<fc<10,add_layer<max_pool_<3,3,2,2,1,1>,add_layer<con_<32,7,7,2,2,3,3>,add_layer<con_<8,3,3,1,1>,input_rgb_image>>>>>");
        Assert.Equal(["fc<10>", "max_pool<3,3,2,2,1,1>", "con<32,7,7,2,2,3,3>", "con<8,3,3,1,1,1,1>"], a.Nodes.Select(n => n.ToString()));
    }

    [Theory]
    [InlineData("loss_metric<repeat<0,relu,fc<2,input_rgb_image>>>", "positive count")]
    [InlineData("loss_metric<repeat<2,relu,input_rgb_image>>", "SUBNET of a repeat")]
    [InlineData("loss_metric<fc<2,repeat_input_layer>>", "may only end a repeated block")]
    [InlineData("template <typename S> using three = relu<relu<relu<S>>>; using n = loss_metric<repeat<50000,three,fc<2,input_rgb_image>>>;", "more than 100000 layers")]
    public void Invalid_repeats_are_rejected(string text, string message)
    {
        ArchitectureException e = Assert.Throws<ArchitectureException>(() => NetArchitecture.FromTypeExpression(text));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<RepeatEntry> Repeats(IReadOnlyList<DnnChainItem> chain) => chain.OfType<RepeatEntry>();

    private static byte[] Write(DnnStreamContent c)
    {
        using var ms = new MemoryStream();
        DnnStreamWriter.Write(new DlibWriter(ms), c);
        return ms.ToArray();
    }
}
