using System.Diagnostics;
using DlibModels.ImageIO;

namespace DlibModels.Cli.Commands;

/// <summary>
/// Runs one command over many images: in parallel on up to <c>--cpus</c> images at once, emitting
/// results in input order, reporting unreadable inputs on stderr without stopping, with a progress
/// bar (on stderr, only when stdout is a terminal) and a timing summary.
/// </summary>
internal sealed class Batch
{
    private readonly object _gate = new();

    public int Failures { get; private set; }

    public int Processed { get; private set; }

    public TimeSpan Elapsed { get; private set; }

    /// <summary>The engine threads each image may use so that images × threads ≤ cores.</summary>
    public static int EngineThreads(int cpus) => Math.Max(1, Environment.ProcessorCount / Math.Max(1, cpus));

    /// <summary>Resolves <c>--cpus</c> (0 = all cores).</summary>
    public static int Cpus(int requested) => requested <= 0 ? Environment.ProcessorCount : requested;

    public void Run<T>(string commandName, IReadOnlyList<string> paths, int cpus, Func<string, T> work, Action<string, T> emit)
    {
        var clock = Stopwatch.StartNew();
        var results = new T[paths.Count];
        var done = new bool[paths.Count];
        var failed = new bool[paths.Count];
        int next = 0;
        bool progress = !Console.IsOutputRedirected && paths.Count > 1;
        int completed = 0;
        Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, cpus) }, i =>
        {
            T result = default!;
            string? error = null;
            try
            {
                result = work(paths[i]);
            }
            catch (Exception e) when (e is ImageDecodeException or Serialization.DlibFormatException or IOException or ArgumentException or UnauthorizedAccessException)
            {
                error = e.Message;
            }

            bool ok = error is null;
            lock (_gate)
            {
                if (error is not null)
                {
                    Console.Error.WriteLine($"dlib-models {commandName}: {error}");
                }

                results[i] = result;
                failed[i] = !ok;
                done[i] = true;
                completed++;
                while (next < paths.Count && done[next])
                {
                    if (failed[next])
                    {
                        Failures++;
                    }
                    else
                    {
                        emit(paths[next], results[next]);
                        Processed++;
                    }

                    results[next] = default!;
                    next++;
                }

                if (progress)
                {
                    DrawProgress(completed, paths.Count, clock.Elapsed);
                }
            }
        });
        if (progress)
        {
            Console.Error.Write("\r" + new string(' ', 70) + "\r");
        }

        Elapsed = clock.Elapsed;
    }

    public string Summary(string what, int count) =>
        $"{Processed} image(s), {count} {what}, {Failures} failed, {Elapsed.TotalSeconds:F2} s ({(Processed > 0 ? Elapsed.TotalMilliseconds / Processed : 0):F0} ms per image)";

    private static void DrawProgress(int done, int total, TimeSpan elapsed)
    {
        const int width = 30;
        int filled = (int)((long)done * width / total);
        double eta = done == 0 ? 0 : elapsed.TotalSeconds / done * (total - done);
        Console.Error.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {done}/{total}  ETA {TimeSpan.FromSeconds(eta):mm\\:ss} ");
    }
}
