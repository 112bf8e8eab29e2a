namespace DlibModels.Geometry;

/// <summary>
/// LAPACK's scalar auxiliary routines as the reference outputs' LAPACK computes them: Debian
/// builds OpenBLAS 0.3.21's LAPACK from its own Reference-LAPACK 3.11 sources, compiled by
/// gfortran for baseline x86-64 (plain IEEE double operations, no fused multiply-add). Each
/// routine is evaluated in LAPACK's order of operations. Machine constants are <c>dlamch</c>'s.
/// </summary>
internal static class Lapack
{
    /// <summary><c>dlamch('E')</c>: the relative machine precision, 2^-53.</summary>
    public const double Eps = 1.1102230246251565e-16;

    /// <summary><c>dlamch('S')</c>: the safe minimum, 2^-1022.</summary>
    public const double SafeMin = 2.2250738585072014e-308;

    /// <summary>
    /// <c>dbdsqr</c>'s TOLMUL = max(10, min(100, eps^(-1/8))): 2^6.625 as glibc's <c>pow</c>
    /// rounds it.
    /// </summary>
    public static readonly double TolMul = BitConverter.Int64BitsToDouble(0x4058ace5422aa0db);

    /// <summary><c>dlapy2</c>: sqrt(x² + y²) without needless overflow.</summary>
    public static double Lapy2(double x, double y)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        if (double.IsNaN(y))
        {
            return y;
        }

        double xa = Math.Abs(x), ya = Math.Abs(y);
        double w = Math.Max(xa, ya);
        double z = Math.Min(xa, ya);
        if (z == 0 || w > double.MaxValue)
        {
            return w;
        }

