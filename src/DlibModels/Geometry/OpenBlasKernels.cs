namespace DlibModels.Geometry;

/// <summary>
/// The BLAS calls LAPACK's small SVD makes, evaluated as OpenBLAS 0.3.21's x86-64 Haswell/Zen
/// kernels evaluate them for vectors of at most three elements (the reference outputs' BLAS).
/// Those kernels' short-vector code is plain C. OpenBLAS's makefiles compile only <c>drot</c> and
/// <c>dgemv_t</c> with <c>-mfma</c>, and there GCC contracts <c>a*b + c</c> into a fused
/// multiply-add: where an expression sums products, the first product is fused with the rounded
/// second one. The other kernels (<c>dgemv_n</c>, <c>dger</c> through <c>daxpy</c>, <c>dscal</c>)
/// round every product. <c>dnrm2</c> is x87 assembly working in extended precision
/// (<see cref="X87Extended"/>). Matrices are column-major arrays addressed Fortran-style by an
/// offset and a leading dimension. Longer vectors take the kernels' SIMD loops, which these
/// methods do not model: they throw.
/// </summary>
internal static class OpenBlasKernels
{
    /// <summary>
    /// <c>dnrm2</c> (<c>nrm2.S</c>): the squares summed on the x87 stack in element order, the
    /// square root taken there, and the result rounded to a double once at the end.
    /// </summary>
    public static double Nrm2(int n, double[] x, int offset, int inc)
    {
        if (n <= 0 || inc <= 0)
        {
            return 0.0;
        }

        // Eight or more elements go through four interleaved accumulators instead.
        RequireShort(n, 7);
        X87Extended sum = X87Extended.Zero;
        for (int i = 0; i < n; i++)
        {
            sum += X87Extended.Square(x[offset + (i * inc)]);
        }

        return sum.Sqrt().ToDouble();
    }

    /// <summary><c>dscal</c>: x ← a·x; a zero factor stores +0 without reading x.</summary>
    public static void Scal(int n, double a, double[] x, int offset, int inc)
    {
        for (int i = 0; i < n; i++)
        {
            ref double xi = ref x[offset + (i * inc)];
            xi = a == 0.0 ? 0.0 : xi * a;
        }
    }

    /// <summary>
    /// <c>drot</c> (the scalar loop of <c>drot.c</c>): x ← c·x + s·y and y ← c·y − s·x, each with
    /// the c product fused and the s product rounded first.
    /// </summary>
    public static void Rot(int n, double[] x, int xOffset, int incX, double[] y, int yOffset, int incY, double c, double s)
    {
        RequireShort(n, 7);
        for (int i = 0; i < n; i++)
        {
            ref double xi = ref x[xOffset + (i * incX)];
            ref double yi = ref y[yOffset + (i * incY)];
            double t = Math.FusedMultiplyAdd(c, xi, s * yi);
            yi = Math.FusedMultiplyAdd(c, yi, -(s * xi));
            xi = t;
        }
    }

    /// <summary><c>dswap</c>.</summary>
    public static void Swap(int n, double[] x, int xOffset, int incX, double[] y, int yOffset, int incY)
    {
        for (int i = 0; i < n; i++)
        {
            (x[xOffset + (i * incX)], y[yOffset + (i * incY)]) = (y[yOffset + (i * incY)], x[xOffset + (i * incX)]);
        }
    }

    /// <summary>
    /// <c>dgemv('T', m, n, 1, A, lda, x, incx, 0, y, 1)</c>: y ← Aᵀx. The interface zeroes y (the
    /// β = 0 scaling); <c>dgemv_t_4.c</c> then handles m &lt; 4 rows in its tail code, which adds
    /// to each y(j) the column's dot product with x written as one expression of m products.
    /// </summary>
    public static void GemvT(int m, int n, double[] a, int aOffset, int lda, double[] x, int xOffset, int incX, double[] y)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        RequireShort(m, 3);
        for (int j = 0; j < n; j++)
        {
            y[j] = 0.0;
        }

        // The kernel first multiplies x by α = 1, which is exact.
        double x0 = x[xOffset];
        double x1 = m > 1 ? x[xOffset + incX] : 0;
        double x2 = m > 2 ? x[xOffset + (2 * incX)] : 0;
        for (int j = 0; j < n; j++)
        {
            int col = aOffset + (j * lda);
            y[j] = m switch
            {
                // y += a0·x0 + a1·x1 + a2·x2: the first product fused with the rounded second,
                // the third fused with that, then one addition.
                3 => y[j] + Math.FusedMultiplyAdd(a[col + 2], x2, Math.FusedMultiplyAdd(a[col], x0, a[col + 1] * x1)),
                2 => y[j] + Math.FusedMultiplyAdd(a[col], x0, a[col + 1] * x1),
                _ => Math.FusedMultiplyAdd(a[col], x0, y[j]),
            };
        }
    }

    /// <summary>
    /// <c>dgemv('N', m, n, 1, A, lda, x, incx, 0, y, 1)</c>: y ← Ax. y is zeroed; for m &lt; 4 rows
    /// <c>dgemv_n_4.c</c> sums each row's products in column order from zero, then adds α·sum
    /// (α = 1) to y(i).
    /// </summary>
    public static void GemvN(int m, int n, double[] a, int aOffset, int lda, double[] x, int xOffset, int incX, double[] y)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        RequireShort(m, 3);
        for (int i = 0; i < m; i++)
        {
            double temp = 0.0;
            for (int j = 0; j < n; j++)
            {
                temp += a[aOffset + i + (j * lda)] * x[xOffset + (j * incX)];
            }

            y[i] = 0.0 + (1.0 * temp);
        }
    }

    /// <summary>
    /// <c>dger</c>: A ← A + α·x·yᵀ, a column at a time as <c>daxpy</c> with the factor α·y(j):
    /// a(i,j) += (α·y(j))·x(i).
    /// </summary>
    public static void Ger(int m, int n, double alpha, double[] x, int xOffset, int incX, double[] y, int yOffset, int incY, double[] a, int aOffset, int lda)
    {
        if (m == 0 || n == 0 || alpha == 0.0)
        {
            return;
        }

        RequireShort(m, 15);
        for (int j = 0; j < n; j++)
        {
            double t = alpha * y[yOffset + (j * incY)];
            for (int i = 0; i < m; i++)
            {
                ref double aij = ref a[aOffset + i + (j * lda)];
                aij += t * x[xOffset + (i * incX)];
            }
        }
    }

    private static void RequireShort(int n, int max)
    {
        if (n > max)
        {
            throw new NotSupportedException($"vectors of {n} elements take OpenBLAS's SIMD paths, which are not emulated (at most {max})");
        }
    }
}
