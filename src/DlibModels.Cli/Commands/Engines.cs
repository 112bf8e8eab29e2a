using System.CommandLine;
using DlibModels.Dnn;
using DlibModels.Dnn.Engine;
using DlibModels.OnnxRuntime;

namespace DlibModels.Cli.Commands;

/// <summary>
/// <c>--engine dlibmodels|ort</c>: which engine runs the network's layers. <c>dlibmodels</c> (the
/// default) is this library's <see cref="DnnExecutor"/>; <c>ort</c> exports the network to ONNX in
/// memory and runs it on ONNX Runtime's CPU provider (<see cref="OrtForwardPass"/>). Everything around
/// the forward pass (pyramid, decoding, NMS, chips, top-k) is the same code either way.
/// </summary>
internal static class Engines
{
    public const string DlibModels = "dlibmodels";

    public const string Ort = "ort";

    public static Option<string> CreateOption()
    {
        var option = new Option<string>("--engine")
        {
            Description = "Network engine: dlibmodels (this library's, the default) or ort (the network exported to ONNX in memory and run by ONNX Runtime, CPU provider, graph optimizations on).",
            DefaultValueFactory = _ => DlibModels,
        };
        option.AcceptOnlyFromAmong(DlibModels, Ort);
        return option;
    }

    public static bool IsOrt(string? engine) => string.Equals(engine, Ort, StringComparison.Ordinal);

    /// <summary>The forward pass of <paramref name="network"/> on <paramref name="engine"/>, with at most <paramref name="threads"/> threads (0 = all).</summary>
    public static IForwardPass Create(DnnNetwork network, string? engine, int threads) =>
        IsOrt(engine) ? new OrtForwardPass(network, threads) : new DnnExecutor(network, threads);
}
