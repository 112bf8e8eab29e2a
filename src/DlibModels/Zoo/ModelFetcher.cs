using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace DlibModels.Zoo;

/// <summary>What <see cref="ModelFetcher.FetchAsync"/> did.</summary>
public enum FetchOutcome
{
    /// <summary>The file was downloaded, checked and installed into the cache.</summary>
    Downloaded,

    /// <summary>The file was already in the cache (and matched its SHA-256 when known); nothing was downloaded.</summary>
    AlreadyInstalled,

    /// <summary>The file is in the read-only mirror (<c>DLIB_MODELS_DIR</c>); nothing was copied.</summary>
    InMirror,

    /// <summary>The model is built into the library; there is nothing to download.</summary>
    Embedded,
}

/// <summary>Progress of one download.</summary>
/// <param name="Model">The model being downloaded.</param>
/// <param name="Received">Bytes of the file on disk so far (including a resumed part).</param>
/// <param name="Total">The file's size when known.</param>
/// <param name="ResumedFrom">Bytes kept from an earlier interrupted transfer (0 when starting afresh).</param>
public sealed record FetchProgress(ModelInfo Model, long Received, long? Total, long ResumedFrom);

/// <summary>The result of a fetch.</summary>
/// <param name="Model">The model.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="Path">The file to load (null for an embedded model).</param>
/// <param name="Source">Where it was downloaded from (only for <see cref="FetchOutcome.Downloaded"/>).</param>
/// <param name="Resumed">True when an interrupted transfer was continued with an HTTP Range request.</param>
/// <param name="Verified">True when the file's SHA-256 was checked against the catalogue.</param>
public sealed record FetchResult(ModelInfo Model, FetchOutcome Outcome, string? Path, Uri? Source, bool Resumed, bool Verified);

/// <summary>The result of checking one installed file.</summary>
public enum VerifyStatus
{
    /// <summary>The SHA-256 matches the catalogue.</summary>
    Ok,

    /// <summary>The SHA-256 differs from the catalogue: the file is corrupt or not the published one.</summary>
    Mismatch,

    /// <summary>The catalogue has no SHA-256 for this file; it could not be checked.</summary>
    Unknown,
}

/// <summary>One installed file checked by <see cref="ModelFetcher.VerifyInstalledAsync"/>.</summary>
/// <param name="Model">The model.</param>
/// <param name="Path">The file.</param>
/// <param name="Status">The verdict.</param>
/// <param name="ActualSha256">The file's SHA-256.</param>
/// <param name="ExpectedSha256">The catalogue's SHA-256, or null when unknown.</param>
/// <param name="InMirror">True when the file is in the read-only mirror rather than the cache.</param>
public sealed record VerifyEntry(ModelInfo Model, string Path, VerifyStatus Status, string ActualSha256, string? ExpectedSha256, bool InMirror);

/// <summary>A download failed or its file was rejected; nothing was installed.</summary>
public sealed class ModelFetchException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ModelFetchException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>True when the file arrived but its SHA-256 or size was not the published one.</summary>
    public bool ChecksumMismatch { get; init; }
}

/// <summary>
/// Downloads dlib-models files into the per-user cache. The file is kept exactly as published
/// (<c>.bz2</c>; the library decompresses it transparently when loading) so its SHA-256 can be checked
/// against the catalogue at any time. A transfer is written to a hidden <c>.NAME.partial</c> file in the
/// cache folder, resumed with an HTTP Range request when interrupted (restarted when the server ignores
/// the range), checked (size and SHA-256 when known) and only then moved into place, so a partial or
/// rejected download is never taken for a model.
/// </summary>
public sealed class ModelFetcher
{
    private readonly HttpClient client;

    /// <summary>Creates a fetcher.</summary>
    /// <param name="client">The HTTP client (its own timeout should be infinite or long; stalls are caught by <see cref="StallTimeout"/>).</param>
    /// <param name="cacheDir">Where files are installed.</param>
    /// <param name="mirrorDir">A read-only folder searched first (<c>DLIB_MODELS_DIR</c>), or null.</param>
    /// <param name="baseUrl">Download files as <c>BASE/FILENAME</c> instead of from dlib.net/GitHub, or null.</param>
    public ModelFetcher(HttpClient client, string cacheDir, string? mirrorDir = null, string? baseUrl = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(cacheDir);
        this.client = client;
        CacheDir = cacheDir;
        MirrorDir = string.IsNullOrEmpty(mirrorDir) ? null : mirrorDir;
        BaseUrl = string.IsNullOrEmpty(baseUrl) ? null : baseUrl;
    }

    /// <summary>The cache folder files are installed into.</summary>
    public string CacheDir { get; }

    /// <summary>The read-only mirror, or null.</summary>
    public string? MirrorDir { get; }

    /// <summary>The download base URL override, or null.</summary>
    public string? BaseUrl { get; }

