using System.Runtime.CompilerServices;
namespace DlibModels.Geometry;

/// <summary>dlib's <c>find_similarity_transform</c>: Umeyama's least-squares rotation, scale and translation.</summary>
internal static class SimilarityTransform
{
    /// <summary>
    /// The similarity transform that best maps <paramref name="from"/> onto <paramref name="to"/>,
    /// computed as dlib does: means, variance and 2×2 covariance summed in point order, the
    /// covariance decomposed by <see cref="Svd2x2"/> (dlib's LAPACK path), a reflection removed by
    /// flipping the sign of the smaller singular direction, then c·R and t = mean_to − c·(R·mean_from).
    /// </summary>
    public static Affine Find(IReadOnlyList<(double X, double Y)> from, IReadOnlyList<(double X, double Y)> to)
    {
        var f = new (double X, double Y)[from.Count];
        var t = new (double X, double Y)[to.Count];
        for (int i = 0; i < f.Length; i++)
        {
            f[i] = from[i];
        }

        for (int i = 0; i < t.Length; i++)
        {
            t[i] = to[i];
        }

        return Find(f, t);
    }

    /// <inheritdoc cref="Find(IReadOnlyList{ValueTuple{double, double}}, IReadOnlyList{ValueTuple{double, double}})"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Affine Find(ReadOnlySpan<(double X, double Y)> from, ReadOnlySpan<(double X, double Y)> to)
    {
        if (from.Length != to.Length || from.Length < 2)
        {
            throw new ArgumentException($"find_similarity_transform needs at least 2 point pairs of equal count, got {from.Length} and {to.Length}.");
        }

        int n = from.Length;
        double mfx = 0, mfy = 0, mtx = 0, mty = 0;
        for (int i = 0; i < n; i++)
        {
            mfx += from[i].X;
            mfy += from[i].Y;
            mtx += to[i].X;
            mty += to[i].Y;
        }

        double dn = n;
        mfx /= dn;
        mfy /= dn;
        mtx /= dn;
        mty /= dn;
        double sigmaFrom = 0;
        double c00 = 0, c01 = 0, c10 = 0, c11 = 0;
        for (int i = 0; i < n; i++)
        {
            double fx = from[i].X - mfx;
            double fy = from[i].Y - mfy;
            double tx = to[i].X - mtx;
            double ty = to[i].Y - mty;
            sigmaFrom += (fx * fx) + (fy * fy);
            c00 += tx * fx;
            c01 += tx * fy;
            c10 += ty * fx;
            c11 += ty * fy;
        }

        sigmaFrom /= dn;

        // dlib divides a matrix by a scalar as a multiplication by its reciprocal.
        double inv = 1.0 / dn;
        var cov = new Matrix2(c00 * inv, c01 * inv, c10 * inv, c11 * inv);
        Svd2x2.Decompose(cov.M00, cov.M01, cov.M10, cov.M11, out Matrix2 u, out double d0, out double d1, out Matrix2 v);

        double s0 = 1, s1 = 1;
        double detCov = cov.Det;
        if (detCov < 0 || (detCov == 0 && u.Det * v.Det < 0))
        {
            if (d1 < d0)
            {
                s1 = -1;
            }
            else
            {
                s0 = -1;
            }
        }

        // r = u·s·vᵀ, each element summed over k in order.
        double us00 = (u.M00 * s0) + (u.M01 * 0.0), us01 = (u.M00 * 0.0) + (u.M01 * s1);
        double us10 = (u.M10 * s0) + (u.M11 * 0.0), us11 = (u.M10 * 0.0) + (u.M11 * s1);
        double r00 = (us00 * v.M00) + (us01 * v.M01);
        double r01 = (us00 * v.M10) + (us01 * v.M11);
        double r10 = (us10 * v.M00) + (us11 * v.M01);
        double r11 = (us10 * v.M10) + (us11 * v.M11);

        double c = 1;
        if (sigmaFrom != 0)
        {
            double trace = ((d0 * s0) + (0.0 * 0.0)) + ((0.0 * 0.0) + (d1 * s1));
            c = 1.0 / sigmaFrom * trace;
        }

        // t = mean_to − c·(r·mean_from): dlib pulls the scalar out of the product.
        double rx = (r00 * mfx) + (r01 * mfy);
        double ry = (r10 * mfx) + (r11 * mfy);
        double bx = mtx - (rx * c);
        double by = mty - (ry * c);
        return new Affine(r00 * c, r01 * c, r10 * c, r11 * c, bx, by);
    }
}
