using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DlibModels.Tests.Zoo;

/// <summary>
/// A minimal HTTP/1.1 file server on 127.0.0.1 for fetch tests: serves byte arrays by file name,
/// honours <c>Range: bytes=N-</c> (unless <see cref="SupportRanges"/> is off) and can cut the next
/// transfer after a given number of body bytes.
/// </summary>
internal sealed class TestHttpServer : IDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private long cutAfter = -1;

    public TestHttpServer()
    {
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        loop = Task.Run(AcceptLoop);
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}/files";

    /// <summary>Files served under /files/NAME.</summary>
    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>When false, Range headers are ignored (200 with the whole file).</summary>
    public bool SupportRanges { get; set; } = true;

    /// <summary>Each request: "GET /files/x" plus " range=bytes=N-" when a range was asked.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Cuts the next response after <paramref name="bytes"/> body bytes (one shot).</summary>
    public void CutNextAfter(long bytes) => Interlocked.Exchange(ref cutAfter, bytes);

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                string head = await ReadHead(stream);
                string[] lines = head.Split("\r\n");
                string[] requestLine = lines[0].Split(' ');
                string path = requestLine.Length > 1 ? requestLine[1] : "/";
                string? range = lines.Skip(1).FirstOrDefault(l => l.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))?[6..].Trim();
                Requests.Enqueue($"{requestLine[0]} {path}{(range is null ? string.Empty : " range=" + range)}");
                string name = path.StartsWith("/files/", StringComparison.Ordinal) ? path["/files/".Length..] : string.Empty;
                if (!Files.TryGetValue(name, out byte[]? data))
                {
                    await WriteHead(stream, "404 Not Found", 0, null);
                    return;
                }

                long start = 0;
                string status = "200 OK";
                string? contentRange = null;
                if (range is not null && SupportRanges && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
                {
                    start = long.Parse(range[6..^1], System.Globalization.CultureInfo.InvariantCulture);
                    if (start >= data.Length)
                    {
                        await WriteHead(stream, "416 Range Not Satisfiable", 0, $"bytes */{data.Length}");
                        return;
                    }

                    status = "206 Partial Content";
                    contentRange = $"bytes {start}-{data.Length - 1}/{data.Length}";
                }

                long length = data.Length - start;
                await WriteHead(stream, status, length, contentRange);
                long cut = Interlocked.Exchange(ref cutAfter, -1);
                long send = cut >= 0 ? Math.Min(cut, length) : length;
                await stream.WriteAsync(data.AsMemory((int)start, (int)send));
                await stream.FlushAsync();
                if (send < length)
                {
                    client.Client.LingerState = new LingerOption(true, 0);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private static async Task WriteHead(NetworkStream stream, string status, long length, string? contentRange)
    {
        var sb = new StringBuilder();
        sb.Append("HTTP/1.1 ").Append(status).Append("\r\n");
        sb.Append("Content-Type: application/octet-stream\r\n");
        sb.Append("Accept-Ranges: bytes\r\n");
        sb.Append("Content-Length: ").Append(length).Append("\r\n");
        if (contentRange is not null)
        {
            sb.Append("Content-Range: ").Append(contentRange).Append("\r\n");
        }

        sb.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(sb.ToString()));
    }

    private static async Task<string> ReadHead(NetworkStream stream)
    {
        var bytes = new List<byte>();
        byte[] one = new byte[1];
        while (bytes.Count < 16384)
        {
            int n = await stream.ReadAsync(one);
            if (n == 0)
            {
                break;
            }

            bytes.Add(one[0]);
            int c = bytes.Count;
            if (c >= 4 && bytes[c - 4] == '\r' && bytes[c - 3] == '\n' && bytes[c - 2] == '\r' && bytes[c - 1] == '\n')
            {
                break;
            }
        }

        return Encoding.ASCII.GetString(bytes.ToArray());
    }
}
