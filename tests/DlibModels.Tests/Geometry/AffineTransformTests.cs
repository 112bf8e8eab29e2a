using System.Globalization;
using DlibModels.Geometry;
using Xunit.Abstractions;

namespace DlibModels.Tests.Geometry;

/// <summary>
/// dlib's <c>find_affine_transform</c> for three point pairs (what <c>extract_image_chips</c>
/// calls) against values dlib 19.24 computed (Debian build, LAPACK and BLAS from OpenBLAS 0.3.21,
/// Zen kernels): the SVD of the from-points matrix, its pseudo-inverse and the transform, every
/// double compared bit for bit. The cases and the program that made them are in
/// <c>dlib_affine_cases.txt</c> and <c>dlib_affine_cases.cpp</c> beside this file.
/// </summary>
public sealed class AffineTransformTests(ITestOutputHelper output)
{
    private static readonly string CasesFile = Environment.GetEnvironmentVariable("DLIB_AFFINE_CASES")
        ?? Path.Combine(AppContext.BaseDirectory, "Geometry", "dlib_affine_cases.txt");

    private sealed record Case(string Input, (double X, double Y)[] From, (double X, double Y)[] To, ulong[] Expected);

    private static List<Case> Cases()
    {
        string[] lines = File.ReadAllLines(CasesFile);
        var cases = new List<Case>();
        for (int i = 0; i + 1 < lines.Length; i += 2)
        {
            string[] t = lines[i].Split(' ');
            Assert.Equal("aff", t[0]);
            var from = new (double X, double Y)[3];
            var to = new (double X, double Y)[3];
            for (int k = 0; k < 3; k++)
            {
                from[k] = (D(t[1 + (2 * k)]), D(t[2 + (2 * k)]));
                to[k] = (D(t[7 + (2 * k)]), D(t[8 + (2 * k)]));
            }

            string[] e = lines[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("=", e[0]);
            ulong[] expected = new ulong[e.Length - 1];
            for (int k = 1; k < e.Length; k++)
            {
                expected[k - 1] = ulong.Parse(e[k], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }

            Assert.Equal(36, expected.Length);
            cases.Add(new Case(lines[i], from, to, expected));
        }

        return cases;
    }

    private static double D(string hex) => BitConverter.UInt64BitsToDouble(ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    private static string Hex(ReadOnlySpan<ulong> bits)
    {
        var parts = new string[bits.Length];
        for (int i = 0; i < bits.Length; i++)
        {
            parts[i] = bits[i].ToString("x16", CultureInfo.InvariantCulture);
        }

        return string.Join(' ', parts);
    }

    private static double[] FromMatrix(Case c) => [c.From[0].X, c.From[1].X, c.From[2].X, c.From[0].Y, c.From[1].Y, c.From[2].Y, 1, 1, 1];

    /// <summary>Compares got with expected[start..start+got.Length) and records a failure.</summary>
    private static void Check(string what, Case c, int start, double[] got, List<string> failures)
    {
        ulong[] bits = Array.ConvertAll(got, BitConverter.DoubleToUInt64Bits);
        ReadOnlySpan<ulong> want = c.Expected.AsSpan(start, got.Length);
        if (!want.SequenceEqual(bits))
        {
            failures.Add($"{what} {c.Input[..Math.Min(120, c.Input.Length)]}…\n  want {Hex(want)}\n  got  {Hex(bits)}");
        }
    }

    private void Report(string kind, List<string> failures, int total)
    {
        output.WriteLine($"{kind}: {total - failures.Count}/{total} bit-exact");
        foreach (string f in failures.Take(10))
        {
            output.WriteLine(f);
        }

        Assert.True(total >= 500, $"only {total} cases");
        Assert.Empty(failures);
    }

    /// <summary>svd3 of the from-points matrix P = [x; y; 1]: u, w and v equal dlib's bits.</summary>
    [Fact]
    public void Svd3_matches_dlib_bit_for_bit()
    {
        var failures = new List<string>();
        List<Case> cases = Cases();
        foreach (Case c in cases)
        {
            double[] u = new double[9], w = new double[3], v = new double[9];
            AffineTransform.Svd3(FromMatrix(c), u, w, v);
            Check("svd", c, 0, [.. u, .. w, .. v], failures);
        }

        Report("svd3", failures, cases.Count);
    }

    /// <summary>pinv of the from-points matrix equals dlib's bits.</summary>
    [Fact]
    public void Pinv_matches_dlib_bit_for_bit()
    {
        var failures = new List<string>();
        List<Case> cases = Cases();
        foreach (Case c in cases)
        {
            Check("pinv", c, 21, AffineTransform.Pinv3(FromMatrix(c)), failures);
        }

        Report("pinv", failures, cases.Count);
    }

    /// <summary>The transform (matrix and offset) equals dlib's bits.</summary>
    [Fact]
    public void Affine_transform_matches_dlib_bit_for_bit()
    {
        var failures = new List<string>();
        List<Case> cases = Cases();
        foreach (Case c in cases)
        {
            Affine a = AffineTransform.Find(c.From[0], c.From[1], c.From[2], c.To[0], c.To[1], c.To[2]);
            Check("transform", c, 30, [a.M00, a.M01, a.M10, a.M11, a.B0, a.B1], failures);
        }

        Report("transform", failures, cases.Count);
    }
}
