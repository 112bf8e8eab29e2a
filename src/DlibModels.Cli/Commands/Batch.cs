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

    /// <summary>
    /// Images that may be in flight (being decoded and processed, or finished and waiting for their
    /// turn in the ordered output) per worker. The window bounds memory: a worker that runs ahead of
    /// a slow image waits instead of piling up finished results.
    /// </summary>
    public const int WindowPerWorker = 2;

    public void Run<T>(string commandName, IReadOnlyList<string> paths, int cpus, Func<string, T> work, Action<string, T> emit)
    {
        var clock = Stopwatch.StartNew();
        int workers = Math.Max(1, Math.Min(cpus, paths.Count));
        int window = workers * WindowPerWorker;

        // Slot k % window holds the result of input k while it waits for the inputs before it.
        var results = new T[Math.Min(window, Math.Max(1, paths.Count))];
        var state = new byte[results.Length]; // 0 pending, 1 done, 2 failed
        using var slots = new SemaphoreSlim(window, int.MaxValue); // no cap: a fault wakes every worker with extra releases
        int next = 0;      // first input not yet emitted (under _gate)
        int claimed = -1;  // last input handed to a worker (Interlocked)
        bool progress = !Console.IsOutputRedirected && paths.Count > 1;
        int completed = 0;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? fault = null;

        void Worker()
        {
            try
            {
                Loop();
            }
            catch (Exception e)
            {
                // An unexpected error ends the run: the other workers are woken and stop, and the
                // error is rethrown to the caller once all have stopped.
                Interlocked.CompareExchange(ref fault, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e), null);
                slots.Release(workers);
            }
        }

        void Loop()
        {
            while (true)
            {
                // A slot is taken before an input is claimed and given back when that input has been
                // emitted, so inputs next .. next + window - 1 are the only ones that can be in flight.
                slots.Wait();
                int i = Interlocked.Increment(ref claimed);
                if (i >= paths.Count || Volatile.Read(ref fault) is not null)
                {
                    slots.Release();
                    return;
                }

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

                int released = 0;
                lock (_gate)
                {
                    if (error is not null)
                    {
                        Console.Error.WriteLine($"dlib-models {commandName}: {error}");
                    }

                    int slot = i % results.Length;
                    results[slot] = result;
                    state[slot] = error is null ? (byte)1 : (byte)2;
                    completed++;
                    while (next < paths.Count && state[next % results.Length] != 0)
                    {
                        int s = next % results.Length;
                        if (state[s] == 2)
                        {
                            Failures++;
                        }
                        else
                        {
                            emit(paths[next], results[s]);
                            Processed++;
                        }

                        results[s] = default!;
                        state[s] = 0;
                        next++;
                        released++;
                    }

                    if (progress)
                    {
                        DrawProgress(completed, paths.Count, clock.Elapsed);
                    }
                }

                if (released > 0)
                {
                    slots.Release(released);
                }
            }
        }

        if (workers == 1)
        {
            Worker();
        }
        else
        {
            var threads = new Thread[workers];
            for (int t = 0; t < workers; t++)
            {
                threads[t] = new Thread(Worker) { IsBackground = true, Name = $"{commandName} worker {t}" };
                threads[t].Start();
            }

            foreach (Thread t in threads)
            {
                t.Join();
            }
        }

        if (progress)
        {
            Console.Error.Write("\r" + new string(' ', 70) + "\r");
        }

        fault?.Throw();
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