    /// <summary>How many times a failed transfer is tried again (resuming where it stopped). Default 3.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>A transfer that delivers no byte for this long is abandoned (and resumed on the next attempt). Default 60 s.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A fetcher configured like the command line: cache <paramref name="cacheOverride"/> else
    /// <see cref="ModelLocator.CacheFolder()"/>; mirror <c>DLIB_MODELS_DIR</c>; base URL
    /// <paramref name="fromOverride"/> else <c>DLIB_MODELS_URL</c>.
    /// </summary>
    public static ModelFetcher FromEnvironment(HttpClient client, string? cacheOverride = null, string? fromOverride = null) =>
        new(
            client,
            string.IsNullOrEmpty(cacheOverride) ? ModelLocator.CacheFolder() : cacheOverride,
            Environment.GetEnvironmentVariable("DLIB_MODELS_DIR"),
            string.IsNullOrEmpty(fromOverride) ? Environment.GetEnvironmentVariable(ModelCatalog.UrlVariable) : fromOverride);

    /// <summary>The path a model is installed at in the cache.</summary>
    public string InstalledPath(ModelInfo model) => Path.Combine(CacheDir, model.FileName);

    /// <summary>The hidden file an unfinished transfer is kept in (never matched by <see cref="ModelLocator"/>).</summary>
    public string PartialPath(ModelInfo model) => Path.Combine(CacheDir, "." + model.FileName + ".partial");

    /// <summary>The model's file in the mirror (compressed or decompressed), or null.</summary>
    public string? FindInMirror(ModelInfo model) => MirrorDir is null ? null : FindIn(MirrorDir, model);

    /// <summary>The model's file in the cache (compressed or decompressed), or null.</summary>
    public string? FindInCache(ModelInfo model) => FindIn(CacheDir, model);

    /// <summary>Computes the lower-case hex SHA-256 of a file.</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        byte[] hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Makes <paramref name="model"/> available: reports a mirror or embedded copy, keeps a cached copy
    /// that checks out, else downloads, checks and installs it.
    /// </summary>
    /// <exception cref="ModelFetchException">Every address failed, or the file was rejected; nothing was installed.</exception>
    public async Task<FetchResult> FetchAsync(ModelInfo model, Action<FetchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Embedded)
        {
            return new FetchResult(model, FetchOutcome.Embedded, null, null, false, false);
        }

        string? mirrored = FindInMirror(model);
        if (mirrored is not null)
        {
            return new FetchResult(model, FetchOutcome.InMirror, mirrored, null, false, false);
        }

        string? cached = FindInCache(model);
        if (cached is not null)
        {
            string? expected = ExpectedSha(model, cached);
            if (expected is null)
            {
                return new FetchResult(model, FetchOutcome.AlreadyInstalled, cached, null, false, false);
            }

            if (string.Equals(await Sha256Async(cached, cancellationToken).ConfigureAwait(false), expected, StringComparison.OrdinalIgnoreCase))
            {
                return new FetchResult(model, FetchOutcome.AlreadyInstalled, cached, null, false, true);
            }

            // A corrupt cached copy: download a fresh one (it replaces the bad file only once it checks out).
        }

        Directory.CreateDirectory(CacheDir);
        IReadOnlyList<Uri> urls = model.DownloadUrls(BaseUrl);
        string partial = PartialPath(model);
        var failures = new List<string>();
        bool everResumed = false;
        for (int attempt = 1; attempt <= Math.Max(1, MaxAttempts); attempt++)
        {
            foreach (Uri url in urls)
            {
                bool resumed;
                try
                {
                    resumed = await DownloadAsync(model, url, partial, progress, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    failures.Add($"{url}: {Describe(e)}");
                    continue;
                }

                everResumed |= resumed;
                string? problem = await CheckAsync(model, partial, cancellationToken).ConfigureAwait(false);
                if (problem is not null)
                {
                    TryDelete(partial);
                    failures.Add($"{url}: {problem}");
                    if (resumed)
                    {
                        // The kept part may belong to another version of the file: start afresh.
                        continue;
                    }

                    throw new ModelFetchException($"{model.FileName} from {url} was rejected: {problem}; nothing was installed", null) { ChecksumMismatch = true };
                }

                string target = InstalledPath(model);
                File.Move(partial, target, overwrite: true);
                return new FetchResult(model, FetchOutcome.Downloaded, target, url, everResumed, model.Sha256 is not null);
            }
        }

        bool stillPartial = File.Exists(partial);
        throw new ModelFetchException(
            $"could not download {model.FileName}: {string.Join("; ", failures.Distinct())}"
            + (stillPartial ? $" (the part received is kept in {partial} and the next fetch resumes it)" : string.Empty));
    }

    /// <summary>Checks the SHA-256 of every catalogue file in the cache and, when set, the mirror.</summary>
    public async Task<IReadOnlyList<VerifyEntry>> VerifyInstalledAsync(CancellationToken cancellationToken = default)
    {
        var entries = new List<VerifyEntry>();
        foreach (ModelInfo model in ModelCatalog.All)
        {
            foreach ((string dir, bool mirror) in Folders())
            {
                foreach (string name in new[] { model.FileName, model.DecompressedFileName })
                {
                    string path = Path.Combine(dir, name);
                    if (!File.Exists(path))
                    {
                        continue;
                    }

                    string actual = await Sha256Async(path, cancellationToken).ConfigureAwait(false);
                    string? expected = ExpectedSha(model, path);
                    VerifyStatus status = expected is null ? VerifyStatus.Unknown
                        : string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase) ? VerifyStatus.Ok : VerifyStatus.Mismatch;
                    entries.Add(new VerifyEntry(model, path, status, actual, expected, mirror));
                }
            }
        }

