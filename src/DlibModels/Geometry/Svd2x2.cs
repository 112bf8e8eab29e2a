using System.Runtime.CompilerServices;
namespace DlibModels.Geometry;

/// <summary>
/// dlib's <c>svd(m, u, w, v)</c> of a 2×2 double matrix as dlib 19.24 computes it when built with
/// <c>DLIB_USE_LAPACK</c> (Debian's build): LAPACK's <c>dgesvd</c> on the row-major matrix, i.e. on
/// its transpose, along the path LAPACK takes for a 2×2 input — one Householder reflection
/// (<c>dgebd2</c>), the reflector turned into U (<c>dorg2r</c>), then <c>dbdsqr</c>, which for an
/// upper bidiagonal 2×2 block is a single <c>dlasv2</c> plus the sign fix and the descending sort.
/// Every operation is evaluated in LAPACK's order, with the BLAS of the reference outputs
/// (OpenBLAS 0.3.21, Haswell/Zen kernels), so the result matches bit for bit; with the reference
/// BLAS only <c>drot</c> (no fused multiply-add) and the sign of some zeros differ. The
/// decomposition decides where overlay pixels land in the hipsterizer and the face chip geometry.
/// Inputs below LAPACK's scaling threshold (|a| &lt; 2^-459 or &gt; 2^459) are not rescaled first.
/// </summary>
internal static class Svd2x2
{
    private const double Eps = Lapack.Eps;
    private const double SafeMin = Lapack.SafeMin;

    /// <summary>
    /// Decomposes the row-major matrix [[a00, a01], [a10, a11]] = U·diag(w)·Vᵀ with dlib's
    /// conventions: w descending and non-negative; U and V as dlib's LAPACK path returns them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Decompose(double a00, double a01, double a10, double a11, out Matrix2 u, out double w0, out double w1, out Matrix2 v)
    {
        // LAPACK sees the column-major transpose A' = [[a00, a10], [a01, a11]].
        // dgebd2, i = 1: Householder reflector H = I - tau·[1 v2]ᵀ[1 v2] zeroing A'(2,1).
        double alpha = a00;
        double x = a01;
        double tau = 0;
        double v2 = x;
        double xnorm = Math.Abs(x);
        if (xnorm != 0)
        {
            double beta = -Math.CopySign(Lapack.Lapy2(alpha, xnorm), alpha);
            const double safmin = SafeMin / Eps;
            int knt = 0;
            if (Math.Abs(beta) < safmin)
            {
                const double rsafmn = 1.0 / safmin;
                do
                {
                    knt++;
                    v2 = rsafmn * v2;
                    beta *= rsafmn;
                    alpha *= rsafmn;
                }
                while (Math.Abs(beta) < safmin && knt < 20);

                xnorm = Math.Abs(v2);
                beta = -Math.CopySign(Lapack.Lapy2(alpha, xnorm), alpha);
            }

            tau = (beta - alpha) / beta;
            v2 = (1.0 / (alpha - beta)) * v2;
            for (int j = 0; j < knt; j++)
            {
                beta *= safmin;
            }

            alpha = beta;
        }

        double d1 = alpha;

        // dlarf('Left'): apply H to the second column (a10, a11).
        double c1 = a10, c2 = a11;
        ApplyReflector(tau, v2, ref c1, ref c2);
        double e1 = c1;
        double d2 = c2;

        // dorg2r: U = H applied to the identity (the second reflector is trivial).
        double u12 = 0, u22 = 1;
        ApplyReflector(tau, v2, ref u12, ref u22);
        // dscal by -tau; OpenBLAS's dscal writes +0 outright when the factor is zero.
        double u21 = tau == 0 ? 0.0 : -tau * v2;
        double u11 = 1 - tau;

        // dorgbr('P') with a trivial reflector: VT = I.
        double vt11 = 1, vt12 = 0, vt21 = 0, vt22 = 1;

        // dbdsqr on the upper bidiagonal [[d1, e1], [0, d2]].
        double tol = Lapack.TolMul * Eps;
        double sminoa = Math.Abs(d1);
        if (sminoa != 0)
        {
            double mu = Math.Abs(d2) * (sminoa / (sminoa + Math.Abs(e1)));
            sminoa = Math.Min(sminoa, mu);
        }

        sminoa /= Math.Sqrt(2.0);
        double thresh = Math.Max(tol * sminoa, 6 * (2 * (2 * SafeMin)));
        double abse = Math.Abs(e1);
        if (!(abse <= thresh || abse == 0))
        {
            Lapack.Lasv2(d1, e1, d2, out double sigmn, out double sigmx, out double sinr, out double cosr, out double sinl, out double cosl);
            d1 = sigmx;
            d2 = sigmn;

            // drot on the rows of VT, then on the columns of U.
            Rotate(ref vt11, ref vt21, cosr, sinr);
            Rotate(ref vt12, ref vt22, cosr, sinr);
            Rotate(ref u11, ref u12, cosl, sinl);
            Rotate(ref u21, ref u22, cosl, sinl);
        }

        // Make the singular values non-negative (negating VT's row), then sort them descending.
        if (d1 < 0)
        {
            d1 = -d1;
            vt11 = -1.0 * vt11;
            vt12 = -1.0 * vt12;
        }

        if (d2 < 0)
        {
            d2 = -d2;
            vt21 = -1.0 * vt21;
            vt22 = -1.0 * vt22;
        }

        if (!(d2 <= d1))
        {
            (d1, d2) = (d2, d1);
            (vt11, vt21) = (vt21, vt11);
            (vt12, vt22) = (vt22, vt12);
            (u11, u12) = (u12, u11);
            (u21, u22) = (u22, u21);
        }

        // A' = U_L·S·VT_L, so the row-major matrix is VT_Lᵀ·S·U_Lᵀ: dlib's u = VT_Lᵀ, v = U_L.
        u = new Matrix2(vt11, vt21, vt12, vt22);
        v = new Matrix2(u11, u12, u21, u22);
        w0 = d1;
        w1 = d2;
    }

    /// <summary>dlarf('Left') of H = I - tau·[1 v2]ᵀ[1 v2] on the column (c1, c2), as dgemv then dger.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ApplyReflector(double tau, double v2, ref double c1, ref double c2)
    {
        if (tau == 0)
        {
            return;
        }

        int lastv = v2 != 0 ? 2 : 1;
        bool nonzero = c1 != 0 || (lastv == 2 ? c2 != 0 : c1 != 0);
        if (!nonzero)
        {
            return;
        }

        double w = 0 + (c1 * 1.0);
        if (lastv == 2)
        {
            w += c2 * v2;
        }

        if (w != 0)
        {
            double t = -tau * w;
            c1 += 1.0 * t;
            if (lastv == 2)
            {
                c2 += v2 * t;
            }
        }
    }

    /// <summary>drot on one pair, as <see cref="OpenBlasKernels.Rot"/> evaluates it.</summary>
    private static void Rotate(ref double x, ref double y, double c, double s)
    {
        double t = Math.FusedMultiplyAdd(c, x, s * y);
        y = Math.FusedMultiplyAdd(c, y, -(s * x));
        x = t;
    }
}

/// <summary>A row-major 2×2 double matrix [[M00, M01], [M10, M11]].</summary>
internal readonly record struct Matrix2(double M00, double M01, double M10, double M11)
{
    /// <summary>dlib's 2×2 <c>det</c>: m00·m11 − m01·m10.</summary>
    public double Det => (M00 * M11) - (M01 * M10);
}