        double q = z / w;
        return w * Math.Sqrt(1.0 + (q * q));
    }

    /// <summary>
    /// <c>dlartg</c> (the Fortran 90 version of LAPACK 3.11): the plane rotation [c s; −s c] with
    /// [c s; −s c]·[f; g] = [r; 0], c = |f|/d and s = g/r for d = sqrt(f² + g²), r = ±d.
    /// </summary>
    public static void Lartg(double f, double g, out double c, out double s, out double r)
    {
        // rtmin = sqrt(safmin), rtmax = sqrt(safmax/2), safmin = 2^-1022, safmax = 2^1022.
        const double safmin = SafeMin;
        const double safmax = 1.0 / safmin;
        double rtmin = Math.Sqrt(safmin);
        double rtmax = Math.Sqrt(safmax / 2);
        double f1 = Math.Abs(f);
        double g1 = Math.Abs(g);
        if (g == 0)
        {
            c = 1;
            s = 0;
            r = f;
        }
        else if (f == 0)
        {
            c = 0;
            s = Math.CopySign(1.0, g);
            r = g1;
        }
        else if (f1 > rtmin && f1 < rtmax && g1 > rtmin && g1 < rtmax)
        {
            double d = Math.Sqrt((f * f) + (g * g));
            c = f1 / d;
            r = Math.CopySign(d, f);
            s = g / r;
        }
        else
        {
            double u = Math.Min(safmax, Math.Max(safmin, Math.Max(f1, g1)));
            double fs = f / u;
            double gs = g / u;
            double d = Math.Sqrt((fs * fs) + (gs * gs));
            c = Math.Abs(fs) / d;
            r = Math.CopySign(d, f);
            s = gs / r;
            r *= u;
        }
    }

    /// <summary><c>dlas2</c>: the singular values of the upper triangular [[f, g], [0, h]].</summary>
    public static void Las2(double f, double g, double h, out double ssmin, out double ssmax)
    {
        double fa = Math.Abs(f);
        double ga = Math.Abs(g);
        double ha = Math.Abs(h);
        double fhmn = Math.Min(fa, ha);
        double fhmx = Math.Max(fa, ha);
        if (fhmn == 0)
        {
            ssmin = 0;
            if (fhmx == 0)
            {
                ssmax = ga;
            }
            else
            {
                double q = Math.Min(fhmx, ga) / Math.Max(fhmx, ga);
                ssmax = Math.Max(fhmx, ga) * Math.Sqrt(1.0 + (q * q));
            }
        }
        else if (ga < fhmx)
        {
            double fas = 1.0 + (fhmn / fhmx);
            double at = (fhmx - fhmn) / fhmx;
            double au = ga / fhmx;
            au *= au;
            double c = 2.0 / (Math.Sqrt((fas * fas) + au) + Math.Sqrt((at * at) + au));
            ssmin = fhmn * c;
            ssmax = fhmx / c;
        }
        else
        {
            double au = fhmx / ga;
            if (au == 0)
            {
                ssmin = fhmn * fhmx / ga;
                ssmax = ga;
            }
            else
            {
                double fas = 1.0 + (fhmn / fhmx);
                double at = (fhmx - fhmn) / fhmx;
                double p = fas * au;
                double q = at * au;
                double c = 1.0 / (Math.Sqrt(1.0 + (p * p)) + Math.Sqrt(1.0 + (q * q)));
                ssmin = fhmn * c * au;
                ssmin += ssmin;
                ssmax = ga / (c + c);
            }
        }
    }

    /// <summary><c>dlasv2</c>: the SVD of the upper triangular [[f, g], [0, h]].</summary>
    public static void Lasv2(double f, double g, double h, out double ssmin, out double ssmax, out double snr, out double csr, out double snl, out double csl)
    {
        double ft = f, fa = Math.Abs(ft), ht = h, ha = Math.Abs(h);
        int pmax = 1;
        bool swap = ha > fa;
        if (swap)
        {
            pmax = 3;
            (ft, ht) = (ht, ft);
            (fa, ha) = (ha, fa);
        }

        double gt = g, ga = Math.Abs(gt);
        double clt, crt, slt, srt;
        if (ga == 0)
        {
            ssmin = ha;
            ssmax = fa;
            clt = 1;
            crt = 1;
            slt = 0;
            srt = 0;
        }
        else
        {
            bool gasmal = true;
            ssmin = ssmax = clt = crt = slt = srt = 0;
            if (ga > fa)
            {
                pmax = 2;
                if (fa / ga < Eps)
                {
                    gasmal = false;
                    ssmax = ga;
                    ssmin = ha > 1 ? fa / (ga / ha) : fa / ga * ha;
                    clt = 1;
                    slt = ht / gt;
                    srt = 1;
                    crt = ft / gt;
                }
            }

            if (gasmal)
            {
                double d = fa - ha;
                double l = d == fa ? 1.0 : d / fa;
                double m = gt / ft;
                double t = 2.0 - l;
                double mm = m * m;
                double tt = t * t;
                double s = Math.Sqrt(tt + mm);
                double r = l == 0 ? Math.Abs(m) : Math.Sqrt((l * l) + mm);
                double a = 0.5 * (s + r);
                ssmin = ha / a;
                ssmax = fa * a;
                if (mm == 0)
                {
                    t = l == 0
                        ? Math.CopySign(2.0, ft) * Math.CopySign(1.0, gt)
                        : (gt / Math.CopySign(d, ft)) + (m / t);
                }
                else
                {
                    t = ((m / (s + t)) + (m / (r + l))) * (1.0 + a);
                }

                l = Math.Sqrt((t * t) + 4.0);
                crt = 2.0 / l;
                srt = t / l;
                clt = (crt + (srt * m)) / a;
                slt = ht / ft * srt / a;
            }
        }

        if (swap)
        {
            csl = srt;
            snl = crt;
            csr = slt;
            snr = clt;
        }
        else
        {
            csl = clt;
            snl = slt;
            csr = crt;
            snr = srt;
        }

        double tsign = pmax switch
        {
            1 => Math.CopySign(1.0, csr) * Math.CopySign(1.0, csl) * Math.CopySign(1.0, f),
            2 => Math.CopySign(1.0, snr) * Math.CopySign(1.0, csl) * Math.CopySign(1.0, g),
            _ => Math.CopySign(1.0, snr) * Math.CopySign(1.0, snl) * Math.CopySign(1.0, h),
        };
        ssmax = Math.CopySign(ssmax, tsign);
        ssmin = Math.CopySign(ssmin, tsign * Math.CopySign(1.0, f) * Math.CopySign(1.0, h));
    }
}
