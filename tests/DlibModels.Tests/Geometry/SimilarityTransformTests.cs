using System.Globalization;
using DlibModels.Faces;
using DlibModels.Geometry;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using Xunit.Abstractions;

namespace DlibModels.Tests.Geometry;

/// <summary>
/// dlib's 2×2 <c>svd</c>, <c>find_similarity_transform</c> and <c>get_face_chip_details</c> against
/// values dlib 19.24 computed (Debian build, LAPACK from OpenBLAS 0.3.21, Zen kernels): every
/// output double is compared bit for bit. The cases and the program that made them are in
/// <c>dlib_similarity_cases.txt</c> and <c>dlib_similarity_cases.cpp</c> beside this file.
/// </summary>
public sealed class SimilarityTransformTests(ITestOutputHelper output)
{
    private static readonly string CasesFile = Environment.GetEnvironmentVariable("DLIB_SIMILARITY_CASES")
        ?? Path.Combine(AppContext.BaseDirectory, "Geometry", "dlib_similarity_cases.txt");

    private static IEnumerable<(string Input, ulong[] Expected)> Cases(string kind)
    {
        string[] lines = File.ReadAllLines(CasesFile);
        for (int i = 0; i + 1 < lines.Length; i += 2)
        {
            if (lines[i].StartsWith(kind + " ", StringComparison.Ordinal))
            {
                ulong[] expected = lines[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(s => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
                yield return (lines[i], expected);
            }
        }
    }

    private static double D(string hex) => BitConverter.UInt64BitsToDouble(ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    private static ulong B(double d) => BitConverter.DoubleToUInt64Bits(d);

    private int Report(string kind, List<string> failures, int total)
    {
        output.WriteLine($"{kind}: {total - failures.Count}/{total} bit-exact");
        foreach (string f in failures.Take(10))
        {
            output.WriteLine(f);
        }

        return failures.Count;
    }

    /// <summary>u, the singular values and v of 300 matrices (random, rank one, diagonal, zero) equal dlib's bits.</summary>
    [Fact]
    public void Svd_matches_dlib_bit_for_bit()
    {
        var failures = new List<string>();
        int total = 0;
        foreach ((string input, ulong[] expected) in Cases("svd"))
        {
            string[] t = input.Split(' ');
            Svd2x2.Decompose(D(t[1]), D(t[2]), D(t[3]), D(t[4]), out Matrix2 u, out double w0, out double w1, out Matrix2 v);
            ulong[] got = [B(u.M00), B(u.M01), B(u.M10), B(u.M11), B(w0), B(w1), B(v.M00), B(v.M01), B(v.M10), B(v.M11)];
            total++;
            if (!got.SequenceEqual(expected))
            {
                failures.Add($"{input}\n  want {string.Join(' ', expected.Select(x => x.ToString("x16", CultureInfo.InvariantCulture)))}\n  got  {string.Join(' ', got.Select(x => x.ToString("x16", CultureInfo.InvariantCulture)))}");
            }
        }

        Assert.True(total >= 300, $"only {total} cases");
        Assert.Equal(0, Report("svd", failures, total));
    }

    /// <summary>The transform (matrix and offset) for 2 to 51 point pairs equals dlib's bits.</summary>
    [Fact]
    public void Similarity_transform_matches_dlib_bit_for_bit()
    {
        var failures = new List<string>();
        int total = 0;
        foreach ((string input, ulong[] expected) in Cases("sim"))
        {
            string[] t = input.Split(' ');
            int n = int.Parse(t[1], CultureInfo.InvariantCulture);
            var from = new List<(double X, double Y)>();
            var to = new List<(double X, double Y)>();
            for (int i = 0; i < n; i++)
            {
                from.Add((D(t[2 + (2 * i)]), D(t[3 + (2 * i)])));
                to.Add((D(t[2 + (2 * n) + (2 * i)]), D(t[3 + (2 * n) + (2 * i)])));
            }

            Affine a = SimilarityTransform.Find(from, to);
            ulong[] got = [B(a.M00), B(a.M01), B(a.M10), B(a.M11), B(a.B0), B(a.B1)];
            total++;
            if (!got.SequenceEqual(expected))
            {
                failures.Add($"{input[..Math.Min(80, input.Length)]}…\n  want {string.Join(' ', expected.Select(x => x.ToString("x16", CultureInfo.InvariantCulture)))}\n  got  {string.Join(' ', got.Select(x => x.ToString("x16", CultureInfo.InvariantCulture)))}");
            }
        }

        Assert.True(total >= 150, $"only {total} cases");
        Assert.Equal(0, Report("sim", failures, total));
    }

    /// <summary>get_face_chip_details for the golden 5- and 68-point shapes (two sizes and paddings) equals dlib's bits.</summary>
    [Fact]
    public void Face_chip_details_match_dlib_bit_for_bit()
    {
        var failures = new List<string>();
        int total = 0;
        foreach ((string input, ulong[] expected) in Cases("chip"))
        {
            string[] t = input.Split(' ');
            int size = int.Parse(t[1], CultureInfo.InvariantCulture);
            double padding = D(t[2]);
            int n = int.Parse(t[3], CultureInfo.InvariantCulture);
            var parts = new Point[n];
            for (int i = 0; i < n; i++)
            {
                parts[i] = new Point(long.Parse(t[4 + (2 * i)], CultureInfo.InvariantCulture), long.Parse(t[5 + (2 * i)], CultureInfo.InvariantCulture));
            }

            ChipDetails cd = FaceChips.GetFaceChipDetails(new FullObjectDetection(new Rectangle(0, 0, 10, 10), parts), size, padding);
            ulong[] got = [B(cd.Rect.Left), B(cd.Rect.Top), B(cd.Rect.Right), B(cd.Rect.Bottom), B(cd.Angle)];
            total++;
            if (!got.SequenceEqual(expected))
            {
                failures.Add($"{input[..Math.Min(60, input.Length)]}…\n  want {string.Join(' ', expected.Select(x => x.ToString("x16", CultureInfo.InvariantCulture)))}\n  got  {string.Join(' ', got.Select(x => x.ToString("x16", CultureInfo.InvariantCulture)))}");
            }
        }

        Assert.True(total >= 100, $"only {total} cases");
        Assert.Equal(0, Report("chip", failures, total));
    }
}
