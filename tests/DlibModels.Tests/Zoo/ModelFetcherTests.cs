using DlibModels.Zoo;

namespace DlibModels.Tests.Zoo;

/// <summary>Downloads from a real HTTP server on 127.0.0.1 into temporary caches (no environment variables).</summary>
public sealed class ModelFetcherTests
{
    [SkippableFact]
    public async Task FetchDownloadsVerifiesAndInstalls()
    {
        byte[] face = ZooFiles.FaceBytes();
        using var server = new TestHttpServer();
        server.Files[ZooFiles.Face.FileName] = face;
        using var cache = new TempDir();
        using HttpClient client = ZooFiles.Client();
        var fetcher = new ModelFetcher(client, cache.Path, mirrorDir: null, baseUrl: server.BaseUrl);
        var reports = new List<FetchProgress>();

        FetchResult r = await fetcher.FetchAsync(ZooFiles.Face, reports.Add);

        Assert.Equal(FetchOutcome.Downloaded, r.Outcome);
        Assert.True(r.Verified);
        Assert.False(r.Resumed);
        Assert.Equal(Path.Combine(cache.Path, "mmod_human_face_detector.dat.bz2"), r.Path);
        Assert.Equal(face, File.ReadAllBytes(r.Path!));
        Assert.Equal([r.Path!], Directory.GetFiles(cache.Path));
        Assert.Equal(face.Length, reports[^1].Received);
        Assert.Equal(face.Length, reports[^1].Total);
        Assert.Equal(r.Path, ModelLocator.Resolve("mmod_human_face_detector", cache.Path));

        VerifyEntry entry = Assert.Single(await fetcher.VerifyInstalledAsync());
        Assert.Equal(VerifyStatus.Ok, entry.Status);

        // Fetching again downloads nothing.
        int requests = server.Requests.Count;
        FetchResult again = await fetcher.FetchAsync(ZooFiles.Face);
        Assert.Equal(FetchOutcome.AlreadyInstalled, again.Outcome);
        Assert.True(again.Verified);
        Assert.Equal(requests, server.Requests.Count);
    }

