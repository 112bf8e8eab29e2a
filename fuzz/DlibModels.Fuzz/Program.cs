using DlibModels.Fuzz;

// Usage (see fuzz/README.md):
//   DlibModels.Fuzz <target>                            AFL++ mode (run under afl-fuzz, instrumented with sharpfuzz)
//   DlibModels.Fuzz <target> --run <corpus> <crashes> [--seconds S] [--iters N] [--seed K]
//                                                      in-process mutation fuzzing (no coverage feedback)
//   DlibModels.Fuzz <target> --repro <file|dir>...      run inputs once; exit 1 if any crashes
//   DlibModels.Fuzz seeds <out> <shared>                write the seed corpora
if (args.Length == 0)
{
    Console.Error.WriteLine("targets: " + string.Join(", ", Targets.All.Select(t => $"{t.Name} ({t.What})")));
    Console.Error.WriteLine("usage: DlibModels.Fuzz <target> [--run <corpus> <crashes> [--seconds S] [--iters N] [--seed K] | --repro <paths>...] | seeds <out> <shared>");
    return 2;
}

if (args[0] == "seeds")
{
    return args.Length == 3 ? Seeds.Write(args[1], args[2]) : 2;
}

Action<byte[]>? target = Targets.Find(args[0]);
if (target is null)
{
    Console.Error.WriteLine($"unknown target '{args[0]}'");
    return 2;
}

if (args.Length == 1)
{
    SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
    {
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        target(ms.ToArray());
    });
    return 0;
}

if (args[1] == "--repro")
{
    int bad = 0;
    Targets.Verbose = true;
    foreach (string file in args.Skip(2).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal).ToArray() : new[] { p }))
    {
        try
        {
            Console.WriteLine(file);
            target(File.ReadAllBytes(file));
        }
        catch (Exception e)
        {
            bad++;
            Console.WriteLine($"CRASH {file}: {e.GetType().Name}: {e.Message}");
            Console.WriteLine(e.StackTrace);
        }
    }

    return bad == 0 ? 0 : 1;
}

if (args[1] == "--run" && args.Length >= 4)
{
    double seconds = 30;
    long iters = long.MaxValue;
    int seed = Environment.TickCount;
    for (int i = 4; i + 1 < args.Length; i += 2)
    {
        switch (args[i])
        {
            case "--seconds": seconds = double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
            case "--iters": iters = long.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
            case "--seed": seed = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
            default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
        }
    }

    return InProcess.Run(args[0], target, args[2], args[3], seconds, iters, seed);
}

Console.Error.WriteLine("bad arguments");
return 2;
