using DlibModels.Imaging;

namespace DlibModels.Detection;

/// <summary>
/// dlib's <c>test_box_overlap</c>: two boxes overlap when their intersection over union exceeds
/// <see cref="IouThreshold"/>, or when the intersection covers more than
/// <see cref="PercentCoveredThreshold"/> of either box. Used for non-max suppression.
/// </summary>
/// <param name="IouThreshold">Intersection-over-union above which boxes overlap.</param>
/// <param name="PercentCoveredThreshold">Fraction of either box covered above which boxes overlap.</param>
public readonly record struct OverlapTester(double IouThreshold, double PercentCoveredThreshold)
{
    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> overlap by this tester's rule.</summary>
    public bool Overlaps(Rectangle a, Rectangle b)
    {
        double inner = a.Intersect(b).Area;
        if (inner == 0)
        {
            return false;
        }

        double outer = a.Union(b).Area;
        return inner / outer > IouThreshold
            || inner / a.Area > PercentCoveredThreshold
            || inner / b.Area > PercentCoveredThreshold;
    }
}
