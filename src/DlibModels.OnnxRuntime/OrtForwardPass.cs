using DlibModels.Dnn;
using DlibModels.Dnn.Engine;
using DlibModels.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = DlibModels.Dnn.Engine.Tensor;

namespace DlibModels.OnnxRuntime;

/// <summary>
/// A network's forward pass on ONNX Runtime's CPU execution provider: the network is exported with
/// <see cref="OnnxExporter"/> in memory (input already normalised, so it takes the very tensor this
/// library's engine takes) and run by one <see cref="InferenceSession"/> with all graph
/// optimizations on. Pass it to <c>MmodDetector</c>, <c>FaceRecognitionModel</c> or
/// <c>ImageNetClassifier</c> in place of a <see cref="DnnExecutor"/>.
/// </summary>
/// <remarks>Safe to use from several threads at once (ONNX Runtime's <c>Run</c> is); dispose it after the pipelines using it.</remarks>
public sealed class OrtForwardPass : IForwardPass, IDisposable
{
    private static readonly string[] InputNames = ["input"];
    private static readonly string[] OutputNames = ["output"];

    private readonly InferenceSession session;

    /// <summary>Exports <paramref name="network"/> and opens an ONNX Runtime session for it.</summary>
    /// <param name="network">The network (any layer set <see cref="OnnxExporter"/> supports).</param>
    /// <param name="intraOpThreads">ONNX Runtime's intra-op threads for one run; 0 means all processors.</param>
    /// <exception cref="NotSupportedException">The network has a layer without an ONNX equivalent.</exception>
    public OrtForwardPass(DnnNetwork network, int intraOpThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegative(intraOpThreads);
        Network = network;
        MaxThreads = intraOpThreads == 0 ? Environment.ProcessorCount : intraOpThreads;
        byte[] model = OnnxExporter.ExportToBytes(network, new OnnxExportOptions { NormalizedInput = true });
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = MaxThreads,
            InterOpNumThreads = 1,
        };
        session = new InferenceSession(model, options);
    }

    /// <inheritdoc/>
    public DnnNetwork Network { get; }

    /// <inheritdoc/>
    public int MaxThreads { get; }

    /// <inheritdoc/>
    public unsafe Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        long[] shape = [input.N, input.K, input.Rows, input.Cols];
        Span<float> values = input.Span;
        fixed (float* p = values)
        {
            using OrtValue value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, shape, (IntPtr)p, (long)values.Length * sizeof(float));
            using var runOptions = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> results = session.Run(runOptions, InputNames, [value], OutputNames);
            OrtValue result = results[0];
            long[] dims = result.GetTensorTypeAndShape().Shape;
            int n = (int)dims[0];
            int k = dims.Length > 1 ? (int)dims[1] : 1;
            int rows = dims.Length > 2 ? (int)dims[2] : 1;
            int cols = dims.Length > 3 ? (int)dims[3] : 1;
            return new Tensor(n, k, rows, cols, result.GetTensorDataAsSpan<float>());
        }
    }

    /// <summary>Closes the ONNX Runtime session.</summary>
    public void Dispose() => session.Dispose();
}
