namespace DlibModels.Geometry;

/// <summary>
/// LAPACK's <c>dgesvd</c> for a small square matrix (n ≤ 3) with all left singular vectors
/// (<c>JOBU = 'A'</c>) and the right ones (<c>JOBVT = 'S'</c>), as OpenBLAS 0.3.21 computes it:
/// the Fortran routines of Debian's Reference-LAPACK 3.11 build (no fused multiply-add) calling
/// OpenBLAS's own BLAS kernels (<see cref="OpenBlasKernels"/>). For a square matrix dgesvd takes
/// its "path 10": bidiagonalize with Householder reflections (<c>dgebrd</c>, which for so few
/// columns is the unblocked <c>dgebd2</c>), form Q and Pᵀ from the reflectors (<c>dorgbr</c>, i.e.
/// <c>dorg2r</c> and <c>dorgl2</c>), then run the implicit-shift QR iteration on the bidiagonal
/// (<c>dbdsqr</c>), rotating the vectors along. Every step below follows those routines' order of
/// operations, so the results are bit for bit LAPACK's. Matrices are column-major, n×n, with
/// leading dimension n, as LAPACK sees them. Inputs whose largest element lies outside
/// [2^-459, 2^459] (which dgesvd would rescale first) are rejected.
/// </summary>
internal static class LapackSvd
{
    /// <summary>
    /// A = U·diag(s)·VT for the column-major n×n matrix <paramref name="a"/> (destroyed):
    /// <paramref name="s"/> descending, <paramref name="u"/> and <paramref name="vt"/> column-major n×n.
    /// </summary>
    public static void Gesvd(int n, double[] a, double[] s, double[] u, double[] vt)
    {
        if (n < 1 || n > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(n), "only 1×1 to 3×3 matrices are supported");
        }

        // dgesvd's scaling test: max|a(i,j)| outside [sqrt(safmin)/ulp, ulp/sqrt(safmin)].
        double anrm = 0;
        for (int i = 0; i < n * n; i++)
        {
            double v = Math.Abs(a[i]);
            if (v > anrm || double.IsNaN(v))
            {
                anrm = v;
            }
        }

        double smlnum = Math.ScaleB(1.0, -459);
        if ((anrm > 0 && anrm < smlnum) || anrm > 1 / smlnum || double.IsNaN(anrm))
        {
            throw new NotSupportedException("matrices dgesvd would rescale are not supported");
        }

        if (n == 1)
        {
            // dgesvd takes a different path (QR first) when m ≥ 1.6·n; for 1×1 the result is
            // |a| with signs moved into U.
            throw new NotSupportedException("1×1 matrices take another dgesvd path");
        }

        var e = new double[n];
        var tauq = new double[n];
        var taup = new double[n];
        Gebd2(n, a, s, e, tauq, taup);

        // U: the lower triangle (with the diagonal) of the reduced matrix, then dorgbr('Q').
        Array.Clear(u);
        for (int j = 0; j < n; j++)
        {
            for (int i = j; i < n; i++)
            {
                u[i + (j * n)] = a[i + (j * n)];
            }
        }

        Org2r(n, n, n, u, 0, n, tauq);

