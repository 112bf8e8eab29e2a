using System.Diagnostics;
using System.Security.Cryptography;

namespace DlibModels.Fuzz;

/// <summary>
/// A small in-process mutation fuzzer (no coverage feedback): picks a seed, applies a stack of
/// AFL-style mutations (bit flips, interesting values, dlib varints, block delete/insert/copy,
/// splices, truncation), runs the target and saves any input whose exception is not a documented
/// one. Inputs slower than <see cref="HangMs"/> are saved as hangs. Used by smoke.sh.
/// </summary>
internal static class InProcess
{
    private const int HangMs = 2000;

    private static readonly long[] Interesting =
    [
        0, 1, -1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 100, 127, 128, 255, 256, 1000, 1024, 4096, 32767, 32768, 65535, 65536,
        int.MaxValue, int.MinValue, (long)int.MaxValue + 1, uint.MaxValue, long.MaxValue, long.MinValue, 1L << 40, -2, -128, -32768,
    ];

    private const string TextBytes = "0123456789-.eE<>\"'/ &;x";

    public static int Run(string name, Action<byte[]> target, string corpusDir, string crashDir, double seconds, long iters, int seed)
    {
        List<byte[]> corpus = Directory.Exists(corpusDir)
            ? Directory.GetFiles(corpusDir).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList()
            : [];
        if (corpus.Count == 0)
        {
            corpus.Add([]);
        }

        Directory.CreateDirectory(crashDir);
        var rng = new Random(seed);
        var sw = Stopwatch.StartNew();
        long execs = 0, crashes = 0, hangs = 0;
        var seen = new HashSet<string>();

        // The seeds themselves first.
        foreach (byte[] s in corpus)
        {
            Exec(s);
        }

        while (execs < iters && sw.Elapsed.TotalSeconds < seconds)
        {
            byte[] input = Mutate(corpus[rng.Next(corpus.Count)], corpus, rng);
            Exec(input);
        }

        Console.WriteLine($"{name}: {execs} execs in {sw.Elapsed.TotalSeconds:F1} s ({execs / Math.Max(sw.Elapsed.TotalSeconds, 1e-9):F0}/s), {crashes} crashes ({seen.Count} unique), {hangs} hangs, seed {seed}");
        return crashes == 0 ? 0 : 1;

        void Exec(byte[] input)
        {
            long t0 = Stopwatch.GetTimestamp();
            try
            {
                target(input);
            }
            catch (Exception e)
            {
                crashes++;
                string where = e.StackTrace?.Split('\n').FirstOrDefault()?.Trim() ?? "";
                string key = e.GetType().Name + " " + where;
                if (seen.Add(key))
                {
                    string file = Path.Combine(crashDir, $"crash-{name}-{Convert.ToHexString(SHA1.HashData(input))[..12].ToLowerInvariant()}");
                    File.WriteAllBytes(file, input);
                    Console.WriteLine($"CRASH {name} -> {file}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                }
            }

            execs++;
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (ms > HangMs)
            {
                hangs++;
                string file = Path.Combine(crashDir, $"hang-{name}-{Convert.ToHexString(SHA1.HashData(input))[..12].ToLowerInvariant()}");
                File.WriteAllBytes(file, input);
                Console.WriteLine($"HANG {name} -> {file}: {ms:F0} ms");
            }
        }
    }

    public static byte[] Mutate(byte[] src, List<byte[]> corpus, Random rng)
    {
        var b = new List<byte>(src);
        int n = 1 << rng.Next(0, 4);
        for (int k = 0; k < n; k++)
        {
            int len = b.Count;
            int pos = len == 0 ? 0 : rng.Next(len);
            switch (rng.Next(11))
            {
                case 0 when len > 0:
                    b[pos] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1 when len > 0:
                    b[pos] = (byte)rng.Next(256);
                    break;
                case 2 when len > 0:
                    b[pos] = (byte)Interesting[rng.Next(Interesting.Length)];
                    break;
                case 3 when len > 0:
                    {
                        // A little- or big-endian 16/32-bit interesting value.
                        long v = Interesting[rng.Next(Interesting.Length)];
                        int w = rng.Next(2) == 0 ? 2 : 4;
                        bool big = rng.Next(2) == 0;
                        for (int i = 0; i < w && pos + i < len; i++)
                        {
                            int shift = 8 * (big ? w - 1 - i : i);
                            b[pos + i] = (byte)(v >> shift);
                        }

                        break;
                    }

                case 4:
                    {
                        // A dlib variable-length integer (control byte: sign bit 0x80, byte count).
                        long v = Interesting[rng.Next(Interesting.Length)] + rng.Next(-2, 3);
                        bool neg = v < 0;
                        ulong m = neg ? (ulong)(-(v + 1)) + 1 : (ulong)v;
                        var enc = new List<byte>();
                        while (m != 0)
                        {
                            enc.Add((byte)m);
                            m >>= 8;
                        }

                        enc.Insert(0, (byte)(enc.Count | (neg ? 0x80 : 0)));
                        if (rng.Next(2) == 0 && pos < len)
                        {
                            int ctl = b[pos] & 0x0f;
                            b.RemoveRange(pos, Math.Min(len - pos, 1 + (ctl <= 8 ? ctl : 0)));
                        }

                        b.InsertRange(Math.Min(pos, b.Count), enc);
                        break;
                    }

                case 5 when len > 1:
                    b.RemoveRange(pos, Math.Min(len - pos, 1 + rng.Next(Math.Min(len, 64))));
                    break;
                case 6:
                    {
                        int cnt = 1 + rng.Next(32);
                        byte fill = (byte)rng.Next(256);
                        b.InsertRange(pos, Enumerable.Repeat(fill, cnt));
                        break;
                    }

                case 7 when len > 1:
                    {
                        int from = rng.Next(len);
                        int cnt = 1 + rng.Next(Math.Min(len - from, 128));
                        b.InsertRange(pos, b.GetRange(from, cnt));
                        break;
                    }

                case 8 when len > 1:
                    b.RemoveRange(pos, len - pos);
                    break;
                case 9:
                    {
                        byte[] other = corpus[rng.Next(corpus.Count)];
                        if (other.Length > 0)
                        {
                            int from = rng.Next(other.Length);
                            int cnt = 1 + rng.Next(Math.Min(other.Length - from, 256));
                            b.InsertRange(pos, other.AsSpan(from, cnt).ToArray());
                        }

                        break;
                    }

                case 10 when len > 0:
                    // ASCII digit / text tweaks (XML attributes, PNM-like headers).
                    b[pos] = (byte)TextBytes[rng.Next(TextBytes.Length)];
                    break;
            }
        }

        return b.ToArray();
    }
}
