using DlibModels.Dnn;
using DlibModels.Dnn.Engine;
using DlibModels.Onnx;
using DlibModels.Tests.Cli;
using DlibModels.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace DlibModels.Tests.Onnx;

/// <summary>Small synthetic networks through the exporter and ONNX Runtime, and the CLI command.</summary>
public sealed class OnnxGraphTests
{
    /// <summary>
    /// add_prev with a channel and a size mismatch (dlib zero-extends), padded pools, a lone affine,
    /// multiply and fc, exported with a symbolic image size and run at two sizes.
    /// </summary>
    [Theory]
    [InlineData(21, 23)]
    [InlineData(16, 9)]
    public void MixedLayersMatchEngine(int rows, int cols)
    {
        var rng = new Random(17);
        float[] R(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        int pooledR = PoolOut(PoolOut(rows, 3, 2, 1), 3, 1, 1), pooledC = PoolOut(PoolOut(cols, 3, 2, 1), 3, 1, 1);
        var layers = new List<Layer>
        {
            new ConvolutionLayer(4, 3, 3, 3, 1, 1, 1, 1, R(4 * 3 * 9), R(4)),
            new ReluLayer(),
            new TagLayer(1),
            new ConvolutionLayer(6, 4, 3, 3, 2, 2, 0, 0, R(6 * 4 * 9), []),
            new AddPrevLayer(1),
            new AffineLayer(true, R(6), R(6)),
            new PoolLayer(PoolKind.Max, 3, 3, 2, 2, 1, 1),
            new PoolLayer(PoolKind.Average, 3, 3, 1, 1, 1, 1),
            new MultiplyLayer(0.5f),
            new FullyConnectedLayer(10, 6 * pooledR * pooledC, R(10 * 6 * pooledR * pooledC), R(10)),
        };
        var net = new DnnNetwork(new InputLayer(InputKind.RgbImage, 120f, 110f, 100f), layers, new MulticlassLogLoss(), "synthetic");
        float[] raw = Enumerable.Range(0, 2 * 3 * rows * cols).Select(_ => (float)rng.Next(256)).ToArray();
        float[] normalised = new float[raw.Length];
        float[] means = [120f, 110f, 100f];
        for (int i = 0; i < raw.Length; i++)
        {
            normalised[i] = (raw[i] - means[(i / (rows * cols)) % 3]) / 256f;
        }

        using var input = new Tensor(2, 3, rows, cols, normalised);
        using Tensor ours = new DnnExecutor(net, 1).Forward(input);
        float[] theirs = OnnxParityTests.RunOrt(OnnxExporter.ExportToBytes(net), raw, [2, 3, rows, cols], out long[] shape);
        Assert.Equal(new long[] { 2, 10 }, shape);
        float[] o = ours.Span.ToArray();
        double scale = o.Max(Math.Abs);
        double diff = o.Zip(theirs, (a, b) => Math.Abs((double)a - b)).Max();
        Assert.True(diff <= 1e-4 * scale, $"max abs diff {diff} against scale {scale}");
    }

    /// <summary>The pool-everything forms become global pools.</summary>
    [Fact]
    public void GlobalPoolsMatchEngine()
    {
        var net = new DnnNetwork(new InputLayer(InputKind.RgbImage, 0f, 0f, 0f), [new PoolLayer(PoolKind.Max, 0, 0, 1, 1, 0, 0), new TagLayer(2), new SkipLayer(2)], new MulticlassLogLoss(), "synthetic");
        float[] raw = Enumerable.Range(0, 3 * 5 * 7).Select(i => (float)((i * 37) % 256)).ToArray();
        using var input = new Tensor(1, 3, 5, 7, raw.Select(v => v / 256f).ToArray());
        using Tensor ours = new DnnExecutor(net, 1).Forward(input);
        float[] theirs = OnnxParityTests.RunOrt(OnnxExporter.ExportToBytes(net), raw, [1, 3, 5, 7], out long[] shape);
        Assert.Equal(new long[] { 1, 3, 1, 1 }, shape);
        Assert.Equal(ours.Span.ToArray(), theirs);
    }

    /// <summary>An opset outside 13..21 is refused.</summary>
    [Fact]
    public void OpsetIsChecked()
    {
        var net = new DnnNetwork(new InputLayer(InputKind.RgbImage, 0f, 0f, 0f), [new ReluLayer()], new MulticlassLogLoss(), "synthetic");
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExporter.ExportToBytes(net, new OnnxExportOptions { Opset = 9 }));
    }

    private static int PoolOut(int n, int w, int s, int p) => 1 + ((n + (2 * p) - w) / s);
}

/// <summary><c>dlib-models export onnx</c> as a child process.</summary>
[Collection(CliCollection.Name)]
public sealed class ExportCommandTests
{
    /// <summary>Writes a model ORT loads, with the file's SHA-256 in its metadata.</summary>
    [SkippableFact]
    public void ExportsMmodDetector()
    {
        string model = TestPaths.Model("mmod_human_face_detector.dat.bz2");
        string outPath = Path.Combine(Path.GetTempPath(), $"dlib-onnx-{Environment.ProcessId}.onnx");
        try
        {
            (int code, string stdout, string stderr) = CliProcess.Run("export", "onnx", model, outPath, "--opset", "15");
            Assert.True(code == 0, stderr);
            Assert.Contains("opset 15", stdout, StringComparison.Ordinal);
            using var session = new InferenceSession(outPath);
            string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(model)));
            Assert.Equal(sha, session.ModelMetadata.CustomMetadataMap["source_sha256"]);
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    /// <summary>A bad opset exits 1 with a message.</summary>
    [SkippableFact]
    public void RefusesBadOpset()
    {
        string model = TestPaths.Model("mmod_human_face_detector.dat.bz2");
        (int code, _, string stderr) = CliProcess.Run("export", "onnx", model, Path.Combine(Path.GetTempPath(), "never.onnx"), "--opset", "3");
        Assert.Equal(1, code);
        Assert.Contains("opset", stderr, StringComparison.Ordinal);
    }
}
