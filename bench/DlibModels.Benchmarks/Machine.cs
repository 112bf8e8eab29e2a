using System.Globalization;
using System.Runtime.Intrinsics;

namespace DlibModels.Benchmarks;

/// <summary>What the machine can do at best, and where the shared test data is.</summary>
public static class Machine
{
    private static readonly Lazy<(double Peak, string Description)> PeakLazy = new(ComputePeak);

    /// <summary>
    /// Single-precision FMA peak of one core: FMA units x float lanes x 2 flops x clock. Override
    /// with <c>PEAK_GFLOPS</c>. Defaults: 2 FMA units, the widest accelerated vector (8 lanes for
    /// AVX2, 16 for AVX-512), the clock from <c>/proc/cpuinfo</c> (BogoMIPS / 2 under KVM).
    /// </summary>
    public static double PeakGflopsPerCore => PeakLazy.Value.Peak;

    /// <summary>How <see cref="PeakGflopsPerCore"/> was obtained.</summary>
    public static string PeakDescription => PeakLazy.Value.Description;

    /// <summary>The shared folder holding <c>images/</c> and <c>models/</c>.</summary>
    public static string Shared
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("DLIB_SHARED");
            if (env is not null && Directory.Exists(env))
            {
                return env;
            }

            for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            {
                string candidate = Path.Combine(dir, "shared");
                if (Directory.Exists(Path.Combine(candidate, "images")))
                {
                    return candidate;
                }

                candidate = Path.Combine(Path.GetDirectoryName(dir) ?? dir, "shared");
                if (Directory.Exists(Path.Combine(candidate, "images")))
                {
                    return candidate;
                }
            }

            return "/work/shared";
        }
    }

    /// <summary>A path under <see cref="Shared"/>.</summary>
    /// <param name="relative">Path relative to the shared folder.</param>
    public static string Data(string relative) => Path.Combine(Shared, relative);

    private static (double, string) ComputePeak()
    {
        string? env = Environment.GetEnvironmentVariable("PEAK_GFLOPS");
        if (env is not null && double.TryParse(env, CultureInfo.InvariantCulture, out double p))
        {
            return (p, "PEAK_GFLOPS");
        }

        int lanes = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4;
        double ghz = 2.4;
        string source = "assumed 2.4 GHz";
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("cpu MHz", StringComparison.Ordinal) && double.TryParse(line[(line.IndexOf(':') + 1)..], CultureInfo.InvariantCulture, out double mhz) && mhz > 100)
                {
                    ghz = mhz / 1000;
                    source = "cpu MHz";
                    break;
                }

                if (line.StartsWith("bogomips", StringComparison.Ordinal) && double.TryParse(line[(line.IndexOf(':') + 1)..], CultureInfo.InvariantCulture, out double bogo) && bogo > 100)
                {
                    ghz = bogo / 2000;
                    source = "BogoMIPS/2";
                }
            }
        }
        catch (IOException)
        {
        }

        return (2 * lanes * 2 * ghz, string.Create(CultureInfo.InvariantCulture, $"2 FMA x {lanes} lanes x 2 flops x {ghz:F2} GHz ({source})"));
    }
}