    [SkippableFact]
    public async Task ChecksumMismatchIsRejectedAndNothingIsInstalled()
    {
        byte[] other = ZooFiles.GenderBytes();
        using var server = new TestHttpServer();
        server.Files[ZooFiles.Face.FileName] = other;
        using var cache = new TempDir();
        using HttpClient client = ZooFiles.Client();
        var fetcher = new ModelFetcher(client, cache.Path, baseUrl: server.BaseUrl);

        // Size known: rejected on size; size unknown but hash known: rejected on SHA-256.
        foreach (ModelInfo model in new[] { ZooFiles.Face, ZooFiles.Face with { CompressedSize = null } })
        {
            ModelFetchException e = await Assert.ThrowsAsync<ModelFetchException>(() => fetcher.FetchAsync(model));
            Assert.True(e.ChecksumMismatch);
            Assert.Empty(Directory.GetFileSystemEntries(cache.Path));
            Assert.Throws<FileNotFoundException>(() => ModelLocator.Resolve("mmod_human_face_detector", cache.Path));
        }

        ModelFetchException sha = await Assert.ThrowsAsync<ModelFetchException>(() => fetcher.FetchAsync(ZooFiles.Face with { CompressedSize = null }));
        Assert.Contains("SHA-256 mismatch", sha.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CutTransferIsNeverTakenForAModelAndTheNextFetchResumes()
    {
        byte[] face = ZooFiles.FaceBytes();
        using var server = new TestHttpServer();
        server.Files[ZooFiles.Face.FileName] = face;
        using var cache = new TempDir();
        using HttpClient client = ZooFiles.Client();
        var once = new ModelFetcher(client, cache.Path, baseUrl: server.BaseUrl) { MaxAttempts = 1 };

        server.CutNextAfter(300_000);
        await Assert.ThrowsAsync<ModelFetchException>(() => once.FetchAsync(ZooFiles.Face));

        string installed = once.InstalledPath(ZooFiles.Face);
        Assert.False(File.Exists(installed));
        Assert.Throws<FileNotFoundException>(() => ModelLocator.Resolve("mmod_human_face_detector", cache.Path));
        Assert.Throws<FileNotFoundException>(() => ModelLocator.Resolve("mmod_human_face_detector.dat.bz2", cache.Path));
        string partial = Assert.Single(once.PartialFiles());
        long kept = new FileInfo(partial).Length;
        Assert.InRange(kept, 1, 300_000);
        Assert.Empty(await once.VerifyInstalledAsync());

        FetchResult r = await once.FetchAsync(ZooFiles.Face);
        Assert.Equal(FetchOutcome.Downloaded, r.Outcome);
        Assert.True(r.Resumed);
        Assert.Equal(face, File.ReadAllBytes(installed));
        Assert.Empty(once.PartialFiles());
        Assert.Equal($"GET /files/mmod_human_face_detector.dat.bz2 range=bytes={kept}-", server.Requests.Last());
    }

    [SkippableFact]
    public async Task CutTransferRestartsWhenTheServerIgnoresRanges()
    {
        byte[] face = ZooFiles.FaceBytes();
        using var server = new TestHttpServer { SupportRanges = false };
        server.Files[ZooFiles.Face.FileName] = face;
        using var cache = new TempDir();
        using HttpClient client = ZooFiles.Client();
        var fetcher = new ModelFetcher(client, cache.Path, baseUrl: server.BaseUrl);

        server.CutNextAfter(200_000);
        FetchResult r = await fetcher.FetchAsync(ZooFiles.Face); // the second attempt, in the same call, starts over
        Assert.Equal(FetchOutcome.Downloaded, r.Outcome);
        Assert.False(r.Resumed);
        Assert.Equal(face, File.ReadAllBytes(r.Path!));
        Assert.Equal(2, server.Requests.Count);
    }

    [SkippableFact]
    public async Task RetriesWithinOneCallResumeAndHttpErrorsInstallNothing()
    {
        byte[] face = ZooFiles.FaceBytes();
        using var server = new TestHttpServer();
        server.Files[ZooFiles.Face.FileName] = face;
        using var cache = new TempDir();
        using HttpClient client = ZooFiles.Client();
        var fetcher = new ModelFetcher(client, cache.Path, baseUrl: server.BaseUrl);
        server.CutNextAfter(100_000);

        FetchResult r = await fetcher.FetchAsync(ZooFiles.Face);
        Assert.True(r.Resumed);
        Assert.Equal(face, File.ReadAllBytes(r.Path!));

        // A missing file: an HTTP error, nothing installed.
        using var cache2 = new TempDir();
        var missing = new ModelFetcher(client, cache2.Path, baseUrl: server.BaseUrl + "/missing") { MaxAttempts = 1 };
        ModelFetchException e = await Assert.ThrowsAsync<ModelFetchException>(() => missing.FetchAsync(ZooFiles.Face));
        Assert.Contains("404", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(cache2.Path));
    }

    [SkippableFact]
    public async Task CorruptCachedFileIsReportedByVerifyAndReplacedByFetch()
    {
        byte[] face = ZooFiles.FaceBytes();
        using var server = new TestHttpServer();
        server.Files[ZooFiles.Face.FileName] = face;
        using var cache = new TempDir();
        using HttpClient client = ZooFiles.Client();
        var fetcher = new ModelFetcher(client, cache.Path, baseUrl: server.BaseUrl);
        string path = fetcher.InstalledPath(ZooFiles.Face);
        byte[] bad = (byte[])face.Clone();
        bad[1000] ^= 0xFF;
        File.WriteAllBytes(path, bad);

        VerifyEntry entry = Assert.Single(await fetcher.VerifyInstalledAsync());
        Assert.Equal(VerifyStatus.Mismatch, entry.Status);

        FetchResult r = await fetcher.FetchAsync(ZooFiles.Face);
        Assert.Equal(FetchOutcome.Downloaded, r.Outcome);
        Assert.Equal(face, File.ReadAllBytes(path));
        Assert.Equal(VerifyStatus.Ok, Assert.Single(await fetcher.VerifyInstalledAsync()).Status);
    }

    [Fact]
    public async Task EmbeddedModelNeedsNoDownload()
    {
        using var cache = new TempDir();
        using HttpClient client = ZooFiles.Client();
        var fetcher = new ModelFetcher(client, cache.Path, baseUrl: "http://127.0.0.1:9/none");
        FetchResult r = await fetcher.FetchAsync(ModelCatalog.Find("frontal_face_detector")!);
        Assert.Equal(FetchOutcome.Embedded, r.Outcome);
        Assert.Null(r.Path);
    }
}

/// <summary>Files without a published SHA-256.</summary>
public sealed class UnknownHashFetchTests
{
    [SkippableFact]
    public async Task WithoutAHashAnIntactBzip2IsInstalledAndATruncatedOneRejected()
    {
        byte[] face = ZooFiles.FaceBytes();
        ModelInfo unknown = ZooFiles.Face with { CompressedSize = null, Sha256 = null };
        using var server = new TestHttpServer();
        using var cache = new TempDir();
        using HttpClient client = ZooFiles.Client();
        var fetcher = new ModelFetcher(client, cache.Path, baseUrl: server.BaseUrl) { MaxAttempts = 1 };

        server.Files[unknown.FileName] = face[..300_000];
        ModelFetchException e = await Assert.ThrowsAsync<ModelFetchException>(() => fetcher.FetchAsync(unknown));
        Assert.Contains("bzip2", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(cache.Path));

        server.Files[unknown.FileName] = "<html>not found</html>"u8.ToArray();
        e = await Assert.ThrowsAsync<ModelFetchException>(() => fetcher.FetchAsync(unknown));
        Assert.Contains("not a bzip2 file", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(cache.Path));

        server.Files[unknown.FileName] = face;
        FetchResult r = await fetcher.FetchAsync(unknown);
        Assert.Equal(FetchOutcome.Downloaded, r.Outcome);
        Assert.False(r.Verified);
        Assert.Equal(face, File.ReadAllBytes(r.Path!));
    }
}