        return entries;
    }

    /// <summary>Unfinished transfers left in the cache (ignored by the locator; the next fetch resumes them).</summary>
    public IReadOnlyList<string> PartialFiles() =>
        Directory.Exists(CacheDir) ? Directory.GetFiles(CacheDir, ".*.partial").Order(StringComparer.Ordinal).ToArray() : [];

    private IEnumerable<(string Dir, bool Mirror)> Folders()
    {
        if (MirrorDir is not null)
        {
            yield return (MirrorDir, true);
        }

        yield return (CacheDir, false);
    }

    private static string? ExpectedSha(ModelInfo model, string path) =>
        path.EndsWith(".bz2", StringComparison.OrdinalIgnoreCase) ? model.Sha256 : model.DecompressedSha256;

    private static string? FindIn(string dir, ModelInfo model)
    {
        foreach (string name in new[] { model.FileName, model.DecompressedFileName })
        {
            string path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    private static string Describe(Exception e) => e switch
    {
        HttpRequestException { StatusCode: HttpStatusCode code } => $"HTTP {(int)code} {code}",
        OperationCanceledException => "the transfer stalled",
        _ => e.Message,
    };

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task<string?> CheckAsync(ModelInfo model, string partial, CancellationToken cancellationToken)
    {
        long length = new FileInfo(partial).Length;
        if (model.CompressedSize is long size && length != size)
        {
            return $"size {length} bytes, expected {size}";
        }

        if (model.Sha256 is string expected)
        {
            string actual = await Sha256Async(partial, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                return $"SHA-256 mismatch: got {actual}, expected {expected}";
            }
        }
        else if (model.FileName.EndsWith(".bz2", StringComparison.Ordinal))
        {
            // No published hash: at least require a complete, intact bzip2 stream (its block CRCs catch
            // truncation, corruption and a resumed part that belongs to another version of the file).
            return await Task.Run(() => CheckBzip2(partial), cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private static string? CheckBzip2(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        byte[] head = new byte[4];
        int n = file.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (!Serialization.ModelFile.IsBzip2(head.AsSpan(0, n)))
        {
            return "not a bzip2 file (an error page?)";
        }

        file.Position = 0;
        try
        {
            using var bz = new ICSharpCode.SharpZipLib.BZip2.BZip2InputStream(file) { IsStreamOwner = false };
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            while ((n = bz.Read(buffer, 0, buffer.Length)) > 0)
            {
                total += n;
                if (total > Serialization.ModelFile.MaxDecompressedBytes)
                {
                    return "decompresses to more than any dlib model";
                }
            }
        }
        catch (Exception e) when (e is IOException or ICSharpCode.SharpZipLib.SharpZipBaseException or IndexOutOfRangeException or InvalidOperationException)
        {
            return $"corrupt or truncated bzip2 data ({e.Message})";
        }

        return null;
    }

    /// <summary>Transfers <paramref name="url"/> into <paramref name="partial"/>, resuming it when possible; returns true when it resumed.</summary>
    private async Task<bool> DownloadAsync(ModelInfo model, Uri url, string partial, Action<FetchProgress>? progress, CancellationToken cancellationToken)
    {
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (model.CompressedSize is long size)
        {
            if (have > size)
            {
                TryDelete(partial);
                have = 0;
            }
            else if (have == size)
            {
                return true; // complete already; the checksum decides
            }
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0)
        {
            request.Headers.Range = new RangeHeaderValue(have, null);
        }

        using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            TryDelete(partial);
            throw new IOException("the server refused to resume the transfer; it restarts on the next attempt");
        }

        response.EnsureSuccessStatusCode();
        bool append = false;
        if (have > 0 && response.StatusCode == HttpStatusCode.PartialContent)
        {
            if (response.Content.Headers.ContentRange?.From != have)
            {
                TryDelete(partial);
                throw new IOException("the server sent an unexpected range; the transfer restarts on the next attempt");
            }

            append = true;
        }
        else if (response.StatusCode == HttpStatusCode.PartialContent)
        {
            throw new IOException("the server sent a partial answer to a full request");
        }

        long start = append ? have : 0;
        long? length = response.Content.Headers.ContentLength;
        long? total = length is long l ? start + l : model.CompressedSize;
        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var file = new FileStream(partial, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        byte[] buffer = new byte[1 << 16];
        long received = start;
        progress?.Invoke(new FetchProgress(model, received, total, start));
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (true)
        {
            stall.CancelAfter(StallTimeout);
            int n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            received += n;
            progress?.Invoke(new FetchProgress(model, received, total, start));
        }

        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (total is long t && received < t)
        {
            throw new IOException($"the transfer ended after {received} of {t} bytes");
        }

        return append;
    }
}
