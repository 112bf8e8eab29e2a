using System.Diagnostics;
using System.Text.Json;
using DlibModels.Search;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Search;

/// <summary>
/// <c>dlib-models index ...</c> run as a child process, the way users and scripts meet it: enrolment by
/// folder, search verdicts against dlib's own descriptors, re-runs that add nothing twice, the unnamed
/// cluster workflow, model mixing, foreign files, kill -9 in the middle of an add, and several
/// processes on one file.
/// </summary>
public sealed class IndexCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dlibmodels-index-cli-" + Guid.NewGuid().ToString("N"));

    public IndexCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Net => TestPaths.Model("standin/dlib_face_recognition_resnet_model_v1.faceapi.dat.bz2");

    private static string Sp5 => TestPaths.Model("standin/shape_predictor_5_face_landmarks.standin.dat.bz2");

    private static List<JsonElement> Lines(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    private static string Run(params string[] args)
    {
        (int code, string stdout, string stderr) = CliProcess.Run(args);
        Assert.True(code == 0, $"dlib-models {string.Join(' ', args)} exited with {code}: {stderr}");
        return stdout;
    }

    [SkippableFact]
    public void Enrolled_johns_give_the_verdicts_of_dlibs_own_descriptors()
    {
        // dlib's descriptors of 12 chips (4 of each of 3 people) from the golden file.
        using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("reference/descriptors_chips.json")));
        var chips = golden.RootElement.GetProperty("results").EnumerateArray()
            .Select(r => (Image: r.GetProperty("image").GetString()!, Descriptor: r.GetProperty("descriptor").EnumerateArray().Select(v => v.GetSingle()).ToArray()))
            .ToList();
        string Person(string image) => Path.GetFileName(Path.GetDirectoryName(image))!;

        // Enroll the first three chips of the first two people (by folder); query with every other chip.
        string known = Path.Combine(_dir, "known");
        var enrolled = chips.GroupBy(c => Person(c.Image)).Take(2).SelectMany(g => g.Take(3)).ToList();
        foreach (var c in enrolled)
        {
            Directory.CreateDirectory(Path.Combine(known, Person(c.Image)));
            File.Copy(TestPaths.SharedFile(c.Image), Path.Combine(known, Person(c.Image), Path.GetFileName(c.Image)));
        }

        string db = Path.Combine(_dir, "johns.db");
        List<JsonElement> added = Lines(Run("index", "add", db, known, "--people-from-folders", "--chips", "--model", Net, "--json"));
        Assert.Equal(enrolled.Count, added.Count);

        var queries = chips.Except(enrolled).ToList();
        List<JsonElement> found = Lines(Run(["index", "search", db, .. queries.Select(q => TestPaths.SharedFile(q.Image)), "--chips", "--model", Net, "--top", "3", "--json"]));
        Assert.Equal(queries.Count, found.Count);
        int knownVerdicts = 0, unknownVerdicts = 0;
        for (int i = 0; i < queries.Count; i++)
        {
            // The verdict dlib's descriptors give: the person of the nearest enrolled chip within 0.6.
            var nearest = enrolled.Select(e => (e, d: FaceIndex.Distance(e.Descriptor, queries[i].Descriptor))).OrderBy(t => t.d).ToList();
            string? expected = nearest[0].d <= 0.6 ? Person(nearest[0].e.Image) : null;
            JsonElement face = Assert.Single(found[i].GetProperty("faces").EnumerateArray());
            string? person = face.GetProperty("person").ValueKind == JsonValueKind.Null ? null : face.GetProperty("person").GetString();
            Assert.Equal(expected, person);
            _ = expected is null ? unknownVerdicts++ : knownVerdicts++;

            // Matches come nearest first with dlib's distances (our descriptors equal dlib's to ~1e-6).
            var matches = face.GetProperty("matches").EnumerateArray().ToList();
            var within = nearest.Where(t => t.d <= 0.6).Take(3).ToList();
            Assert.Equal(within.Count, matches.Count);
            for (int m = 0; m < matches.Count; m++)
            {
                Assert.Equal(within[m].d, matches[m].GetProperty("distance").GetDouble(), 1e-4);
                Assert.Equal(Person(within[m].e.Image), matches[m].GetProperty("person").GetString());
            }
        }

        Assert.True(knownVerdicts >= 2 && unknownVerdicts >= 4, $"the queries should include both verdicts ({knownVerdicts} known, {unknownVerdicts} unknown)");

        // A second run over the same folder adds nothing.
        List<JsonElement> again = Lines(Run("index", "add", db, known, "--people-from-folders", "--chips", "--model", Net, "--json"));
        Assert.All(again, l => Assert.True(l.GetProperty("already_indexed").GetBoolean()));
        JsonElement stats = Lines(Run("index", "stats", db, "--json"))[0];
        Assert.Equal(enrolled.Count, stats.GetProperty("faces").GetInt32());
        Assert.Equal(2, stats.GetProperty("people").GetInt32());
    }

    [SkippableFact]
    public void Unnamed_faces_cluster_by_person_and_renaming_a_cluster_names_its_faces()
    {
        string root = TestPaths.SharedFile("datasets/johns-by-id");
        string db = Path.Combine(_dir, "unknown.db");
        string[] people = ["John_Savage", "John_Simm"];
        Lines(Run(["index", "add", db, .. people.Select(p => Path.Combine(root, p)), "--chips", "--model", Net, "--json"]));
        List<JsonElement> clusters = Lines(Run("index", "cluster", db, "--json"));
        JsonElement summary = clusters[^1];
        Assert.Equal(2, summary.GetProperty("clusters").GetInt32());

        // Each cluster holds the chips of one folder.
        List<JsonElement> faces = Lines(Run("index", "faces", db, "--json"));
        foreach (IGrouping<string, JsonElement> cluster in faces.GroupBy(f => f.GetProperty("person").GetString() ?? "-"))
        {
            Assert.StartsWith("cluster-", cluster.Key, StringComparison.Ordinal);
            Assert.Single(cluster.Select(f => Path.GetFileName(Path.GetDirectoryName(f.GetProperty("image").GetString()))).Distinct());
        }

        string first = clusters[0].GetProperty("name").GetString()!;
        Run("index", "rename", db, first, "Someone");
        List<JsonElement> listed = Lines(Run("index", "people", db, "--json"));
        JsonElement named = Assert.Single(listed, p => p.GetProperty("name").GetString() == "Someone");
        Assert.False(named.GetProperty("cluster").GetBoolean());
        Assert.Equal(clusters[0].GetProperty("faces").GetInt32(), named.GetProperty("faces").GetInt32());

        // Renaming onto an existing name is refused and points at merge.
        string second = clusters[1].GetProperty("name").GetString()!;
        (int code, _, string err) = CliProcess.Run("index", "rename", db, second, "Someone");
        Assert.Equal(1, code);
        Assert.Contains("index merge", err, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void An_index_of_another_model_or_a_foreign_file_is_refused_with_its_name()
    {
        string other = Path.Combine(_dir, "other.db");
        using (FaceIndex index = FaceIndex.Open(other, "some-other-network@0123456789abcdef"))
        {
            index.AddFace(new NewFace(new float[128], "some-other-network@0123456789abcdef", "x.jpg", "h"));
        }

        string chip = TestPaths.SharedFile("datasets/johns-by-id/John_Simm/" + Path.GetFileName(Directory.GetFiles(TestPaths.SharedFile("datasets/johns-by-id/John_Simm"), "*.jpg")[0]));
        (int code, _, string err) = CliProcess.Run("index", "search", other, chip, "--chips", "--model", Net);
        Assert.Equal(1, code);
        Assert.Contains("some-other-network", err, StringComparison.Ordinal);
        Assert.Contains(other, err, StringComparison.Ordinal);
        (code, _, err) = CliProcess.Run("index", "add", other, chip, "--chips", "--model", Net);
        Assert.Equal(1, code);
        Assert.Contains("different models", err, StringComparison.Ordinal);

        string text = Path.Combine(_dir, "notes.db");
        File.WriteAllText(text, "this is not a database, just some text that is long enough to look like a header..........");
        (code, _, err) = CliProcess.Run("index", "stats", text);
        Assert.Equal(1, code);
        Assert.Contains("notes.db", err, StringComparison.Ordinal);

        (code, _, err) = CliProcess.Run("index", "people", Path.Combine(_dir, "absent.db"));
        Assert.Equal(1, code);
        Assert.Contains("absent.db", err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "absent.db")));
    }

    [SkippableFact]
    public void Person_enrolment_from_a_group_photo_keeps_the_largest_face_and_says_so()
    {
        string photo = TestPaths.SharedFile("images/faces/bald_guys.jpg");
        string db = Path.Combine(_dir, "group.db");
        (int code, string stdout, string stderr) = CliProcess.Run("index", "add", db, photo, "--person", "Guy", "--model", Net, "--landmarks", Sp5, "--json");
        Assert.Equal(0, code);
        Assert.Contains("enrolled the largest", stderr, StringComparison.Ordinal);
        JsonElement face = Assert.Single(Lines(stdout)[0].GetProperty("faces").EnumerateArray());
        Assert.Equal("Guy", face.GetProperty("person").GetString());

        // It is the largest of the faces the same pipeline finds.
        List<JsonElement> encoded = Lines(Run("encode", photo, "--model", Net, "--landmarks", Sp5, "--json"));
        long Area(JsonElement r) => (r.GetProperty("right").GetInt64() - r.GetProperty("left").GetInt64() + 1) * (r.GetProperty("bottom").GetInt64() - r.GetProperty("top").GetInt64() + 1);
        long largest = encoded[0].GetProperty("faces").EnumerateArray().Max(f => Area(f.GetProperty("rect")));
        Assert.True(encoded[0].GetProperty("faces").GetArrayLength() > 1);
        Assert.Equal(largest, Area(face.GetProperty("rect")));
    }

    [SkippableFact]
    public void Kill_9_during_add_leaves_an_index_of_whole_images()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "kill -9 is a POSIX signal");
        string[] photos = [.. new[] { "2008_001322.jpg", "bald_guys.jpg", "2008_002079.jpg", "2008_002470.jpg", "2008_004176.jpg", "2008_007676.jpg", "2009_004587.jpg", "2008_001009.jpg" }
            .Select(f => TestPaths.SharedFile("images/faces/" + f))];
        string[] common = ["--model", Net, "--landmarks", Sp5, "--json", "--cpus", "1"];

        // The faces a complete run stores per image.
        string full = Path.Combine(_dir, "full.db");
        Run(["index", "add", full, .. photos, .. common]);
        Dictionary<string, int> complete = CountsPerImage(full);

        string killed = Path.Combine(_dir, "killed.db");
        using (Process p = CliProcess.Start(["index", "add", killed, .. photos, .. common]))
        {
            // Wait for the first image to be committed and reported, then kill without warning.
            string? first = p.StandardOutput.ReadLine();
            Assert.NotNull(first);
            p.Kill();
            p.WaitForExit();
        }

        Dictionary<string, int> partial = CountsPerImage(killed);
        Assert.NotEmpty(partial);
        Assert.True(partial.Count < photos.Length, "the run was killed before it finished");
        foreach ((string image, int faces) in partial)
        {
            Assert.Equal(complete[image], faces);
        }

        // Resuming completes it without duplicates.
        Run(["index", "add", killed, .. photos, .. common]);
        Assert.Equal(complete, CountsPerImage(killed));
    }

    [SkippableFact]
    public void Several_processes_add_and_search_one_file_at_once()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses the Linux file locking SQLite relies on");
        string root = TestPaths.SharedFile("datasets/johns-by-id");
        string db = Path.Combine(_dir, "shared.db");
        string seed = Directory.GetFiles(Path.Combine(root, "John_Salley"), "*.jpg")[0];
        Run("index", "add", db, seed, "--person", "John_Salley", "--chips", "--model", Net);
        string[] folders = ["John_Savage", "John_Schneider", "John_Shimkus"];
        Process[] adders = [.. folders.Select(f => CliProcess.Start(["index", "add", db, Path.Combine(root, f), "--person", f, "--chips", "--model", Net, "--json", "--cpus", "1"]))];
        Process searcher = CliProcess.Start(["index", "search", db, .. Enumerable.Repeat(seed, 20), "--chips", "--model", Net, "--json", "--cpus", "1"]);
        Task<string>[] outputs = [.. adders.Append(searcher).Select(p => p.StandardOutput.ReadToEndAsync())];
        Task<string>[] errors = [.. adders.Append(searcher).Select(p => p.StandardError.ReadToEndAsync())];
        foreach ((Process p, int i) in adders.Append(searcher).Select((p, i) => (p, i)))
        {
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "a process did not finish");
            Assert.True(p.ExitCode == 0, $"process {i} exited with {p.ExitCode}: {errors[i].Result}");
            p.Dispose();
        }

        // Every search found the seed face itself at distance 0.
        foreach (JsonElement line in Lines(outputs[^1].Result))
        {
            JsonElement face = Assert.Single(line.GetProperty("faces").EnumerateArray());
            Assert.Equal("John_Salley", face.GetProperty("person").GetString());
            Assert.Equal(0, face.GetProperty("matches")[0].GetProperty("distance").GetDouble(), 6);
        }

        using FaceIndex index = FaceIndex.Open(db);
        foreach (string f in folders)
        {
            Person p = index.FindPerson(f)!;
            // One face per distinct file content (John_Shimkus has two copies of one chip: stored once).
            Assert.Equal(Directory.GetFiles(Path.Combine(root, f), "*.jpg").Select(FaceIndex.HashFile).Distinct().Count(), p.FaceCount);
        }
    }

    [Fact]
    public void Bench_reports_its_figures_and_the_search_path_agrees_with_a_float_scan()
    {
        JsonElement r = Lines(Run("index", "bench", "--faces", "30000", "--queries", "40", "--top", "5", "--json"))[0];
        Assert.Equal(30000, r.GetProperty("faces").GetInt32());
        Assert.Equal(1.0, r.GetProperty("recall").GetDouble());
        Assert.True(r.GetProperty("median_ms").GetDouble() > 0);
        Assert.True(r.GetProperty("p99_ms").GetDouble() >= r.GetProperty("median_ms").GetDouble());
        Assert.True(r.GetProperty("add_faces_per_s").GetDouble() > 0);
        Assert.True(r.GetProperty("matrix_bytes").GetInt64() >= 30000L * 128 * 4);
    }

    private static Dictionary<string, int> CountsPerImage(string db)
    {
        using FaceIndex index = FaceIndex.Open(db);
        return index.Faces().GroupBy(f => Path.GetFileName(f.SourceImage)).ToDictionary(g => g.Key, g => g.Count());
    }
}
