namespace DlibModels.Dnn.Engine;

/// <summary>
/// Summary of one layer's output, as dlibref's <c>layers</c> command prints it.
/// </summary>
/// <param name="Index">dlib's <c>layer&lt;i&gt;</c> index: 1 for the top layer, the largest for the input.</param>
/// <param name="Layer">The layer's description.</param>
/// <param name="Shape">[N, K, Rows, Cols].</param>
/// <param name="Mean">Mean of all values.</param>
/// <param name="Std">Population standard deviation of all values.</param>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
/// <param name="Sum">Sum of all values.</param>
/// <param name="First8">The first (up to) 8 values in NCHW order.</param>
public sealed record LayerStatistics(
    int Index,
    string Layer,
    IReadOnlyList<int> Shape,
    double Mean,
    double Std,
    double Min,
    double Max,
    double Sum,
    IReadOnlyList<float> First8)
{
    /// <summary>Computes the statistics of <paramref name="t"/>.</summary>
    public static LayerStatistics Of(int index, string layer, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        ReadOnlySpan<float> d = t.Span;
        double sum = 0;
        double sq = 0;
        double min = double.PositiveInfinity;
        double max = double.NegativeInfinity;
        foreach (float f in d)
        {
            sum += f;
            sq += (double)f * f;
            min = Math.Min(min, f);
            max = Math.Max(max, f);
        }

        int n = d.Length;
        double mean = n == 0 ? 0 : sum / n;
        double var = n == 0 ? 0 : Math.Max(0, (sq / n) - (mean * mean));
        return new LayerStatistics(index, layer, t.Shape, mean, Math.Sqrt(var), n == 0 ? 0 : min, n == 0 ? 0 : max, sum, d[..Math.Min(8, n)].ToArray());
    }
}
