using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DlibModels.Zoo;

namespace DlibModels.Cli.Commands;

/// <summary><c>dlib-models models list | fetch NAME... | verify | path NAME</c>: the model catalogue and cache.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command(
            "models",
            "The dlib model zoo: list the models, download them into the cache, check them, find them.\n"
            + "Files are kept as published (.bz2) in the cache: --cache DIR, else $DLIB_MODELS_CACHE, else $XDG_CACHE_HOME/dlib-models, else ~/.cache/dlib-models. "
            + "$DLIB_MODELS_DIR is a read-only mirror searched first; $DLIB_MODELS_URL (or --from) replaces the download site (files fetched as BASE/FILENAME).\n"
            + "Example: dlib-models models fetch mmod_human_face_detector");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateFetch());
        command.Subcommands.Add(CreateVerify());
        command.Subcommands.Add(CreatePath());
        return command;
    }

    private static Option<string?> CacheOption() => new("--cache") { Description = "Cache folder (default: $DLIB_MODELS_CACHE, else $XDG_CACHE_HOME/dlib-models, else ~/.cache/dlib-models)." };

    private static ModelFetcher Fetcher(HttpClient client, string? cache, string? from = null) => ModelFetcher.FromEnvironment(client, cache, from);

    private static Command CreateList()
    {
        var json = new Option<bool>("--json") { Description = "JSON Lines: one object per model (name, file, description, size, sha256, urls, installed, location, license, notice)." };
        var cache = CacheOption();
        var command = new Command("list", "List every model of dlib-models: name, compressed size, where it is installed, licence.\nExample: dlib-models models list --json")
        {
            json, cache,
        };
        command.SetAction(parse =>
        {
            using var client = new HttpClient();
            ModelFetcher fetcher = Fetcher(client, parse.GetValue(cache));
            if (parse.GetValue(json))
            {
                using Stream stdout = Console.OpenStandardOutput();
                foreach (ModelInfo m in ModelCatalog.All)
                {
                    (string? where, string? path) = Location(fetcher, m);
                    using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                    {
                        w.WriteStartObject();
                        w.WriteString("name", m.Name);
                        w.WriteString("file", m.FileName);
                        w.WriteString("description", m.Description);
                        if (m.CompressedSize is long size)
                        {
                            w.WriteNumber("size", size);
                        }
                        else
                        {
                            w.WriteNull("size");
                        }

                        w.WriteString("sha256", m.Sha256);
                        w.WriteStartArray("urls");
                        foreach (Uri u in m.DownloadUrls(fetcher.BaseUrl))
                        {
                            w.WriteStringValue(u.ToString());
                        }

                        w.WriteEndArray();
                        w.WriteString("installed", path);
                        w.WriteString("location", where);
                        w.WriteString("license", m.License);
                        w.WriteBoolean("restricted", m.IsRestricted);
                        w.WriteString("notice", m.Notice);
                        w.WriteEndObject();
                    }

                    stdout.WriteByte((byte)'\n');
                }

                return 0;
            }

            int nameWidth = ModelCatalog.All.Max(m => m.Name.Length);
            Console.WriteLine($"{"NAME".PadRight(nameWidth)}  {"SIZE",9}  {"INSTALLED",-40}  LICENSE");
            foreach (ModelInfo m in ModelCatalog.All)
            {
                (string? where, string? path) = Location(fetcher, m);
                string installed = where switch
                {
                    null => "-",
                    "embedded" => "built in",
                    _ => $"{where}: {path}",
                };
                string size = m.CompressedSize is long s ? FormatBytes(s) : "?";
                Console.WriteLine($"{m.Name.PadRight(nameWidth)}  {size,9}  {installed,-40}  {ShortLicense(m)}");
            }

            Console.WriteLine($"cache: {fetcher.CacheDir}{(fetcher.MirrorDir is null ? string.Empty : $"; mirror (DLIB_MODELS_DIR): {fetcher.MirrorDir}")}");
            return 0;
        });
        return command;
    }

    private static Command CreateFetch()
    {
        var names = new Argument<string[]>("NAME") { Description = "Catalogue names (see 'dlib-models models list'), e.g. mmod_human_face_detector.", Arity = ArgumentArity.OneOrMore };
        var from = new Option<string?>("--from") { Description = "Download base URL: files are fetched as URL/FILENAME (default: $DLIB_MODELS_URL, else dlib.net then GitHub)." };
        var cache = CacheOption();
        var command = new Command(
            "fetch",
            "Download models into the cache: resumes interrupted transfers, checks the published SHA-256, installs atomically. A model already in $DLIB_MODELS_DIR is not copied.\n"
            + "Example: dlib-models models fetch mmod_human_face_detector shape_predictor_5_face_landmarks --cache ./models")
        {
            names, from, cache,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var models = new List<ModelInfo>();
            foreach (string name in parse.GetValue(names)!)
            {
                ModelInfo? m = ModelCatalog.Find(name);
                if (m is null)
                {
                    Console.Error.WriteLine($"dlib-models models fetch: unknown model '{name}'; known: {string.Join(", ", ModelCatalog.All.Select(x => x.Name))}");
                    return 1;
                }

                models.Add(m);
            }

            using var client = CreateClient();
            ModelFetcher fetcher = Fetcher(client, parse.GetValue(cache), parse.GetValue(from));
            bool bar = !Console.IsErrorRedirected;
            int failures = 0;
            foreach (ModelInfo m in models)
            {
                if (m.Notice is not null)
                {
                    Console.Error.WriteLine(m.Notice);
                }

                var progress = bar ? new ProgressBar(m.Name) : null;
                try
                {
                    FetchResult r = await fetcher.FetchAsync(m, progress is null ? null : progress.Report, cancellationToken);
                    progress?.Done();
                    Console.WriteLine(r.Outcome switch
                    {
                        FetchOutcome.Embedded => $"{m.Name}: built into DlibModels, nothing to download",
                        FetchOutcome.InMirror => $"{m.Name}: already in the mirror (DLIB_MODELS_DIR): {r.Path} (nothing copied)",
                        FetchOutcome.AlreadyInstalled => $"{m.Name}: already installed: {r.Path}{(r.Verified ? " (SHA-256 OK)" : " (no published SHA-256 to check)")}",
                        _ => $"{m.Name}: installed {r.Path} from {r.Source}{(r.Resumed ? " (resumed)" : string.Empty)}{(r.Verified ? " (SHA-256 OK)" : " (no published SHA-256 known: not verified)")}",
                    });
                }
                catch (ModelFetchException e)
                {
                    progress?.Done();
                    Console.Error.WriteLine($"dlib-models models fetch: {e.Message}");
                    failures++;
                }
            }

            return failures > 0 ? 1 : 0;
        });
        return command;
    }

    private static Command CreateVerify()
    {
        var cache = CacheOption();
        var command = new Command("verify", "Check the SHA-256 of every installed model file (cache and DLIB_MODELS_DIR); exits 1 when one does not match.\nExample: dlib-models models verify --cache ./models")
        {
            cache,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new HttpClient();
            ModelFetcher fetcher = Fetcher(client, parse.GetValue(cache));
            IReadOnlyList<VerifyEntry> entries = await fetcher.VerifyInstalledAsync(cancellationToken);
            int bad = 0;
            foreach (VerifyEntry e in entries)
            {
                string where = e.InMirror ? " (mirror)" : string.Empty;
                switch (e.Status)
                {
                    case VerifyStatus.Ok:
                        Console.WriteLine($"OK        {e.Path}{where}");
                        break;
                    case VerifyStatus.Unknown:
                        Console.WriteLine($"UNCHECKED {e.Path}{where} (no published SHA-256 known; sha256 {e.ActualSha256})");
                        break;
                    default:
                        bad++;
                        Console.WriteLine($"MISMATCH  {e.Path}{where} (sha256 {e.ActualSha256}, expected {e.ExpectedSha256}); fetch it again: dlib-models models fetch {e.Model.Name}");
                        break;
                }
            }

            foreach (string partial in fetcher.PartialFiles())
            {
                Console.WriteLine($"PARTIAL   {partial} (an interrupted download, never loaded; the next fetch resumes it)");
            }

            if (entries.Count == 0)
            {
                Console.WriteLine($"no model files installed in {fetcher.CacheDir}{(fetcher.MirrorDir is null ? string.Empty : " or " + fetcher.MirrorDir)}");
            }

            if (bad > 0)
            {
                Console.Error.WriteLine($"dlib-models models verify: {bad} file(s) do not match their published SHA-256");
            }

            return bad > 0 ? 1 : 0;
        });
        return command;
    }

    private static Command CreatePath()
    {
        var name = new Argument<string>("NAME") { Description = "Catalogue name or file name." };
        var cache = CacheOption();
        var command = new Command("path", "Print the file a model name resolves to (DLIB_MODELS_DIR first, then the cache), or how to fetch it.\nExample: dlib-models models path shape_predictor_5_face_landmarks")
        {
            name, cache,
        };
        command.SetAction(parse =>
        {
            string n = parse.GetValue(name)!;
            string? cacheDir = parse.GetValue(cache);
            ModelInfo? m = ModelCatalog.Find(n);
            if (m is { Embedded: true })
            {
                Console.Error.WriteLine($"dlib-models models path: {m.Name} is built into DlibModels (use 'dlib-models detect --hog'); there is no file to fetch");
                return 1;
            }

            try
            {
                string path = ModelLocator.Resolve(m?.FileName ?? n, cacheDir);
                if (ModelCatalog.NoticeFor(path) is string notice)
                {
                    Console.Error.WriteLine(notice);
                }

                Console.WriteLine(Path.GetFullPath(path));
                return 0;
            }
            catch (FileNotFoundException)
            {
                string stem = m?.Name ?? n;
                string cacheArg = string.IsNullOrEmpty(cacheDir) ? string.Empty : $" --cache {cacheDir}";
                Console.Error.WriteLine(
                    $"dlib-models models path: model '{n}' is not installed (looked in {string.Join(" and ", ModelLocator.SearchFolders(cacheDir))}). Fetch it with:\n  dlib-models models fetch {stem}{cacheArg}");
                return 1;
            }
        });
        return command;
    }

    private static (string? Where, string? Path) Location(ModelFetcher fetcher, ModelInfo m)
    {
        if (m.Embedded)
        {
            return ("embedded", null);
        }

        if (fetcher.FindInMirror(m) is string mirrored)
        {
            return ("mirror", mirrored);
        }

        return fetcher.FindInCache(m) is string cached ? ("cache", cached) : (null, null);
    }

    private static string ShortLicense(ModelInfo m) =>
        m.IsRestricted ? "non-commercial (iBUG 300-W)"
        : m.License.StartsWith("as stated", StringComparison.Ordinal) ? "see dlib-models README"
        : m.License.Split(" (")[0].Split(';')[0];

    private static HttpClient CreateClient()
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true, ConnectTimeout = TimeSpan.FromSeconds(30) }) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("dlib-models/0.1");
        return client;
    }

    private static string FormatBytes(long bytes) =>
        bytes >= 1 << 20 ? (bytes / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture) + " MB"
        : (bytes / 1024.0).ToString("F0", CultureInfo.InvariantCulture) + " KB";

    /// <summary>A one-line progress bar on stderr (only used when stderr is a terminal).</summary>
    private sealed class ProgressBar(string name)
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private long lastDraw = -1000;
        private bool drawn;

        public void Report(FetchProgress p)
        {
            long now = clock.ElapsedMilliseconds;
            bool finished = p.Total is long t0 && p.Received >= t0;
            if (now - lastDraw < 100 && !finished)
            {
                return;
            }

            lastDraw = now;
            double secs = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
            string rate = FormatBytes((long)((p.Received - p.ResumedFrom) / secs)) + "/s";
            string line;
            if (p.Total is long t && t > 0)
            {
                double frac = Math.Clamp((double)p.Received / t, 0, 1);
                int filled = (int)(frac * 30);
                line = $"{name} [{new string('#', filled)}{new string('.', 30 - filled)}] {frac * 100,5:F1}% {FormatBytes(p.Received)}/{FormatBytes(t)} {rate}";
            }
            else
            {
                line = $"{name} {FormatBytes(p.Received)} {rate}";
            }

            Console.Error.Write("\r" + line + "\u001b[K");
            drawn = true;
        }

        public void Done()
        {
            if (drawn)
            {
                Console.Error.WriteLine();
                drawn = false;
            }
        }
    }
}
