namespace DlibModels.Geometry;

/// <summary>
/// dlib's <c>find_affine_transform</c> for three point pairs, as dlib 19.24 computes it in
/// Debian's build (LAPACK and BLAS from OpenBLAS 0.3.21, Haswell/Zen kernels): m = Q·pinv(P) with
/// P = [x; y; 1] of the from points (a <c>matrix&lt;double,3,0&gt;</c>) and Q = [x; y] of the to
/// points. The pseudo-inverse is dlib's <c>pinv_helper</c>: <c>svd3</c> (for a dynamically sized
/// matrix always LAPACK's <c>dgesvd</c>, <see cref="LapackSvd"/>), singular values below
/// 3·ε·max(w) dropped, then V·diag(1/w)·Uᵀ. Both products go to OpenBLAS's <c>dgemm</c>, whose
/// Haswell kernel accumulates each element's products in order with fused multiply-adds from
/// zero and adds the (zeroed, β = 0) destination last. The result therefore carries the same
/// last-bit noise as dlib's rather than being the exact solution.
/// </summary>
internal static class AffineTransform
{
    /// <summary>The transform mapping each from point onto the matching to point, bit for bit dlib's.</summary>
    public static Affine Find(
        (double X, double Y) f0, (double X, double Y) f1, (double X, double Y) f2,
        (double X, double Y) t0, (double X, double Y) t1, (double X, double Y) t2)
    {
        double[] p = [f0.X, f1.X, f2.X, f0.Y, f1.Y, f2.Y, 1, 1, 1];
        double[] pi = Pinv3(p);
        double[] q = [t0.X, t1.X, t2.X, t0.Y, t1.Y, t2.Y];
        double[] m = new double[6];
        Gemm(2, 3, 3, q, 3, 1, pi, 3, 1, m);
        return new Affine(m[0], m[1], m[3], m[4], m[2], m[5]);
    }

    /// <summary>
    /// dlib's <c>svd3</c> of a row-major 3×3 matrix held in a dynamically sized dlib matrix: m =
    /// u·diag(w)·vᵀ, u and v row-major. dlib hands LAPACK the row-major storage, which LAPACK reads
    /// as the transpose, with the job letters swapped (<c>dgesvd('A', 'S')</c>); LAPACK's U
    /// (column-major) read back row-major is vᵀ, which svd3 transposes, and its VT read back
    /// row-major is u.
    /// </summary>
    public static void Svd3(double[] m, double[] u, double[] w, double[] v)
    {
        double[] a = (double[])m.Clone();
        double[] lu = new double[9];
        LapackSvd.Gesvd(3, a, w, lu, u);
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                v[(r * 3) + c] = lu[r + (c * 3)];
            }
        }
    }

    /// <summary>
    /// dlib's <c>pinv</c> of a row-major 3×3 <c>matrix&lt;double,3,0&gt;</c>:
    /// <c>tmp(scale_columns(v, reciprocal(round_zeros(w, eps)))) * trans(u)</c> with
    /// eps = ε·max(rows, cols)·max(w).
    /// </summary>
    public static double[] Pinv3(double[] m)
    {
        double[] u = new double[9], w = new double[3], v = new double[9];
        Svd3(m, u, w, v);
        double wmax = w[0];
        for (int i = 1; i < 3; i++)
        {
            if (w[i] > wmax)
            {
                wmax = w[i];
            }
        }

        double eps = Math.ScaleB(1.0, -52) * 3 * wmax;
        double[] scaled = new double[9];
        for (int c = 0; c < 3; c++)
        {
            double wc = w[c] >= eps || w[c] <= -eps ? w[c] : 0;
            double recip = wc != 0 ? 1.0 / wc : 0;
            for (int r = 0; r < 3; r++)
            {
                scaled[(r * 3) + c] = v[(r * 3) + c] * recip;
            }
        }

        // scaled · uᵀ: element (i, j) sums scaled(i, k)·u(j, k).
        double[] result = new double[9];
        Gemm(3, 3, 3, scaled, 3, 1, u, 1, 3, result);
        return result;
    }

    /// <summary>
    /// C = A·B (row-major m×n result, inner dimension k) as OpenBLAS's Haswell <c>dgemm</c> kernel
    /// forms each element: the products in k order, the first rounded, the rest fused into the
    /// running sum, then added to the zeroed destination. A(i, l) is a[i·aRow + l·aCol] and
    /// B(l, j) is b[l·bRow + j·bCol], which covers the transposed operand.
    /// </summary>
    private static void Gemm(int m, int n, int k, double[] a, int aRow, int aCol, double[] b, int bRow, int bCol, double[] c)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double acc = a[i * aRow] * b[j * bCol];
                for (int l = 1; l < k; l++)
                {
                    acc = Math.FusedMultiplyAdd(a[(i * aRow) + (l * aCol)], b[(l * bRow) + (j * bCol)], acc);
                }

                c[(i * n) + j] = acc + 0.0;
            }
        }
    }
}
