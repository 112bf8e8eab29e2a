using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DlibModels.Detection.Hog;
using DlibModels.Detection.Mmod;
using DlibModels.Dnn;
using DlibModels.Dnn.Engine;
using DlibModels.Dnn.Format;
using DlibModels.Faces;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Serialization;
using DlibModels.Zoo;

namespace DlibModels.Cli.Commands;

/// <summary>
/// <c>dlib-models bench COMMAND ARGS... [--reps N] [--warmup W] [--threads T]</c>: times the
/// steps of one pipeline the way <c>dlibref bench</c> does, so the two JSON documents can be set
/// side by side (same step names: <c>load_*</c>, <c>decode</c>, <c>resize</c>, <c>upsample</c>,
/// <c>detect</c>, <c>landmarks</c>, <c>chip_details</c>, <c>chip</c>, <c>descriptor_batch</c>).
/// Models are read and images decoded once, before the warmups; the compute steps of every rep run
/// on those. Afterwards, unless <c>--no-load-steps</c>, <c>decode</c> and <c>load_*</c> are timed
/// in W + N reps of their own (from the file, and from the already-decompressed model bytes, as
/// dlibref does on every rep), so the peak memory of the load-once phase is reported apart.
/// Prints one JSON object on stdout and a table on stderr. Exit codes: 0 ok, 1 bad arguments,
/// model or image.
/// </summary>
internal static class BenchCommand
{
    private const string Usage =
        "bench hog IMG | mmod MODEL IMG | landmarks SP IMG [--boxes-from hog|mmod:MODEL] | chips SP IMG [--extract all|each] | " +
        "descriptors NET --chips CHIPS... [--batch B] | descriptors NET IMG --sp SP | forward NET IMG [--batch B] | load MODEL; " +
        "[--engine dlibmodels|ort] for mmod, descriptors and forward";

