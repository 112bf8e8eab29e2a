using BenchmarkDotNet.Running;

namespace DlibModels.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project bench/DlibModels.Benchmarks -- --filter '*Convolution*'</c>.
/// The inputs (images, models) come from the shared folder: <c>DLIB_SHARED</c>, else <c>../shared</c>
/// above the repository, else <c>/work/shared</c>.
/// </summary>
public static class Program
{
    /// <summary>Runs the benchmarks chosen on the command line (BenchmarkDotNet's switcher).</summary>
    /// <param name="args">BenchmarkDotNet arguments (<c>--filter</c>, <c>--job</c>, ...).</param>
    public static void Main(string[] args)
    {
        Console.WriteLine($"FMA peak estimate: {Machine.PeakGflopsPerCore:F1} GFLOP/s per core ({Machine.PeakDescription})");
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new Config());
    }
}