        // VT: the upper triangle, then dorgbr('P') for k = n: the reflectors move one row down,
        // the first row and column become those of the identity, and dorgl2 forms the rest.
        Array.Clear(vt);
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i <= j; i++)
            {
                vt[i + (j * n)] = a[i + (j * n)];
            }
        }

        vt[0] = 1;
        for (int i = 1; i < n; i++)
        {
            vt[i] = 0;
        }

        for (int j = 1; j < n; j++)
        {
            for (int i = j - 1; i >= 1; i--)
            {
                vt[i + (j * n)] = vt[i - 1 + (j * n)];
            }

            vt[j * n] = 0;
        }

        if (n > 1)
        {
            Orgl2(n - 1, n - 1, n - 1, vt, 1 + n, n, taup);
        }

        Bdsqr(n, n, n, s, e, vt, n, u, n);
    }

    /// <summary><c>dgebd2</c> for m = n: alternating left and right Householder reflections.</summary>
    private static void Gebd2(int n, double[] a, double[] d, double[] e, double[] tauq, double[] taup)
    {
        int lda = n;
        for (int i = 0; i < n; i++)
        {
            int ii = i + (i * lda);

            // Reflector H(i) zeroing A(i+1:n, i).
            tauq[i] = Larfg(n - i, ref a[ii], a, Math.Min(i + 1, n - 1) + (i * lda), 1);
            d[i] = a[ii];
            a[ii] = 1;
            if (i < n - 1)
            {
                LarfLeft(n - i, n - i - 1, a, ii, 1, tauq[i], a, i + ((i + 1) * lda), lda);
            }

            a[ii] = d[i];
            if (i < n - 1)
            {
                // Reflector G(i) zeroing A(i, i+2:n).
                int ij = i + ((i + 1) * lda);
                taup[i] = Larfg(n - i - 1, ref a[ij], a, i + (Math.Min(i + 2, n - 1) * lda), lda);
                e[i] = a[ij];
                a[ij] = 1;
                LarfRight(n - i - 1, n - i - 1, a, ij, lda, taup[i], a, i + 1 + ((i + 1) * lda), lda);
                a[ij] = e[i];
            }
            else
            {
                taup[i] = 0;
            }
        }
    }

    /// <summary>
    /// <c>dlarfg</c>: the reflector H = I − τ·[1; v]·[1; v]ᵀ with H·[α; x] = [β; 0]; α becomes β
    /// and x becomes v. Returns τ.
    /// </summary>
    private static double Larfg(int n, ref double alpha, double[] x, int xOffset, int incX)
    {
        if (n <= 1)
        {
            return 0;
        }

        double xnorm = OpenBlasKernels.Nrm2(n - 1, x, xOffset, incX);
        if (xnorm == 0)
        {
            return 0;
        }

        double beta = -Math.CopySign(Lapack.Lapy2(alpha, xnorm), alpha);
        const double safmin = Lapack.SafeMin / Lapack.Eps;
        int knt = 0;
        if (Math.Abs(beta) < safmin)
        {
            // β may be inaccurate; scale x and recompute.
            const double rsafmn = 1.0 / safmin;
            do
            {
                knt++;
                OpenBlasKernels.Scal(n - 1, rsafmn, x, xOffset, incX);
                beta *= rsafmn;
                alpha *= rsafmn;
            }
            while (Math.Abs(beta) < safmin && knt < 20);

            xnorm = OpenBlasKernels.Nrm2(n - 1, x, xOffset, incX);
            beta = -Math.CopySign(Lapack.Lapy2(alpha, xnorm), alpha);
        }

        double tau = (beta - alpha) / beta;
        OpenBlasKernels.Scal(n - 1, 1.0 / (alpha - beta), x, xOffset, incX);
        for (int j = 0; j < knt; j++)
        {
            beta *= safmin;
        }

        alpha = beta;
        return tau;
    }

    /// <summary>
    /// <c>dlarf('Left')</c>: C ← H·C for the m×n block at <paramref name="cOffset"/>, as w = Cᵀv
    /// (<c>dgemv</c>) then C −= τ·v·wᵀ (<c>dger</c>), over the trailing non-zero part of v and
    /// the non-zero columns of C only.
    /// </summary>
    private static void LarfLeft(int m, int n, double[] v, int vOffset, int incV, double tau, double[] c, int cOffset, int ldc)
    {
        if (tau == 0)
        {
            return;
        }

        int lastv = LastNonZero(m, v, vOffset, incV);
        if (lastv == 0)
        {
            return;
        }

        int lastc = Iladlc(lastv, n, c, cOffset, ldc);
        var work = new double[Math.Max(1, lastc)];
        OpenBlasKernels.GemvT(lastv, lastc, c, cOffset, ldc, v, vOffset, incV, work);
        OpenBlasKernels.Ger(lastv, lastc, -tau, v, vOffset, incV, work, 0, 1, c, cOffset, ldc);
    }

    /// <summary><c>dlarf('Right')</c>: C ← C·H, as w = Cv then C −= τ·w·vᵀ.</summary>
    private static void LarfRight(int m, int n, double[] v, int vOffset, int incV, double tau, double[] c, int cOffset, int ldc)
    {
        if (tau == 0)
        {
            return;
        }

        int lastv = LastNonZero(n, v, vOffset, incV);
        if (lastv == 0)
        {
            return;
        }

        int lastc = Iladlr(m, lastv, c, cOffset, ldc);
        var work = new double[Math.Max(1, lastc)];
        OpenBlasKernels.GemvN(lastc, lastv, c, cOffset, ldc, v, vOffset, incV, work);
        OpenBlasKernels.Ger(lastc, lastv, -tau, work, 0, 1, v, vOffset, incV, c, cOffset, ldc);
    }

    /// <summary>dlarf's scan: the length of v without its trailing zeros.</summary>
    private static int LastNonZero(int len, double[] v, int offset, int inc)
    {
        int last = len;
        while (last > 0 && v[offset + ((last - 1) * inc)] == 0)
        {
            last--;
        }

        return last;
    }

    /// <summary><c>iladlc</c>: the number of columns of the m×n block up to its last non-zero one.</summary>
    private static int Iladlc(int m, int n, double[] a, int offset, int lda)
    {
        if (n == 0)
        {
            return 0;
        }

        if (a[offset + ((n - 1) * lda)] != 0 || a[offset + m - 1 + ((n - 1) * lda)] != 0)
        {
            return n;
        }

        for (int j = n; j >= 1; j--)
        {
            for (int i = 0; i < m; i++)
            {
                if (a[offset + i + ((j - 1) * lda)] != 0)
                {
                    return j;
                }
            }
        }

        return 0;
    }

    /// <summary><c>iladlr</c>: the number of rows of the m×n block up to its last non-zero one.</summary>
    private static int Iladlr(int m, int n, double[] a, int offset, int lda)
    {
        if (m == 0)
        {
            return 0;
        }

        if (a[offset + m - 1] != 0 || a[offset + m - 1 + ((n - 1) * lda)] != 0)
        {
            return m;
        }

        int last = 0;
        for (int j = 0; j < n; j++)
        {
            int i = m;
            while (i >= 1 && a[offset + i - 1 + (j * lda)] == 0)
            {
                i--;
            }

            last = Math.Max(last, i);
        }

        return last;
    }

    /// <summary><c>dorg2r</c>: the m×n matrix Q = H(1)···H(k) from reflectors stored below the diagonal.</summary>
    private static void Org2r(int m, int n, int k, double[] a, int offset, int lda, double[] tau)
    {
        for (int j = k; j < n; j++)
        {
            for (int l = 0; l < m; l++)
            {
                a[offset + l + (j * lda)] = 0;
            }

            a[offset + j + (j * lda)] = 1;
        }

        for (int i = k - 1; i >= 0; i--)
        {
            int ii = offset + i + (i * lda);
            if (i < n - 1)
            {
                a[ii] = 1;
                LarfLeft(m - i, n - i - 1, a, ii, 1, tau[i], a, ii + lda, lda);
            }

            if (i < m - 1)
            {
                OpenBlasKernels.Scal(m - i - 1, -tau[i], a, ii + 1, 1);
            }

            a[ii] = 1 - tau[i];
            for (int l = 0; l < i; l++)
            {
                a[offset + l + (i * lda)] = 0;
            }
        }
    }

    /// <summary><c>dorgl2</c>: the m×n matrix Q = H(k)···H(1) from reflectors stored right of the diagonal (k = m here).</summary>
    private static void Orgl2(int m, int n, int k, double[] a, int offset, int lda, double[] tau)
    {
        if (k < m)
        {
            throw new NotSupportedException("dorgl2 with k < m");
        }

        for (int i = k - 1; i >= 0; i--)
        {
            int ii = offset + i + (i * lda);
            if (i < n - 1)
            {
                if (i < m - 1)
                {
                    a[ii] = 1;
                    LarfRight(m - i - 1, n - i, a, ii, lda, tau[i], a, ii + 1, lda);
                }

                OpenBlasKernels.Scal(n - i - 1, -tau[i], a, ii + lda, lda);
            }

            a[ii] = 1 - tau[i];
            for (int l = 0; l < i; l++)
            {
                a[offset + i + (l * lda)] = 0;
            }
        }
    }

    /// <summary>
    /// <c>dbdsqr('U')</c>: the SVD of the upper bidiagonal matrix (d on the diagonal, e above),
    /// rotating the rows of VT (n×ncvt) and the columns of U (nru×n) along; d ends up
    /// non-negative and descending. Indices below are LAPACK's, 1-based.
    /// </summary>
    private static void Bdsqr(int n, int ncvt, int nru, double[] d, double[] e, double[] vt, int ldvt, double[] u, int ldu)
    {
        const int maxitr = 6;
        const double hndrth = 0.01;
        if (n == 0)
        {
            return;
        }

        double D(int i) => d[i - 1];
        double E(int i) => e[i - 1];

        if (n > 1)
        {
            int nm1 = n - 1, nm12 = nm1 + nm1, nm13 = nm12 + nm1;
            var work = new double[4 * n];
            int idir = 0;
            const double eps = Lapack.Eps;
            const double unfl = Lapack.SafeMin;
            double tol = Lapack.TolMul * eps;

            // Upper bound on the singular values, and the convergence threshold from a lower bound
            // on the smallest one.
            double smax = 0;
            for (int i = 1; i <= n; i++)
            {
                smax = Math.Max(smax, Math.Abs(D(i)));
            }

            for (int i = 1; i <= n - 1; i++)
            {
                smax = Math.Max(smax, Math.Abs(E(i)));
            }

            double sminoa = Math.Abs(D(1));
            if (sminoa != 0)
            {
                double mu0 = sminoa;
                for (int i = 2; i <= n; i++)
                {
                    mu0 = Math.Abs(D(i)) * (mu0 / (mu0 + Math.Abs(E(i - 1))));
                    sminoa = Math.Min(sminoa, mu0);
                    if (sminoa == 0)
                    {
                        break;
                    }
                }
            }

            sminoa /= Math.Sqrt(n);
            double thresh = Math.Max(tol * sminoa, maxitr * (n * (n * unfl)));

            int maxitdivn = maxitr * n;
            int iterdivn = 0;
            int iter = -1;
            int oldll = -1;
            int oldm = -1;
            int m = n;
            double sminl = 0;
            bool converged = true;
            while (true)
            {
                // Label 60: is the matrix split, and where?
                if (m <= 1)
                {
                    break;
                }

                if (iter >= n)
                {
                    iter -= n;
                    iterdivn++;
                    if (iterdivn >= maxitdivn)
                    {
                        converged = false;
                        break;
                    }
                }

                smax = Math.Abs(D(m));
                int ll = 0;
                for (int lll = 1; lll <= m - 1; lll++)
                {
                    int l = m - lll;
                    double abss = Math.Abs(D(l));
                    double abse = Math.Abs(E(l));
                    if (abse <= thresh)
                    {
                        ll = l;
                        break;
                    }

                    smax = Math.Max(smax, Math.Max(abss, abse));
                }

                if (ll > 0)
                {
                    // Label 80: e(ll) is negligible.
                    e[ll - 1] = 0;
                    if (ll == m - 1)
                    {
                        m--;
                        continue;
                    }
                }

                ll++;

                // The bottom 2×2 block d(ll..m) is unreduced: dlasv2 finishes it.
                if (ll == m - 1)
                {
                    Lapack.Lasv2(D(m - 1), E(m - 1), D(m), out double sigmn, out double sigmx, out double sinr, out double cosr, out double sinl, out double cosl);
                    d[m - 2] = sigmx;
                    e[m - 2] = 0;
                    d[m - 1] = sigmn;
                    if (ncvt > 0)
                    {
                        OpenBlasKernels.Rot(ncvt, vt, m - 2, ldvt, vt, m - 1, ldvt, cosr, sinr);
                    }

                    if (nru > 0)
                    {
                        OpenBlasKernels.Rot(nru, u, (m - 2) * ldu, 1, u, (m - 1) * ldu, 1, cosl, sinl);
                    }

                    m -= 2;
                    continue;
                }

                // A new submatrix: chase the bulge in the direction of decreasing |d|.
                if (ll > oldm || m < oldll)
                {
                    idir = Math.Abs(D(ll)) >= Math.Abs(D(m)) ? 1 : 2;
                }

                // Convergence tests.
                bool split = false;
                if (idir == 1)
                {
                    if (Math.Abs(E(m - 1)) <= Math.Abs(tol) * Math.Abs(D(m)))
                    {
                        e[m - 2] = 0;
                        continue;
                    }

                    double mu = Math.Abs(D(ll));
                    sminl = mu;
                    for (int lll = ll; lll <= m - 1; lll++)
                    {
                        if (Math.Abs(E(lll)) <= tol * mu)
                        {
                            e[lll - 1] = 0;
                            split = true;
                            break;
                        }

                        mu = Math.Abs(D(lll + 1)) * (mu / (mu + Math.Abs(E(lll))));
                        sminl = Math.Min(sminl, mu);
                    }
                }
                else
                {
                    if (Math.Abs(E(ll)) <= Math.Abs(tol) * Math.Abs(D(ll)))
                    {
                        e[ll - 1] = 0;
                        continue;
                    }

                    double mu = Math.Abs(D(m));
                    sminl = mu;
                    for (int lll = m - 1; lll >= ll; lll--)
                    {
                        if (Math.Abs(E(lll)) <= tol * mu)
                        {
                            e[lll - 1] = 0;
                            split = true;
                            break;
                        }

                        mu = Math.Abs(D(lll)) * (mu / (mu + Math.Abs(E(lll))));
                        sminl = Math.Min(sminl, mu);
                    }
                }

                if (split)
                {
                    continue;
                }

                oldll = ll;
                oldm = m;

                // The shift: zero if it would be lost in rounding, else dlas2's smaller singular
                // value of the trailing (or leading) 2×2 block.
                double shift;
                if (n * tol * (sminl / smax) <= Math.Max(eps, hndrth * tol))
                {
                    shift = 0;
                }
                else
                {
                    double sll;
                    if (idir == 1)
                    {
                        sll = Math.Abs(D(ll));
                        Lapack.Las2(D(m - 1), E(m - 1), D(m), out shift, out _);
                    }
                    else
                    {
                        sll = Math.Abs(D(m));
                        Lapack.Las2(D(ll), E(ll), D(ll + 1), out shift, out _);
                    }

                    if (sll > 0)
                    {
                        double q = shift / sll;
                        if (q * q < eps)
                        {
                            shift = 0;
                        }
                    }
                }

                iter += m - ll;
                if (shift == 0)
                {
                    if (idir == 1)
                    {
                        ZeroShiftSweepDown(ll, m, n, d, e, work);
                        RotateVectors(ll, m, n, ncvt, nru, vt, ldvt, u, ldu, work, forward: true, vtFirst: 0, uFirst: nm12);
                        if (Math.Abs(E(m - 1)) <= thresh)
                        {
                            e[m - 2] = 0;
                        }
                    }
                    else
                    {
                        ZeroShiftSweepUp(ll, m, n, d, e, work);
                        RotateVectors(ll, m, n, ncvt, nru, vt, ldvt, u, ldu, work, forward: false, vtFirst: nm12, uFirst: 0);
                        if (Math.Abs(E(ll)) <= thresh)
                        {
                            e[ll - 1] = 0;
                        }
                    }
                }
                else if (idir == 1)
                {
                    ShiftedSweepDown(ll, m, shift, d, e, work, n);
                    RotateVectors(ll, m, n, ncvt, nru, vt, ldvt, u, ldu, work, forward: true, vtFirst: 0, uFirst: nm12);
                    if (Math.Abs(E(m - 1)) <= thresh)
                    {
                        e[m - 2] = 0;
                    }
                }
                else
                {
                    ShiftedSweepUp(ll, m, shift, d, e, work, n);
                    if (Math.Abs(E(ll)) <= thresh)
                    {
                        e[ll - 1] = 0;
                    }

                    RotateVectors(ll, m, n, ncvt, nru, vt, ldvt, u, ldu, work, forward: false, vtFirst: nm12, uFirst: 0);
                }
            }

            if (!converged)
            {
                // dbdsqr gives up (INFO > 0) and returns without the sign fix and the sort.
                return;
            }
        }

        // Label 160: make the singular values non-negative, then sort them descending
        // (selection of the smallest into the last place, swapping vectors along).
        for (int i = 1; i <= n; i++)
        {
            if (D(i) < 0)
            {
                d[i - 1] = -D(i);
                if (ncvt > 0)
                {
                    OpenBlasKernels.Scal(ncvt, -1.0, vt, i - 1, ldvt);
                }
            }
        }

        for (int i = 1; i <= n - 1; i++)
        {
            int isub = 1;
            double smin = D(1);
            for (int j = 2; j <= n + 1 - i; j++)
            {
                if (D(j) <= smin)
                {
                    isub = j;
                    smin = D(j);
                }
            }

            int last = n + 1 - i;
            if (isub != last)
            {
                d[isub - 1] = D(last);
                d[last - 1] = smin;
                if (ncvt > 0)
                {
                    OpenBlasKernels.Swap(ncvt, vt, isub - 1, ldvt, vt, last - 1, ldvt);
                }

                if (nru > 0)
                {
                    OpenBlasKernels.Swap(nru, u, (isub - 1) * ldu, 1, u, (last - 1) * ldu, 1);
                }
            }
        }
    }

    /// <summary>dbdsqr's zero-shift QR sweep from top to bottom (Demmel–Kahan), rotations into work.</summary>
    private static void ZeroShiftSweepDown(int ll, int m, int n, double[] d, double[] e, double[] work)
    {
        int nm1 = n - 1, nm12 = nm1 + nm1, nm13 = nm12 + nm1;
        double cs = 1, oldcs = 1, oldsn = 0;
        for (int i = ll; i <= m - 1; i++)
        {
            Lapack.Lartg(d[i - 1] * cs, e[i - 1], out cs, out double sn, out double r);
            if (i > ll)
            {
                e[i - 2] = oldsn * r;
            }

            Lapack.Lartg(oldcs * r, d[i] * sn, out oldcs, out oldsn, out d[i - 1]);
            work[i - ll] = cs;
            work[i - ll + nm1] = sn;
            work[i - ll + nm12] = oldcs;
            work[i - ll + nm13] = oldsn;
        }

        double h = d[m - 1] * cs;
        d[m - 1] = h * oldcs;
        e[m - 2] = h * oldsn;
    }

    /// <summary>dbdsqr's zero-shift QR sweep from bottom to top.</summary>
    private static void ZeroShiftSweepUp(int ll, int m, int n, double[] d, double[] e, double[] work)
    {
        int nm1 = n - 1, nm12 = nm1 + nm1, nm13 = nm12 + nm1;
        double cs = 1, oldcs = 1, oldsn = 0;
        for (int i = m; i >= ll + 1; i--)
        {
            Lapack.Lartg(d[i - 1] * cs, e[i - 2], out cs, out double sn, out double r);
            if (i < m)
            {
                e[i - 1] = oldsn * r;
            }

            Lapack.Lartg(oldcs * r, d[i - 2] * sn, out oldcs, out oldsn, out d[i - 1]);
            work[i - ll - 1] = cs;
            work[i - ll - 1 + nm1] = -sn;
            work[i - ll - 1 + nm12] = oldcs;
            work[i - ll - 1 + nm13] = -oldsn;
        }

        double h = d[ll - 1] * cs;
        d[ll - 1] = h * oldcs;
        e[ll - 1] = h * oldsn;
    }

    /// <summary>dbdsqr's shifted QR sweep (chasing the bulge) from top to bottom.</summary>
    private static void ShiftedSweepDown(int ll, int m, double shift, double[] d, double[] e, double[] work, int n)
    {
        int nm1 = n - 1, nm12 = nm1 + nm1, nm13 = nm12 + nm1;
        double dl = d[ll - 1];
        double f = (Math.Abs(dl) - shift) * (Math.CopySign(1.0, dl) + (shift / dl));
        double g = e[ll - 1];
        for (int i = ll; i <= m - 1; i++)
        {
            Lapack.Lartg(f, g, out double cosr, out double sinr, out double r);
            if (i > ll)
            {
                e[i - 2] = r;
            }

            f = (cosr * d[i - 1]) + (sinr * e[i - 1]);
            e[i - 1] = (cosr * e[i - 1]) - (sinr * d[i - 1]);
            g = sinr * d[i];
            d[i] = cosr * d[i];
            Lapack.Lartg(f, g, out double cosl, out double sinl, out r);
            d[i - 1] = r;
            f = (cosl * e[i - 1]) + (sinl * d[i]);
            d[i] = (cosl * d[i]) - (sinl * e[i - 1]);
            if (i < m - 1)
            {
                g = sinl * e[i];
                e[i] = cosl * e[i];
            }

            work[i - ll] = cosr;
            work[i - ll + nm1] = sinr;
            work[i - ll + nm12] = cosl;
            work[i - ll + nm13] = sinl;
        }

        e[m - 2] = f;
    }

    /// <summary>dbdsqr's shifted QR sweep from bottom to top.</summary>
    private static void ShiftedSweepUp(int ll, int m, double shift, double[] d, double[] e, double[] work, int n)
    {
        int nm1 = n - 1, nm12 = nm1 + nm1, nm13 = nm12 + nm1;
        double dm = d[m - 1];
        double f = (Math.Abs(dm) - shift) * (Math.CopySign(1.0, dm) + (shift / dm));
        double g = e[m - 2];
        for (int i = m; i >= ll + 1; i--)
        {
            Lapack.Lartg(f, g, out double cosr, out double sinr, out double r);
            if (i < m)
            {
                e[i - 1] = r;
            }

            f = (cosr * d[i - 1]) + (sinr * e[i - 2]);
            e[i - 2] = (cosr * e[i - 2]) - (sinr * d[i - 1]);
            g = sinr * d[i - 2];
            d[i - 2] = cosr * d[i - 2];
            Lapack.Lartg(f, g, out double cosl, out double sinl, out r);
            d[i - 1] = r;
            f = (cosl * e[i - 2]) + (sinl * d[i - 2]);
            d[i - 2] = (cosl * d[i - 2]) - (sinl * e[i - 2]);
            if (i > ll + 1)
            {
                g = sinl * e[i - 3];
                e[i - 3] = cosl * e[i - 3];
            }

            work[i - ll - 1] = cosr;
            work[i - ll - 1 + nm1] = -sinr;
            work[i - ll - 1 + nm12] = cosl;
            work[i - ll - 1 + nm13] = -sinl;
        }

        e[ll - 1] = f;
    }

    /// <summary>
    /// The sweep's rotations applied to the vectors with <c>dlasr</c> (plain Fortran, no BLAS):
    /// rows ll..m of VT from the left, columns ll..m of U from the right. <paramref name="vtFirst"/>
    /// and <paramref name="uFirst"/> say where in work each one's cosines start (sines follow nm1
    /// further on).
    /// </summary>
    private static void RotateVectors(int ll, int m, int n, int ncvt, int nru, double[] vt, int ldvt, double[] u, int ldu, double[] work, bool forward, int vtFirst, int uFirst)
    {
        int nm1 = n - 1;
        int count = m - ll + 1;
        if (ncvt > 0)
        {
            LasrLeft(count, ncvt, work, vtFirst, vtFirst + nm1, vt, ll - 1, ldvt, forward);
        }

        if (nru > 0)
        {
            LasrRight(nru, count, work, uFirst, uFirst + nm1, u, (ll - 1) * ldu, ldu, forward);
        }
    }

    /// <summary><c>dlasr('L', 'V', 'F' or 'B')</c>: plane rotations of adjacent rows of the m×n block.</summary>
    private static void LasrLeft(int m, int n, double[] work, int cOffset, int sOffset, double[] a, int offset, int lda, bool forward)
    {
        for (int step = 0; step < m - 1; step++)
        {
            int j = forward ? step : m - 2 - step;
            double ct = work[cOffset + j];
            double st = work[sOffset + j];
            if (ct != 1 || st != 0)
            {
                for (int i = 0; i < n; i++)
                {
                    ref double aj = ref a[offset + j + (i * lda)];
                    ref double aj1 = ref a[offset + j + 1 + (i * lda)];
                    double temp = aj1;
                    aj1 = (ct * temp) - (st * aj);
                    aj = (st * temp) + (ct * aj);
                }
            }
        }
    }

    /// <summary><c>dlasr('R', 'V', 'F' or 'B')</c>: plane rotations of adjacent columns of the m×n block.</summary>
    private static void LasrRight(int m, int n, double[] work, int cOffset, int sOffset, double[] a, int offset, int lda, bool forward)
    {
        for (int step = 0; step < n - 1; step++)
        {
            int j = forward ? step : n - 2 - step;
            double ct = work[cOffset + j];
            double st = work[sOffset + j];
            if (ct != 1 || st != 0)
            {
                for (int i = 0; i < m; i++)
                {
                    ref double aj = ref a[offset + i + (j * lda)];
                    ref double aj1 = ref a[offset + i + ((j + 1) * lda)];
                    double temp = aj1;
                    aj1 = (ct * temp) - (st * aj);
                    aj = (st * temp) + (ct * aj);
                }
            }
        }
    }
}
