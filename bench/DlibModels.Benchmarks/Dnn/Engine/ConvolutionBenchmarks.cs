using BenchmarkDotNet.Attributes;
using DlibModels.Dnn;
using DlibModels.Dnn.Engine;

namespace DlibModels.Benchmarks.Dnn.Engine;

/// <summary>
/// <see cref="PackedConvolution"/> (conv + bias + relu) on layer shapes from the zoo's networks;
/// the GFLOP/s and % FMA peak columns show how close the kernel gets to the machine.
/// </summary>
public class ConvolutionBenchmarks : IFlopCount
{
    private static readonly Dictionary<string, (int N, int Ci, int Co, int K, int S, int P, int Rows, int Cols)> Shapes = new()
    {
        // mmod_human_face_detector: con5d<16> on the tiled pyramid, con5d<32> x2, con5<45> x3, con<1,9,9>
        ["mmod_con5d_3to16_600x600"] = (1, 3, 16, 5, 2, 0, 600, 600),
        ["mmod_con5d_32to32_148x148"] = (1, 32, 32, 5, 2, 0, 148, 148),
        ["mmod_con5_45to45_72x72"] = (1, 45, 45, 5, 1, 2, 72, 72),
        ["mmod_con9_45to1_72x72"] = (1, 45, 1, 9, 1, 4, 72, 72),

        // dlib_face_recognition_resnet_model_v1, batch 16: con<32,7,7,2,2>, then 3x3 residual convs
        ["facerec_con7s2_3to32_150x150_b16"] = (16, 3, 32, 7, 2, 0, 150, 150),
        ["facerec_con3_32to32_36x36_b16"] = (16, 32, 32, 3, 1, 1, 36, 36),
        ["facerec_con3_64to64_18x18_b16"] = (16, 64, 64, 3, 1, 1, 18, 18),
        ["facerec_con3_256to256_5x5_b16"] = (16, 256, 256, 3, 1, 1, 5, 5),
    };

    private PackedConvolution? _conv;
    private Tensor? _input;

    /// <summary>The layer shape (see the table in the source).</summary>
    [ParamsSource(nameof(ShapeNames))]
    public string Shape { get; set; } = "mmod_con5_45to45_72x72";

    /// <summary>Threads given to the kernel.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    /// <summary>The shape names, for <see cref="Shape"/>.</summary>
    public static IEnumerable<string> ShapeNames => Shapes.Keys;

    /// <inheritdoc/>
    public double Flops
    {
        get
        {
            var s = Shapes[Shape];
            long outR = 1 + ((s.Rows + (2 * s.P) - s.K) / s.S), outC = 1 + ((s.Cols + (2 * s.P) - s.K) / s.S);
            return 2.0 * s.N * s.Co * s.Ci * s.K * s.K * outR * outC;
        }
    }

    /// <inheritdoc/>
    public int ThreadsUsed => Threads;

    /// <summary>Random weights and input of the chosen shape.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var s = Shapes[Shape];
        var rnd = new Random(1);
        float[] w = new float[s.Co * s.Ci * s.K * s.K];
        float[] b = new float[s.Co];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)(rnd.NextDouble() - 0.5) * 0.1f;
        }

        var layer = new ConvolutionLayer(s.Co, s.Ci, s.K, s.K, s.S, s.S, s.P, s.P, w, b);
        _conv = new PackedConvolution(layer, null, relu: true);
        float[] x = new float[s.N * s.Ci * s.Rows * s.Cols];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rnd.NextDouble();
        }

        _input = new Tensor(s.N, s.Ci, s.Rows, s.Cols, x);
    }

    /// <summary>One forward pass; the output goes back to the pool.</summary>
    [Benchmark]
    public void Forward()
    {
        using Tensor y = _conv!.Forward(_input!, Threads);
    }
}
