namespace DlibModels.Landmarks;

/// <summary>Geometry helpers shared by the shape predictor and face chips.</summary>
internal static class ShapeMath
{
    /// <summary>
    /// The 2×2 part of dlib's <c>find_similarity_transform(from, to)</c> (Umeyama's least squares
    /// fit) over the points of two shape vectors (x0,y0,x1,y1,…), cast to float as
    /// <c>find_tform_between_shapes</c> is used by the predictor. One point gives the identity.
    /// </summary>
    public static void SimilarityMatrix(ReadOnlySpan<float> from, ReadOnlySpan<float> to, out float m00, out float m01, out float m10, out float m11)
    {
        int n = from.Length / 2;
        if (n == 1)
        {
            m00 = 1;
            m01 = 0;
            m10 = 0;
            m11 = 1;
            return;
        }

        double mfx = 0, mfy = 0, mtx = 0, mty = 0;
        for (int i = 0; i < n; i++)
        {
            mfx += from[2 * i];
            mfy += from[(2 * i) + 1];
            mtx += to[2 * i];
            mty += to[(2 * i) + 1];
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
            double fx = from[2 * i] - mfx;
            double fy = from[(2 * i) + 1] - mfy;
            double tx = to[2 * i] - mtx;
            double ty = to[(2 * i) + 1] - mty;
            sigmaFrom += (fx * fx) + (fy * fy);
            c00 += tx * fx;
            c01 += tx * fy;
            c10 += ty * fx;
            c11 += ty * fy;
        }

        sigmaFrom /= dn;
        SimilarityFromCov(c00 / dn, c01 / dn, c10 / dn, c11 / dn, sigmaFrom, out double a00, out double a01, out double a10, out double a11);
        m00 = (float)a00;
        m01 = (float)a01;
        m10 = (float)a10;
        m11 = (float)a11;
    }

    /// <summary>
    /// The scaled rotation c·R of Umeyama's solution for a 2-D covariance matrix
    /// [[c00,c01],[c10,c11]] and source variance <paramref name="sigmaFrom"/>, in closed form
    /// (equal, up to rounding in the last bits, to dlib's SVD-based computation).
    /// </summary>
    private static void SimilarityFromCov(double c00, double c01, double c10, double c11, double sigmaFrom, out double m00, out double m01, out double m10, out double m11)
    {
        double p = c00 + c11;
        double q = c10 - c01;
        if (sigmaFrom != 0)
        {
            double inv = 1.0 / sigmaFrom;
            m00 = inv * p;
            m01 = -inv * q;
            m10 = inv * q;
            m11 = inv * p;
            return;
        }

        double len = Math.Sqrt((p * p) + (q * q));
        if (len == 0)
        {
            m00 = 1;
            m01 = 0;
            m10 = 0;
            m11 = 1;
            return;
        }

        m00 = p / len;
        m01 = -q / len;
        m10 = q / len;
        m11 = p / len;
    }
}