    public static Command Create()
    {
        var args = new Argument<string[]>("ARGS") { Description = "COMMAND (hog, mmod, landmarks, chips, descriptors, forward, load) and its positional arguments (models, one image).", Arity = ArgumentArity.OneOrMore };
        var reps = new Option<int>("--reps") { Description = "Timed repetitions.", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warmup repetitions.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Threads the engine may use (HOG pyramid levels, convolutions); default 1, like dlibref.", DefaultValueFactory = _ => 1 };
        var resize = new Option<string?>("--resize") { Description = "WxH: bilinear resize after decoding (dlib's resize_image)." };
        var upsample = new Option<int>("--upsample") { Description = "pyramid_up the image N times after decoding.", DefaultValueFactory = _ => 0 };
        var threshold = new Option<double>("--threshold") { Description = "Detector adjust_threshold.", DefaultValueFactory = _ => 0.0 };
        var boxesFrom = new Option<string>("--boxes-from") { Description = "Face boxes for landmarks/chips/descriptors: hog or mmod:MODEL.", DefaultValueFactory = _ => "hog" };
        var extract = new Option<string?>("--extract") { Description = "chips: all (one extract_image_chips call, default for chips) or each (extract_image_chip per face, default for descriptors)." };
        var size = new Option<int>("--size") { Description = "Chip size.", DefaultValueFactory = _ => 150 };
        var padding = new Option<double>("--padding") { Description = "Chip padding.", DefaultValueFactory = _ => 0.25 };
        var chips = new Option<string[]>("--chips") { Description = "descriptors: ready-made 150x150 chips fed straight to the net.", AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.ZeroOrMore };
        var sp = new Option<string?>("--sp") { Description = "descriptors IMG: the shape predictor used for alignment." };
        var batch = new Option<int>("--batch") { Description = "descriptors: chips per net call (dlib's net(chips) default is 128).", DefaultValueFactory = _ => 128 };
        var noLoad = new Option<bool>("--no-load-steps") { Description = "Do not re-time decode and load_* on every rep." };
        Option<string> engine = Engines.CreateOption();
        var command = new Command("bench", "Time a pipeline step by step (model loaded and image decoded once), as one JSON object comparable with `dlibref bench`.\n" + Usage)
        {
            args, reps, warmup, threads, resize, upsample, threshold, boxesFrom, extract, size, padding, chips, sp, batch, noLoad, engine,
        };
        command.SetAction(parse =>
        {
            var o = new BenchOptions
            {
                Args = parse.GetValue(args)!,
                Reps = parse.GetValue(reps),
                Warmup = parse.GetValue(warmup),
                Threads = parse.GetValue(threads),
                Resize = parse.GetValue(resize),
                Upsample = parse.GetValue(upsample),
                Threshold = parse.GetValue(threshold),
                BoxesFrom = parse.GetValue(boxesFrom)!,
                Extract = parse.GetValue(extract),
                Size = parse.GetValue(size),
                Padding = parse.GetValue(padding),
                Chips = parse.GetValue(chips) ?? [],
                Sp = parse.GetValue(sp),
                Batch = parse.GetValue(batch),
                ForwardBatch = parse.GetResult(batch) is { Implicit: false } ? parse.GetValue(batch) : 1,
                LoadSteps = !parse.GetValue(noLoad),
                Engine = parse.GetValue(engine)!,
            };
            if (o.Reps < 1 || o.Warmup < 0 || o.Threads < 1 || o.Batch < 1 || o.Upsample < 0 || o.Upsample > 4)
            {
                Console.Error.WriteLine("dlib-models bench: need --reps >= 1, --warmup >= 0, --threads >= 1, --batch >= 1, 0 <= --upsample <= 4");
                return 1;
            }

            try
            {
                return Run(o, string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));
            }
            catch (Exception e) when (e is FileNotFoundException or DlibFormatException or IOException or ImageDecodeException or ArgumentException or FormatException)
            {
                Console.Error.WriteLine($"dlib-models bench: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static int Run(BenchOptions o, string commandLine)
    {
        var rec = new Recorder();
        Pipeline rep;
        string sub = o.Args[0];
        string[] pos = o.Args[1..];
        switch (sub)
        {
            case "hog":
                rep = SetupHog(o, pos, rec);
                break;
            case "mmod":
                rep = SetupMmod(o, pos, rec);
                break;
            case "landmarks":
            case "chips":
                rep = SetupFaces(o, pos, rec, sub == "chips");
                break;
            case "descriptors":
                rep = SetupDescriptors(o, pos, rec);
                break;
            case "forward":
                rep = SetupForward(o, pos, rec);
                break;
            case "load":
                rep = SetupLoad(pos, rec);
                break;
            default:
                Console.Error.WriteLine($"dlib-models bench: unknown COMMAND '{sub}'. Usage: {Usage}");
                return 1;
        }

        rec.EndSetup();
        var total = new List<double>();
        var repAllocThread = new List<long>();
        var repAllocAll = new List<long>();
        int gc0 = 0, gc1 = 0, gc2 = 0;
        for (int r = 0; r < o.Warmup + o.Reps; r++)
        {
            bool timed = r >= o.Warmup;
            int c0 = GC.CollectionCount(0), c1 = GC.CollectionCount(1), c2 = GC.CollectionCount(2);
            long at = GC.GetAllocatedBytesForCurrentThread();
            long aa = GC.GetTotalAllocatedBytes(precise: true);
            rec.BeginRep(timed);
            long t0 = Stopwatch.GetTimestamp();
            rep.Compute();
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            long at2 = GC.GetAllocatedBytesForCurrentThread();
            long aa2 = GC.GetTotalAllocatedBytes(precise: true);
            if (timed)
            {
                total.Add(ms);
                repAllocThread.Add(at2 - at);
                repAllocAll.Add(aa2 - aa);
                gc0 += GC.CollectionCount(0) - c0;
                gc1 += GC.CollectionCount(1) - c1;
                gc2 += GC.CollectionCount(2) - c2;
            }
        }

        // Peak so far: models loaded once, image decoded once, all compute reps (what a user of the library holds).
        double peakComputeMb;
        using (var self = Process.GetCurrentProcess())
        {
            self.Refresh();
            peakComputeMb = self.PeakWorkingSet64 / (1024.0 * 1024.0);
        }

        // Second phase: decode and load_* again, W + N times, only to time them next to dlibref.
        if (o.LoadSteps && rep.Reload is not null)
        {
            rec.ReloadPhase();
            for (int r = 0; r < o.Warmup + o.Reps; r++)
            {
                rec.BeginRep(r >= o.Warmup);
                rep.Reload();
            }
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartObject("tool");
            w.WriteString("name", "dlib-models");
            w.WriteString("version", typeof(BenchCommand).Assembly.GetName().Version?.ToString() ?? "?");
            w.WriteString("runtime", System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
            w.WriteNumber("processor_count", Environment.ProcessorCount);
            w.WriteBoolean("server_gc", System.Runtime.GCSettings.IsServerGC);
            w.WriteEndObject();
            w.WriteString("command", commandLine);
            w.WriteString("subcommand", sub);
            w.WriteNumber("reps", o.Reps);
            w.WriteNumber("warmup", o.Warmup);
            w.WriteNumber("threads", o.Threads);
            w.WriteString("engine", o.Engine);
            w.WriteString("note", "models read and images decoded once before the warmups; compute steps reuse them. decode and load_* are re-timed afterwards in W + N extra reps of their own (results dropped); peak_working_set_mb_load_once is the peak before those, peak_working_set_mb the whole process. total_per_rep and allocated_bytes_per_rep cover the compute steps only. op: one sample per timed call, pooled over reps; per_item = op time / items in that call; per_rep = sum over one rep (min_ms/max_ms are per rep). allocated_bytes_per_rep: GC.GetAllocatedBytesForCurrentThread over a whole warm rep (median); _all_threads: GC.GetTotalAllocatedBytes(precise)");
            w.WriteStartArray("once");
            foreach ((string step, double stepMs) in rec.Once)
            {
                w.WriteStartObject();
                w.WriteString("step", step);
                w.WriteNumber("ms", Round(stepMs));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("steps");
            fmtHeader();
            foreach (Recorder.StepStats s in rec.Stats(o.Reps))
            {
                w.WriteStartObject();
                w.WriteString("step", s.Step);
                w.WriteNumber("ops_per_rep", s.OpsPerRep);
                w.WriteNumber("per_rep_median_ms", Round(s.PerRepMedian));
                w.WriteNumber("min_ms", Round(s.PerRepMin));
                w.WriteNumber("max_ms", Round(s.PerRepMax));
                w.WriteNumber("per_rep_min_ms", Round(s.PerRepMin));
                w.WriteNumber("op_min_ms", Round(s.OpMin));
                w.WriteNumber("op_median_ms", Round(s.OpMedian));
                w.WriteNumber("op_mean_ms", Round(s.OpMean));
                w.WriteNumber("op_max_ms", Round(s.OpMax));
                w.WriteNumber("per_item_min_ms", Round(s.ItemMin));
                w.WriteNumber("per_item_median_ms", Round(s.ItemMedian));
                w.WriteNumber("allocated_bytes_per_rep", s.AllocPerRepMedian);
                w.WriteEndObject();
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Step,-22} {s.OpsPerRep,6:F1} {s.OpMin,11:F3} {s.OpMedian,11:F3} {s.PerRepMedian,13:F3} {s.ItemMedian,13:F3} {s.AllocPerRepMedian,14}"));
            }

            w.WriteEndArray();
            w.WriteStartObject("total_per_rep");
            w.WriteNumber("min_ms", Round(total.Min()));
            w.WriteNumber("median_ms", Round(Median(total)));
            w.WriteNumber("max_ms", Round(total.Max()));
            w.WriteEndObject();
            w.WriteNumber("allocated_bytes_per_rep", (long)Median(repAllocThread.Select(x => (double)x).ToList()));
            w.WriteNumber("allocated_bytes_per_rep_all_threads", (long)Median(repAllocAll.Select(x => (double)x).ToList()));
            w.WriteStartObject("gc_collections_timed_reps");
            w.WriteNumber("gen0", gc0);
            w.WriteNumber("gen1", gc1);
            w.WriteNumber("gen2", gc2);
            w.WriteEndObject();
            w.WriteNumber("peak_working_set_mb_load_once", Math.Round(peakComputeMb, 1));
            w.WriteNumber("peak_working_set_mb", Math.Round(process.PeakWorkingSet64 / (1024.0 * 1024.0), 1));
            w.WriteNumber("gc_heap_mb_at_end", Math.Round(GC.GetTotalMemory(false) / (1024.0 * 1024.0), 1));
            w.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
        return 0;

        static void fmtHeader() =>
            Console.Error.WriteLine($"{"step",-22} {"n/rep",6} {"op_min_ms",11} {"op_med_ms",11} {"rep_med_ms",13} {"item_med_ms",13} {"alloc_B/rep",14}");
    }

    private static double Round(double v) => Math.Round(v, 4);

    private static double Median(List<double> v)
    {
        if (v.Count == 0)
        {
            return 0;
        }

        var s = v.Order().ToList();
        int n = s.Count;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[(n / 2) - 1] + s[n / 2]);
    }

    // ------------------------------------------------------------------ images and models

    /// <summary>Decodes (timed as "decode"), then applies --resize and --upsample (timed).</summary>
    private static RgbImage LoadInput(string path, BenchOptions o, Recorder rec)
    {
        RgbImage img = rec.Time("decode", 1, () => ImageFile.LoadRgb(path));
        if (o.Resize is not null)
        {
            string[] wh = o.Resize.Split('x', 'X');
            if (wh.Length != 2 || !int.TryParse(wh[0], CultureInfo.InvariantCulture, out int w) || !int.TryParse(wh[1], CultureInfo.InvariantCulture, out int h) || w < 1 || h < 1)
            {
                throw new FormatException($"--resize {o.Resize}: expected WxH");
            }

            RgbImage src = img;
            img = rec.Time("resize", 1, () => ImageResize.Bilinear(src, h, w));
        }

        if (o.Upsample > 0)
        {
            RgbImage src = img;
            img = rec.Time("upsample", 1, () => Detectors.Upsample(src, o.Upsample));
        }

        return img;
    }

    private static byte[] ReadModel(string nameOrPath, Recorder rec, out string path)
    {
        string p = ModelLocator.Resolve(nameOrPath);
        path = p;
        return rec.Once1("model_read_once", () => ModelFile.ReadAllBytes(p));
    }

    private static byte[] FrontalFaceBytes()
    {
        const string name = "DlibModels.Resources.frontal_face_detector.dat.bz2";
        using Stream stream = typeof(HogObjectDetector).Assembly.GetManifestResourceStream(name)
            ?? throw new IOException($"embedded resource {name} is missing");
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>get_frontal_face_detector(): decompress the embedded model and deserialize it.</summary>
    private static HogObjectDetector LoadFrontalFace(byte[] compressed)
    {
        using var bz = new ICSharpCode.SharpZipLib.BZip2.BZip2InputStream(new MemoryStream(compressed));
        using var ms = new MemoryStream();
        bz.CopyTo(ms);
        return HogObjectDetector.Load(ms.ToArray(), "embedded frontal_face_detector.dat");
    }

    private sealed class MmodModel(MmodDetector detector, ShapePredictor? sp)
    {
        public MmodDetector Detector { get; } = detector;

        public ShapePredictor? Sp { get; } = sp;
    }

    private static MmodModel LoadMmod(byte[] bytes, string path, int threads, string engine)
    {
        var reader = new DlibReader(bytes, path);
        (DnnNetwork net, _) = DnnLoader.Read(reader);
        if (net.Loss is not MmodLoss)
        {
            throw new DlibFormatException(path, 0, "the network", $"mmod needs an MMOD network (loss_mmod), but this file's loss is {net.Loss.Kind}");
        }

        ShapePredictor? sp = reader.AtEnd ? null : ShapePredictor.Read(reader);
        return new MmodModel(new MmodDetector(Engines.Create(net, engine, threads)), sp);
    }

    private static FaceRecognitionModel LoadFacerec(byte[] bytes, string path, int threads, string engine)
    {
        (DnnNetwork net, _) = DnnLoader.Read(new DlibReader(bytes, path));
        return new FaceRecognitionModel(Engines.Create(net, engine, threads));
    }

    private static ShapePredictor LoadSp(byte[] bytes, string path) => ShapePredictor.Read(new DlibReader(bytes, path));

    /// <summary>The --boxes-from detector: HOG (get_frontal_face_detector) or an MMOD model.</summary>
    private sealed class BoxSource
    {
        private readonly HogObjectDetector? _hog;
        private readonly MmodModel? _mmod;
        private readonly byte[] _bytes;
        private readonly string _path;
        private readonly int _threads;
        private readonly string _engine;

        public BoxSource(BenchOptions o, Recorder rec)
        {
            _threads = o.Threads;
            _engine = o.Engine;
            if (o.BoxesFrom == "hog")
            {
                _bytes = FrontalFaceBytes();
                _path = "embedded";
                _hog = LoadFrontalFace(_bytes);
            }
            else if (o.BoxesFrom.StartsWith("mmod:", StringComparison.Ordinal))
            {
                _bytes = ReadModel(o.BoxesFrom[5..], rec, out _path);
                _mmod = LoadMmod(_bytes, _path, _threads, _engine);
            }
            else
            {
                throw new ArgumentException("--boxes-from hog|mmod:MODEL");
            }
        }

        /// <summary>Re-times the deserialization (load_hog / load_mmod); the result is dropped.</summary>
        public void TimeLoad(Recorder rec)
        {
            if (_hog is not null)
            {
                rec.Time("load_hog", 1, () => LoadFrontalFace(_bytes));
            }
            else
            {
                rec.Time("load_mmod", 1, () => LoadMmod(_bytes, _path, _threads, _engine));
            }
        }

        public List<Rectangle> Detect(RgbImage img, double thr, Recorder rec) => rec.Time("detect", 1, () =>
            _hog is not null
                ? _hog.Detect(img, thr, _threads).Select(d => d.Rect).ToList()
                : _mmod!.Detector.Detect(img, thr).Select(d => d.Rect).ToList());
    }

    // ------------------------------------------------------------------ the pipelines

    private static string One(string[] pos, int index, string what)
    {
        if (pos.Length <= index)
        {
            throw new ArgumentException($"missing {what}. Usage: {Usage}");
        }

        return pos[index];
    }

    /// <summary>One benchmark: the compute steps of a rep, and the re-timed decode/load steps.</summary>
    private sealed record Pipeline(Action Compute, Action? Reload);

    private static Pipeline SetupHog(BenchOptions o, string[] pos, Recorder rec)
    {
        string path = One(pos, 0, "IMG");
        byte[] compressed = FrontalFaceBytes();
        HogObjectDetector det = LoadFrontalFace(compressed);
        RgbImage img = LoadInput(path, o, rec);
        return new Pipeline(
            () =>
            {
                rec.Time("detect", 1, () => det.Detect(img, o.Threshold, o.Threads));
            },
            () =>
            {
                rec.Time("load_hog", 1, () => LoadFrontalFace(compressed));
                LoadInput(path, o, rec);
            });
    }

    private static Pipeline SetupMmod(BenchOptions o, string[] pos, Recorder rec)
    {
        byte[] bytes = ReadModel(One(pos, 0, "MODEL"), rec, out string modelPath);
        string path = One(pos, 1, "IMG");
        MmodModel m = LoadMmod(bytes, modelPath, o.Threads, o.Engine);
        RgbImage img = LoadInput(path, o, rec);
        return new Pipeline(
            () =>
            {
                IReadOnlyList<MmodDetection> dets = rec.Time("detect", 1, () => m.Detector.Detect(img, o.Threshold));
                if (m.Sp is not null)
                {
                    foreach (MmodDetection d in dets)
                    {
                        rec.Time("landmarks", 1, () => m.Sp.Predict(img, d.Rect));
                    }
                }
            },
            () =>
            {
                rec.Time("load_mmod", 1, () => LoadMmod(bytes, modelPath, o.Threads, o.Engine));
                LoadInput(path, o, rec);
            });
    }

    private static Pipeline SetupFaces(BenchOptions o, string[] pos, Recorder rec, bool chips)
    {
        byte[] spBytes = ReadModel(One(pos, 0, "SP"), rec, out string spPath);
        string path = One(pos, 1, "IMG");
        ShapePredictor sp = LoadSp(spBytes, spPath);
        var boxes = new BoxSource(o, rec);
        RgbImage img = LoadInput(path, o, rec);
        string extract = o.Extract ?? "all";
        if (extract is not ("all" or "each"))
        {
            throw new ArgumentException("--extract all|each");
        }

        return new Pipeline(
            () =>
            {
                List<Rectangle> faces = boxes.Detect(img, 0, rec);
                var shapes = new List<FullObjectDetection>(faces.Count);
                foreach (Rectangle b in faces)
                {
                    shapes.Add(rec.Time("landmarks", 1, () => sp.Predict(img, b)));
                }

                if (!chips)
                {
                    return;
                }

                var dets = rec.Time("chip_details", faces.Count, () => shapes.Select(s => FaceChips.GetFaceChipDetails(s, o.Size, o.Padding)).ToList());
                rec.Time("chip", faces.Count, () => Extract(img, dets, extract));
            },
            () =>
            {
                rec.Time("load_shape_predictor", 1, () => LoadSp(spBytes, spPath));
                boxes.TimeLoad(rec);
                LoadInput(path, o, rec);
            });
    }

    private static RgbImage[] Extract(RgbImage img, List<ChipDetails> dets, string mode)
    {
        if (mode == "all")
        {
            return FaceChips.ExtractImageChips(img, dets);
        }

        var r = new RgbImage[dets.Count];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = FaceChips.ExtractImageChip(img, dets[i]);
        }

        return r;
    }

    private static Pipeline SetupDescriptors(BenchOptions o, string[] pos, Recorder rec)
    {
        byte[] bytes = ReadModel(One(pos, 0, "NET"), rec, out string netPath);
        FaceRecognitionModel net = LoadFacerec(bytes, netPath, o.Threads, o.Engine);
        void Describe(List<RgbImage> chips)
        {
            for (int s = 0; s < chips.Count; s += o.Batch)
            {
                List<RgbImage> part = chips.GetRange(s, Math.Min(o.Batch, chips.Count - s));
                rec.Time("descriptor_batch", part.Count, () => net.ComputeDescriptors(part, o.Batch));
            }
        }

        if (o.Chips.Length > 0)
        {
            string[] files = [.. o.Chips, .. pos[1..]];
            var chips = files.Select(f => LoadInput(f, o, rec)).ToList();
            return new Pipeline(
                () =>
                {
                    Describe(chips);
                },
                () =>
                {
                    rec.Time("load_facerec", 1, () => LoadFacerec(bytes, netPath, o.Threads, o.Engine));
                    foreach (string f in files)
                    {
                        LoadInput(f, o, rec);
                    }
                });
        }

        string path = One(pos, 1, "IMG (or --chips)");
        if (o.Sp is null)
        {
            throw new ArgumentException("descriptors NET IMG needs --sp SP (or use --chips)");
        }

        byte[] spBytes = ReadModel(o.Sp, rec, out string spPath);
        ShapePredictor sp = LoadSp(spBytes, spPath);
        var boxes = new BoxSource(o, rec);
        RgbImage img = LoadInput(path, o, rec);
        string extract = o.Extract ?? "each";
        return new Pipeline(
            () =>
            {
                List<Rectangle> faces = boxes.Detect(img, 0, rec);
                var shapes = faces.Select(b => rec.Time("landmarks", 1, () => sp.Predict(img, b))).ToList();
                var dets = shapes.Select(s => FaceChips.GetFaceChipDetails(s, 150, 0.25)).ToList();
                RgbImage[] chips = rec.Time("chip", faces.Count, () => Extract(img, dets, extract));
                Describe([.. chips]);
            },
            () =>
            {
                rec.Time("load_facerec", 1, () => LoadFacerec(bytes, netPath, o.Threads, o.Engine));
                rec.Time("load_shape_predictor", 1, () => LoadSp(spBytes, spPath));
                boxes.TimeLoad(rec);
                LoadInput(path, o, rec);
            });
    }

    /// <summary>
    /// forward NET IMG: the network's forward pass alone (step <c>forward</c>) on the input tensor
    /// built once from the image: the tiled pyramid for MMOD networks, else the image resized to the
    /// input size (for fixed-size inputs) and repeated --batch times (default 1).
    /// </summary>
    private static Pipeline SetupForward(BenchOptions o, string[] pos, Recorder rec)
    {
        byte[] bytes = ReadModel(One(pos, 0, "NET"), rec, out string netPath);
        string path = One(pos, 1, "IMG");
        DnnNetwork net = rec.Once1("load_network_once", () => DnnLoader.Read(new DlibReader(bytes, netPath)).Network);
        IForwardPass engine = rec.Once1("engine_setup_once", () => Engines.Create(net, o.Engine, o.Threads));
        RgbImage img = LoadInput(path, o, rec);
        Tensor input;
        if (net.Input.Kind == InputKind.RgbImagePyramid)
        {
            input = new MmodDetector(engine).BuildInput(img);
        }
        else
        {
            if (net.Input.FixedRows > 0 && (img.Rows != net.Input.FixedRows || img.Cols != net.Input.FixedCols))
            {
                img = ImageResize.Bilinear(img, net.Input.FixedRows, net.Input.FixedCols);
            }

            input = InputTensors.FromRgbImages(net.Input, Enumerable.Repeat(img, o.ForwardBatch).ToArray());
        }

        rec.Once1("input_tensor_" + string.Join('x', input.Shape), () => 0);
        return new Pipeline(
            () =>
            {
                using Tensor output = rec.Time("forward", input.N, () => engine.Forward(input));
            },
            null);
    }

    private static Pipeline SetupLoad(string[] pos, Recorder rec)
    {
        string name = One(pos, 0, "MODEL");
        string path = ModelLocator.Resolve(name);
        byte[] bytes = rec.Once1("model_read_once", () => ModelFile.ReadAllBytes(path));
        string kind = Kind(bytes, path);
        return new Pipeline(
            () =>
            {
                rec.Time("model_read", 1, () => ModelFile.ReadAllBytes(path));
                rec.Time("load_" + kind, 1, () => kind switch
                {
                    "shape_predictor" => (object)LoadSp(bytes, path),
                    "hog" => HogObjectDetector.Load(bytes, path),
                    _ => LoadNetAndTrailer(bytes, path),
                });
            },
            null);
    }

    private static object LoadNetAndTrailer(byte[] bytes, string path)
    {
        var reader = new DlibReader(bytes, path);
        (DnnNetwork net, _) = DnnLoader.Read(reader);
        return reader.AtEnd ? net : (net, ShapePredictor.Read(reader));
    }

    private static string Kind(byte[] bytes, string path)
    {
        foreach ((string kind, Func<object> load) in new (string, Func<object>)[]
        {
            ("net", () => DnnLoader.Read(new DlibReader(bytes, path))),
            ("shape_predictor", () => LoadSp(bytes, path)),
            ("hog", () => HogObjectDetector.Load(bytes, path)),
        })
        {
            try
            {
                load();
                return kind;
            }
            catch (DlibFormatException)
            {
            }
        }

        throw new DlibFormatException(path, 0, "the file", "not a dlib network, shape predictor or HOG detector");
    }

    private sealed class BenchOptions
    {
        public required string[] Args { get; init; }

        public int Reps { get; init; }

        public int Warmup { get; init; }

        public int Threads { get; init; }

        public string? Resize { get; init; }

        public int Upsample { get; init; }

        public double Threshold { get; init; }

        public required string BoxesFrom { get; init; }

        public string? Extract { get; init; }

        public int Size { get; init; }

        public double Padding { get; init; }

        public required string[] Chips { get; init; }

        public string? Sp { get; init; }

        public int Batch { get; init; }

        public int ForwardBatch { get; init; }

        public required string Engine { get; init; }

        public bool LoadSteps { get; init; }
    }

    /// <summary>Per-step samples (ms, items, bytes allocated on this thread), like dlibref's <c>Timed</c>.</summary>
    private sealed class Recorder
    {
        private readonly List<string> _order = [];
        private readonly Dictionary<string, List<(double Ms, double Items)>> _ops = [];
        private readonly Dictionary<string, List<double>> _perRep = [];
        private readonly Dictionary<string, List<long>> _allocPerRep = [];
        private readonly Dictionary<string, (double Ms, long Alloc)> _current = [];
        private bool _setup = true;
        private bool _timed;

        public List<(string Step, double Ms)> Once { get; } = [];

        private int _reloadInsert = -1;

        public void ReloadPhase()
        {
            Flush();
            _reloadInsert = 0;
        }

        public void EndSetup()
        {
            _setup = false;
            _current.Clear();
        }

        public void BeginRep(bool timed)
        {
            Flush();
            _timed = timed;
        }

        public T Once1<T>(string step, Func<T> f)
        {
            long t0 = Stopwatch.GetTimestamp();
            T r = f();
            Once.Add((step, Stopwatch.GetElapsedTime(t0).TotalMilliseconds));
            return r;
        }

        public T Time<T>(string step, double items, Func<T> f)
        {
            long a0 = GC.GetAllocatedBytesForCurrentThread();
            long t0 = Stopwatch.GetTimestamp();
            T r = f();
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            long alloc = GC.GetAllocatedBytesForCurrentThread() - a0;
            if (_setup)
            {
                Once.Add((step + "_setup", ms));
                return r;
            }

            if (!_timed)
            {
                return r;
            }

            if (!_ops.TryGetValue(step, out var list))
            {
                if (_reloadInsert >= 0)
                {
                    _order.Insert(_reloadInsert++, step);
                }
                else
                {
                    _order.Add(step);
                }

                _ops[step] = list = [];
                _perRep[step] = [];
                _allocPerRep[step] = [];
            }

            list.Add((ms, items));
            _current[step] = _current.TryGetValue(step, out var c) ? (c.Ms + ms, c.Alloc + alloc) : (ms, alloc);
            return r;
        }

        public IEnumerable<StepStats> Stats(int reps)
        {
            Flush();
            foreach (string step in _order)
            {
                var ops = _ops[step];
                var ms = ops.Select(x => x.Ms).ToList();
                var item = ops.Select(x => x.Items > 0 ? x.Ms / x.Items : x.Ms).ToList();
                var rep = _perRep[step];
                yield return new StepStats(
                    step,
                    (double)ops.Count / reps,
                    ms.Min(),
                    Median(ms),
                    ms.Average(),
                    ms.Max(),
                    item.Min(),
                    Median(item),
                    rep.Min(),
                    Median(rep),
                    rep.Max(),
                    (long)Median(_allocPerRep[step].Select(x => (double)x).ToList()));
            }
        }

        private void Flush()
        {
            foreach ((string step, (double ms, long alloc)) in _current)
            {
                _perRep[step].Add(ms);
                _allocPerRep[step].Add(alloc);
            }

            _current.Clear();
        }

        public sealed record StepStats(string Step, double OpsPerRep, double OpMin, double OpMedian, double OpMean, double OpMax, double ItemMin, double ItemMedian, double PerRepMin, double PerRepMedian, double PerRepMax, long AllocPerRepMedian);
    }
}
