using System.CommandLine;
using System.Diagnostics;
using DlibModels.Cli.Output;
using DlibModels.Search;

namespace DlibModels.Cli.Commands.Index;

/// <summary>
/// <c>dlib-models index bench [--faces N] [--queries Q] [--top K] [INDEX]</c>: builds an index of
/// synthetic descriptors shaped like dlib's (or uses INDEX when given), reopens it from its file, and
/// times exact top-K searches: build rate, open time, per-query median and p99, memory, and recall@K
/// of the search path used against a plain float scan.
/// </summary>
internal static class IndexBenchCommand
{
    public static Command Create()
    {
        var index = new Argument<string?>("INDEX") { Description = "An existing index to search (default: a temporary one is built).", Arity = ArgumentArity.ZeroOrOne };
        var faces = new Option<int>("--faces") { Description = "Synthetic faces to build.", DefaultValueFactory = _ => 1_000_000 };
        var queries = new Option<int>("--queries") { Description = "Queries to time.", DefaultValueFactory = _ => 200 };
        var top = new Option<int>("--top") { Description = "Neighbours per query.", DefaultValueFactory = _ => 5 };
        var facesPerPerson = new Option<int>("--faces-per-person") { Description = "Synthetic faces per person.", DefaultValueFactory = _ => 10 };
        var threads = new Option<int>("--threads") { Description = "Search threads (default: all cores).", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "One JSON object: faces, build_s, add_faces_per_s, open_s, median_ms, p99_ms, recall, rss_bytes, matrix_bytes." };
        var command = new Command("bench", "Time index building and exact k-nearest search.\nExample: dlib-models index bench --faces 1000000 --queries 200")
        {
            index, faces, queries, top, facesPerPerson, threads, json,
        };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(faces), q = parse.GetValue(queries), k = parse.GetValue(top), per = parse.GetValue(facesPerPerson);
            if (n < 1 || q < 1 || k < 1 || per < 1)
            {
                Console.Error.WriteLine("dlib-models index bench: --faces, --queries, --top and --faces-per-person must be positive");
                return 1;
            }

            string? given = parse.GetValue(index);
            string path = given ?? Path.Combine(Path.GetTempPath(), $"dlibmodels-bench-{Guid.NewGuid():N}.db");
            SyntheticDescriptors shape = SyntheticDescriptors.Create();
            try
            {
                double buildSeconds = 0;
                int built = 0;
                if (given is null)
                {
                    (buildSeconds, built) = Build(path, n, per, shape);
                }

                GC.Collect();
                var open = Stopwatch.StartNew();
                using FaceIndex? store = IndexCommand.TryOpen(path, "bench", mustExist: true);
                if (store is null)
                {
                    return 1;
                }

                double openSeconds = open.Elapsed.TotalSeconds;
                store.Matrix.MaxThreads = parse.GetValue(threads);
                var matrix = store.Matrix;
                if (matrix.Count == 0)
                {
                    Console.Error.WriteLine($"dlib-models index bench: {path} holds no faces");
                    return 1;
                }

                // Queries: new photos of stored people (a stored face moved by the within-person spread).
                var random = new Random(7);
                IReadOnlyList<FaceEntry>? sample = null;
                var times = new double[q];
                int agree = 0, total = 0;
                for (int i = 0; i < q; i++)
                {
                    float[] query;
                    if (given is null)
                    {
                        query = shape.FaceOf(shape.NewPerson());
                    }
                    else
                    {
                        sample ??= store.Faces();
                        query = shape.FaceOf(sample[random.Next(sample.Count)].Descriptor);
                    }

                    var t = Stopwatch.StartNew();
                    Neighbor[] hits = matrix.Search(query, k);
                    times[i] = t.Elapsed.TotalMilliseconds;

                    Neighbor[] exact = matrix.SearchExactScan(query, k);
                    total += exact.Length;
                    agree += hits.Select(h => h.FaceId).Intersect(exact.Select(e => e.FaceId)).Count();
                }

                Array.Sort(times);
                double median = times[q / 2], p99 = times[Math.Min(q - 1, (int)Math.Ceiling(q * 0.99) - 1)];
                double recall = total == 0 ? 1 : (double)agree / total;
                using var self = Process.GetCurrentProcess();
                long rss = self.WorkingSet64;
                if (parse.GetValue(json))
                {
                    using Stream stdout = Console.OpenStandardOutput();
                    JsonFields.Line(stdout, w =>
                    {
                        w.WriteNumber("faces", matrix.Count);
                        w.WriteNumber("queries", q);
                        w.WriteNumber("top", k);
                        w.WriteString("kernel", matrix.Kernel == DistanceKernel.Auto ? DescriptorMatrix.HardwareKernel.ToString() : matrix.Kernel.ToString());
                        w.WriteNumber("threads", matrix.MaxThreads <= 0 ? Environment.ProcessorCount : matrix.MaxThreads);
                        w.WriteNumber("build_s", buildSeconds);
                        w.WriteNumber("add_faces_per_s", buildSeconds > 0 ? built / buildSeconds : 0);
                        w.WriteNumber("open_s", openSeconds);
                        w.WriteNumber("median_ms", median);
                        w.WriteNumber("p99_ms", p99);
                        w.WriteNumber("recall", recall);
                        w.WriteNumber("rss_bytes", rss);
                        w.WriteNumber("matrix_bytes", matrix.MemoryBytes);
                        w.WriteString("descriptor_shape", shape.Source);
                    });
                }
                else
                {
                    Console.WriteLine($"{matrix.Count:N0} faces: built in {buildSeconds:F1} s ({(buildSeconds > 0 ? built / buildSeconds : 0):N0} faces/s), opened in {openSeconds:F2} s");
                    Console.WriteLine($"top-{k} over {q} queries: median {median:F2} ms, p99 {p99:F2} ms, recall@{k} {recall:F4} against a float scan");
                    Console.WriteLine($"memory: {rss >> 20} MB resident, {matrix.MemoryBytes >> 20} MB of descriptors");
                }

                return 0;
            }
            finally
            {
                if (given is null)
                {
                    foreach (string f in new[] { path, path + "-wal", path + "-shm" })
                    {
                        File.Delete(f);
                    }
                }
            }
        });
        return command;
    }

    private static (double Seconds, int Faces) Build(string path, int n, int perPerson, SyntheticDescriptors shape)
    {
        using FaceIndex store = FaceIndex.Open(path, "synthetic");
        var clock = new Stopwatch();
        const int Chunk = 10_000;
        var batch = new List<NewFace>(Chunk);
        float[] person = shape.NewPerson();
        for (int i = 0; i < n; i++)
        {
            if (i % perPerson == 0)
            {
                person = shape.NewPerson();
            }

            batch.Add(new NewFace(shape.FaceOf(person), "synthetic", $"synthetic/{i / perPerson}/{i}.jpg", "synthetic"));
            if (batch.Count == Chunk || i == n - 1)
            {
                clock.Start();
                store.AddFaces(batch);
                clock.Stop();
                batch.Clear();
            }
        }

        return (clock.Elapsed.TotalSeconds, n);
    }
}
